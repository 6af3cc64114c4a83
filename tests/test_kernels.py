"""Kernels started ahead of their report: a notebook run in one sees the same namespace as in
a kernel papermill starts itself, the preloaded modules are already imported, and stopping
kernels leaves no process, channel or folder behind (also when a batch is interrupted)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import nbformat
import pytest

from wellbeing_analysis.errors import BatchInterrupted
from wellbeing_analysis.reporting import kernels, runner
from wellbeing_analysis.reporting.catalogue import REPORTS
from wellbeing_analysis.reporting.kernels import KERNEL_PRELOAD, KernelsAhead, preload_lines
from wellbeing_analysis.reporting.runner import KERNEL_ARGUMENTS, ReportOutcome, render_notebook

PROBE = """\
import json as _json, sys as _sys
print(_json.dumps({
    "names": sorted(k for k in dir() if not k.startswith("_")),
    "loaded": sorted(m for m in PRELOAD if m in _sys.modules),
    "x": x,
}))
"""


def probe_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(f"x = 0\nPRELOAD = {list(KERNEL_PRELOAD)!r}")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(PROBE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def probe(nb) -> dict:
    out = nb.cells[-1].outputs
    return json.loads("".join(o.get("text", "") for o in out if o.get("name") == "stdout"))


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_preload_lines_import_the_modules_and_bind_no_name():
    namespace: dict = {}
    for line in preload_lines(("json", "colorsys")):
        exec(line, namespace)  # noqa: S102 - the lines the kernel runs at start-up
    assert set(namespace) == {"__builtins__"}
    with pytest.raises(ModuleNotFoundError):
        exec(preload_lines(("no_such_module_here",))[0], {})  # noqa: S102


def test_a_kernel_that_cannot_start_is_the_reports_recorded_failure(
        monkeypatch, tmp_path, shared_demo_data, make_demo_params):
    """None waits when a kernel cannot start ahead; the report then starts its own, and
    when that fails too the report fails with the reason and leaves no staging."""
    def broken(arguments, cwd, preload=()):
        raise RuntimeError("no such kernel")

    monkeypatch.setattr(kernels, "start_kernel", broken)
    monkeypatch.setattr(runner, "start_kernel", broken)
    with KernelsAhead(KERNEL_ARGUMENTS) as ahead:
        ahead.start(2)
        assert ahead.waiting == 0 and ahead.take() is None
    params = make_demo_params(tmp_path / "svc.yaml", shared_demo_data,
                              tmp_path / "reports" / "svc", service_name="Service")
    [outcome] = runner.run_reports([params], ("pdsa",), jobs=2, progress=False)
    assert not outcome.ok and "no such kernel" in outcome.error
    assert not (tmp_path / "reports" / "svc" / ".staging").exists()


def _poll_like_nbclient():
    """A coroutine function that looks, to the clean-up, as if nbclient defined it."""
    namespace = {"__name__": "nbclient.client", "asyncio": asyncio}
    exec("async def poll():\n    await asyncio.sleep(3600)\n", namespace)  # noqa: S102
    return namespace["poll"]


def test_only_the_notebook_clients_abandoned_tasks_are_cancelled():
    loop = kernels.ensure_event_loop()

    async def other():
        await asyncio.sleep(3600)

    theirs, ours = loop.create_task(_poll_like_nbclient()()), loop.create_task(other())
    loop.run_until_complete(asyncio.sleep(0))  # both waiting, as after a Ctrl-C
    kernels._collect_abandoned_tasks()
    assert theirs.cancelled() and not ours.done()
    ours.cancel()
    loop.run_until_complete(asyncio.gather(ours, return_exceptions=True))


def test_nothing_is_cancelled_while_a_loop_runs_in_the_thread():
    """Under Jupyter or a browser driver the running loop's tasks are someone else's."""
    async def main():
        task = asyncio.ensure_future(_poll_like_nbclient()())
        await asyncio.sleep(0)
        kernels._collect_abandoned_tasks()
        assert not task.done()
        task.cancel()

    asyncio.run(main())


@pytest.mark.slow
def test_a_notebook_in_a_kernel_started_ahead_sees_what_a_fresh_kernel_sees(tmp_path):
    source = probe_notebook(tmp_path / "probe.ipynb")
    (tmp_path / "cold").mkdir()
    (tmp_path / "warm").mkdir()
    _, cold = render_notebook(source, tmp_path / "cold" / "out.ipynb", {"x": 1}, "cold")
    with KernelsAhead(KERNEL_ARGUMENTS) as ahead:
        ahead.start()
        kernel = ahead.take()
        assert kernel is not None and ahead.take() is None  # one waits at a time
        try:
            _, warm = render_notebook(source, tmp_path / "warm" / "out.ipynb", {"x": 2}, "warm",
                                      kernel=kernel)
        finally:
            kernels.stop_kernel(kernel)
        cwd = Path(ahead.cwd)
        assert cwd.is_dir()
    assert not cwd.exists()
    cold, warm = probe(cold), probe(warm)
    assert (cold["x"], warm["x"]) == (1, 2)  # each got its own parameters
    assert warm["names"] == cold["names"]  # the start-up lines left no name behind
    assert warm["loaded"] == sorted(KERNEL_PRELOAD)
    assert not kernel.clients and not kernels.run_sync(kernel.is_alive)()


@pytest.mark.slow
def test_stopping_kernels_closes_their_channels_and_processes(tmp_path):
    source = probe_notebook(tmp_path / "probe.ipynb")
    started = []
    with KernelsAhead(KERNEL_ARGUMENTS) as ahead:
        for i in range(3):
            ahead.start()
            kernel = ahead.take()
            started.append(kernel)
            render_notebook(source, tmp_path / f"out{i}.ipynb", {"x": i}, "t", kernel=kernel)
            kernels.stop_kernel(kernel)
            if i == 0:
                fds = open_fds()
        assert open_fds() == fds  # no channel left open by the second and third run
        ahead.start()  # one still waiting when the batch ends
        started.extend(ahead._waiting)
    assert not any(kernels.run_sync(k.is_alive)() for k in started)


def test_an_interrupted_batch_stops_every_kernel_it_started(
        tmp_path, monkeypatch, shared_demo_data, make_demo_params):
    """Ctrl-C during the second report: the kernel it was given and the one waiting for the
    third are both stopped, and their working folder removed."""
    params = make_demo_params(tmp_path / "svc.yaml", shared_demo_data,
                              tmp_path / "reports" / "svc", service_name="Service")
    started, stopped, folders = [], [], []

    class FakeKernel:
        pass

    def fake_start(arguments, cwd):
        folders.append(cwd)
        started.append(FakeKernel())
        return started[-1]

    def fake_execute(params_file, report, output_dir, service, bundle=None, kernel=None):
        assert kernel is started[len(stopped)]  # each report gets the kernel started for it
        if stopped:
            raise KeyboardInterrupt
        return ReportOutcome(params_file, service, report, ok=True, status="ok",
                             html=str(Path(output_dir) / f"{report}.html"))

    monkeypatch.setattr(kernels, "start_kernel", fake_start)
    monkeypatch.setattr(kernels, "stop_kernel", stopped.append)
    monkeypatch.setattr(runner, "stop_kernel", stopped.append)
    monkeypatch.setattr(kernels.KernelsAhead, "take",
                        lambda self: self._waiting.pop(0) if self._waiting else None)
    monkeypatch.setattr(runner, "execute_report", fake_execute)
    with pytest.raises(BatchInterrupted):
        runner.run_reports([params], ("baseline", "pdsa", "evaluation"), jobs=1,
                           progress=False)
    assert len(started) == 3 and sorted(map(id, stopped)) == sorted(map(id, started))
    assert not Path(folders[0]).exists()


def _kernel_children(pid: int) -> list[int]:
    """Kernel processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = next(int(line.split()[1]) for line in status.splitlines()
                    if line.startswith("PPid:"))
        if ppid == pid and b"ipykernel_launcher" in cmdline:
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\tZ" not in next(line for line in status.splitlines() if line.startswith("State:"))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_during_a_report_stops_its_kernels_and_exits_cleanly(
        jobs, tmp_path, shared_demo_data, make_demo_params):
    """A real SIGINT while notebooks run (one at a time, or two at once): exit 130, the
    interruption summary and no traceback, no staging left, and every kernel the command
    started has gone."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "reports" / "svc"
    params = make_demo_params(tmp_path / "svc.yaml", shared_demo_data, out,
                              service_name="Service")
    wellbeing = Path(sys.executable).parent / "wellbeing"
    proc = subprocess.Popen(
        [str(wellbeing), "report", "all", str(params), "--jobs", str(jobs)], cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        # wait until a report is executing (its staging folder exists) with a kernel waiting
        while not (sum(1 for r in REPORTS for _ in (out / ".staging").glob(f"{r}-*")) >= jobs
                   and len(_kernel_children(proc.pid)) >= jobs + 1):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        kernels_seen = _kernel_children(proc.pid)
        time.sleep(3)  # into the notebook's cells, where the command waits on the kernel
        proc.send_signal(signal.SIGINT)
        text, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, text
    assert "interrupted (Ctrl-C)" in text and "Traceback" not in text
    assert not (out / ".staging").exists()
    deadline = time.monotonic() + 10
    while any(_running(k) for k in kernels_seen):
        assert time.monotonic() < deadline, "a kernel outlived the interrupted command"
        time.sleep(0.2)


@pytest.mark.slow
def test_a_report_rendered_in_a_kernel_started_ahead_is_the_same_report(
        tmp_path, shared_demo_data, make_demo_params):
    """The PDSA report, rendered in a kernel papermill starts and in one started ahead:
    the same page, but for the minute it was produced."""
    import re

    from wellbeing_analysis.reporting.runner import execute_report, preflight

    params = make_demo_params(tmp_path / "svc.yaml", shared_demo_data,
                              tmp_path / "reports" / "svc", service_name="Service")
    plan = preflight(params, ("pdsa",))
    assert plan.error is None, plan.error
    pages = []
    with KernelsAhead(KERNEL_ARGUMENTS) as ahead:
        for kernel in (None, "ahead"):
            if kernel is not None:
                ahead.start()
                kernel = ahead.take()
            try:
                outcome = execute_report(str(params), "pdsa", str(plan.folder), "Service",
                                         plan.bundle, kernel)
            finally:
                if kernel is not None:
                    kernels.stop_kernel(kernel)
            assert outcome.ok, outcome.error
            pages.append(re.sub(r"Produced \d{4}-\d\d-\d\d \d\d:\d\d UTC", "Produced",
                                Path(outcome.html).read_text(encoding="utf-8")))
    assert pages[0] == pages[1]
