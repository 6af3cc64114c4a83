"""The report runner's promises (issue: reports for many services): one failing service
does not stop the others; a summary of every failure and exit code 1; a failed run never
replaces a previous good report (atomic moves; the failed notebook kept under _failed/);
``--jobs 2`` gives the same outcomes as ``--jobs 1``; run.json and the index pages say
when the latest run failed.

Notebook runs use the PDSA report (the quickest) and the session's demo data."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from conftest import build_once

from wellbeing_analysis.cli import main
from wellbeing_analysis.reporting import runner
from wellbeing_analysis.reporting.catalogue import REPORTS
from wellbeing_analysis.reporting.runner import ReportOutcome, run_reports, summarise

PLANTED = "planted failure inside the notebook"


def plant_validation_fault(data: Path) -> None:
    """An ESR reason code that does not exist, in row 4 of absence_episodes.csv."""
    path = data / "absence_episodes.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[2, "reason_code"] = "X42"
    df.to_csv(path, index=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# ---------------------------------------------------------------------------
# Fast: summary and options
# ---------------------------------------------------------------------------
def test_summary_lists_successes_and_every_failure_with_its_reason():
    outcomes = [
        ReportOutcome("a.yaml", "Service A", "baseline", ok=True, seconds=3.2, html="a/baseline.html",
                warnings=["a library warning"]),
        ReportOutcome("b.yaml", "Service B", "baseline", ok=False, error="key 'x': unknown key"),
        ReportOutcome("c.yaml", "Service C", "baseline", ok=False,
                error="2 problem(s)\n  staff_spells.csv, row 3: bad date"),
    ]
    text = summarise(outcomes)
    assert text.splitlines()[0] == "1 report(s) rendered, 2 failed."
    assert "Service A" in text and "a/baseline.html" in text and "a library warning" in text
    for part in ("Service B", "b.yaml", "key 'x': unknown key", "Service C", "c.yaml",
                 "staff_spells.csv, row 3: bad date"):
        assert part in text


def test_jobs_below_one_is_a_usage_error(capsys, tmp_path):
    assert main(["report", "pdsa", str(tmp_path / "x.yaml"), "--jobs", "0"]) == 1
    assert "--jobs must be at least 1" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# Slow: a batch with good and broken services, by the command line with --jobs 2 and
# again in one process
# ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def batch(tmp_path_factory, shared_demo_data, make_demo_params):
    """One good service, one whose data fail validation and one with a params typo: by the
    command line with ``--jobs 2`` (recording the outcomes), then again with ``jobs=1``.
    Built once per session, even across xdist workers."""

    def build(root: Path) -> dict:
        good = make_demo_params(root / "params" / "good.yaml", shared_demo_data,
                                root / "reports" / "good", service_name="Good service")
        bad_data_dir = root / "data" / "bad"
        shutil.copytree(shared_demo_data, bad_data_dir)
        plant_validation_fault(bad_data_dir)
        bad_data = make_demo_params(root / "params" / "bad_data.yaml", bad_data_dir,
                                    root / "reports" / "bad_data",
                                    service_name="Bad data service")
        bad_params = make_demo_params(root / "params" / "bad_params.yaml", shared_demo_data,
                                      root / "reports" / "bad_params", reporting_month=12)
        files = [str(p) for p in (good, bad_data, bad_params)]

        recorded: list[list[ReportOutcome]] = []
        real_run_reports = runner.run_reports

        def recording(*args, **kwargs):
            recorded.append(real_run_reports(*args, **kwargs))
            return recorded[-1]

        out, err = io.StringIO(), io.StringIO()
        with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            mp.setattr(runner, "run_reports", recording)
            code = main(["report", "pdsa", *files, "--jobs", "2", "--no-progress"])
        after_parallel = {name: (root / "reports" / name / "pdsa.html").exists()
                          for name in ("good", "bad_data", "bad_params")}
        sequential = run_reports(files, ("pdsa",), jobs=1, progress=False)
        return {"files": files, "code": code, "stdout": out.getvalue(),
                "stderr": err.getvalue(), "after_parallel": after_parallel,
                "parallel": [asdict(o) for o in recorded[0]],
                "sequential": [asdict(o) for o in sequential]}

    root, result = build_once(tmp_path_factory, "runner-batch", build)
    return SimpleNamespace(root=root, **result)


@pytest.mark.slow
def test_cli_renders_the_good_services_and_exits_1(batch):
    assert batch.code == 1
    assert batch.after_parallel == {"good": True, "bad_data": False, "bad_params": False}
    assert "Traceback" not in batch.stdout + batch.stderr


@pytest.mark.slow
def test_summary_names_each_failure_and_its_reason(batch):
    text = batch.stdout
    assert text.splitlines()[0] == "1 report(s) rendered, 2 failed."
    assert "ok      Good service: pdsa" in text
    failed = [line for line in text.splitlines() if "FAILED" in line]
    assert len(failed) == 2
    assert any("bad_data.yaml" in line for line in failed)
    assert any("bad_params.yaml" in line for line in failed)
    # the reasons: the data file, row, column and value; the params file and key
    assert "absence_episodes.csv, row 4, column 'reason_code'" in text and "'X42'" in text
    assert "key 'reporting_month': unknown key" in text


@pytest.mark.slow
def test_jobs_2_gives_the_same_outcomes_as_jobs_1(batch):
    def key(outcomes):
        return [(o["params_file"], o["service"], o["report"], o["ok"], o["error"])
                for o in outcomes]

    assert key(batch.parallel) == key(batch.sequential)
    assert [o["params_file"] for o in batch.sequential] == batch.files  # in the order given
    assert [o["ok"] for o in batch.sequential] == [True, False, False]


@pytest.mark.slow
def test_index_across_services_lists_each_service_with_a_known_output_folder(batch):
    top = (batch.root / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="good/index.html"' in top and "Good service" in top
    assert 'href="bad_data/index.html"' in top  # its params were readable
    assert "bad_params" not in top  # its params were not: nowhere to record it
    record = json.loads((batch.root / "reports" / "good" / "run.json").read_text())
    assert record["reports"]["pdsa"]["ok"] is True


@pytest.mark.slow
def test_a_service_whose_data_failed_says_so_on_its_index(batch):
    folder = batch.root / "reports" / "bad_data"
    record = json.loads((folder / "run.json").read_text())["reports"]
    assert record["pdsa"]["ok"] is False and "reason_code" in record["pdsa"]["error"]
    assert "last_success" not in record["pdsa"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "failed; no report yet" in index and 'href="pdsa.html"' not in index


# ---------------------------------------------------------------------------
# Slow: a failed run never replaces the previous good report
# ---------------------------------------------------------------------------
def failing_notebook(folder: Path, code: str = f"raise RuntimeError({PLANTED!r})") -> Path:
    """A copy of the PDSA notebook that runs ``code`` part-way through (by default: raises)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REPORTS["pdsa"].notebook
    nb = nbformat.read(runner.notebook_path(REPORTS["pdsa"]), as_version=4)
    construct = next(i for i, c in enumerate(nb.cells) if "from_params" in c.source)
    nb.cells.insert(construct + 3, nbformat.v4.new_code_cell(code))
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_a_kernel_that_dies_fails_its_report_only(tmp_path, shared_demo_data, make_demo_params,
                                                  monkeypatch):
    """With --jobs 2, one service's kernel dies part-way (killed, as by the out-of-memory
    killer): that report fails and says the kernel died; the other service's report, run
    at the same time, is rendered; no staging and no kernel are left behind."""
    import psutil

    files = [make_demo_params(tmp_path / f"{name}.yaml", shared_demo_data,
                              tmp_path / "reports" / name, service_name=name)
             for name in ("crash", "fine")]
    dying = failing_notebook(tmp_path / "nb", "import os, signal\n"
                             "if 'crash' in params_file:\n"
                             "    os.kill(os.getpid(), signal.SIGKILL)")
    monkeypatch.setattr(runner, "notebook_path", lambda spec: dying)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    crashed, fine = run_reports(files, ("pdsa",), jobs=2, progress=False)
    assert fine.ok, fine.error
    assert not crashed.ok and "died" in crashed.error.lower(), crashed.error
    for name in ("crash", "fine"):
        assert not (tmp_path / "reports" / name / ".staging").exists()
    assert not (tmp_path / "reports" / "crash" / "pdsa.html").exists()
    left = [p for p in psutil.Process().children(recursive=True)
            if p.pid not in before and p.status() != psutil.STATUS_ZOMBIE]
    assert not left


@pytest.mark.slow
def test_a_failed_run_never_replaces_the_previous_good_report(
        tmp_path, shared_demo_data, make_demo_params, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(shared_demo_data, data)
    out = tmp_path / "reports" / "svc"
    params = make_demo_params(tmp_path / "svc.yaml", data, out, service_name="Service")

    # 1. a good report
    [first] = run_reports([params], ("pdsa",), jobs=1, progress=False)
    assert first.ok, first.error
    good = snapshot(out / "_notebooks") | {"pdsa.html": (out / "pdsa.html").read_bytes()}
    good_success = json.loads((out / "run.json").read_text())["reports"]["pdsa"]["last_success"]

    def assert_previous_report_kept() -> None:
        assert (out / "pdsa.html").read_bytes() == good["pdsa.html"]
        assert snapshot(out / "_notebooks") == {k: v for k, v in good.items()
                                                if k != "pdsa.html"}
        assert not (out / ".staging").exists()
        assert not list(out.rglob("*.tmp"))
        index = (out / "index.html").read_text(encoding="utf-8")
        assert 'href="pdsa.html"' in index
        assert "failed; the previous report is shown" in index
        entry = json.loads((out / "run.json").read_text())["reports"]["pdsa"]
        assert entry["ok"] is False and entry["last_success"] == good_success
        return entry

    # 2. the notebook fails while executing (preflight passed)
    failing = failing_notebook(tmp_path / "notebooks")
    monkeypatch.setattr(runner, "notebook_path", lambda spec: failing)
    [failed] = run_reports([params], ("pdsa",), jobs=1, progress=False)
    assert not failed.ok
    assert failed.error == f"RuntimeError: {PLANTED}"
    assert f"RuntimeError: {PLANTED}" in summarise([failed])
    kept = nbformat.read(out / "_failed" / REPORTS["pdsa"].notebook, as_version=4)
    errors = [o for c in kept.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [e.evalue for e in errors] == [PLANTED]
    assert PLANTED in assert_previous_report_kept()["error"]

    # 3. the data now fail validation (the preflight stops the run)
    monkeypatch.undo()
    plant_validation_fault(data)
    [rejected] = run_reports([params], ("pdsa",), jobs=1, progress=False)
    assert not rejected.ok and "reason_code" in rejected.error
    assert "reason_code" in assert_previous_report_kept()["error"]


# ---------------------------------------------------------------------------
# Each service is validated once per run; Ctrl-C says what finished
# ---------------------------------------------------------------------------
@pytest.mark.slow
def test_report_all_validates_each_service_once(tmp_path, shared_demo_data, make_demo_params,
                                                monkeypatch):
    """The preflight validates the data folder once; the three kernels read the run bundle.
    To prove they never read the folder, it is moved away as soon as it has been validated
    (and put back at the end)."""
    import wellbeing_analysis.validation as validation

    data = tmp_path / "data"
    shutil.copytree(shared_demo_data, data)
    params = make_demo_params(tmp_path / "svc.yaml", data, tmp_path / "reports" / "svc")
    hidden = tmp_path / "moved-away"
    calls = []
    real_validate, real_preflight = validation.validate_folder, runner.preflight

    def counting(folder, **kwargs):
        calls.append(folder)
        return real_validate(folder, **kwargs)

    def preflight_then_hide(*args, **kwargs):
        plan = real_preflight(*args, **kwargs)
        data.rename(hidden)  # nothing after the preflight can read the data folder
        return plan

    monkeypatch.setattr(validation, "validate_folder", counting)
    monkeypatch.setattr(runner, "preflight", preflight_then_hide)
    try:
        outcomes = run_reports([params], tuple(REPORTS), jobs=1, progress=False)
    finally:
        hidden.rename(data)
    assert len(calls) == 1
    assert [o.ok for o in outcomes] == [True] * len(REPORTS), [o.error for o in outcomes]


def test_ctrl_c_says_what_finished_and_what_did_not(tmp_path, monkeypatch, shared_demo_data,
                                                     make_demo_params):
    from wellbeing_analysis.errors import BatchInterrupted

    params = make_demo_params(tmp_path / "svc.yaml", shared_demo_data,
                              tmp_path / "reports" / "svc", service_name="Service")
    done = []

    def fake_execute(params_file, report, output_dir, service, bundle=None, kernel=None):
        if done:
            raise KeyboardInterrupt
        done.append(report)
        return ReportOutcome(params_file, service, report, ok=True, status="ok",
                             html=str(Path(output_dir) / f"{report}.html"))

    monkeypatch.setattr(runner, "execute_report", fake_execute)
    with pytest.raises(BatchInterrupted) as exc:
        run_reports([params], ("baseline", "pdsa", "evaluation"), jobs=1, progress=False)
    text = str(exc.value)
    assert "Finished before the interruption" in text and "Service: baseline" in text
    assert "Not run" in text and "Service: pdsa" in text and "Service: evaluation" in text
    assert not (tmp_path / "reports" / "svc" / ".staging").exists()
    assert exc.value.exit_code == 130


def test_jobs_2_runs_two_reports_at_once_longest_first_each_in_a_kernel_of_its_own(
        tmp_path, monkeypatch, shared_demo_data, make_demo_params):
    """Two services' reports with --jobs 2 (fake kernels and notebooks): two run at once
    (a barrier only two can pass together), the evaluation starts first, every report gets
    a kernel no other report had, each is stopped, and outcomes come in the order given."""
    import threading

    from wellbeing_analysis.reporting import kernels

    files = [make_demo_params(tmp_path / f"{name}.yaml", shared_demo_data,
                              tmp_path / "reports" / name, service_name=name)
             for name in ("one", "two")]
    started, stopped, given, order = [], [], [], []
    together = threading.Barrier(2, timeout=30)
    lock = threading.Lock()

    def fake_start(arguments, cwd, preload=()):
        started.append(object())
        return started[-1]

    def fake_execute(params_file, report, output_dir, service, bundle=None, kernel=None):
        with lock:
            first_two = len(order) < 2
            order.append((service, report))
            given.append(kernel)
        if first_two:
            together.wait()  # fails unless a second report is running at the same time
        return ReportOutcome(params_file, service, report, ok=True, status="ok",
                             html=str(Path(output_dir) / f"{report}.html"))

    monkeypatch.setattr(kernels, "start_kernel", fake_start)
    monkeypatch.setattr(kernels.KernelsAhead, "take",
                        lambda self: self._waiting.pop(0) if self._waiting else None)
    monkeypatch.setattr(runner, "stop_kernel", stopped.append)
    monkeypatch.setattr(kernels, "stop_kernel", stopped.append)
    monkeypatch.setattr(runner, "execute_report", fake_execute)
    outcomes = run_reports(files, tuple(REPORTS), jobs=2, progress=False)
    assert [(o.service, o.report) for o in outcomes] == [
        (name, r) for name in ("one", "two") for r in REPORTS]
    assert all(o.ok for o in outcomes)
    assert order[0] == ("one", "evaluation") and order[1] == ("one", "baseline")
    assert None not in given and len({id(k) for k in given}) == len(given) == 6
    assert sorted(map(id, stopped)) == sorted(map(id, started))  # used or left waiting
