"""Counts of people behind the window figures, for disclosure control: how many staff had
sickness absence (and long-term absence) in a window of months, for the service or by team
or staff group. A rate or share of days is shown only when enough people stand behind it
(:mod:`wellbeing_analysis.disclosure`)."""

from __future__ import annotations

import pandas as pd

from wellbeing_analysis.constants import LONG_TERM_ABSENCE_DAYS
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
