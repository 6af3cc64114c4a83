"""The validation record: every mapping and normalisation applied to the inputs, with the
number of rows it touched, so that nothing is recoded silently (docs/esr-export.md)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from wellbeing_analysis.constants import RECORD_LINES_SHOWN

#: Columns of the record, one row per change applied.
RECORD_COLUMNS = ("file", "column", "change", "rows")


def record_frame(rows: Iterable[tuple] = ()) -> pd.DataFrame:
    """A record table from (file, column or None, change, rows) tuples."""
    out = pd.DataFrame(list(rows), columns=list(RECORD_COLUMNS))
    return out.astype({"file": "object", "column": "object", "change": "object",
                       "rows": "int64"})


def format_record(record: pd.DataFrame, *, lines: int | None = RECORD_LINES_SHOWN) -> str:
    """One line per change: file, column, what was done and how many rows it touched."""
    shown = record if lines is None else record.head(lines)
    out = [f"  {r.file}" + (f", column '{r.column}'" if isinstance(r.column, str) else "")
           + f": {r.change} ({r.rows:,} row{'s' if r.rows != 1 else ''})"
           for r in shown.itertuples()]
    if len(record) > len(shown):
        out.append(f"  ... and {len(record) - len(shown)} more")
    return "\n".join(out)
