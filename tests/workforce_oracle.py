"""Today's monthly-indicator algorithm (before the scalable engine), kept verbatim as the
oracle the engine is compared against in ``test_workforce_engine.py``.

It expands every spell and episode piece by month with ``numpy.repeat`` and aggregates with
``groupby``: correct but memory-hungry at national scale. Tests only; never imported by the
library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    EARLY_LEAVER_MONTHS,
    LONG_TERM_ABSENCE_DAYS,
    MENTAL_HEALTH_REASON_CODE,
    ROLLING_WINDOW_MONTHS,
    STABILITY_LOOKBACK_MONTHS,
)
from wellbeing_analysis.workforce import (
    CORE_COLUMNS,
    GROUP_ONLY_COLUMNS,
    employment_periods,
    is_voluntary,
)


def _check_inputs(spells, episodes, by):  # the engine checks inputs; the oracle trusts them
    return None


# ---------------------------------------------------------------------------
# Day and month arithmetic on integer day numbers (days since 1970-01-01)
# ---------------------------------------------------------------------------
def _day_numbers(dates: pd.Series) -> np.ndarray:
    return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def _month_index(day: np.ndarray) -> np.ndarray:
    """Months since January 1970 for day numbers."""
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_first_day(month: np.ndarray) -> np.ndarray:
    return month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _month_last_day(month: np.ndarray) -> np.ndarray:
    return _month_first_day(month + 1) - 1


def _expand_by_month(first_day: np.ndarray, last_day: np.ndarray) -> tuple[np.ndarray, ...]:
    """Split inclusive day intervals into one piece per calendar month.

    Returns (row index into the input, month index, days of the interval in that month).
    """
    m0, m1 = _month_index(first_day), _month_index(last_day)
    n = (m1 - m0 + 1).clip(min=0)
    rows = np.repeat(np.arange(len(first_day)), n)
    offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    month = m0[rows] + offset
    lo = np.maximum(first_day[rows], _month_first_day(month))
    hi = np.minimum(last_day[rows], _month_last_day(month))
    return rows, month, hi - lo + 1


@dataclass(frozen=True)
class _Calendar:
    """The reporting months and each month's reference day (month end, or the extract date)."""

    months: np.ndarray  # month indices, first spell's month .. extract month
    ref_day: np.ndarray  # day number of each month's reference date

    @classmethod
    def build(cls, first_day: int, extract_day: int) -> _Calendar:
        months = np.arange(_month_index(np.array([first_day]))[0],
                           _month_index(np.array([extract_day]))[0] + 1)
        ref = np.minimum(_month_last_day(months), extract_day)
        return cls(months, ref)

    def ref_for(self, month: np.ndarray) -> np.ndarray:
        return self.ref_day[month - self.months[0]]

    @property
    def labels(self) -> pd.Index:
        return pd.PeriodIndex.from_ordinals(self.months, freq="M").strftime("%Y-%m")


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
        "staff_id": e["staff_id"], "ep_first": _day_numbers(e["start_date"]),
        "ep_last": _day_numbers(end_eff), "reason_code": e["reason_code"],
        "long_term": (length >= long_term_days).to_numpy(),
        "covid": related.astype("string").str.contains("covid|coronavirus", case=False,
                                                      na=False).to_numpy(),
    })
    sp = pd.DataFrame({
        "staff_id": spells["staff_id"], "spell": spells.index.to_numpy(),
        "sp_first": _day_numbers(spells["start_date"]), "sp_last": _day_numbers(spells["end_eff"]),
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
# The monthly table
# ---------------------------------------------------------------------------
def oracle_monthly_indicators(
    spells: pd.DataFrame,
    episodes: pd.DataFrame,
    *,
    extract_date: str | pd.Timestamp,
    by: str | None = None,
    long_term_days: int = LONG_TERM_ABSENCE_DAYS,
) -> pd.DataFrame:
    """Monthly workforce indicators for the service, or by ``team`` / ``staff_group``.

    One row per month (and group) from the first spell's month to the extract month.
    Formulas (NHS Digital sickness absence and workforce statistics; docs/metrics.md):

    - headcount = staff with a spell covering the month's last day (the extract date in the
      extract's month); fte = their summed FTE.
    - fte_days_available = Σ FTE × calendar days in post in the month.
    - fte_days_lost = Σ FTE × calendar days of sickness in the month inside a spell; split
      into short- and long-term (whole episode ``>= long_term_days``), S10, COVID-related.
    - absence_rate_pct = 100 × fte_days_lost ÷ fte_days_available (days summed first);
      absence_rate_12m_pct = 100 × 12 months' days lost ÷ 12 months' days available.
    - starters / leavers: spells starting / ending a continuous period of service (a move or
      FTE change is neither; an open spell is not a leaver); leavers_voluntary uses the
      'Voluntary Resignation' reasons; leavers_early had < 12 months' continuous service.
    - turnover_12m_pct = 100 × leavers in the 12 months to m ÷ mean(headcount at the end of
      month m − 12, headcount at m) (NHS Digital leaver rate); likewise voluntary.
    - stability_index_strategy_pct = 100 × staff in post with ≥ 1 year's continuous service
      ÷ staff in post (Model Strategy definition).
    - stability_index_classical_pct = 100 × staff in post 12 months ago still in post now
      (continuously) ÷ staff in post 12 months ago (NHS Digital / HR practice).
    - by group only: moves_in / moves_out = internal moves into / out of the group.

    Rolling and look-back columns are blank until 12 months of history exist.
    """
    _check_inputs(spells, episodes, by)
    extract = pd.Timestamp(extract_date)
    s = prepare_spells(spells, extract)
    extract_day = int(_day_numbers(pd.Series([extract]))[0])
    cal = _Calendar.build(int(_day_numbers(s["start_date"]).min()), extract_day)
    group_cols = [by] if by else []
    n_months = len(cal.months)

    # --- spells × months: days available, in post at the reference date ---------------
    first, last = _day_numbers(s["start_date"]), _day_numbers(s["end_eff"])
    rows, month, days = _expand_by_month(first, last)
    ref = cal.ref_for(month)
    in_post = (first[rows] <= ref) & (last[rows] >= ref)
    period_start = _day_numbers(s["period_start"])[rows]
    period_end = _day_numbers(s["period_end"])[rows]
    # a year's service is complete at the end of the day before the anniversary (inclusive
    # dates, as for early leavers): started on or before (reference day + 1) - 1 year
    ref_minus_year = _day_numbers(
        pd.Series(pd.to_datetime(cal.ref_day + 1, unit="D")) - pd.DateOffset(years=1))
    long_serving = in_post & (period_start <= ref_minus_year[month - cal.months[0]])
    # classical stability: in post at month m's reference date and continuously in post
    # at the reference date 12 months later -> counted in month m + 12
    later = month + STABILITY_LOOKBACK_MONTHS
    later_ok = later <= cal.months[-1]
    stays = np.zeros(len(month), dtype=bool)
    stays[later_ok] = in_post[later_ok] & (period_end[later_ok] >= cal.ref_for(later[later_ok]))

    fte = s["fte"].to_numpy(dtype=float)
    piece = pd.DataFrame({
        "month": month,
        "fte_days_available": fte[rows] * days,
        "headcount": in_post.astype(np.int64),
        "fte": np.where(in_post, fte[rows], 0.0),
        "long_serving": long_serving.astype(np.int64),
    })
    for col in group_cols:
        piece[col] = s[col].to_numpy()[rows]
    agg = piece.groupby(group_cols + ["month"], sort=False).sum()

    stay = pd.DataFrame({"month": later[later_ok], "stayers": stays[later_ok].astype(np.int64)})
    for col in group_cols:
        stay[col] = s[col].to_numpy()[rows][later_ok]
    agg = agg.join(stay.groupby(group_cols + ["month"], sort=False).sum(), how="outer")

    # --- absence: episode pieces × months ---------------------------------------------
    seg = episode_segments(s, episodes, extract, long_term_days=long_term_days)
    if len(seg):
        r, m, d = _expand_by_month(seg["first"].to_numpy(), seg["last"].to_numpy())
        lost = seg["fte"].to_numpy()[r] * d
        ab = pd.DataFrame({
            "month": m, "fte_days_lost": lost,
            "fte_days_lost_short_term": np.where(seg["long_term"].to_numpy()[r], 0.0, lost),
            "fte_days_lost_long_term": np.where(seg["long_term"].to_numpy()[r], lost, 0.0),
            "fte_days_lost_s10": np.where(
                seg["reason_code"].to_numpy()[r] == MENTAL_HEALTH_REASON_CODE, lost, 0.0),
            "fte_days_lost_covid": np.where(seg["covid"].to_numpy()[r], lost, 0.0),
        })
        for col in group_cols:
            ab[col] = seg[col].to_numpy()[r]
        agg = agg.join(ab.groupby(group_cols + ["month"], sort=False).sum(), how="outer")

    # --- starters, leavers, moves: events at a date -----------------------------------
    events = pd.DataFrame({
        "start_month": _month_index(_day_numbers(s["start_date"])),
        "end_month": _month_index(_day_numbers(s["end_eff"])),
        "starters": s["is_start"].astype(np.int64), "leavers": s["is_leave"].astype(np.int64),
        "leavers_voluntary": s["voluntary"].astype(np.int64),
        "leavers_early": s["early"].astype(np.int64),
    })
    for col in group_cols:
        events[col] = s[col].to_numpy()
    starts = events.groupby(group_cols + ["start_month"], sort=False)[["starters"]].sum()
    ends = events.groupby(group_cols + ["end_month"], sort=False)[
        ["leavers", "leavers_voluntary", "leavers_early"]].sum()
    starts.index = starts.index.set_names(group_cols + ["month"])
    ends.index = ends.index.set_names(group_cols + ["month"])
    agg = agg.join(starts, how="outer").join(ends, how="outer")
    if by:
        agg = agg.join(_moves(s, by), how="outer")

    # --- full grid of groups × months, zeros where nothing happened -------------------
    if by:
        groups = sorted(s[by].dropna().unique())
        grid = pd.MultiIndex.from_product([groups, cal.months], names=[by, "month"])
    else:
        grid = pd.Index(cal.months, name="month")
    agg = agg.reindex(grid).fillna(0.0)
    for col in ("fte_days_lost", "fte_days_lost_short_term", "fte_days_lost_long_term",
                "fte_days_lost_s10", "fte_days_lost_covid", "stayers"):
        if col not in agg:
            agg[col] = 0.0
    out = agg.reset_index()
    out = out[out["month"].between(cal.months[0], cal.months[-1])]
    out = _derived_rates(out, group_cols, n_months)
    out["month"] = pd.PeriodIndex.from_ordinals(out["month"].to_numpy(), freq="M").strftime("%Y-%m")
    int_cols = ["headcount", "starters", "leavers", "leavers_voluntary", "leavers_early"]
    if by:
        int_cols += list(GROUP_ONLY_COLUMNS)
    out[int_cols] = out[int_cols].astype(np.int64)
    columns = ["month"] + group_cols + list(CORE_COLUMNS[1:]) + (
        list(GROUP_ONLY_COLUMNS) if by else [])
    return out[columns].reset_index(drop=True)


def _moves(s: pd.DataFrame, by: str) -> pd.DataFrame:
    """Internal moves into and out of each group, by month (not starters or leavers)."""
    o = s.sort_values(["staff_id", "start_date"], kind="stable")
    same_period = o["period_id"].eq(o["period_id"].shift())
    prev_group = o[by].shift().where(same_period)
    moved_in = same_period & o[by].ne(prev_group)
    next_same = o["period_id"].eq(o["period_id"].shift(-1))
    next_group = o[by].shift(-1).where(next_same)
    moved_out = next_same & o[by].ne(next_group)
    ins = pd.DataFrame({by: o[by], "month": _month_index(_day_numbers(o["start_date"])),
                        "moves_in": moved_in.astype(np.int64)})
    outs = pd.DataFrame({by: o[by], "month": _month_index(_day_numbers(o["end_eff"])),
                         "moves_out": moved_out.astype(np.int64)})
    return ins.groupby([by, "month"]).sum().join(outs.groupby([by, "month"]).sum(), how="outer")


def _pct(num: pd.Series, den: pd.Series) -> pd.Series:
    """100 × num ÷ den, blank where the denominator is zero or missing."""
    return (100.0 * num / den.where(den > 0)).astype(float)


def _derived_rates(out: pd.DataFrame, group_cols: list[str], n_months: int) -> pd.DataFrame:
    """Rates and rolling/look-back indicators, computed within each group over months."""
    out = out.sort_values(group_cols + ["month"], kind="stable").reset_index(drop=True)
    g = out.groupby(group_cols, sort=False) if group_cols else None

    def roll(col: str) -> pd.Series:
        src = g[col] if g is not None else out[col]
        r = src.rolling(ROLLING_WINDOW_MONTHS, min_periods=ROLLING_WINDOW_MONTHS).sum()
        return r.reset_index(level=list(range(len(group_cols))), drop=True) if g is not None else r

    def lag(col: str, k: int) -> pd.Series:
        return g[col].shift(k) if g is not None else out[col].shift(k)

    out["absence_rate_pct"] = _pct(out["fte_days_lost"], out["fte_days_available"])
    out["absence_rate_12m_pct"] = _pct(roll("fte_days_lost"), roll("fte_days_available"))
    hc_before = lag("headcount", ROLLING_WINDOW_MONTHS)
    mean_hc = (hc_before + out["headcount"]) / 2.0
    out["turnover_12m_pct"] = _pct(roll("leavers"), mean_hc)
    out["turnover_voluntary_12m_pct"] = _pct(roll("leavers_voluntary"), mean_hc)
    out["stability_index_strategy_pct"] = _pct(out["long_serving"], out["headcount"])
    hc_year_ago = lag("headcount", STABILITY_LOOKBACK_MONTHS)
    out["stability_index_classical_pct"] = _pct(out["stayers"], hc_year_ago)
    return out
