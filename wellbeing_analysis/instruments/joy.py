"""Joy at work: the marble-jar share of good days, and the Net Promoter Score.

IHI's framework (docs/instruments.md, 'Joy at work'): there is no single validated measure of joy
in work; it suggests frequent local measures such as the marble jar — the share of 'good
day' marbles, a p-type measure for a run chart or p-chart — and system measures such as the
Net Promoter Score, % answering 9-10 minus % answering 0-6.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from wellbeing_analysis.constants import (
    CONFIDENCE_LEVEL,
    MIN_SURVEY_GROUP_SIZE,
    NPS_DETRACTOR_MAX,
    NPS_PROMOTER_MIN,
    SUPPRESS_COUNT_BELOW,
)
from wellbeing_analysis.disclosure import min_group_size as _min_group_size
from wellbeing_analysis.disclosure import numeric, suppress
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.instruments.groups import NOT_STATED, check_by, partition, records
from wellbeing_analysis.instruments.stats import wilson_interval

#: Accepted ``freq`` values: weekly (as tallied) or calendar month.
JOY_FREQUENCIES = ("W", "M")


@dataclass
class JoyProportion:
    """Share of good days per period (and team): ``table`` has period, good_days,
    total_days, pct_good and a Wilson CI; disclosure-controlled on the total."""

    table: pd.DataFrame
    freq: str
    by: tuple[str, ...]
    threshold: int

    def summary(self) -> pd.DataFrame:
        """Per group: periods, the latest period's % good days and the median over all."""
        num = numeric(self.table, ["pct_good"])
        keys = list(self.by)
        g = num.groupby(keys, sort=True) if keys else None
        if g is None:
            return pd.DataFrame({
                "periods": [len(num)],
                "latest_period": [num["period"].max() if len(num) else pd.NaT],
                "latest_pct_good": [num["pct_good"].iloc[-1] if len(num) else np.nan],
                "median_pct_good": [num["pct_good"].median()]})
        return g.agg(periods=("period", "size"), latest_period=("period", "max"),
                     latest_pct_good=("pct_good", "last"),
                     median_pct_good=("pct_good", "median")).reset_index()

    def to_dict(self) -> dict:
        return {"freq": self.freq, "by": list(self.by), "table": records(self.table)}

    def plot(self, ax=None, *, intervention_date=None):
        """Run chart of the % of good days with its median; returns the Axes."""
        from wellbeing_analysis.instruments.plot import plot_joy

        return plot_joy(self, ax=ax, intervention_date=intervention_date)


def joy_proportion(
    tallies: pd.DataFrame,
    *,
    freq: str = "W",
    by: Sequence[str] = (),
    threshold: int = SUPPRESS_COUNT_BELOW,
    confidence: float = CONFIDENCE_LEVEL,
) -> JoyProportion:
    """Marble-jar share of good days per week (``freq='W'``) or month (``'M'``).

    Formula: ``pct_good = 100 x sum(good_days) / sum(total_days)`` over the period (and
    team, with ``by=('team',)``): sum first, then divide — never an average of weekly
    shares. A week belongs to the month of its ``week_start`` (our rule). Wilson interval.
    Disclosure (our rule): marbles are anonymous tallies, so the *total* gates publication:
    a period with fewer than ``threshold`` marbles has its counts and share suppressed
    (secondary suppression across teams within a period).
    """
    if freq not in JOY_FREQUENCIES:
        raise InputError(f"freq must be one of {', '.join(JOY_FREQUENCIES)}, got {freq!r}")
    missing = [c for c in ("week_start", "good_days", "total_days") if c not in tallies.columns]
    if missing:
        raise InputError("joy tallies need column(s) " + ", ".join(map(repr, missing)))
    by = check_by(tallies, by, "joy tallies")
    t = tallies.copy()
    good = pd.to_numeric(t["good_days"], errors="coerce")
    total = pd.to_numeric(t["total_days"], errors="coerce")
    if (good > total).any() or (good < 0).any() or good.isna().any() or total.isna().any():
        raise InputError("joy tallies: good_days and total_days must be whole numbers with "
                         "0 <= good_days <= total_days (run `wellbeing validate` for the rows)")
    start = pd.to_datetime(t["week_start"])
    t["period"] = start if freq == "W" else start.dt.to_period("M").dt.to_timestamp()
    t["good_days"], t["total_days"] = good, total
    for c in by:
        t[c] = t[c].astype("object").where(t[c].notna(), NOT_STATED)
    keys = ["period", *by]
    agg = t.groupby(keys, sort=True)[["good_days", "total_days"]].sum().reset_index()
    agg["good_days"] = agg["good_days"].astype(int)
    agg["total_days"] = agg["total_days"].astype(int)
    agg["pct_good"] = 100 * agg["good_days"] / agg["total_days"].where(agg["total_days"] > 0)
    lo, hi = wilson_interval(agg["good_days"], agg["total_days"], confidence)
    agg["ci_low"], agg["ci_high"] = 100 * lo, 100 * hi
    table = suppress(agg, count_columns=["total_days"],
                     dependent_columns=["good_days", "pct_good", "ci_low", "ci_high"],
                     threshold=threshold, suppress_zero=False,
                     partition_columns=["period"] if by else None)
    return JoyProportion(table, freq, tuple(by), threshold)


@dataclass
class NetPromoter:
    """Net Promoter Score by group: n, % promoters / passives / detractors, NPS and CI."""

    table: pd.DataFrame
    by: tuple[str, ...]
    min_group_size: int
    confidence: float

    def summary(self) -> pd.DataFrame:
        return self.table

    def to_dict(self) -> dict:
        return {"by": list(self.by), "table": records(self.table)}

    def plot(self, ax=None):
        """NPS per wave with its CI; returns the Axes."""
        from wellbeing_analysis.instruments.plot import plot_nps

        return plot_nps(self, ax=ax)


def net_promoter_score(
    data: pd.DataFrame,
    *,
    column: str = "nps",
    by: Sequence[str] = ("wave_date",),
    min_group_size: int = MIN_SURVEY_GROUP_SIZE,
    confidence: float = CONFIDENCE_LEVEL,
) -> NetPromoter:
    """Net Promoter Score per group (IHI joy-in-work system measure).

    Formula: ``NPS = % answering 9-10 (promoters) - % answering 0-6 (detractors)``, from
    -100 to 100. CI: NPS is the mean of per-respondent scores +100 / 0 / -100, so
    ``se = 100 x sqrt((pP + pD - (pP - pD)²) / n)`` and the normal interval is NPS ± z x se.
    Blank answers are left out; answers must be whole numbers 0-10 (else InputError).
    Groups below ``min_group_size`` answers are suppressed.
    """
    if column not in data.columns:
        raise InputError(f"no column {column!r} with 0-10 answers")
    by = check_by(data, by, "data")
    x = pd.to_numeric(data[column], errors="coerce")
    bad = data[column].notna() & (x.isna() | (x < 0) | (x > 10) | (x % 1 != 0))
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 2)[:10]
        raise InputError(f"column {column!r}: answers must be whole numbers 0-10 (rows "
                         + ", ".join(map(str, rows)) + ")")
    d = data[by].copy()
    for c in by:
        if d[c].dtype == object or pd.api.types.is_string_dtype(d[c]):
            d[c] = d[c].astype("object").where(d[c].notna(), NOT_STATED)
    d["_x"] = x
    d = d[x.notna().to_numpy()]
    d["_p"] = (d["_x"] >= NPS_PROMOTER_MIN).astype(float)
    d["_d"] = (d["_x"] <= NPS_DETRACTOR_MAX).astype(float)
    keys = list(by) if by else None
    g = d.groupby(keys, sort=True) if keys else d.assign(_all=1).groupby("_all")
    t = g.agg(n=("_x", "size"), p=("_p", "mean"), dd=("_d", "mean")).reset_index()
    t = t.drop(columns=["_all"], errors="ignore")
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    t["pct_promoters"] = 100 * t["p"]
    t["pct_detractors"] = 100 * t["dd"]
    t["pct_passives"] = 100 - t["pct_promoters"] - t["pct_detractors"]
    t["nps"] = t["pct_promoters"] - t["pct_detractors"]
    se = 100 * np.sqrt((t["p"] + t["dd"] - (t["p"] - t["dd"]) ** 2) / t["n"])
    t["ci_low"], t["ci_high"] = t["nps"] - z * se, t["nps"] + z * se
    t = t.drop(columns=["p", "dd"])
    table = _min_group_size(t, count_column="n",
                            dependent_columns=["pct_promoters", "pct_detractors", "pct_passives",
                                               "nps", "ci_low", "ci_high"],
                            threshold=min_group_size,
                            partition_columns=partition(list(by), []))
    return NetPromoter(table, tuple(by), min_group_size, confidence)
