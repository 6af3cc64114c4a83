"""Reading a table file as text cells, keeping the spreadsheet row numbers, and finding
each table's file in a data folder."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.schema import TableSchema
from wellbeing_analysis.validation.text import is_blank

#: Name of the helper column carrying each row's spreadsheet row number.
ROW = "_row"


@dataclass
class FileInfo:
    """Provenance of one input file."""

    table: str
    path: Path
    sha256: str
    rows: int



def find_table_file(data_dir: Path, schema: TableSchema) -> Path | None:
    """The table's file in ``data_dir``: ``<name>.csv`` or ``<name>.xlsx`` (CSV preferred)."""
    for suffix in (".csv", ".xlsx"):
        path = data_dir / f"{schema.name}{suffix}"
        if path.is_file():
            return path
    return None


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes (provenance in every report)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_raw(path: Path) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Read a table as text cells, keeping spreadsheet row numbers in ``_row``.

    Accepts a UTF-8 BOM and blank lines (Excel writes trailing ones); blank rows carry no
    data and are skipped, but the remaining rows keep the numbers a spreadsheet shows.
    Returns (table or None, problems).
    """
    label = path.name
    if path.stat().st_size == 0:
        return None, problems_frame(label, None, None, None, "the file is empty")
    try:
        if path.suffix == ".xlsx":
            raw = pd.read_excel(path, dtype=str, keep_default_na=False)
            header = [str(c) for c in raw.columns]
        else:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), [])
            # header=None: the header line fixes the number of cells, so a data row with
            # more cells than the header is a read error rather than being silently turned
            # into an index that shifts every column (pandas' behaviour with header=0)
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                              encoding="utf-8-sig", header=None)
            raw = raw.iloc[1:].reset_index(drop=True)
    except UnicodeDecodeError as exc:
        return None, problems_frame(label, None, None, None,
                                    f"not UTF-8 text ({exc.reason}); save it as 'CSV UTF-8'")
    except pd.errors.EmptyDataError:  # before ValueError, of which it is a subclass
        return None, problems_frame(label, None, None, None, "the file is empty")
    except (pd.errors.ParserError, ValueError) as exc:
        return None, problems_frame(label, None, None, None,
                                    f"cannot be read: {str(exc).strip()}")
    header = [h.strip() for h in header]
    # Excel sometimes saves empty columns after the data: a column with no name and no
    # values holds nothing, so it is ignored (a nameless column with values is reported)
    raw.columns = range(raw.shape[1])
    empty = [i for i, h in enumerate(header) if h == "" and raw[i].fillna("").map(str).str.strip()
             .eq("").all()]
    if empty:
        raw = raw.drop(columns=empty)
        header = [h for i, h in enumerate(header) if i not in set(empty)]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        return None, problems_frame(label, [1] * len(dupes), None, dupes,
                                    "the column name appears more than once in the header")
    raw.columns = header
    raw = raw.fillna("")
    raw[ROW] = np.arange(len(raw)) + 2
    blank = raw.drop(columns=ROW).apply(is_blank).all(axis=1)
    return raw.loc[~blank].reset_index(drop=True), empty_problems()

