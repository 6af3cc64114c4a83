"""Item-level answer distributions by group (disclosure-controlled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import MIN_SURVEY_GROUP_SIZE
from wellbeing_analysis.disclosure import min_group_size as _min_group_size
from wellbeing_analysis.disclosure import numeric
from wellbeing_analysis.instruments.groups import (
    ALL_KEY,
    check_by,
    group_keys,
    group_labels,
    partition,
    records,
)
from wellbeing_analysis.instruments.scoring import (
    apply_scoring,
    read_items,
    resolve_instrument,
)
from wellbeing_analysis.schema.instruments import (
    Instrument,
)


# ---------------------------------------------------------------------------
# Item-level distributions
# ---------------------------------------------------------------------------
@dataclass
class ItemDistribution:
    """Per item and group: n, mean item score, % agreeing / disagreeing with the statement as
    worded, and % favourable / unfavourable to the construct (a negatively worded statement,
    marked ``reversed``, is favourable when disagreed with: disagreeing that 'mistakes are
    held against you' is good); ``options`` has the % choosing each answer code.
    Disclosure-controlled. Reports read items by favourability, never by agreement alone."""

    instrument: Instrument
    by: tuple[str, ...]
    table: pd.DataFrame
    options: pd.DataFrame
    min_group_size: int

    def most_disagreed(self) -> pd.DataFrame:
        """Per group, the statement with the highest % disagreeing as worded (suppressed
        groups left out). Descriptive only: on a negatively worded statement disagreeing is
        good, so reports use :meth:`least_favourable`."""
        return self._top("pct_disagree")

    def least_favourable(self) -> pd.DataFrame:
        """Per group, the item with the highest % of answers unfavourable to the construct
        (after reversal: e.g. agreeing that mistakes are held against you, or disagreeing
        that it is safe to take a risk)."""
        return self._top("pct_unfavourable")

    def _top(self, column: str) -> pd.DataFrame:
        num = numeric(self.table, [column]).dropna(subset=[column])
        if num.empty:
            return num
        keys = list(self.by)
        idx = num.groupby(keys, sort=True)[column].idxmax() if keys else [num[column].idxmax()]
        return num.loc[list(np.atleast_1d(idx))].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        return self.least_favourable()

    def to_dict(self) -> dict:
        return {"instrument": self.instrument.name, "by": list(self.by),
                "table": records(self.table), "options": records(self.options)}

    def plot(self, ax=None, *, wave=None):
        """% unfavourable / neutral / favourable per statement for one wave (default the
        latest); negatively worded statements are marked."""
        from wellbeing_analysis.instruments.plot import plot_item_distribution

        return plot_item_distribution(self, ax=ax, wave=wave)


def item_distribution(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    by: Sequence[str] = ("wave_date",),
    coding: str | None = None,
    min_group_size: int = MIN_SURVEY_GROUP_SIZE,
    source: str = "data",
) -> ItemDistribution:
    """Item-level answers by group.

    Agreement is read from the statement as worded: answer codes are oriented so that a
    higher code means more agreement (OLBI ``agree_1`` answers are flipped for this), and
    ``pct_disagree`` / ``pct_agree`` are the shares below / above the scale midpoint.
    ``pct_unfavourable`` uses the scored (reversed) item: below the midpoint for measures
    where higher is better, above it where higher is worse. ``mean`` is the mean item score
    as the instrument scores it. Items with fewer than ``min_group_size`` answers in a group
    are suppressed.
    """
    inst = resolve_instrument(instrument)
    by = check_by(data, by, source)
    values, reverse, per_row = read_items(data, inst, coding, source)
    scored = apply_scoring(values, reverse, inst)
    lo, hi = inst.scale_min, inst.scale_max
    mid = (lo + hi) / 2
    flip = np.zeros(len(values), dtype=bool)
    for c in inst.codings:
        if c.name.startswith("agree_"):  # code 1 = strongly agree: flip to 'higher = agree'
            flip |= per_row == c.name
    raw = values.to_numpy(dtype=float)
    agreement = np.where(flip[:, None], lo + hi - raw, raw)
    reversed_raw = np.where(reverse, lo + hi - raw, raw)
    direction = np.array([inst.higher_is(next(s.key for s in inst.subscales if i in s.items))
                          for i in inst.items])
    unfav = np.where(direction == "better", reversed_raw < mid, reversed_raw > mid)
    fav = np.where(direction == "better", reversed_raw > mid, reversed_raw < mid)
    frame = group_labels(data[by].copy(), by).reset_index(drop=True)
    keys = group_keys(by)
    items = list(inst.items)
    n_rows = len(frame)
    long = pd.DataFrame({
        **{k: np.repeat(frame[k].to_numpy(), len(items)) for k in keys},
        "item": np.tile(items, n_rows),
        "agreement": agreement.reshape(-1),
        "score": scored.to_numpy(dtype=float).reshape(-1),
        "unfavourable": unfav.reshape(-1),
        "favourable": fav.reshape(-1),
    })
    long = long[~np.isnan(long["agreement"])]
    long["disagree"] = long["agreement"] < mid
    long["agree"] = long["agreement"] > mid
    g = long.groupby(keys + ["item"], sort=False)
    t = g.agg(n=("score", "size"), mean=("score", "mean"), pct_disagree=("disagree", "mean"),
              pct_agree=("agree", "mean"), pct_unfavourable=("unfavourable", "mean"),
              pct_favourable=("favourable", "mean")).reset_index()
    for c in ("pct_disagree", "pct_agree", "pct_unfavourable", "pct_favourable"):
        t[c] *= 100
    t["pct_neutral"] = 100 - t["pct_disagree"] - t["pct_agree"]
    order = {k: i for i, k in enumerate(items)}
    t = t.sort_values(keys + ["item"], key=lambda s: s.map(order) if s.name == "item" else s,
                      kind="stable").reset_index(drop=True)
    labels = inst.item_labels or {}
    t.insert(len(keys) + 1, "column", t["item"].map(lambda i: inst.item_columns(i)[0]))
    t.insert(len(keys) + 2, "statement", t["item"].map(
        lambda i: labels.get(i, f"{inst.name} item {i}")))
    # under a coding that must be declared, reversal depends on each row's coding
    t.insert(len(keys) + 3, "reversed", pd.NA if inst.needs_declared_coding else t["item"].map(
        lambda i: i in inst.coding(inst.default_coding).reversed_items))
    opts = long.groupby(keys + ["item", "agreement"], sort=True).size().rename("count")
    opts = opts.reset_index()
    opts = opts.merge(t[keys + ["item", "n"]], on=keys + ["item"])
    opts["pct"] = 100 * opts["count"] / opts["n"]
    opts = opts.rename(columns={"agreement": "code"})
    part = partition(by, ["item"])
    table = _min_group_size(t, count_column="n",
                            dependent_columns=["mean", "pct_disagree", "pct_agree",
                                               "pct_unfavourable", "pct_favourable",
                                               "pct_neutral"],
                            threshold=min_group_size, partition_columns=part)
    small = numeric(table, ["n"])["n"].isna()
    hidden = t.loc[small, keys + ["item"]].assign(_hide=True)
    opts = opts.merge(hidden, on=keys + ["item"], how="left")
    opts = opts[opts["_hide"].isna()].drop(columns=["_hide", "count", "n"])
    drop = [ALL_KEY]
    return ItemDistribution(inst, tuple(by), table.drop(columns=drop, errors="ignore"),
                            opts.drop(columns=drop, errors="ignore").reset_index(drop=True),
                            min_group_size)


