"""Writing files for users: only into folders that are new or empty, never silently over
their files, and never into a data folder (inputs are read-only).

Used by the commands that create files in a folder the user names (``templates``,
``demo-data``, ``demo``) and by those that write one output file (``metrics --out``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from wellbeing_analysis.errors import InputError

#: Marker file of a data folder that holds the tool's synthetic demo data (not a user's).
DEMO_DATA_MARK = ".wellbeing-demo-data"


def check_new_folder(folder: Path, names: Iterable[str], *, force: bool,
                     what: str) -> list[Path]:
    """Check that ``folder`` may receive the files ``names``: it is new or empty, or
    ``force`` is given. Returns the existing files that will be replaced (only with force),
    so the caller can say so; raises :class:`InputError` otherwise."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file, not a folder")
    existing = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if existing and not force:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if
                                           len(existing) > 5 else "")
        raise InputError(f"{folder} is not empty ({shown}): {what} are written only into a "
                         "new or empty folder, so nothing of yours is replaced. Choose another "
                         "folder, or add --force to replace the files of the same names")
    return [folder / n for n in names if (folder / n).exists()]


def is_demo_data(folder: Path) -> bool:
    """True when ``folder`` was written by ``wellbeing demo`` / ``demo-data`` (marked)."""
    return (folder / DEMO_DATA_MARK).is_file()


def mark_demo_data(folder: Path, seed: int) -> None:
    (folder / DEMO_DATA_MARK).write_text(
        f"Synthetic demo data written by wellbeing-analysis (seed {seed}); not a real "
        "service's data.\n", encoding="utf-8")


def check_output_file(out: Path, *, data_dir: Path) -> None:
    """Refuse an output file inside the data folder (inputs are read-only) or one that
    is a folder."""
    if out.is_dir():
        raise InputError(f"--out {out} is a folder; give a file name, e.g. {out / 'monthly.csv'}")
    try:
        inside = out.resolve().is_relative_to(data_dir.resolve())
    except OSError:
        inside = False
    if inside:
        raise InputError(f"--out {out} is inside the data folder {data_dir}: inputs are "
                         "read-only, so write the table somewhere else")
