"""Plain-English descriptions of signals for service leads (charts, tables, PDSA reviews)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import MDC_TWO_OF_THREE_COUNT, MDC_TWO_OF_THREE_WINDOW
from wellbeing_analysis.spc import labels
from wellbeing_analysis.spc.inputs import format_x

#: Calendar spacing of points (median days between them, inclusive range) -> unit name.
_PERIODS: tuple[tuple[float, float, str], ...] = (
    (1, 1, "day"), (7, 7, "week"), (28, 31, "month"), (89, 92, "quarter"), (365, 366, "year"),
)
#: Date layout used in text for each unit (months and quarters need no day).
_DATE_LAYOUT = {"month": "%b %Y", "quarter": "%b %Y", "year": "%Y"}


def readable_name(column: str) -> str:
    """A column name as words: 'absence_rate_pct' -> 'absence rate (%)'."""
    name = column[:-4] + " (%)" if column.endswith("_pct") else column
    return name.replace("_", " ").strip()


def period_unit(x: pd.Series | np.ndarray) -> str:
    """'month', 'week', 'day', 'quarter' or 'year' from the spacing of dated points;
    'point' otherwise."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.datetime64) or x.size < 2:
        return "point"
    days = float(np.median(np.diff(np.sort(x)) / np.timedelta64(1, "D")))
    for low, high, unit in _PERIODS:
        if low <= days <= high:
            return unit
    return "point"


def plural(k: int, unit: str) -> str:
    """'1 month', '7 months'."""
    return f"{k} {unit}{'' if k == 1 else 's'}"


def format_when(value, unit: str) -> str:
    """An x value in text: 'May 2023' for monthly data, '03 Apr 2023' for weekly, '12' for
    numbers."""
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).strftime(_DATE_LAYOUT.get(unit, "%d %b %Y"))
    return format_x(value)


def span(start, end, unit: str) -> str:
    """'May 2023 to Nov 2023', or one date when start == end."""
    a, b = format_when(start, unit), format_when(end, unit)
    return a if a == b else f"{a} to {b}"


def describe_episode(
    rule: str,
    direction: int,
    k: int,
    *,
    start,
    end,
    subject: str = "the measure",
    unit: str = "point",
    centre_word: str = "mean",
) -> str:
    """One signal in plain English, e.g. 'the absence rate (%) stayed below the mean for 7
    months in a row (Feb 2017 to Aug 2017) — a real shift'."""
    when = span(start, end, unit)
    side = "above" if direction > 0 else "below"
    if rule == labels.SHIFT:
        return (f"{subject} stayed {side} the {centre_word} for {plural(k, unit)} in a row "
                f"({when}) — a real shift")
    if rule == labels.LONG_RUN:
        return (f"{subject} stayed {side} the {centre_word} for {plural(k, unit)} in a row "
                f"({when}) — a longer run than chance allows")
    if rule == labels.TREND:
        way = "higher" if direction > 0 else "lower"
        return (f"{subject} moved one way for {plural(k, unit)} in a row, each {way} than the "
                f"last ({when}) — a real trend")
    if rule == labels.OUTSIDE:
        limit = "above the upper" if direction > 0 else "below the lower"
        count = "" if k == 1 else f" for {plural(k, unit)}"
        return f"{subject} went {limit} process limit{count} ({when}) — a real change"
    if rule == labels.TWO_IN_THREE:
        limit = "upper" if direction > 0 else "lower"
        return (f"{plural(k, unit)} close to the {limit} process limit ({when}; "
                f"{MDC_TWO_OF_THREE_COUNT} of any {MDC_TWO_OF_THREE_WINDOW} {unit}s in a row "
                "this close is a real change)")
    raise ValueError(f"no description for rule {rule!r}")
