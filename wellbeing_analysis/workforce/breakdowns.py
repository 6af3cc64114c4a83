"""Spell preparation and breakdowns over a window of months: absence by reason, leavers by
reason, group and length of service, and window summaries of the monthly table.

Definitions follow NHS Digital's sickness absence and workforce publications
(see ``docs/metrics.md``); each public function's docstring gives its formula.
These still split episode pieces by month with ``numpy.repeat`` (about 1.1 rows per
episode: episodes are short) and join episodes to spells with ``merge``; they serve the
reports of one service. The monthly table itself is computed by :mod:`.monthly`, which
expands nothing.

Conventions: dates are inclusive (an end date is the last day in post / last day off sick);
open spells and ongoing episodes run to the extract date and never beyond it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    COVID_RELATED_PATTERN,
    EARLY_LEAVER_MONTHS,
    LONG_TERM_ABSENCE_DAYS,
)
from wellbeing_analysis.workforce._common import (
    day_numbers,
    expand_by_month,
    month_index,
    percent,
)
from wellbeing_analysis.workforce.rules import employment_periods, is_voluntary


# ---------------------------------------------------------------------------
# Spell and episode preparation
# ---------------------------------------------------------------------------
def prepare_spells(spells: pd.DataFrame, extract_date: pd.Timestamp) -> pd.DataFrame:
    """Spells with continuous-service chains and starter/leaver flags.

    - ``end_eff``: end date, or the extract date for an open spell.
    - ``period_start``/``period_end``: the continuous period of service the spell belongs
      to (spells chained when one starts the day after another ends).
    - ``is_start``: the spell starts a period (a starter); ``is_leave``: it ends one before
      the extract date (a leaver). An internal move or FTE change is neither (docs/metrics.md).
    - ``voluntary``: leaving reason in the voluntary grouping; ``early``: leaver with less
      than 12 months' continuous service.
    """
    s = spells.reset_index(drop=True).copy()
    p = employment_periods(s, extract_date)
    s["end_eff"] = p["end_eff"].clip(upper=extract_date)
    s["period_start"], s["period_end"], s["period_id"] = (
        p["period_start"], p["period_end"].clip(upper=extract_date), p["period_id"])
    s["is_start"] = s["start_date"].eq(s["period_start"])
    s["is_leave"] = s["end_date"].notna() & s["end_date"].eq(s["period_end"])
    s["voluntary"] = s["is_leave"] & is_voluntary(s["leaving_reason"])
    one_year_on = s["period_start"] + pd.DateOffset(months=EARLY_LEAVER_MONTHS)
    s["early"] = s["is_leave"] & (s["end_date"] + pd.Timedelta(days=1) < one_year_on)
    s["service_days"] = (s["end_eff"] - s["period_start"]).dt.days + 1
    return s


def episode_segments(spells: pd.DataFrame, episodes: pd.DataFrame, extract_date: pd.Timestamp,
                     *, long_term_days: int = LONG_TERM_ABSENCE_DAYS) -> pd.DataFrame:
    """Each episode cut to each spell of the same staff ID it overlaps.

    ``spells`` comes from :func:`prepare_spells`. The whole episode's length (to the extract
    date if ongoing) classifies it as long-term (``>= long_term_days``) or short-term.
    Returns columns: spell index, team, staff_group, fte, reason_code, long_term, covid,
    first/last day numbers of the piece.
    """
    e = episodes.reset_index(drop=True)
    end_eff = e["end_date"].fillna(extract_date).clip(upper=extract_date)
    length = (end_eff - e["start_date"]).dt.days + 1
    related = e["related_reason"] if "related_reason" in e else pd.Series(pd.NA, index=e.index)
    ep = pd.DataFrame({
        "staff_id": e["staff_id"], "ep_first": day_numbers(e["start_date"]),
        "ep_last": day_numbers(end_eff), "reason_code": e["reason_code"],
        "long_term": (length >= long_term_days).to_numpy(),
        "covid": related.astype("string").str.contains(COVID_RELATED_PATTERN, case=False,
                                                      na=False).to_numpy(),
    })
    sp = pd.DataFrame({
        "staff_id": spells["staff_id"], "spell": spells.index.to_numpy(),
        "sp_first": day_numbers(spells["start_date"]), "sp_last": day_numbers(spells["end_eff"]),
    })
    m = ep.merge(sp, on="staff_id", how="inner")
    m["first"] = np.maximum(m["ep_first"], m["sp_first"])
    m["last"] = np.minimum(m["ep_last"], m["sp_last"])
    m = m[m["last"] >= m["first"]]
    cols = ["team", "staff_group", "fte"]
    out = m[["spell", "reason_code", "long_term", "covid", "first", "last"]].reset_index(drop=True)
    out[cols] = spells.loc[out["spell"], cols].to_numpy()
    out["fte"] = out["fte"].astype(float)
    return out


# ---------------------------------------------------------------------------
# Breakdowns over a window of months (baseline report)
# ---------------------------------------------------------------------------
#: Length-of-service bands for leavers (years of continuous service at leaving).
SERVICE_LENGTH_BANDS: tuple[tuple[str, float, float], ...] = (
    ("under 1 year", 0.0, 1.0), ("1 to 2 years", 1.0, 2.0), ("2 to 5 years", 2.0, 5.0),
    ("5 years or more", 5.0, float("inf")),
)


def _month_bounds(start: str, end: str) -> tuple[int, int]:
    lo = pd.Period(start, freq="M").ordinal
    hi = pd.Period(end, freq="M").ordinal
    return lo, hi


def absence_by_reason(spells: pd.DataFrame, episodes: pd.DataFrame, *,
                      extract_date: str | pd.Timestamp, start: str, end: str,
                      long_term_days: int = LONG_TERM_ABSENCE_DAYS) -> pd.DataFrame:
    """FTE days lost by ESR reason over the months ``start``..``end`` (YYYY-MM, inclusive).

    Columns: reason_code, reason, fte_days_lost, share_pct (of all days lost in the window),
    episodes (episodes with days in the window) and staff (distinct staff with such
    episodes; the count disclosure control applies to, since a rare reason with one or two
    staff would reveal a person's health condition). Days as in :func:`monthly_indicators`.
    """
    from wellbeing_analysis.schema import esr_absence_reasons

    extract = pd.Timestamp(extract_date)
    s = prepare_spells(spells, extract)
    seg = episode_segments(s, episodes, extract, long_term_days=long_term_days)
    seg["staff_id"] = s.loc[seg["spell"], "staff_id"].to_numpy()
    seg["episode"] = np.arange(len(seg))  # pieces of one episode across spells count once below
    r, m, d = expand_by_month(seg["first"].to_numpy(), seg["last"].to_numpy())
    lo, hi = _month_bounds(start, end)
    keep = (m >= lo) & (m <= hi)
    pieces = pd.DataFrame({
        "reason_code": seg["reason_code"].to_numpy()[r][keep],
        "staff_id": seg["staff_id"].to_numpy()[r][keep],
        "first": seg["first"].to_numpy()[r][keep],
        "fte_days_lost": (seg["fte"].to_numpy()[r] * d)[keep],
    })
    out = pieces.groupby("reason_code").agg(
        fte_days_lost=("fte_days_lost", "sum"),
        episodes=("first", lambda x: x.size),
        staff=("staff_id", "nunique")).reset_index()
    # an episode split across two spells (an FTE change) is one episode, not two
    distinct = pieces.drop_duplicates(["reason_code", "staff_id", "first"])
    out["episodes"] = out["reason_code"].map(distinct.groupby("reason_code").size()).astype(int)
    total = out["fte_days_lost"].sum()
    out["share_pct"] = 100.0 * out["fte_days_lost"] / total if total > 0 else np.nan
    names = esr_absence_reasons().set_index("code")["description"]
    out.insert(1, "reason", out["reason_code"].map(names))
    return out.sort_values("fte_days_lost", ascending=False, kind="stable").reset_index(drop=True)


def leavers_in_window(spells: pd.DataFrame, *, extract_date: str | pd.Timestamp, start: str,
                      end: str) -> pd.DataFrame:
    """Leavers whose last day falls in months ``start``..``end``: one row per leaver with
    team, staff_group, leaving_reason, reason_group (ESR grouping), voluntary, early and
    years of continuous service. For aggregation only (never shown row by row)."""
    from wellbeing_analysis.schema import esr_leaving_reasons

    s = prepare_spells(spells, pd.Timestamp(extract_date))
    lo, hi = _month_bounds(start, end)
    month = month_index(day_numbers(s["end_eff"]))
    rows = s[s["is_leave"].to_numpy() & (month >= lo) & (month <= hi)]
    groups = esr_leaving_reasons().set_index("reason")["group_used_by_source_script"]
    return pd.DataFrame({
        "team": rows["team"], "staff_group": rows["staff_group"],
        "leaving_reason": rows["leaving_reason"].fillna("Unknown"),
        "reason_group": rows["leaving_reason"].map(groups).fillna("Other/Unknown"),
        "voluntary": rows["voluntary"], "early": rows["early"],
        "service_years": rows["service_days"] / 365.25,
        "length_of_service": _service_band(rows["period_start"], rows["end_date"]),
    }).reset_index(drop=True)


def _service_band(start: pd.Series, last_day: pd.Series) -> pd.Categorical:
    """Length-of-service band of leavers by calendar years completed, the yardstick of
    early leavers (a year is complete on the anniversary of the start: the day after the
    last day in post is on or after start + k years), so 'under 1 year' is exactly the
    early leavers."""
    left = last_day + pd.Timedelta(days=1)
    labels = [b[0] for b in SERVICE_LENGTH_BANDS]
    band = np.zeros(len(start), dtype=int)
    for i, (_, lo, _hi) in enumerate(SERVICE_LENGTH_BANDS[1:], start=1):
        reached = (left >= start + pd.DateOffset(years=int(lo))).to_numpy(dtype=bool)
        band[reached] = i
    return pd.Categorical.from_codes(band, categories=labels)


def leavers_by(leavers: pd.DataFrame, column: str) -> pd.DataFrame:
    """Count leavers (from :func:`leavers_in_window`) by a column, with shares, largest first."""
    out = leavers.groupby(column).size().rename("leavers").reset_index()
    out["share_pct"] = 100.0 * out["leavers"] / out["leavers"].sum()
    return out.sort_values("leavers", ascending=False, kind="stable").reset_index(drop=True)


def leavers_by_length_of_service(leavers: pd.DataFrame) -> pd.DataFrame:
    """Count leavers by length-of-service band (:data:`SERVICE_LENGTH_BANDS`: calendar years
    completed, so 'under 1 year' counts exactly the early leavers), in band order."""
    band = leavers["length_of_service"]
    out = band.value_counts(sort=False).rename("leavers").rename_axis("length_of_service")
    out = out.reset_index()
    total = out["leavers"].sum()
    out["share_pct"] = 100.0 * out["leavers"] / total if total else np.nan
    return out


def window_summary(monthly: pd.DataFrame, *, start: str, end: str,
                   by: str | None = None) -> pd.DataFrame:
    """Indicators over the months ``start``..``end`` (YYYY-MM) from a monthly table (of the
    service, or by ``by`` as :func:`monthly_indicators` returns it), one row per group:

    - headcount: staff in post at ``end`` (as in the monthly table);
    - absence_rate_pct = 100 × Σ FTE days lost ÷ Σ FTE days available over the window
      (days summed first; NHS Digital);
    - leavers: leavers in the window;
    - turnover_pct = 100 × leavers ÷ mean(headcount at the end of the month before
      ``start``, headcount at ``end``) (NHS Digital leaver rate; for a 12-month window it
      equals ``turnover_12m_pct`` at ``end``);
    - stability_index_strategy_pct at ``end``.

    Groups with nobody in post at ``end`` and no leavers in the window are left out.
    """
    keys = [by] if by else []
    frame = monthly.assign(_all="service") if not by else monthly
    key = by or "_all"
    window = frame[(frame["month"] >= start) & (frame["month"] <= end)]
    sums = window.groupby(key).agg(lost=("fte_days_lost", "sum"),
                                   available=("fte_days_available", "sum"),
                                   leavers=("leavers", "sum"))
    at_end = frame[frame["month"] == end].set_index(key).reindex(sums.index)
    before = str(pd.Period(start, freq="M") - 1)
    at_start = frame[frame["month"] == before].set_index(key).reindex(sums.index)
    headcount = at_end["headcount"].fillna(0).astype(np.int64)
    mean_hc = (at_start["headcount"].fillna(0) + headcount) / 2.0
    out = pd.DataFrame({
        "headcount": headcount,
        "absence_rate_pct": percent(sums["lost"], sums["available"]),
        "leavers": sums["leavers"].astype(np.int64),
        "turnover_pct": percent(sums["leavers"], mean_hc),
        "stability_index_strategy_pct": at_end["stability_index_strategy_pct"],
    })
    out = out[(out["headcount"] + out["leavers"]) > 0].reset_index()
    return out.drop(columns="_all") if not keys else out
