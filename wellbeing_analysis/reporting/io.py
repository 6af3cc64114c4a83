"""Atomic file output: write to a temporary file in the same folder, then move into place,
so a failed run never leaves a half-written file or replaces a previous good one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

#: A spreadsheet reads a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_atomic_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (same-folder temp file + ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_atomic_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_atomic_bytes(path, text.encode("utf-8"))


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that a spreadsheet would run as a formula (starting
    with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed with ``'`` (OWASP's
    rule for CSV injection). Numbers are left as numbers."""
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            text = values.astype("string")
            risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
            if risky.any():
                out[column] = values.where(~risky, "'" + text)
    if any(str(c).startswith(FORMULA_PREFIXES) for c in out.columns):
        out.columns = [f"'{c}" if str(c).startswith(FORMULA_PREFIXES) else c
                       for c in out.columns]
    return out


def safe_csv_text(table: pd.DataFrame, **to_csv) -> str:
    """CSV text of a table for users' spreadsheets, with formula cells neutralised."""
    return neutralise_formulas(table).to_csv(index=False, **to_csv)
