"""Change in mean score between survey waves, or before and after an intervention, with
Welch confidence intervals (disclosure-controlled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import CONFIDENCE_LEVEL, MIN_SURVEY_GROUP_SIZE
from wellbeing_analysis.disclosure import numeric
from wellbeing_analysis.errors import InputError
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
from wellbeing_analysis.instruments.stats import welch_difference
from wellbeing_analysis.schema.instruments import (
    Instrument,
)


# ---------------------------------------------------------------------------
# Change between waves and before/after an intervention
# ---------------------------------------------------------------------------
@dataclass
class ScoreChange:
    """Differences in mean score between waves (or periods) with Welch CIs:
    ``table`` has from/to labels, n and mean of each side, change, ci_low, ci_high."""

    instrument: Instrument
    by: tuple[str, ...]
    table: pd.DataFrame
    confidence: float
    min_group_size: int

    def summary(self) -> pd.DataFrame:
        num = numeric(self.table, ["change", "ci_low", "ci_high"])
        out = self.table[list(self.by) + ["label", "from", "to", "n_from", "n_to"]].copy()
        out[f"change ({self.confidence:.0%} CI)"] = [
            "*" if pd.isna(c) else f"{c:+.2f} ({lo:+.2f} to {hi:+.2f})"
            for c, lo, hi in zip(num["change"], num["ci_low"], num["ci_high"], strict=True)]
        return out.reset_index(drop=True)

    def to_dict(self) -> dict:
        return {"instrument": self.instrument.name, "by": list(self.by),
                "table": records(self.table)}

    def plot(self, ax=None, *, measure: str | None = None):
        """Forest plot of the changes with their CIs; returns the Axes."""
        from wellbeing_analysis.instruments.plot import plot_score_change

        return plot_score_change(self, ax=ax, measure=measure)


def change_table(desc_from: pd.DataFrame, desc_to: pd.DataFrame, keys: list[str],
                  inst: Instrument, confidence: float, min_group_size: int,
                  by: list[str]) -> pd.DataFrame:
    cols = ["n", "mean", "sd"]
    m = desc_from.merge(desc_to, on=keys + ["from", "measure"], suffixes=("_from", "_to"))
    d, lo, hi = welch_difference(m["mean_from"], m["sd_from"], m["n_from"],
                                 m["mean_to"], m["sd_to"], m["n_to"], confidence)
    m["change"], m["ci_low"], m["ci_high"] = d, lo, hi
    m.insert(len(keys) + 1, "label", m["measure"].map(inst.label_of))
    order = {k: i for i, k in enumerate(inst.score_keys)}
    m = m.sort_values(keys + ["from", "measure"], key=lambda s: s.map(order)
                      if s.name == "measure" else s, kind="stable").reset_index(drop=True)
    sides = [f"{c}_{s}" for s in ("from", "to") for c in cols]
    keep = keys + ["measure", "label", "from", "to"] + sides + ["change", "ci_low", "ci_high"]
    m = m[keep]
    from wellbeing_analysis.disclosure import suppress

    part = partition(by, ["measure", "from", "to"])
    out = suppress(m, count_columns=["n_from", "n_to"],
                   dependent_columns={"mean_from": ["n_from"], "sd_from": ["n_from"],
                                      "mean_to": ["n_to"], "sd_to": ["n_to"],
                                      "change": ["n_from", "n_to"],
                                      "ci_low": ["n_from", "n_to"],
                                      "ci_high": ["n_from", "n_to"]},
                   threshold=min_group_size, suppress_zero=True, partition_columns=part)
    return out.drop(columns=[ALL_KEY], errors="ignore")


def wave_changes(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    by: Sequence[str] = (),
    against: str = "previous",
    coding: str | None = None,
    min_share: float | None = None,
    min_group_size: int = MIN_SURVEY_GROUP_SIZE,
    confidence: float = CONFIDENCE_LEVEL,
    id_column: str = "response_id",
    source: str = "data",
) -> ScoreChange:
    """Change in mean score from one wave to the next (``against='previous'``) or from the
    first wave (``against='first'``), per measure and group, with a Welch CI (see
    :func:`welch_difference`). Waves without responses to the instrument are skipped.
    Either side below ``min_group_size`` suppresses the change."""
    if against not in ("previous", "first"):
        raise InputError("against must be 'previous' or 'first'")
    inst = resolve_instrument(instrument)
    by_all = ["wave_date", *[b for b in by if b != "wave_date"]]
    by_all, scores, _, values, _ = score_frame(data, inst, by_all, coding, min_share,
                                                id_column, source)
    groups = [b for b in by_all if b != "wave_date"]
    desc = describe(scores, by_all, inst.score_keys, confidence)
    desc = desc.merge(present_groups(values.notna().any(axis=1), scores, by_all), on=by_all)
    waves = np.sort(desc["wave_date"].unique())
    if len(waves) < 2:
        raise InputError(f"{source}: need at least two waves with responses to {inst.name} "
                         f"to compute a change (found {len(waves)})")
    base = pd.Series(waves[:-1] if against == "previous" else [waves[0]] * (len(waves) - 1),
                     index=waves[1:])
    desc_to = desc[desc["wave_date"].isin(base.index)].copy()
    desc_to["from"] = desc_to["wave_date"].map(base)
    desc_to["to"] = desc_to["wave_date"]
    desc_from = desc.rename(columns={"wave_date": "from"})
    keys = group_keys(groups)
    desc_to = desc_to.drop(columns=["wave_date"])
    if not groups:
        desc_to[ALL_KEY] = "All"
        desc_from[ALL_KEY] = "All"
    m = change_table(desc_from[keys + ["from", "measure", "n", "mean", "sd"]],
                      desc_to[keys + ["from", "to", "measure", "n", "mean", "sd"]],
                      keys, inst, confidence, min_group_size, groups)
    return ScoreChange(inst, tuple(groups), m, confidence, min_group_size)


def before_after(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    change_date,
    washout_months: int = 0,
    by: Sequence[str] = (),
    coding: str | None = None,
    min_share: float | None = None,
    min_group_size: int = MIN_SURVEY_GROUP_SIZE,
    confidence: float = CONFIDENCE_LEVEL,
    id_column: str = "response_id",
    source: str = "data",
) -> ScoreChange:
    """Mean score of waves on or after ``change_date`` (plus ``washout_months``, waves in
    between left out) minus the mean of waves before it, per measure and group, with a
    Welch CI. Pooling waves on each side assumes no trend within a side (a simple
    pre/post comparison, not an interrupted time series)."""
    inst = resolve_instrument(instrument)
    change = pd.Timestamp(change_date)
    after_start = change + pd.DateOffset(months=washout_months)
    by = list(by)
    by_all = ["wave_date", *[b for b in by if b != "wave_date"]]
    by_all, scores, _, values, _ = score_frame(data, inst, by_all, coding, min_share,
                                                id_column, source)
    answered = values.notna().any(axis=1)
    period = pd.Series(pd.NA, index=scores.index, dtype="object")
    period[scores["wave_date"] < change] = f"before {change.date()}"
    period[scores["wave_date"] >= after_start] = f"from {after_start.date()}"
    s = scores.assign(_period=period)[answered & period.notna()]
    groups = [b for b in by_all if b != "wave_date"]
    keys = group_keys(groups)
    desc = describe(s, keys + ["_period"], inst.score_keys, confidence)
    before_label, after_label = f"before {change.date()}", f"from {after_start.date()}"
    found = set(desc["_period"])
    if before_label not in found or after_label not in found:
        raise InputError(f"{source}: need responses to {inst.name} both before "
                         f"{change.date()} and from {after_start.date()}")
    d_from = desc[desc["_period"] == before_label].rename(columns={"_period": "from"})
    d_to = desc[desc["_period"] == after_label].rename(columns={"_period": "to"})
    d_to["from"] = before_label
    m = change_table(d_from[keys + ["from", "measure", "n", "mean", "sd"]],
                      d_to[keys + ["from", "to", "measure", "n", "mean", "sd"]],
                      keys, inst, confidence, min_group_size, groups)
    return ScoreChange(inst, tuple(groups), m, confidence, min_group_size)


