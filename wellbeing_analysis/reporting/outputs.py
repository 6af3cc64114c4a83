"""Where reports may be written: only folders the tool owns.

A service's output folder is the tool's when it created it, when the folder holds the
tool's mark (:data:`OWNER_MARK`), or when it is empty (it is then marked). A folder holding
files the tool did not write is refused with a clear message: nothing there is replaced.
The cross-service index goes only into a *reports root*: the output folder's parent, when
the tool created it or it carries the root mark (this repository's ``reports/`` is created and marked on first use, not committed).

Staging (``.staging/`` inside the service folder, so moves into place are atomic) is
removed on every exit path, by the worker that made it and again by the batch at the end.
"""

from __future__ import annotations

import json
import shutil
from contextlib import suppress
from pathlib import Path

from wellbeing_analysis.errors import WellbeingError
from wellbeing_analysis.reporting.catalogue import INDEX_NAME, MANIFEST, REPORTS

#: File marking a folder as written by this tool; its JSON says which kind of folder.
OWNER_MARK = ".wellbeing-analysis"
#: Staging folder inside a service folder (removed on every exit path).
STAGING = ".staging"
#: Sub-folders of a service folder: executed notebooks and failed ones.
NOTEBOOKS_DIR = "_notebooks"
FAILED_DIR = "_failed"
NETWORK_PAGE = "network.html"
#: Every name the tool writes in a service folder (a folder holding only these was written
#: by an earlier version of the tool, before folders were marked).
SERVICE_FILES = frozenset({OWNER_MARK, STAGING, NOTEBOOKS_DIR, FAILED_DIR, MANIFEST,
                           INDEX_NAME, *(f"{key}.html" for key in REPORTS),
                           *(f"{key}.pdf" for key in REPORTS)})


class OutputError(WellbeingError):
    """An output folder the tool may not write into (the message says why and what to do)."""


def _mark(folder: Path, kind: str) -> None:
    (folder / OWNER_MARK).write_text(json.dumps({"written_by": "wellbeing-analysis",
                                                 "kind": kind}) + "\n", encoding="utf-8")


def _kind(folder: Path) -> str | None:
    mark = folder / OWNER_MARK
    if not mark.is_file():
        return None
    try:
        return json.loads(mark.read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return None


def claim_service_folder(folder: Path, *, key: str = "output_dir") -> Path:
    """Make ``folder`` the tool's service output folder, or raise :class:`OutputError`.

    Creates it (and marks it) when missing; accepts it when marked, empty, or holding only
    what an earlier run of the tool wrote. The parent is created and marked as a reports
    root when it does not exist either. A folder the tool cannot write into is refused.
    """
    try:
        return _claim(folder, key)
    except OSError as exc:
        raise OutputError(f"key '{key}': cannot write into {folder} "
                          f"({exc.strerror or exc}); choose a folder you can write to, or "
                          "fix its permissions") from None


def _claim(folder: Path, key: str) -> Path:
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"key '{key}': {folder} is a file, not a folder; choose a folder "
                          "for this service's reports")
    if not folder.exists():
        parent = folder.parent
        if not parent.exists():
            parent.mkdir(parents=True)
            _mark(parent, "root")
        folder.mkdir()
        _mark(folder, "service")
        return folder
    kind = _kind(folder)
    if kind == "service":
        _check_writable(folder)
        return folder
    if kind == "root":
        raise OutputError(f"key '{key}': {folder} is a reports folder holding several services; "
                          "give each service its own folder inside it")
    entries = {p.name for p in folder.iterdir()}
    if entries and not (entries <= SERVICE_FILES and MANIFEST in entries):
        shown = ", ".join(sorted(entries - SERVICE_FILES)[:5]) or ", ".join(sorted(entries)[:5])
        raise OutputError(f"key '{key}': {folder} already holds files this tool did not write "
                          f"({shown}); choose a new or empty folder for the reports, so that "
                          "nothing there is replaced")
    _mark(folder, "service")
    return folder


def _check_writable(folder: Path) -> None:
    """Raise OSError now when nothing can be written into ``folder`` (before any work)."""
    probe = folder / f".{OWNER_MARK}.probe"
    probe.write_bytes(b"")
    probe.unlink()


def reports_root(service_folder: Path) -> Path | None:
    """The folder for the cross-service index: the parent of a service folder, when the tool
    created it or it carries the root mark; None otherwise (no index is written there)."""
    parent = service_folder.parent
    return parent if _kind(parent) == "root" else None


def check_root(folder: Path) -> None:
    """Raise :class:`OutputError` unless ``folder`` is a reports root the tool owns (pages
    across services are written only there)."""
    if _kind(folder) != "root":
        raise OutputError(f"{folder} is not a reports folder this tool created (no "
                          f"{OWNER_MARK} mark): the network page is written only into one; "
                          "give --out with a new folder")


def mark_reports_root(folder: Path) -> None:
    """Mark a folder the tool itself created as a reports root (e.g. by ``wellbeing demo``)."""
    folder.mkdir(parents=True, exist_ok=True)
    if _kind(folder) is None:
        _mark(folder, "root")


def staging_dir(service_folder: Path, name: str) -> Path:
    """A fresh staging folder for one task inside the service folder."""
    path = service_folder / STAGING / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def remove_staging(service_folder: Path, name: str | None = None) -> None:
    """Remove one task's staging folder (``name``) or the whole staging area; the staging
    area itself goes when empty."""
    base = service_folder / STAGING
    if name is None:
        shutil.rmtree(base, ignore_errors=True)
        return
    shutil.rmtree(base / name, ignore_errors=True)
    with suppress(OSError):  # only when no other worker is still using it
        base.rmdir()
