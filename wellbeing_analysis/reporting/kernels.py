"""Kernels started one report ahead, so their start-up overlaps other work.

A report's kernel spends about five seconds starting and importing pandas, matplotlib,
statsmodels and this library before its first cell runs. In a sequential batch the runner
starts the next report's kernel while the current report runs (while the preflight runs,
for the first one), with those imports as the kernel's start-up lines: on a machine with two
cores the wait overlaps work instead of adding to it.

A kernel started ahead holds no data: its start-up lines only import modules, and hide the
names they bind, so the notebook starts from the same namespace as in a fresh kernel. Each
kernel runs in a private empty working folder removed with it.
"""

from __future__ import annotations

import asyncio
import shutil
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


def start_kernel(arguments: Sequence[str], cwd: str) -> StartedKernel:
    """Start a report kernel importing :data:`KERNEL_PRELOAD`; returns without waiting for
    it (the imports run while the caller works)."""
    km = StartedKernel(kernel_name=KERNEL_NAME)
    lines = preload_lines()
    run_sync(km.start_kernel)(
        extra_arguments=[*arguments, f"--IPKernelApp.exec_lines={lines!r}"], cwd=cwd)
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
    """At most one kernel waiting for the next report.

    ``start()`` starts one if none is waiting (if it cannot, none waits); ``take()`` hands
    it over (None when there is none or it died: the caller then lets papermill start its
    own, and a kernel that cannot start is recorded as that report's failure). The caller stops what it
    takes; ``close()`` stops a kernel still waiting and removes the working folder.
    """

    def __init__(self, arguments: Sequence[str]) -> None:
        self.arguments = list(arguments)
        self.cwd = tempfile.mkdtemp(prefix="wellbeing-kernel-")
        self._waiting: StartedKernel | None = None

    def start(self) -> None:
        if self._waiting is None:
            try:
                self._waiting = start_kernel(self.arguments, self.cwd)
            except Exception:  # noqa: BLE001 - papermill will try, and record why it failed
                self._waiting = None

    def take(self) -> StartedKernel | None:
        km, self._waiting = self._waiting, None
        if km is not None and not run_sync(km.is_alive)():
            stop_kernel(km)
            return None
        return km

    def close(self) -> None:
        km, self._waiting = self._waiting, None
        try:
            if km is not None:
                stop_kernel(km)
        finally:
            shutil.rmtree(self.cwd, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
