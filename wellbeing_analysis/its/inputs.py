"""Checking and preparing an ITS input table: columns, values, the time axis, interruptions.

Every user mistake raises :class:`~wellbeing_analysis.errors.InputError` naming the column,
the rows (numbered as in a spreadsheet: header = row 1) or the value, and what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    DATE_FORMATS,
    DATE_PATTERNS,
    HEADER_ROW_NUMBER,
    ITS_MAX_LISTED_ROWS,
    MONTH_FORMAT,
    MONTH_PATTERN,
)
from wellbeing_analysis.errors import InputError, require_columns


def describe_rows(mask: np.ndarray, values: Sequence | None = None) -> str:
    """'rows 3, 7 (and 4 more)' for the True positions of ``mask``, with values if given."""
    pos = np.flatnonzero(mask)
    shown = []
    for i in pos[:ITS_MAX_LISTED_ROWS]:  # a few offending rows are listed, never the data
        row = int(i) + HEADER_ROW_NUMBER + 1
        shown.append(f"{row} ({values[i]!r})" if values is not None else str(row))
    extra = len(pos) - ITS_MAX_LISTED_ROWS
    more = f" (and {extra} more)" if extra > 0 else ""
    return ("row " if len(pos) == 1 else "rows ") + ", ".join(shown) + more


@dataclass(frozen=True)
class TimeAxis:
    """A regular time axis: numbers, or calendar months (stored as year * 12 + month - 1)."""

    kind: str  # "numeric" or "month"
    origin: float  # the first time value
    step: float  # spacing, in time units or months

    def index(self, values: np.ndarray) -> np.ndarray:
        """Periods since the first observation (0, 1, 2, ...)."""
        return np.rint((np.asarray(values, float) - self.origin) / self.step).astype(int)

    def value(self, t: np.ndarray | int) -> np.ndarray:
        return self.origin + np.asarray(t) * self.step

    def label(self, t: int) -> str:
        """A readable time label: '2024-04' for months, the number otherwise."""
        v = float(self.value(t))
        if self.kind == "month":
            return f"{int(v) // 12:04d}-{int(v) % 12 + 1:02d}"
        return f"{v:.12g}"

    def column(self, t: np.ndarray) -> pd.Series:
        """Time values for output tables: 'YYYY-MM' labels, or the numbers (whole if they are)."""
        if self.kind == "month":
            v = pd.Series(np.asarray(self.value(t), dtype=int))
            return ((v // 12).astype("string").str.zfill(4) + "-"
                    + (v % 12 + 1).astype("string").str.zfill(2))
        v = self.value(t)
        return pd.Series(v.astype(int) if np.allclose(v, np.round(v)) else v)

    def x(self, t: np.ndarray) -> np.ndarray:
        """Plotting positions: first-of-month timestamps, or the numbers themselves."""
        v = self.value(t)
        if self.kind == "month":
            v = np.asarray(v, dtype=int)
            return pd.to_datetime({"year": v // 12, "month": v % 12 + 1, "day": 1}).to_numpy()
        return v

    @property
    def unit(self) -> str:
        return "month" if self.kind == "month" and self.step == 1 else "period"


def _parse_dates(text: pd.Series) -> pd.Series:
    """Months (year * 12 + month - 1) from 'YYYY-MM', 'YYYY-MM-DD' or 'DD/MM/YYYY'; NaN if not."""
    months = pd.Series(np.nan, index=text.index)
    for pattern, fmt in ((MONTH_PATTERN, MONTH_FORMAT), *zip(DATE_PATTERNS, DATE_FORMATS)):
        match = text.str.fullmatch(pattern).fillna(False).astype(bool)
        if match.any():
            dates = pd.to_datetime(text[match], format=fmt, errors="coerce")
            months[match] = dates.dt.year * 12 + dates.dt.month - 1
    return months


def parse_time_column(col: pd.Series, name: str) -> tuple[str, np.ndarray]:
    """('numeric' or 'month', values as floats) for a time column, or InputError."""
    missing = col.isna().to_numpy()
    if missing.any():
        raise InputError(f"time column {name!r} has missing values at {describe_rows(missing)}; "
                         "every row needs a time")
    if pd.api.types.is_bool_dtype(col):
        raise InputError(f"time column {name!r} holds true/false values; give numbers or dates")
    if pd.api.types.is_numeric_dtype(col):
        return "numeric", col.to_numpy(dtype=float)
    if pd.api.types.is_datetime64_any_dtype(col):
        return "month", (col.dt.year * 12 + col.dt.month - 1).to_numpy(dtype=float)
    text = col.astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    months = _parse_dates(text)
    kind, values = ("month", months) if months.notna().sum() >= numbers.notna().sum() else (
        "numeric", numbers)
    bad = values.isna().to_numpy()
    if bad.any():
        raise InputError(
            f"time column {name!r} must hold numbers or dates (YYYY-MM, YYYY-MM-DD or "
            f"DD/MM/YYYY); {describe_rows(bad, col.to_numpy())} cannot be read as "
            f"{'dates' if kind == 'month' else 'numbers'}"
        )
    return kind, values.to_numpy(dtype=float)


def parse_time_value(value, kind: str, what: str) -> float:
    """A time value given by the user (an interruption, an end) on the data's time axis."""
    if kind == "numeric":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise InputError(f"{what} {value!r} is not a number, but the time column is "
                             "numeric; give a value of the time column") from None
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "year"):
        ts = pd.Timestamp(value)
        return float(ts.year * 12 + ts.month - 1)
    months = _parse_dates(pd.Series([str(value).strip()], dtype="string"))
    if months.isna().iloc[0]:
        raise InputError(f"{what} {value!r} is not a date (YYYY-MM, YYYY-MM-DD or DD/MM/YYYY), "
                         "but the time column holds dates")
    return float(months.iloc[0])


def numeric_column(df: pd.DataFrame, name: str, role: str) -> np.ndarray:
    """Column ``name`` as floats, or InputError naming missing or non-numeric rows."""
    col = df[name]
    missing = col.isna().to_numpy()
    if missing.any():
        raise InputError(f"{role} column {name!r} has missing values at {describe_rows(missing)}; "
                         "fill them in or drop those periods (the series must stay regular)")
    if pd.api.types.is_bool_dtype(col):
        return col.to_numpy(dtype=float)
    values = pd.to_numeric(col, errors="coerce")
    bad = values.isna().to_numpy()
    if bad.any():
        raise InputError(f"{role} column {name!r} must be numeric; "
                         f"{describe_rows(bad, col.to_numpy())} are not numbers")
    out = values.to_numpy(dtype=float)
    if not np.isfinite(out).all():
        raise InputError(f"{role} column {name!r} has infinite values at "
                         f"{describe_rows(~np.isfinite(out))}")
    return out


def check_time_order(values: np.ndarray, groups: np.ndarray, name: str, kind: str) -> float:
    """Check each series' times are unique, increasing and evenly spaced; return the step."""
    frame = pd.DataFrame({"g": groups, "v": values})
    diff = frame.groupby("g", sort=False)["v"].diff().to_numpy()
    label = TimeAxis(kind, 0.0, 1.0).label
    dup = diff == 0
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"time column {name!r} has duplicated times: {label(values[i])} "
                         f"appears more than once ({describe_rows(dup)}); keep one row per "
                         "period" + (" and series" if len(np.unique(groups)) > 1 else ""))
    back = diff < 0
    if back.any():
        i = int(np.flatnonzero(back)[0])
        raise InputError(f"time column {name!r} is not in increasing order: {label(values[i])} "
                         f"(row {i + HEADER_ROW_NUMBER + 1}) comes after {label(values[i - 1])}; "
                         "sort the rows by time")
    gaps = diff[np.isfinite(diff)]
    if gaps.size == 0:
        return 1.0
    step = float(gaps.min())
    irregular = np.isfinite(diff) & ~np.isclose(diff, step, rtol=1e-9, atol=1e-9)
    if irregular.any():
        i = int(np.flatnonzero(irregular)[0])
        raise InputError(
            f"time column {name!r} is irregularly spaced: {label(values[i - 1])} to "
            f"{label(values[i])} is a gap of {diff[i]:g} where the series steps by {step:g} "
            f"({'months' if kind == 'month' else 'time units'}); add the missing periods "
            "(an ITS needs a regular series)"
        )
    return step


def locate(value, axis: TimeAxis, what: str, n: int) -> int:
    """Period index of a user time value that must be one of the series' times, after the first."""
    v = parse_time_value(value, axis.kind, what)
    first, last = axis.label(0), axis.label(n - 1)
    t = (v - axis.origin) / axis.step
    if t < 0 or t > n - 1:
        raise InputError(f"{what} {value!r} is outside the data: the time column runs from "
                         f"{first} to {last}")
    if not np.isclose(t, round(t), atol=1e-9):
        lo = int(np.floor(t))
        raise InputError(f"{what} {value!r} is not one of the times in the data (nearest: "
                         f"{axis.label(lo)} and {axis.label(lo + 1)})")
    t = int(round(t))
    if t == 0:
        raise InputError(f"{what} {value!r} is the first time point, so nothing lies before it; "
                         "give the first period after the change")
    return t


@dataclass(frozen=True)
class Prepared:
    """A validated ITS table as arrays, series stacked one after another in time order."""

    axis: TimeAxis
    t: np.ndarray  # periods since the first observation
    y: np.ndarray
    exposure: np.ndarray | None
    season: np.ndarray | None
    covariates: np.ndarray  # n x c
    treated: np.ndarray  # bool: the treated series (all True without a comparison)
    series: np.ndarray  # series labels (None without a comparison)
    source_row: np.ndarray  # position of each row in the user's table
    interruption_t: tuple[int, ...]  # first post-interruption period of each interruption
    end_t: int | None  # first period after the intervention ended (three-period design)
    n_periods: int
    n_series: int

    def subset(self, mask: np.ndarray, **changes) -> Prepared:
        """The rows in ``mask`` (whole periods of every series), with fields changed."""
        fields = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("t", "y", "exposure", "season", "covariates", "treated", "series",
                  "source_row"):
            if fields[k] is not None:
                fields[k] = fields[k][mask]
        fields.update(changes)
        return Prepared(**fields)


def _series_codes(df: pd.DataFrame, group: str | None, treated_value) -> tuple[np.ndarray, ...]:
    """(treated flags, series labels) for the rows, checking the treated value exists."""
    n = len(df)
    if group is None:
        return np.ones(n, dtype=bool), np.full(n, None, dtype=object)
    col = df[group]
    missing = col.isna().to_numpy()
    if missing.any():
        raise InputError(f"group column {group!r} has missing values at {describe_rows(missing)}")
    labels = col.to_numpy(dtype=object)
    # Compare as text so that 3, 3.0 and '3' (as the command line gives it) all match.
    text = col.astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
    wanted = re.sub(r"\.0+$", "", str(treated_value).strip())
    treated = (text == wanted).to_numpy(dtype=bool)
    if not treated.any():
        values = ", ".join(map(str, pd.unique(labels)[:10]))
        raise InputError(f"treated group {treated_value!r} is not in group column {group!r} "
                         f"(its values include: {values})")
    if treated.all():
        raise InputError(f"group column {group!r} holds only the treated group "
                         f"{treated_value!r}; a controlled ITS needs a comparison series")
    return treated, labels


def prepare(data: pd.DataFrame, options) -> Prepared:
    """Validate ``data`` against ``options`` (an ITSOptions) and return it as arrays."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if data.empty:
        raise InputError("the table has no rows")
    require_columns(data, options.columns, "the table")
    treated, series = _series_codes(data, options.group, options.treated)
    kind, tvals = parse_time_column(data[options.time], options.time)
    codes = (np.zeros(len(data), dtype=int) if options.group is None
             else pd.factorize(data[options.group])[0])
    step = check_time_order(tvals, codes, options.time, kind)
    axis = TimeAxis(kind, float(tvals.min()), step)
    t = axis.index(tvals)
    n_periods = int(t[treated].max()) + 1
    if options.group is not None:  # every series must cover the treated series' periods
        grid = pd.DataFrame({"s": codes, "t": t}).groupby("s").agg(lo=("t", "min"),
                                                                  hi=("t", "max"))
        bad = (grid["lo"] != t[treated].min()) | (grid["hi"] != n_periods - 1)
        if bad.any():
            label = series[np.flatnonzero(codes == bad.index[bad.to_numpy()][0])[0]]
            raise InputError(
                f"series {label!r} of group column {options.group!r} covers different periods "
                f"from the treated series ({axis.label(0)} to {axis.label(n_periods - 1)}); "
                "every series needs the same periods")

    y = numeric_column(data, options.outcome, "outcome")
    if options.link == "log" and (y < 0).any():
        raise InputError(f"outcome column {options.outcome!r} has negative values at "
                         f"{describe_rows(y < 0, y)}; family {options.family!r} models counts")
    exposure = None
    if options.offset is not None:
        exposure = numeric_column(data, options.offset, "exposure (offset)")
        if (exposure <= 0).any():
            raise InputError(f"exposure column {options.offset!r} must be positive (the model "
                             f"uses its log); {describe_rows(exposure <= 0, exposure)} are zero "
                             "or negative")
    season = _season(data, options, axis, tvals)
    covariates = np.column_stack(
        [numeric_column(data, c, "covariate") for c in options.covariates]
    ) if options.covariates else np.empty((len(data), 0))

    interruption_t = tuple(locate(v, axis, "interruption", n_periods)
                           for v in options.interruptions)
    if any(b <= a for a, b in zip(interruption_t, interruption_t[1:])):
        raise InputError("interruptions must be distinct and in time order: "
                         + ", ".join(map(str, options.interruptions)))
    end_t = None
    if options.end is not None:
        end_t = locate(options.end, axis, "end of intervention", n_periods)
        if end_t <= interruption_t[-1] + options.phase_in:
            raise InputError(f"the end of intervention {options.end!r} must come after the "
                             f"last interruption ({options.interruptions[-1]!r}) and its "
                             "phase-in")

    order = np.lexsort((t, codes, ~treated))  # treated series first, each in time order
    return Prepared(
        axis=axis, t=t[order], y=y[order],
        exposure=None if exposure is None else exposure[order],
        season=None if season is None else season[order], covariates=covariates[order],
        treated=treated[order], series=series[order], source_row=order,
        interruption_t=interruption_t, end_t=end_t, n_periods=n_periods,
        n_series=int(codes.max()) + 1,
    )


def _season(data: pd.DataFrame, options, axis: TimeAxis, tvals: np.ndarray):
    """The season of each row: the season column, or the calendar month of monthly dates."""
    if options.harmonics is None and not options.season_indicators:
        return None
    if options.season_col is not None:
        if options.season_indicators:
            col = data[options.season_col]
            missing = col.isna().to_numpy()
            if missing.any():
                raise InputError(f"season column {options.season_col!r} has missing values at "
                                 f"{describe_rows(missing)}")
            return col.to_numpy(dtype=object)
        return numeric_column(data, options.season_col, "season")
    if axis.kind == "month":
        return (tvals % 12 + 1).astype(float)
    raise InputError("seasonality needs a season column (e.g. month 1-12) when the time column "
                     "is not made of dates")
