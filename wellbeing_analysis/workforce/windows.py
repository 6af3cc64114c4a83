"""Counts of people behind the window figures, for disclosure control: how many staff had
sickness absence (and long-term absence) in a window of months, for the service or by team
or staff group. A rate or share of days is shown only when enough people stand behind it
(:mod:`wellbeing_analysis.disclosure`)."""

from __future__ import annotations

import pandas as pd

from wellbeing_analysis.constants import (
    LONG_TERM_ABSENCE_DAYS,
    ROLLING_WINDOW_MONTHS,
    STABILITY_LOOKBACK_MONTHS,
)
from wellbeing_analysis.workforce.breakdowns import episode_segments, prepare_spells


def staff_absent(spells: pd.DataFrame, episodes: pd.DataFrame, *,
                 extract_date: str | pd.Timestamp, start: str, end: str,
                 by: str | None = None,
                 long_term_days: int = LONG_TERM_ABSENCE_DAYS) -> pd.DataFrame:
    """Distinct staff with sickness absence days in the months ``start``..``end`` (YYYY-MM,
    inclusive): columns ``staff_absent`` and ``staff_long_term`` (with an episode of
    ``long_term_days`` or more), one row for the service or one per ``by`` group (the group
    of the spell the days fall in). Episodes are cut to spells as in the monthly table."""
    extract = pd.Timestamp(extract_date)
    s = prepare_spells(spells, extract)
    seg = episode_segments(s, episodes, extract, long_term_days=long_term_days)
    lo = (pd.Period(start, freq="M").start_time - pd.Timestamp(0)).days
    hi = (pd.Period(end, freq="M").end_time.normalize() - pd.Timestamp(0)).days
    seg = seg[(seg["first"] <= hi) & (seg["last"] >= lo)]
    seg = seg.assign(staff_id=s.loc[seg["spell"], "staff_id"].to_numpy())
    keys = [by] if by else []
    frame = seg.assign(_all="service") if not by else seg
    key = by or "_all"
    out = pd.DataFrame({
        "staff_absent": frame.groupby(key)["staff_id"].nunique(),
        "staff_long_term": frame[frame["long_term"]].groupby(key)["staff_id"].nunique(),
    }).fillna(0).astype(int).reset_index()
    if not keys:
        out = out.drop(columns="_all")
        if out.empty:
            out = pd.DataFrame({"staff_absent": [0], "staff_long_term": [0]})
    return out


#: Columns that look back over earlier months: a rolling 12-month window, or the staff in
#: post 12 months before (classical stability), with the months of look-back each needs.
LOOK_BACK_COLUMNS: dict[str, int] = {
    "absence_rate_12m_pct": ROLLING_WINDOW_MONTHS - 1,
    "turnover_12m_pct": ROLLING_WINDOW_MONTHS - 1,
    "turnover_voluntary_12m_pct": ROLLING_WINDOW_MONTHS - 1,
    "stability_index_classical_pct": STABILITY_LOOKBACK_MONTHS,
}


def from_data_start(monthly: pd.DataFrame, data_start: str | None) -> pd.DataFrame:
    """The monthly table from ``data_start`` (the first month the extract covers fully:
    absence and leavers), with every look-back figure blank until its whole look-back lies
    inside the covered months — a rolling rate in the first eleven months would count
    months with no absence records (docs/metrics.md, 'data_start')."""
    if data_start is None:
        return monthly
    out = monthly[monthly["month"] >= data_start].reset_index(drop=True)
    start = pd.Period(data_start, freq="M")
    months = pd.PeriodIndex(out["month"], freq="M")
    for column, back in LOOK_BACK_COLUMNS.items():
        if column in out:
            out[column] = out[column].where(months >= start + back)
    return out
