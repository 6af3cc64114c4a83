"""Reading users' files: CSV (UTF-8, with or without a BOM) and XLSX.

Everything here returns plain DataFrames; schema checks live in ``validation``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from wellbeing_analysis.errors import InputError


def read_csv(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a user's CSV file for analysis (UTF-8 with or without a BOM).

    Blank lines (Excel writes trailing ones) are skipped. A missing, unreadable or empty
    file raises :class:`InputError` naming the file. Extra ``kwargs`` go to
    :func:`pandas.read_csv`.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        df = pd.read_csv(path, encoding="utf-8-sig", skip_blank_lines=True, **kwargs)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty (no header row)") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason}); save it as CSV UTF-8") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: cannot be read as CSV ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def require_columns(df: pd.DataFrame, columns: Iterable[str | None], source: str | Path) -> None:
    """Raise :class:`InputError` naming every requested column that ``df`` lacks."""
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise InputError(
            f"{source}: unknown column(s) {', '.join(repr(c) for c in missing)}; "
            f"the file has: {', '.join(map(str, df.columns))}"
        )
