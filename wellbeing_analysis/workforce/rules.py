"""Domain rules of the workforce data that both validation and the metrics rely on:
continuous periods of service, and which leaving reasons are voluntary (docs/metrics.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.schema import esr_leaving_reasons

#: One calendar day: a spell starting the day after another ends continues the service.
ONE_DAY = pd.Timedelta(days=1)


def employment_periods(spells: pd.DataFrame, extract_date: pd.Timestamp) -> pd.DataFrame:
    """Continuous periods of service per staff ID: spells chained when one starts the day
    after (or before) the previous ends. Open spells run to ``extract_date``.

    Returns one row per spell with ``period_start`` and ``period_end`` of its chain.
    """
    s = spells[["staff_id", "start_date", "end_date"]].copy()
    s["end_eff"] = s["end_date"].fillna(extract_date)
    s = s.sort_values(["staff_id", "start_date"], kind="stable")
    prev_end = s.groupby("staff_id", sort=False)["end_eff"].cummax().groupby(s["staff_id"]).shift()
    new_chain = prev_end.isna() | (s["start_date"] > prev_end + ONE_DAY)
    chain = new_chain.cumsum()
    s["period_start"] = s.groupby(chain)["start_date"].transform("min")
    s["period_end"] = s.groupby(chain)["end_eff"].transform("max")
    s["period_id"] = chain
    return s.sort_index()


def continuous_periods(staff: np.ndarray, start: np.ndarray, end: np.ndarray,
                       one_day: int | np.timedelta64) -> tuple[np.ndarray, np.ndarray]:
    """:func:`employment_periods` on arrays: spells sorted by (staff, start), with no
    missing value (open spells already run to the extract date); ``start`` and ``end`` are
    integers (``one_day`` in their unit) or datetimes.

    Returns the position of each period's first spell (its start is the period's) and each
    period's end. A spell starts a new period unless it starts by the day after the latest
    end among the same staff member's earlier spells: that running latest end is one
    running maximum over (staff number, rank of the end) as one integer (staff numbers
    ascend, so no staff member's maximum carries into the next).
    """
    n = len(staff)
    if n == 0:
        return np.zeros(0, dtype=np.int64), end[:0]
    new_staff = np.ones(n, dtype=bool)
    new_staff[1:] = staff[1:] != staff[:-1]
    codes, distinct = pd.factorize(end)  # few distinct days: cheap to rank
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    width = len(distinct)
    running = np.cumsum(new_staff, dtype=np.int64)
    running *= width
    running += rank[codes]
    np.maximum.accumulate(running, out=running)
    latest = distinct[order][running % width]  # latest end so far, this spell included
    new = new_staff
    new[1:] |= start[1:] > latest[:-1] + one_day
    heads = np.flatnonzero(new)
    return heads, np.maximum.reduceat(end, heads)


def is_voluntary(reasons: pd.Series) -> pd.Series:
    """True where an ESR leaving reason is voluntary (our grouping, one table)."""
    mapping = esr_leaving_reasons().set_index("reason")["voluntary"]
    return reasons.map(mapping).fillna(False).astype(bool)
