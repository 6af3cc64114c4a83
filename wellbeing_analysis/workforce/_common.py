"""Day and month arithmetic on integer day numbers (days since 1970-01-01), shared by the
monthly engine and the window breakdowns."""

from __future__ import annotations

import numpy as np
import pandas as pd


def percent(num, den):
    """100 × num ÷ den, blank (NaN) where the denominator is zero or missing.

    Works on Series and on numpy arrays; the operation order (100 × num first) is the same
    for both, so both give the same bits.
    """
    if isinstance(den, pd.Series):
        return (100.0 * num / den.where(den > 0)).astype(float)
    den = np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * np.asarray(num, dtype=float) / np.where(den > 0, den, np.nan)


def day_numbers(dates: pd.Series) -> np.ndarray:
    return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def month_index(day: np.ndarray) -> np.ndarray:
    """Months since January 1970 for day numbers."""
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_first_day(month: np.ndarray) -> np.ndarray:
    return month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def month_last_day(month: np.ndarray) -> np.ndarray:
    return month_first_day(month + 1) - 1


def expand_by_month(first_day: np.ndarray, last_day: np.ndarray) -> tuple[np.ndarray, ...]:
    """Split inclusive day intervals into one piece per calendar month.

    Returns (row index into the input, month index, days of the interval in that month).
    """
    m0, m1 = month_index(first_day), month_index(last_day)
    n = (m1 - m0 + 1).clip(min=0)
    rows = np.repeat(np.arange(len(first_day)), n)
    offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    month = m0[rows] + offset
    lo = np.maximum(first_day[rows], month_first_day(month))
    hi = np.minimum(last_day[rows], month_last_day(month))
    return rows, month, hi - lo + 1
