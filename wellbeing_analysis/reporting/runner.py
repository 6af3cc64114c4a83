"""Run report notebooks for one or many services: papermill executes, nbconvert renders.

- Params and data are checked first (clear errors; no notebook runs on bad input).
- Each report is executed into a staging folder and moved into place only when it succeeded,
  so a failed run never replaces a previous good report; the failed notebook is kept under
  ``_failed/`` for debugging, the executed one under ``_notebooks/``.
- Batches run in a pool of long-lived worker processes (``--jobs``), with a progress bar;
  one failing service does not stop the others; a summary lists every failure.
- papermill and nbconvert are used through their Python APIs in the worker process (not
  their command lines), so each report costs one kernel start and the notebook's own work.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from wellbeing_analysis.errors import WellbeingError
from wellbeing_analysis.reporting import PROJECT_ROOT

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE_NAME = "nhs_report"

#: report key -> (notebook file, title)
REPORTS: dict[str, tuple[str, str]] = {
    "baseline": ("baseline.ipynb", "Baseline report"),
    "pdsa": ("pdsa_cycle.ipynb", "PDSA cycle report"),
    "evaluation": ("intervention_evaluation.ipynb", "Intervention evaluation"),
}
#: Quieten the kernel's own start-up log (it goes to the analyst's terminal otherwise).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Linear algebra here is on tiny matrices: BLAS threads only add overhead, and with
#: ``--jobs`` they oversubscribe the cores. Kernels inherit these settings.
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                     "MKL_NUM_THREADS": "1"}
#: Seconds a single notebook cell may run before the report fails.
CELL_TIMEOUT_SECONDS = 600
MANIFEST = "run.json"
#: Tags of notebook cells left out of rendered reports: notes for analysts, and the
#: parameters cells (no output; papermill gives its injected cell a random id, which would
#: make two renders of the same inputs differ).
REMOVE_TAGS = frozenset({"remove_cell", "parameters", "injected-parameters"})


@dataclass
class Outcome:
    """What happened to one report of one service."""

    params_file: str
    service: str
    report: str
    ok: bool
    seconds: float = 0.0
    html: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Preflight: params and data, once per service, before any kernel starts
# ---------------------------------------------------------------------------
def preflight(params_file: str | Path, reports: Sequence[str]) -> tuple[object | None, str | None]:
    """Validate params and data for a service. Returns (params, error): error None when all
    is well; params None when the params file itself is invalid."""
    from wellbeing_analysis.reporting.checks import check_report_inputs
    from wellbeing_analysis.reporting.context import ensure_demo_data
    from wellbeing_analysis.reporting.params import load_params
    from wellbeing_analysis.validation import validate_folder

    params = None
    try:
        params = load_params(params_file)
        ensure_demo_data(params)
        report = validate_folder(params.data_path, extract_date=params.extract_timestamp)
        if not report.ok:
            from wellbeing_analysis.errors import format_problems

            return params, (f"{len(report.errors)} problem(s) in the input data "
                            f"({params.data_path}):\n" + format_problems(report.errors))
        check_report_inputs(params, report, reports)
    except WellbeingError as exc:
        return params, str(exc)
    return params, None


# ---------------------------------------------------------------------------
# One report (runs in a worker process)
# ---------------------------------------------------------------------------
def _stderr_outputs(nb) -> list[str]:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "").strip()
            if out.get("output_type") == "stream" and out.get("name") == "stderr" and text:
                found.append(text.splitlines()[0][:200])
    return found


def execute_report(params_file: str, report: str, output_dir: str, service: str) -> Outcome:
    """Execute one report notebook and render it to ``output_dir/<report>.html``."""
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    start = time.perf_counter()
    notebook, title = REPORTS[report]
    out_dir = Path(output_dir)
    staging = out_dir / ".staging" / f"{report}-{os.getpid()}"
    staging.mkdir(parents=True, exist_ok=True)
    executed = staging / notebook
    outcome = Outcome(params_file, service, report, ok=False)
    try:
        pm.execute_notebook(
            str(NOTEBOOK_DIR / notebook), str(executed),
            parameters={"params_file": str(Path(params_file).resolve())},
            kernel_name="python3", cwd=str(PROJECT_ROOT), progress_bar=False,
            request_save_on_cell_execute=False, log_output=False,
            execution_timeout=CELL_TIMEOUT_SECONDS, extra_arguments=KERNEL_ARGUMENTS,
        )
        nb = nbformat.read(executed, as_version=4)
        outcome.warnings = _stderr_outputs(nb)
        nb.metadata["title"] = f"{title} — {service}"
        exporter = HTMLExporter(template_name=TEMPLATE_NAME,
                                extra_template_basedirs=[str(TEMPLATE_DIR)],
                                exclude_input=True, exclude_input_prompt=True,
                                exclude_output_prompt=True)
        # the notebooks' notes for analysts (tagged remove_cell) are not part of a report
        exporter.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags=set(REMOVE_TAGS), enabled=True), enabled=True)
        body, _ = exporter.from_notebook_node(nb)
        html_tmp = staging / f"{report}.html"
        html_tmp.write_text(body, encoding="utf-8")
        (out_dir / "_notebooks").mkdir(exist_ok=True)
        os.replace(executed, out_dir / "_notebooks" / notebook)
        os.replace(html_tmp, out_dir / f"{report}.html")  # atomic: same file system
        outcome.ok = True
        outcome.html = str(out_dir / f"{report}.html")
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the batch
        outcome.error = _error_text(exc)
        if executed.exists():
            (out_dir / "_failed").mkdir(exist_ok=True)
            os.replace(executed, out_dir / "_failed" / notebook)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):  # only when no other worker is using it
            staging.parent.rmdir()
        outcome.seconds = time.perf_counter() - start
    return outcome


def _error_text(exc: BaseException) -> str:
    """The user-facing part of an error: the notebook's exception name and message."""
    ename = getattr(exc, "ename", None)
    if ename is not None:  # papermill.PapermillExecutionError
        return f"{ename}: {getattr(exc, 'evalue', '')}".strip()
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


# ---------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------
def run_reports(
    params_files: Iterable[str | Path],
    reports: Sequence[str] = tuple(REPORTS),
    *,
    jobs: int = 1,
    progress: bool = True,
) -> list[Outcome]:
    """Render ``reports`` for every params file; returns one outcome per service × report."""
    from tqdm import tqdm

    from wellbeing_analysis.reporting.index import write_indexes

    for key, value in SINGLE_THREAD_ENV.items():
        os.environ.setdefault(key, value)
    outcomes: list[Outcome] = []
    services: dict = {}
    files = [str(pf) for pf in params_files]
    bar = tqdm(total=len(files) * len(reports), desc="reports", unit="report",
               disable=not progress, file=sys.stderr)

    def checked(pf: str, params, error: str | None) -> list[tuple[str, str, str, str]]:
        """Record a service's preflight; return its report tasks (none if it failed)."""
        if error is not None:
            name = params.service_name if params is not None else Path(pf).name
            outcomes.extend(Outcome(pf, name, r, ok=False, error=error) for r in reports)
            if params is not None:  # its run.json and index say the latest run failed
                services[pf] = params
            bar.update(len(reports))
            return []
        services[pf] = params
        params.output_path.mkdir(parents=True, exist_ok=True)
        return [(pf, r, str(params.output_path), params.service_name) for r in reports]

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        bar.set_postfix_str(f"{outcome.service}: {outcome.report}")
        bar.update()

    if jobs <= 1:
        for pf in files:
            for task in checked(pf, *preflight(pf, reports)):
                done(execute_report(*task))
    else:
        # preflights run in the pool too, and each service's reports are queued as soon as
        # its preflight passes, so both workers stay busy from the start
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            pre = {pool.submit(preflight, pf, reports): pf for pf in files}
            running = []
            for fut in as_completed(pre):
                running += [pool.submit(execute_report, *task)
                            for task in checked(pre[fut], *fut.result())]
            for fut in as_completed(running):
                done(fut.result())
    bar.close()
    order = {pf: i for i, pf in enumerate(files)}
    outcomes.sort(key=lambda o: (order[o.params_file], list(reports).index(o.report)))
    write_manifests(outcomes, services)
    write_indexes(services, outcomes)
    return outcomes


def write_manifests(outcomes: list[Outcome], services: dict) -> None:
    """Record each report's latest run per service (read by the index pages)."""
    from wellbeing_analysis.reporting.io import write_atomic_text
    from wellbeing_analysis.reporting.provenance import run_timestamp

    stamp = run_timestamp()
    for pf, params in services.items():
        path = params.output_path / MANIFEST
        previous = json.loads(path.read_text()) if path.exists() else {}
        for o in outcomes:
            if o.params_file != pf:
                continue
            entry = previous.get(o.report, {})
            entry.update({"last_run": stamp, "ok": o.ok, "error": o.error,
                          "seconds": round(o.seconds, 1)})
            if o.ok:
                entry["last_success"] = stamp
            previous[o.report] = entry
        write_atomic_text(path, json.dumps(previous, indent=2) + "\n")


def summarise(outcomes: list[Outcome]) -> str:
    """Plain-text summary: successes, notes and every failure with its reason (a service
    whose reports all failed for the same reason is listed once)."""
    ok = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    lines = [f"{len(ok)} report(s) rendered, {len(failed)} failed."]
    for o in ok:
        lines.append(f"  ok      {o.service}: {o.report} ({o.seconds:.1f} s) -> {o.html}")
        lines += [f"          note: {w}" for w in o.warnings]
    groups: dict[tuple[str, str], list[str]] = {}
    for o in failed:
        groups.setdefault((o.params_file, o.error or "unknown error"), []).append(o.report)
    names = {o.params_file: o.service for o in failed}
    for (params_file, error), reports in groups.items():
        lines.append(f"  FAILED  {names[params_file]}: {', '.join(reports)} ({params_file})")
        lines += [f"          {line}" for line in error.splitlines()]
    return "\n".join(lines)


def outcomes_json(outcomes: list[Outcome]) -> str:
    return json.dumps([asdict(o) for o in outcomes], indent=2)
