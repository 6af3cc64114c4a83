"""Run report notebooks for one or many services: papermill executes, nbconvert renders.

- **Preflight, once per service**: params, the output folder (only folders the tool owns;
  :mod:`.outputs`), the data folder (validated once) and params against data. The validated,
  pseudonymised service goes to the kernels as a run bundle in the staging folder, so each
  report starts from the same tables and none re-reads the data.
- **Atomic output**: each report is executed into staging and moved into place only when it
  succeeded, so a failed run never replaces a previous good report; the failed notebook is
  kept under ``_failed/`` (cleared by the next success), the executed one under
  ``_notebooks/``. Staging is removed on every exit path.
- **Failure isolation**: any error in one service — params, data, permissions, paths, a
  kernel crash — is recorded for that service and the batch goes on; the summary lists every
  failure. Ctrl-C stops the batch and says what finished and what did not.
- **Nothing identifying is kept**: ``run.json`` holds each report's state and, for a
  failure, the problem without cell values (staff IDs never); terminal lists are capped.
- Up to ``--jobs`` reports run at once, each in its own kernel started ahead
  (:mod:`.kernels`): the work is in the kernels, so the runner needs only a thread per
  running report to wait on it, and runs the next service's preflight meanwhile.
  Papermill and nbconvert are used through their Python APIs.

Why one module of this length: the batch's life cycle (preflight, threads, staging,
interruption, clean-up) is one piece of control flow; splitting it would scatter the exit
paths that must all clean up.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from wellbeing_analysis.constants import REPORT_LANGUAGE
from wellbeing_analysis.errors import BatchInterrupted, WellbeingError, format_problems
from wellbeing_analysis.reporting import outputs
from wellbeing_analysis.reporting.catalogue import (
    REPORTS,
    RUN_ORDER,
    STATUS_METADATA,
    SUMMARY_METADATA,
    TEMPLATE_NAME,
    ReportSpec,
    template_dir,
)
from wellbeing_analysis.reporting.kernels import (
    KERNEL_NAME,
    KernelsAhead,
    StartedKernel,
    kill_kernel,
    start_kernel,
    stop_kernel,
)
from wellbeing_analysis.reporting.outcomes import (
    ReportOutcome,
    stored_text,
    summarise,
    write_manifest,
)

#: Quieten the kernel's own start-up log (it goes to the analyst's terminal otherwise).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Linear algebra here is on tiny matrices: BLAS threads only add overhead, and with
#: ``--jobs`` they oversubscribe the cores. Kernels inherit these settings.
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                     "MKL_NUM_THREADS": "1"}
#: Seconds a single notebook cell may run before the report fails.
CELL_TIMEOUT_SECONDS = 600
#: Tags of notebook cells left out of rendered reports: notes for analysts, and the
#: parameters cells (no output; papermill gives its injected cell a random id, which would
#: make two renders of the same inputs differ).
REMOVE_TAGS = frozenset({"remove_cell", "parameters", "injected-parameters"})
#: Problem rules listed in a stored (run.json) validation failure.
STORED_PROBLEM_RULES = 20


@dataclass
class ServicePlan:
    """The preflight of one service: its params, output folder and run bundle, or why it
    cannot run."""

    params_file: str
    params: object | None = None  # ReportParams
    folder: Path | None = None
    bundle: str | None = None
    error: str | None = None
    stored_error: str | None = None
    #: reports that cannot run for a reason of their own (e.g. no PDSA log): report -> error
    report_errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.params.service_name if self.params is not None else Path(
            self.params_file).name


# ---------------------------------------------------------------------------
# Preflight: params, output folder, data — once per service, before any kernel starts
# ---------------------------------------------------------------------------
def _stored_validation_error(problems, data_path: Path) -> str:
    """A validation failure for run.json: each rule (file, column, problem) with its count,
    never a cell value."""
    keys = ["file", "column", "problem"]
    counts = (problems.astype({k: "string" for k in keys}).fillna({"column": ""})
              .groupby(keys, sort=False).size().reset_index(name="rows"))
    lines = [f"  {r.file}{f', column {r.column!r}' if r.column else ''}: {r.problem} "
             f"({r.rows:,} row{'s' if r.rows != 1 else ''})"
             for r in counts.head(STORED_PROBLEM_RULES).itertuples()]
    if len(counts) > STORED_PROBLEM_RULES:
        lines.append(f"  ... and {len(counts) - STORED_PROBLEM_RULES} more kinds of problem")
    return (f"{len(problems):,} problem(s) in the input data ({data_path}):\n"
            + "\n".join(lines))


def preflight(params_file: str | Path, reports: Sequence[str]) -> ServicePlan:
    """Check a service's params, output folder and data; on success its plan carries the
    run bundle (validated, pseudonymised data) the kernels read."""
    from wellbeing_analysis.loading import service_from_report
    from wellbeing_analysis.reporting.checks import check_report_inputs
    from wellbeing_analysis.reporting.context import RunBundle, comparison_input
    from wellbeing_analysis.reporting.params import load_params
    from wellbeing_analysis.validation import validate_folder

    start = time.perf_counter()
    plan = ServicePlan(str(params_file))
    try:
        plan.params = load_params(params_file)
        plan.folder = outputs.claim_service_folder(plan.params.output_path)
        report = validate_folder(plan.params.data_path,
                                 extract_date=plan.params.extract_timestamp)
        if not report.ok:
            plan.error = (f"{len(report.errors):,} problem(s) in the input data "
                          f"({plan.params.data_path}):\n" + format_problems(report.errors))
            plan.stored_error = _stored_validation_error(report.errors, plan.params.data_path)
            return plan
        plan.report_errors = check_report_inputs(plan.params, report, reports)
        comparison, extra = (comparison_input(plan.params) if "evaluation" in reports
                             and "evaluation" not in plan.report_errors else (None, {}))
        benchmark, more = (comparison_input(plan.params, which="benchmark")
                           if "baseline" in reports and "baseline" not in plan.report_errors
                           else (None, {}))
        staging = outputs.staging_dir(plan.folder, f"bundle-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        bundle = RunBundle(plan.params, service_from_report(report), comparison,
                           {**extra, **more}, benchmark)
        plan.bundle = str(bundle.save(staging / "bundle.pkl"))
    except WellbeingError as exc:
        plan.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one service's failure must not stop the batch
        plan.error = f"unexpected error while checking this service: {_error_text(exc)}"
    finally:
        plan.seconds = time.perf_counter() - start
    if plan.error is not None and plan.stored_error is None:
        plan.stored_error = stored_text(plan.error)
    return plan


# ---------------------------------------------------------------------------
# One report (runs in a worker process)
# ---------------------------------------------------------------------------
def notebook_path(spec: ReportSpec) -> Path:
    """The report's notebook file (package data; a real file in a checkout or a wheel)."""
    return Path(str(spec.notebook_resource()))


def _stderr_outputs(nb) -> list[str]:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "").strip()
            if out.get("output_type") == "stream" and out.get("name") == "stderr" and text:
                found.append(text.splitlines()[0][:200])
    return found


def _report_status(nb) -> str:
    """The status the report declared in its output metadata (default 'ok')."""
    status = _output_metadata(nb, STATUS_METADATA)
    return str(status) if status else "ok"


def _output_metadata(nb, key: str):
    """The first value the executed notebook's outputs declare under ``key`` (or None)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {})
            # IPython files a _repr_html_'s metadata under its MIME type
            value = meta.get(key) or meta.get("text/html", {}).get(key)
            if value:
                return value
    return None


def render_notebook(source: Path, executed: Path, parameters: dict, title: str, *,
                    kernel: StartedKernel | None = None):
    """Execute ``source`` with papermill into ``executed`` and render it with nbconvert to
    HTML without code. Returns (HTML, the executed notebook).

    The notebook runs in ``kernel`` when given (started ahead, :mod:`.kernels`; the caller
    stops it), else in a plain kernel started here in ``executed``'s folder and stopped
    after, as papermill would start it. Papermill itself never starts the kernel: its
    ``cwd`` changes the whole process's folder (``os.chdir``), which threads share."""
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    own = kernel is None
    km = start_kernel(KERNEL_ARGUMENTS, str(executed.parent), preload=()) if own else kernel
    try:
        pm.execute_notebook(
            str(source), str(executed), parameters=parameters, kernel_name=KERNEL_NAME,
            progress_bar=False, request_save_on_cell_execute=False, log_output=False,
            execution_timeout=CELL_TIMEOUT_SECONDS, km=km)
    finally:
        if own:
            stop_kernel(km)
    nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = title
    exporter = HTMLExporter(template_name=TEMPLATE_NAME,
                            extra_template_basedirs=[str(template_dir())],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    # the notebooks' notes for analysts (tagged remove_cell) are not part of a report
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVE_TAGS), enabled=True), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    # nbconvert accepts only two-letter codes; reports are in British English
    body = body.replace('<html lang="en">', f'<html lang="{REPORT_LANGUAGE}">', 1)
    return body, nb


def execute_report(params_file: str, report: str, output_dir: str, service: str,
                   bundle: str | None = None, kernel: StartedKernel | None = None
                   ) -> ReportOutcome:
    """Execute one report notebook and render it to ``output_dir/<report>.html`` (in
    ``kernel`` when one was started ahead for it)."""
    start = time.perf_counter()
    spec = REPORTS[report]
    out_dir = Path(output_dir)
    task = f"{report}-{os.getpid()}-{threading.get_ident()}"  # reports run in threads
    outcome = ReportOutcome(params_file, service, report, ok=False)
    executed = None
    try:
        staging = outputs.staging_dir(out_dir, task)
        executed = staging / spec.notebook
        body, nb = render_notebook(
            notebook_path(spec), executed,
            {"params_file": str(Path(params_file).resolve()), "bundle": bundle},
            f"{spec.title} — {service}", kernel=kernel)
        outcome.warnings = _stderr_outputs(nb)
        outcome.status = _report_status(nb)
        outcome.summary = _output_metadata(nb, SUMMARY_METADATA)
        html_tmp = staging / f"{report}.html"
        html_tmp.write_text(body, encoding="utf-8")
        (out_dir / outputs.NOTEBOOKS_DIR).mkdir(exist_ok=True)
        os.replace(executed, out_dir / outputs.NOTEBOOKS_DIR / spec.notebook)
        os.replace(html_tmp, out_dir / f"{report}.html")  # atomic: same file system
        # a success clears the failed notebook an earlier run left for debugging
        (out_dir / outputs.FAILED_DIR / spec.notebook).unlink(missing_ok=True)
        _remove_if_empty(out_dir / outputs.FAILED_DIR)
        outcome.ok = True
        outcome.html = str(out_dir / f"{report}.html")
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the batch
        outcome.status = "failed"
        outcome.error = _error_text(exc)
        outcome.stored_error = stored_text(outcome.error)
        if executed is not None and executed.exists():
            try:
                (out_dir / outputs.FAILED_DIR).mkdir(exist_ok=True)
                os.replace(executed, out_dir / outputs.FAILED_DIR / spec.notebook)
            except OSError:
                pass  # the failure itself is recorded; keeping the notebook is a courtesy
    finally:
        outputs.remove_staging(out_dir, task)
        outcome.seconds = time.perf_counter() - start
    return outcome


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _error_text(exc: BaseException) -> str:
    """The user-facing part of an error: the notebook's exception name and message."""
    ename = getattr(exc, "ename", None)
    if ename is not None:  # papermill.PapermillExecutionError
        return f"{ename}: {getattr(exc, 'evalue', '')}".strip()
    if type(exc).__name__ == "DeadKernelError":  # nbclient's, raised when the kernel dies
        return ("the report's kernel died part-way (for example, the machine ran out of "
                "memory)")
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
) -> list[ReportOutcome]:
    """Render ``reports`` for every params file; returns one outcome per service × report,
    in the order given. Raises :class:`BatchInterrupted` on Ctrl-C (after cleaning up)."""
    from tqdm import tqdm

    for key, value in SINGLE_THREAD_ENV.items():
        os.environ.setdefault(key, value)
    files = [str(pf) for pf in params_files]
    reports = tuple(reports)
    bar = tqdm(total=len(files) * len(reports), desc="reports", unit="report",
               disable=not progress, file=sys.stderr)
    batch = _Batch(files, reports, bar)
    try:
        _run_batch(batch, jobs)
    except KeyboardInterrupt:
        batch.clean_all()
        bar.close()
        raise BatchInterrupted(batch.interrupted_text()) from None
    finally:
        bar.close()
    batch.clean_all()
    return batch.outcomes()


def _run_batch(batch: _Batch, jobs: int) -> None:
    """Each report in a kernel of its own, up to ``jobs`` at once.

    A report's work happens in its kernel, so the thread that runs its notebook only waits
    on it. This thread starts the kernels ahead of the reports that take them (during the
    first preflight, then one ahead while reports run), runs each service's preflight
    while the reports before it run, and records every outcome. With more than one job the
    longest reports start first (:data:`RUN_ORDER`), so the batch ends sooner."""
    unplanned = deque(batch.files)
    queue: deque[tuple] = deque()
    running: dict[Future, tuple[tuple, StartedKernel | None]] = {}  # a report's task, kernel

    def top_up(ahead: KernelsAhead) -> None:
        """Kernels for the reports that may follow (a report per free slot, or the next)."""
        left = len(queue) + len(unplanned) * len(batch.reports)
        ahead.start(min(left, max(1, jobs - len(running))))

    with KernelsAhead(KERNEL_ARGUMENTS) as ahead, ThreadPoolExecutor(
            jobs, thread_name_prefix="report") as threads:
        try:
            top_up(ahead)
            while unplanned or queue or running:
                while queue and len(running) < jobs:
                    task, kernel = queue.popleft(), ahead.take()
                    running[threads.submit(_execute_then_stop, task, kernel)] = (task, kernel)
                    top_up(ahead)
                if unplanned and not queue:  # the next service's turn, as reports run
                    pf = unplanned.popleft()
                    batch.planned(preflight(pf, batch.reports))
                    queue.extend(_in_run_order(batch.tasks(pf), jobs))
                    continue
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    batch.finished(_thread_outcome(fut, running.pop(fut)[0]))
        except BaseException:
            # Ctrl-C (or an error here): kill the running reports' kernels, so their threads
            # end now; reports that completed meanwhile are recorded as finished
            for _, kernel in running.values():
                if kernel is not None:
                    kill_kernel(kernel)
            threads.shutdown(wait=True)
            for fut in running:
                if not fut.cancelled() and fut.exception() is None and fut.result().ok:
                    batch.finished(fut.result())
            raise


def _execute_then_stop(task: tuple, kernel: StartedKernel | None) -> ReportOutcome:
    """One report in a batch's thread; its kernel is stopped when it ends."""
    try:
        return execute_report(*task, kernel=kernel)
    finally:
        if kernel is not None:
            stop_kernel(kernel)


def _thread_outcome(fut: Future, task: tuple) -> ReportOutcome:
    """The outcome a report's thread returned, or its failure if the thread itself failed
    (e.g. its kernel would not stop); Ctrl-C raised in the thread goes on up."""
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - record it for this report; the batch goes on
        pf, report, _, service, _ = task
        error = f"the report's thread stopped: {_error_text(exc)}"
        return ReportOutcome(pf, service, report, ok=False, error=error,
                             stored_error=stored_text(error))


def _in_run_order(tasks: list[tuple], jobs: int) -> list[tuple]:
    """A service's reports in the order they start: the catalogue's one at a time, the
    longest first when several run at once."""
    if jobs == 1:
        return tasks
    rank = {key: i for i, key in enumerate(RUN_ORDER)}
    return sorted(tasks, key=lambda task: rank.get(task[1], len(rank)))


class _Batch:
    """The state of a batch: each service's plan and report outcomes; when a service's
    last report is done, its bundle is removed and its run.json and index written."""

    def __init__(self, files: list[str], reports: tuple[str, ...], bar) -> None:
        self.files, self.reports, self.bar = files, reports, bar
        self.plans: dict[str, ServicePlan] = {}
        self.results: dict[str, dict[str, ReportOutcome]] = {pf: {} for pf in files}
        self.roots: set[Path] = set()

    def planned(self, plan: ServicePlan) -> None:
        self.plans[plan.params_file] = plan
        if plan.error is not None:
            for r in self.reports:
                self.results[plan.params_file][r] = ReportOutcome(
                    plan.params_file, plan.name, r, ok=False, error=plan.error,
                    stored_error=plan.stored_error)
            self.bar.update(len(self.reports))
            self._service_done(plan.params_file)

    def tasks(self, pf: str) -> list[tuple]:
        """The reports of a service to execute; those that cannot run are recorded now."""
        plan = self.plans[pf]
        if plan.error is not None:
            return []
        for r, error in plan.report_errors.items():
            if r in self.reports:
                self.finished(ReportOutcome(pf, plan.name, r, ok=False, error=error,
                                            stored_error=stored_text(error)))
        return [(pf, r, str(plan.folder), plan.name, plan.bundle) for r in self.reports
                if r not in plan.report_errors]

    def finished(self, outcome: ReportOutcome) -> None:
        self.results[outcome.params_file][outcome.report] = outcome
        self.bar.set_postfix_str(f"{outcome.service}: {outcome.report}")
        self.bar.update()
        if len(self.results[outcome.params_file]) == len(self.reports):
            self._service_done(outcome.params_file)

    def _service_done(self, pf: str) -> None:
        """Remove the bundle; record run.json and the service index (failures recorded)."""
        from wellbeing_analysis.reporting.index import write_service_index

        plan = self.plans[pf]
        if plan.folder is None:
            return
        outputs.remove_staging(plan.folder, Path(plan.bundle).parent.name
                               if plan.bundle else None)
        try:
            write_manifest(plan.folder, list(self.results[pf].values()),
                           service={"name": plan.params.service_name,
                                    "extract_date": str(plan.params.extract_date)})
            write_service_index(plan.folder)
            root = outputs.reports_root(plan.folder)
            if root is not None:
                self.roots.add(root)
        except Exception as exc:  # noqa: BLE001 - e.g. the folder became read-only
            for o in self.results[pf].values():
                o.ok, o.status = False, "failed"
                o.error = (o.error or "") + f"\ncould not record the run: {_error_text(exc)}"

    def clean_all(self) -> None:
        """Every staging folder this batch may have made is removed (any exit path)."""
        for plan in self.plans.values():
            if plan.folder is not None:
                outputs.remove_staging(plan.folder)
        self._write_roots()

    def _write_roots(self) -> None:
        from wellbeing_analysis.reporting.index import write_root_index

        for root in sorted(self.roots):
            try:
                write_root_index(root)
            except OSError as exc:
                print(f"note: could not write the index of {root}: {exc}", file=sys.stderr)
        self.roots.clear()

    def outcomes(self) -> list[ReportOutcome]:
        return [self.results[pf][r] for pf in self.files for r in self.reports
                if r in self.results[pf]]

    def interrupted_text(self) -> str:
        done = self.outcomes()
        missing = [f"{self.plans[pf].name if pf in self.plans else Path(pf).name}: {r}"
                   for pf in self.files for r in self.reports if r not in self.results[pf]]
        text = "interrupted (Ctrl-C). Finished before the interruption:\n"
        text += summarise(done) if done else "  nothing"
        text += "\nNot run (previous reports, if any, are unchanged):\n"
        return text + "\n".join(f"  {m}" for m in missing)


