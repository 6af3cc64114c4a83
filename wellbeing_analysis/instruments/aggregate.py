"""Survey scores by wave, team and staff group: means with t-based 95% confidence intervals,
response counts, Cronbach's alpha per subscale and % meeting cut-offs (Wilson intervals).
Every output table passes through :mod:`wellbeing_analysis.disclosure` (groups below the
minimum group size — default 11, the NHS Staff Survey's rule — are suppressed, with
secondary suppression across the teams or staff groups of a breakdown). Vectorised with
``groupby``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import CONFIDENCE_LEVEL, MIN_SURVEY_GROUP_SIZE
from wellbeing_analysis.disclosure import min_group_size as _min_group_size
from wellbeing_analysis.disclosure import numeric
from wellbeing_analysis.instruments.groups import (
    ALL_KEY,
    describe,
    group_keys,
    partition,
    present_groups,
    records,
    score_frame,
)
from wellbeing_analysis.instruments.scoring import (
    resolve_instrument,
)
from wellbeing_analysis.instruments.stats import wilson_interval
from wellbeing_analysis.schema.instruments import (
    OLBI_BURNOUT_LABEL,
    Instrument,
)


# ---------------------------------------------------------------------------
# Means, CIs, alpha and cut-offs
# ---------------------------------------------------------------------------
@dataclass
class ScoreSummary:
    """Scores by group: ``table`` (mean, CI, n, alpha per measure) and, for instruments with
    cut-offs, ``cutoffs`` (% meeting each). Both are disclosure-controlled."""

    instrument: Instrument
    by: tuple[str, ...]
    table: pd.DataFrame
    cutoffs: pd.DataFrame | None
    min_group_size: int
    confidence: float
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """The latest wave (if grouped by wave), one row per group and measure, with the
        mean and CI as text."""
        t = self.table
        if "wave_date" in self.by and not t.empty:
            t = t[t["wave_date"] == t["wave_date"].max()]
        num = numeric(t, ["mean", "ci_low", "ci_high", "alpha"])
        text = num.apply(lambda r: "*" if pd.isna(r["mean"]) else
                         f"{r['mean']:.2f} ({r['ci_low']:.2f} to {r['ci_high']:.2f})", axis=1) \
            if not t.empty else pd.Series(dtype=object)
        alpha = pd.Series(["*" if m else ("" if pd.isna(a) else f"{a:.2f}")
                           for a, m in zip(num["alpha"], t["alpha"].eq("*"), strict=True)],
                          dtype=object)
        cols = [c for c in self.by]
        out = t[cols + ["label", "n"]].copy()
        out[f"mean ({self.confidence:.0%} CI)"] = text.to_numpy()
        out["alpha"] = alpha.to_numpy()
        return out.reset_index(drop=True)

    def to_dict(self) -> dict:
        return {"instrument": self.instrument.name, "by": list(self.by),
                "table": records(self.table),
                "cutoffs": None if self.cutoffs is None else records(self.cutoffs),
                "notes": self.notes}

    def plot(self, ax=None, *, measure: str | None = None, intervention_date=None,
             **marks):
        """Trend over waves of one measure (default the first) with CIs; returns the Axes."""
        from wellbeing_analysis.instruments.plot import plot_score_trend

        return plot_score_trend(self, ax=ax, measure=measure, intervention_date=intervention_date,
                                **marks)




def _alpha_table(scored: pd.DataFrame, frame: pd.DataFrame, keys: list[str],
                 inst: Instrument) -> pd.DataFrame:
    """Cronbach's alpha per group and measure (vectorised over groups)."""
    parts = []
    for key in inst.score_keys:
        items = list(inst.items_of(key))
        x = scored[items]
        complete = x.notna().all(axis=1)
        d = pd.concat([frame.loc[complete, keys], x[complete]], axis=1)
        d["_total"] = x[complete].sum(axis=1)
        g = d.groupby(keys, dropna=False, sort=False)
        item_var = g[items].var(ddof=1).sum(axis=1, skipna=False)
        total_var = g["_total"].var(ddof=1)
        n = g.size()
        k = len(items)
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = k / (k - 1) * (1 - item_var / total_var) if k > 1 else item_var * np.nan
        alpha = alpha.where((n >= 2) & (total_var > 0))
        parts.append(pd.DataFrame({"alpha": alpha, "alpha_n": n}).reset_index()
                     .assign(measure=key))
    return pd.concat(parts, ignore_index=True)


def _cutoff_table(scores: pd.DataFrame, keys: list[str], inst: Instrument,
                  confidence: float) -> pd.DataFrame | None:
    if not inst.cutoffs:
        return None
    frames = []
    meets = {}
    for cut in inst.cutoffs:
        s = scores[cut.subscale]
        meets[cut.subscale] = (s >= cut.threshold).where(s.notna())
        frames.append((cut.subscale, f">= {cut.threshold:g}", cut.label, meets[cut.subscale]))
    if len(inst.cutoffs) > 1:
        both = pd.concat(list(meets.values()), axis=1)
        frames.append(("burnout", "both cut-offs", OLBI_BURNOUT_LABEL,
                       both.all(axis=1).where(both.notna().all(axis=1))))
    rows = []
    for measure, threshold, label, m in frames:
        d = scores[keys].assign(_m=m.astype("float64"))
        g = d.groupby(keys, dropna=False, sort=False)["_m"]
        t = g.agg(n="count", n_meeting="sum").reset_index()
        t.insert(len(keys), "measure", measure)
        t.insert(len(keys) + 1, "cutoff", threshold)
        t.insert(len(keys) + 2, "label", label)
        rows.append(t)
    t = pd.concat(rows, ignore_index=True)
    t["n_meeting"] = t["n_meeting"].astype(int)
    t["pct"] = 100 * t["n_meeting"] / t["n"].where(t["n"] > 0)
    lo, hi = wilson_interval(t["n_meeting"], t["n"], confidence)
    t["ci_low"], t["ci_high"] = 100 * lo, 100 * hi
    return t



def summarise_scores(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    by: Sequence[str] = ("wave_date",),
    coding: str | None = None,
    min_share: float | None = None,
    min_group_size: int = MIN_SURVEY_GROUP_SIZE,
    confidence: float = CONFIDENCE_LEVEL,
    id_column: str = "response_id",
    source: str = "data",
) -> ScoreSummary:
    """Score ``data`` and summarise each measure by group.

    ``table``: one row per group and measure (subscales then total): ``n`` (responses
    scored), ``mean``, ``sd``, ``ci_low``/``ci_high`` (t interval), ``alpha`` (Cronbach's
    alpha over the responses answering all the measure's items, ``alpha_n`` of them).
    ``cutoffs`` (OLBI): n, n meeting and % meeting each cut-off and both ('burnout'), with
    Wilson intervals. Groups below ``min_group_size`` responses are suppressed; when ``by``
    includes team or staff group, secondary suppression protects a lone small group.
    Groups where nobody answered the instrument are left out (and listed in ``notes``).
    """
    inst = resolve_instrument(instrument)
    by, scores, scored, values, _ = score_frame(data, inst, by, coding, min_share,
                                                 id_column, source)
    keys = group_keys(by)
    answered = values.notna().any(axis=1)
    present = present_groups(answered, scores, by)
    desc = describe(scores, keys, inst.score_keys, confidence)
    desc = desc.merge(_alpha_table(scored, scores, keys, inst), on=keys + ["measure"],
                      how="left")
    desc = desc.merge(present, on=keys, how="inner")
    desc["alpha_n"] = desc["alpha_n"].fillna(0).astype(int)
    order = {k: i for i, k in enumerate(inst.score_keys)}
    desc = desc.sort_values(keys + ["measure"], key=lambda s: s.map(order) if s.name == "measure"
                            else s, kind="stable").reset_index(drop=True)
    desc.insert(len(keys) + 1, "label", desc["measure"].map(inst.label_of))
    notes = _notes(answered, scores, desc, inst, by)
    dependents = ["mean", "sd", "ci_low", "ci_high", "alpha", "alpha_n"]
    table = _min_group_size(desc, count_column="n", dependent_columns=dependents,
                            threshold=min_group_size, partition_columns=partition(by, ["measure"]))
    cut = _cutoff_table(scores, keys, inst, confidence)
    if cut is not None:
        cut = cut.merge(present, on=keys, how="inner").sort_values(keys, kind="stable")
        cut = _min_group_size(cut.reset_index(drop=True), count_column="n",
                              dependent_columns=["n_meeting", "pct", "ci_low", "ci_high"],
                              threshold=min_group_size,
                              partition_columns=partition(by, ["measure"]))
        cut = cut.drop(columns=[ALL_KEY], errors="ignore")
    table = table.drop(columns=[ALL_KEY], errors="ignore")
    return ScoreSummary(inst, tuple(by), table, cut, min_group_size, confidence, notes)


def _notes(answered, scores, desc, inst, by) -> list[str]:
    notes = [f"{inst.title}: status {inst.status}. {inst.status_note}",
             f"Missing items: {inst.missing_rule}."]
    for key in inst.score_keys:
        unscored = int((answered & scores[key].isna()).sum())
        if unscored:
            notes.append(f"{inst.label_of(key)}: {unscored} response(s) answered some items "
                         "but too few to be scored under the missing-item rule.")
    if "wave_date" in by:
        all_waves = pd.Series(scores["wave_date"].dropna().unique())
        shown = set(desc["wave_date"].dropna())
        empty = sorted(w for w in all_waves if w not in shown)
        if empty:
            notes.append(f"No responses to {inst.name} in wave(s) "
                         + ", ".join(pd.Timestamp(w).strftime("%Y-%m-%d") for w in empty)
                         + ": not shown.")
    return notes


