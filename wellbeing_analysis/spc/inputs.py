"""Checking and tidying a series before charting: clear errors for a user's mistakes.

Everything here raises :class:`~wellbeing_analysis.errors.InputError` with a message that
names the column and the offending values, or returns warnings for what it fixed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from wellbeing_analysis.constants import (
    DATE_FORMATS,
    DATE_PATTERNS,
    MONTH_FORMAT,
    MONTH_PATTERN,
    SPC_MIN_POINTS,
)
from wellbeing_analysis.errors import InputError, require_columns

#: How many offending values an error message lists before '... and N more'.
SHOW_VALUES = 5

#: Name of the single facet when the data are not faceted.
NO_FACET = "all"


def format_x(value) -> str:
    """An x value as users wrote it: ISO date for dates, compact number otherwise."""
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _listing(values: Iterable) -> str:
    values = list(values)
    shown = ", ".join(repr(v) if isinstance(v, str) else format_x(v) for v in values[:SHOW_VALUES])
    return shown + (f" and {len(values) - SHOW_VALUES} more" if len(values) > SHOW_VALUES else "")


def parse_dates(values: pd.Series) -> pd.Series | None:
    """Strictly parse text dates in the accepted layouts (YYYY-MM-DD, DD/MM/YYYY, and YYYY-MM
    months, which stand for their first day).

    Returns None unless every non-missing value matches one layout and is a real date.
    """
    text = values.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    matched = pd.Series(False, index=values.index)
    layouts = [*zip(DATE_PATTERNS, DATE_FORMATS, strict=True), (MONTH_PATTERN, MONTH_FORMAT)]
    for pattern, fmt in layouts:
        mask = text.str.match(pattern).fillna(False).astype(bool)
        if mask.any():
            out[mask] = pd.to_datetime(text[mask], format=fmt, errors="coerce")
            matched |= mask
    present = values.notna()
    if not (matched[present].all() and out[present].notna().all()):
        return None
    return out


def parse_x(values: pd.Series, column: str) -> pd.Series:
    """The x column as datetime64 (dates) or float (numbers); anything else is an error."""
    if values.isna().any():
        raise InputError(f"column {column!r} (x) has {int(values.isna().sum())} blank value(s); "
                         "every point needs a date or number")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)  # local wall-clock dates; the zone is irrelevant
    if ptypes.is_datetime64_any_dtype(values):
        return values.astype("datetime64[ns]")
    if ptypes.is_numeric_dtype(values) and not ptypes.is_bool_dtype(values):
        return values.astype(float)
    dates = parse_dates(values)
    if dates is not None:
        return dates
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all():
        return numbers.astype(float)
    bad = values[pd.to_numeric(values, errors="coerce").isna()].astype(str).unique()
    raise InputError(
        f"column {column!r} (x) must hold dates (YYYY-MM-DD, DD/MM/YYYY or YYYY-MM) or "
        "numbers; "
        f"it has {_listing(bad)}"
    )


def parse_like_x(values: Iterable, *, x_is_date: bool, what: str) -> list:
    """Parse user-given x positions (rebase points, cycle dates) the same way as x."""
    values = list(values)
    if not values:
        return []
    s = pd.Series(values, dtype=object)
    if x_is_date:
        if all(isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year") for v in values):
            return list(pd.to_datetime(s).astype("datetime64[ns]"))
        parsed = parse_dates(s.astype(str))
        if parsed is None or parsed.isna().any():
            raise InputError(f"{what} must be dates (YYYY-MM-DD or DD/MM/YYYY) like the x column; "
                             f"got {_listing(s.astype(str))}")
        return list(parsed)
    numbers = pd.to_numeric(s, errors="coerce")
    if numbers.isna().any():
        raise InputError(f"{what} must be numbers like the x column; got {_listing(s.astype(str))}")
    return list(numbers.astype(float))


def _numeric(raw: pd.Series, xs: pd.Series, column: str, role: str) -> tuple[pd.Series, pd.Series]:
    """(numbers, was-blank mask); text that is not a number is an error naming x values."""
    if ptypes.is_bool_dtype(raw):
        raise InputError(f"column {column!r} ({role}) holds true/false values, not numbers")
    num = pd.to_numeric(raw, errors="coerce").astype(float)
    blank = raw.isna() | raw.astype("string").str.strip().eq("").fillna(True)
    bad = num.isna() & ~blank
    if bad.any():
        pairs = [f"{v!r} at x = {format_x(x)}" for v, x in
                 zip(raw[bad].astype(str), xs[bad], strict=True)][:SHOW_VALUES]
        more = f" and {int(bad.sum()) - SHOW_VALUES} more" if bad.sum() > SHOW_VALUES else ""
        raise InputError(f"column {column!r} ({role}) must hold numbers; found "
                         f"{', '.join(pairs)}{more}. Correct these cells or leave them blank.")
    infinite = np.isinf(num)
    if infinite.any():
        raise InputError(f"column {column!r} ({role}) has infinite values at x = "
                         f"{_listing(xs[infinite])}")
    return num, blank


def prepare_series(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    n: str | None = None,
    facet: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Validate and tidy a series: columns ``facet, x, y, n``, sorted by facet then x.

    Errors (InputError): not a DataFrame, unknown columns, x neither dates nor numbers,
    non-numeric y or n, zero/negative/missing denominators, duplicated x within a facet,
    fewer than 2 points in a facet. Warnings (returned): blank y values dropped, rows sorted.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    require_columns(data, [x, y, n, facet], "data")
    if data.empty:
        raise InputError("the data have no rows; an SPC chart needs a series of points")
    warnings: list[str] = []
    df = pd.DataFrame({"facet": data[facet] if facet else NO_FACET,
                       "x": parse_x(data[x], x)}, index=data.index)
    if facet and df["facet"].isna().any():
        raise InputError(f"column {facet!r} (facet) has blank values; every row needs a facet")
    df["y"], blank_y = _numeric(data[y], df["x"], y, "y")
    if n is not None:
        df["n"], blank_n = _numeric(data[n], df["x"], n, "denominator")
    else:
        df["n"], blank_n = np.nan, pd.Series(False, index=df.index)
    if blank_y.any():
        warnings.append(f"{int(blank_y.sum())} point(s) with a blank {y!r} were left out "
                        f"(x = {_listing(df.loc[blank_y, 'x'])})")
    df = df[~blank_y]
    blank_n = blank_n[~blank_y]
    if df.empty:
        raise InputError(f"too few points: column {y!r} is blank on every row")
    if n is not None:
        if blank_n.any():
            raise InputError(f"column {n!r} (denominator) is blank at x = "
                             f"{_listing(df.loc[blank_n, 'x'])}; every point needs its denominator")
        bad = df["n"] <= 0
        if bad.any():
            raise InputError(f"column {n!r} (denominator) must be greater than 0; it is zero or "
                             f"negative at x = {_listing(df.loc[bad, 'x'])}")
    dup = df.duplicated(["facet", "x"], keep=False)
    if dup.any():
        where = "" if facet is None else " within a facet"
        raise InputError(f"column {x!r} (x) has duplicated values{where}: "
                         f"{_listing(df.loc[dup, 'x'].drop_duplicates())}; each point needs its "
                         "own x (aggregate the rows first)")
    in_order = df.groupby("facet", sort=False)["x"].apply(lambda s: s.is_monotonic_increasing)
    if not in_order.all():
        warnings.append(f"rows were not in order of {x!r}; they were sorted")
    df = df.sort_values(["facet", "x"], kind="stable").reset_index(drop=True)
    sizes = df.groupby("facet", sort=False).size()
    short = sizes[sizes < SPC_MIN_POINTS]
    if len(short):
        who = "the series" if facet is None else f"facet(s) {_listing(short.index.astype(str))}"
        raise InputError(f"too few points: {who} has fewer than {SPC_MIN_POINTS} values of "
                         f"{y!r}; a chart needs at least {SPC_MIN_POINTS}")
    return df, warnings
