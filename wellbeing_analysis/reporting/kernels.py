"""Kernels started ahead of the reports that take them, so their start-up overlaps other work.

A report's kernel spends a few seconds starting and importing pandas, matplotlib,
statsmodels and this library before its first cell runs. The runner starts kernels while
the preflight runs and, as reports start, the next one while reports run, with those
imports as the kernel's start-up lines: the wait overlaps work instead of adding to it.

A kernel started ahead holds no data: its start-up lines only import modules, and hide the
names they bind, so the notebook starts from the same namespace as in a fresh kernel. Each
kernel runs in a private empty working folder removed with it."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import tempfile
from collections.abc import Sequence
from typing import Self

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_event_loop, run_sync

#: The modules a report kernel imports as it starts (the heavy ones every report needs).
KERNEL_PRELOAD = (
    "pandas",
    "matplotlib.pyplot",
    "scipy.stats",
    "wellbeing_analysis.reporting.baseline",
    "wellbeing_analysis.reporting.pdsa",
    "wellbeing_analysis.reporting.evaluation",
    "wellbeing_analysis.reporting.network",
    "wellbeing_analysis.reporting.surveys",
    "wellbeing_analysis.its.models",
    "wellbeing_analysis.its.result",
    "wellbeing_analysis.its.power",
    "wellbeing_analysis.spc.chart",
)
#: The kernel specification every report runs in.
KERNEL_NAME = "python3"


def preload_lines(modules: Sequence[str] = KERNEL_PRELOAD) -> list[str]:
    """IPython start-up lines importing ``modules`` and leaving no name behind (statements
    only, so no output is displayed or cached)."""
    return [(f"import importlib as _preload\n"
             f"for _module in {tuple(modules)!r}:\n"
             f"    _preload.import_module(_module)\n"
             f"del _preload, _module")]


class StartedKernel(AsyncKernelManager):
    """A kernel manager that remembers the clients made for it, so that stopping it closes
    them too (nbclient leaves open the channels of a kernel it was handed)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clients: list = []

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        self.clients.append(kc)
        return kc


def start_kernel(arguments: Sequence[str], cwd: str,
                 preload: Sequence[str] = KERNEL_PRELOAD) -> StartedKernel:
    """Start a report kernel importing ``preload`` as it starts; returns without waiting
    for it (the imports run while the caller works)."""
    km = StartedKernel(kernel_name=KERNEL_NAME)
    lines = [f"--IPKernelApp.exec_lines={preload_lines(preload)!r}"] if preload else []
    run_sync(km.start_kernel)(extra_arguments=[*arguments, *lines], cwd=cwd)
    return km


def stop_kernel(km: StartedKernel) -> None:
    """Close the kernel's clients and stop it at once (it has nothing left to save).

    A run interrupted by Ctrl-C leaves nbclient's tasks pending on this thread's event
    loop; they are cancelled and their outcome collected first, or they would fail with
    'kernel died' once the kernel stops and print a traceback as the program exits."""
    _collect_abandoned_tasks()
    for kc in km.clients:
        kc.stop_channels()
    km.clients.clear()
    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
    finally:
        run_sync(km.cleanup_resources)()


def kill_kernel(km: StartedKernel) -> None:
    """Kill a kernel at once, from any thread (for Ctrl-C: the thread running its notebook
    then sees the kernel die, ends, and stops it as usual)."""
    with contextlib.suppress(Exception):  # it may have gone already
        run_sync(km.signal_kernel)(signal.SIGKILL)


#: Packages whose tasks an interrupted notebook run leaves pending.
NOTEBOOK_CLIENT_PACKAGES = frozenset({"nbclient", "papermill", "jupyter_client"})


def _collect_abandoned_tasks() -> None:
    """Cancel the notebook client's tasks left pending on this thread's event loop, and
    collect their outcome. Nothing is touched when a loop is running in this thread (as in
    Jupyter, or under a browser driver): the notebook client then ran in a loop of its own
    thread, and the running loop's tasks belong to someone else."""
    try:
        asyncio.get_running_loop()
        return
    except RuntimeError:
        pass
    loop = ensure_event_loop()
    pending = [t for t in asyncio.all_tasks(loop) if _package_of(t) in NOTEBOOK_CLIENT_PACKAGES]
    if pending:
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _package_of(task: asyncio.Task) -> str:
    frame = getattr(task.get_coro(), "cr_frame", None)
    return "" if frame is None else frame.f_globals.get("__name__", "").split(".")[0]


class KernelsAhead:
    """Kernels waiting for the reports to come, oldest first.

    ``start(n)`` starts kernels until ``n`` wait (a kernel that cannot start is not
    waited for); ``take()`` hands over the oldest (None when none waits or it died: the
    report's own start then records why no kernel runs). The caller stops what it takes;
    ``close()`` stops the kernels still waiting and removes the working folder.
    """

    def __init__(self, arguments: Sequence[str]) -> None:
        self.arguments = list(arguments)
        self.cwd = tempfile.mkdtemp(prefix="wellbeing-kernel-")
        self._waiting: list[StartedKernel] = []

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def start(self, n: int = 1) -> None:
        for _ in range(n - len(self._waiting)):
            try:
                self._waiting.append(start_kernel(self.arguments, self.cwd))
            except Exception:  # noqa: BLE001 - the report's own start records why
                return

    def take(self) -> StartedKernel | None:
        while self._waiting:
            km = self._waiting.pop(0)
            if run_sync(km.is_alive)():
                return km
            stop_kernel(km)
        return None

    def close(self) -> None:
        waiting, self._waiting = self._waiting, []
        try:
            for km in waiting:
                stop_kernel(km)
        finally:
            shutil.rmtree(self.cwd, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
