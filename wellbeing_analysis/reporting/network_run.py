"""Render the network report (``wellbeing report network PARAMS.yaml ...``).

Each service goes through the same preflight as its own reports (params, output folder,
data validated once into a run bundle); a service that fails is listed in the report as
left out, with its reason, and the report renders for the rest (at least two services are
needed). The page is written as ``network.html`` in the services' reports root (the folder
holding their output folders, which the tool owns) or in ``--out``, atomically; staging and
bundles are removed on every exit path.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.reporting import outputs
from wellbeing_analysis.reporting.catalogue import NETWORK
from wellbeing_analysis.reporting.kernels import KernelsAhead, stop_kernel
from wellbeing_analysis.reporting.outcomes import stored_text
from wellbeing_analysis.reporting.runner import (
    KERNEL_ARGUMENTS,
    SINGLE_THREAD_ENV,
    ServicePlan,
    notebook_path,
    preflight,
    render_notebook,
)

#: At least this many services make a network comparison.
MIN_NETWORK_SERVICES = 2


@dataclass
class NetworkOutcome:
    """What happened to the network report."""

    ok: bool
    html: str | None
    services: list[str]
    failed: dict[str, str]
    seconds: float
    error: str | None = None

    def summary(self) -> str:
        head = (f"network report of {len(self.services)} service(s) -> {self.html}"
                if self.ok else f"network report FAILED: {self.error}")
        lines = [head] + [f"  left out  {name}: {reason.splitlines()[0]}"
                          for name, reason in self.failed.items()]
        return "\n".join(lines)


def _reports_root(plans: list[ServicePlan], out: str | Path | None) -> Path:
    if out is not None:
        root = Path(out).resolve()
        outputs.mark_reports_root(root) if not root.exists() else outputs.check_root(root)
        return root
    parents = {p.folder.parent for p in plans if p.folder is not None}
    if len(parents) != 1:
        raise InputError("the services' output folders are not in one reports folder: give "
                         "--out DIR for the network report")
    root = parents.pop()
    outputs.check_root(root)
    return root


def run_network(params_files: list[str], *, out: str | Path | None = None,
                publication: str | None = None) -> NetworkOutcome:
    """Preflight every service, then render the network notebook once (in a kernel started
    before the preflights, so its start-up overlaps them)."""
    for key, value in SINGLE_THREAD_ENV.items():
        os.environ.setdefault(key, value)
    start = time.perf_counter()
    with KernelsAhead(KERNEL_ARGUMENTS) as ahead:
        ahead.start()
        plans = [preflight(pf, ()) for pf in params_files]
        return _render_network(plans, ahead, out, publication, start)


def _render_network(plans: list[ServicePlan], ahead: KernelsAhead, out: str | Path | None,
                    publication: str | None, start: float) -> NetworkOutcome:
    root: Path | None = None
    try:
        good = [p for p in plans if p.error is None]
        # the stored form of each failure: the problem without cell values or identifiers
        failed = {p.name: p.stored_error for p in plans if p.error is not None}
        if len(good) < MIN_NETWORK_SERVICES:
            return NetworkOutcome(False, None, [p.name for p in good], failed,
                                  time.perf_counter() - start,
                                  f"a network needs at least {MIN_NETWORK_SERVICES} services "
                                  f"whose data pass the checks; {len(good)} did")
        root = _reports_root(good, out)
        if publication is None:
            found = {str(p.params.publication_path()) for p in good
                     if p.params.publication_path() is not None}
            publication = sorted(found)[0] if found else None
        if publication is not None and not Path(publication).is_file():
            raise InputError(f"national publication {publication} not found")
        task = f"network-{os.getpid()}"
        staging = outputs.staging_dir(root, task)
        try:
            executed = staging / NETWORK.notebook
            kernel = ahead.take()
            try:
                body, _ = render_notebook(
                    notebook_path(NETWORK), executed,
                    {"bundles": [p.bundle for p in good], "failed": failed,
                     "publication": publication}, NETWORK.title, kernel=kernel)
            finally:
                if kernel is not None:
                    stop_kernel(kernel)
            target = root / outputs.NETWORK_PAGE
            tmp = staging / outputs.NETWORK_PAGE
            tmp.write_text(body, encoding="utf-8")
            os.replace(tmp, target)  # atomic: a failure never replaces the last good page
        finally:
            outputs.remove_staging(root, task)
        return NetworkOutcome(True, str(target), [p.name for p in good], failed,
                              time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - reported, never a traceback for the user
        from wellbeing_analysis.reporting.runner import _error_text

        return NetworkOutcome(False, None, [p.name for p in plans if p.error is None],
                              {p.name: p.stored_error for p in plans
                               if p.error is not None},
                              time.perf_counter() - start, stored_text(_error_text(exc)))
    finally:
        for p in plans:  # the bundles (validated row-level data) never outlive the run
            if p.folder is not None:
                outputs.remove_staging(p.folder)
