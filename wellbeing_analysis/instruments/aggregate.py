"""Survey results for reports: by wave, team and staff group.

Means with t-based 95% confidence intervals, response counts, Cronbach's alpha per subscale,
% meeting cut-offs (Wilson intervals), item-level distributions, change between waves with a
Welch confidence interval, before/after comparisons and NHS Staff Survey trends. Every output
table passes through :mod:`wellbeing_analysis.disclosure` (groups below the minimum group
size — default 11, the NHS Staff Survey's rule — are suppressed, with secondary suppression
across the teams or staff groups of a breakdown). Everything is vectorised with ``groupby``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from wellbeing_analysis.constants import CONFIDENCE_LEVEL, MIN_SURVEY_GROUP_SIZE
from wellbeing_analysis.disclosure import min_group_size as _min_group_size
from wellbeing_analysis.disclosure import numeric
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.instruments.scoring import (
    _apply_scoring,
    _instrument,
    _read,
    score_responses,
    to_2021_numbering,
)
from wellbeing_analysis.schema.instruments import (
    HIGHLIGHTED_QUESTIONS,
    OLBI_BURNOUT_LABEL,
    Instrument,
)

#: Breakdown columns: a table split by one of these gets secondary suppression across it.
BREAKDOWN_COLUMNS = ("team", "staff_group")
#: Label of responses with no team / staff group given.
NOT_STATED = "Not stated"
_ALL = "_all"


# ---------------------------------------------------------------------------
# Statistics (pure functions)
# ---------------------------------------------------------------------------
def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of a response x item matrix.

    Formula (Cronbach 1951): ``alpha = k / (k - 1) x (1 - sum(var(item_i)) / var(total))``
    with sample variances (ddof = 1) over the responses answering every item (listwise
    deletion, our rule). NaN when there are fewer than 2 items or 2 complete responses, or
    when the total has no variance.
    """
    x = items.dropna(how="any").to_numpy(dtype=float)
    n, k = x.shape
    if k < 2 or n < 2:
        return float("nan")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def t_interval(mean, sd, n, confidence: float = CONFIDENCE_LEVEL):
    """t-based interval for a mean: ``mean ± t(1 - (1 - confidence)/2, n - 1) x sd / √n``
    (arrays welcome; NaN where n < 2)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stats.t.ppf(1 - (1 - confidence) / 2, np.where(n >= 2, n - 1, np.nan))
        half = q * np.asarray(sd, dtype=float) / np.sqrt(n)
    return np.asarray(mean) - half, np.asarray(mean) + half


def wilson_interval(successes, n, confidence: float = CONFIDENCE_LEVEL):
    """Wilson score interval for a proportion (Wilson 1927), as proportions in [0, 1]:
    ``(p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n)``; NaN where n = 0."""
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.asarray(successes, dtype=float) / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def welch_difference(m1, s1, n1, m2, s2, n2, confidence: float = CONFIDENCE_LEVEL):
    """Difference of two independent means (m2 - m1) with a Welch t interval.

    ``se = √(s1²/n1 + s2²/n2)``, Welch-Satterthwaite degrees of freedom. Anonymous survey
    waves cannot be paired, so they are treated as independent samples; when the same staff
    answer both waves this is conservative (positive correlation narrows the true interval).
    Returns (difference, low, high).
    """
    m1, s1, n1, m2, s2, n2 = (np.asarray(a, dtype=float) for a in (m1, s1, n1, m2, s2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        v1, v2 = s1**2 / n1, s2**2 / n2
        se = np.sqrt(v1 + v2)
        dof = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        q = stats.t.ppf(1 - (1 - confidence) / 2, dof)
    diff = m2 - m1
    return diff, diff - q * se, diff + q * se


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _check_by(data: pd.DataFrame, by: Sequence[str], source: str) -> list[str]:
    by = list(by)
    missing = [c for c in by if c not in data.columns]
    if missing:
        raise InputError(f"{source}: cannot break down by {', '.join(map(repr, missing))}: "
                         f"no such column (the table has: {', '.join(map(str, data.columns))})")
    return by


def _labels(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Group labels: blank team / staff group becomes 'Not stated'; no grouping -> '_all'."""
    out = frame.copy()
    for c in by:
        if c in BREAKDOWN_COLUMNS:
            out[c] = out[c].astype("object").where(out[c].notna(), NOT_STATED)
    out[_ALL] = "All"
    return out


def _partition(by: Sequence[str], extra: Sequence[str]) -> list[str] | None:
    """Secondary suppression partition: all grouping columns except the last breakdown."""
    breakdown = [c for c in by if c in BREAKDOWN_COLUMNS]
    if not breakdown:
        return None
    last = breakdown[-1]
    return [c for c in by if c != last] + list(extra)


def _keys(by: Sequence[str]) -> list[str]:
    return list(by) if by else [_ALL]


def _present(answered: pd.Series, frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Groups in which at least one response answers an item of the instrument."""
    keys = _keys(by)
    g = answered.groupby([frame[k] for k in keys], dropna=False, sort=True).any()
    return g[g].reset_index()[keys]


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
                "table": _records(self.table),
                "cutoffs": None if self.cutoffs is None else _records(self.cutoffs),
                "notes": self.notes}

    def plot(self, ax=None, *, measure: str | None = None, intervention_date=None):
        """Trend over waves of one measure (default the first) with CIs; returns the Axes."""
        from wellbeing_analysis.instruments.plot import plot_score_trend

        return plot_score_trend(self, ax=ax, measure=measure, intervention_date=intervention_date)


def _records(table: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: dates as YYYY-MM-DD, missing as None, numpy scalars as Python."""
    out = table.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
        elif out[c].dtype == object:  # e.g. 'from'/'to' holding dates, or suppressed cells
            out[c] = out[c].map(lambda v: v.strftime("%Y-%m-%d")
                                if isinstance(v, pd.Timestamp) else v)
    out = out.astype(object).where(out.notna(), None)
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()}
            for rec in out.to_dict(orient="records")]


def _describe(frame: pd.DataFrame, keys: list[str], measures: Sequence[str],
              confidence: float) -> pd.DataFrame:
    long = frame.melt(id_vars=keys, value_vars=list(measures), var_name="measure",
                      value_name="score")
    g = long.groupby(keys + ["measure"], dropna=False, sort=False)["score"]
    d = g.agg(n="count", mean="mean", sd="std").reset_index()
    d["ci_low"], d["ci_high"] = t_interval(d["mean"], d["sd"], d["n"], confidence)
    return d


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


def _score_frame(data, inst, by, coding, min_share, id_column, source):
    by = _check_by(data, by, source)
    scores = score_responses(data, inst, coding=coding, min_share=min_share,
                             id_column=id_column, keep=by, source=source)
    values, reverse, per_row = _read(data, inst, coding, source)
    scored = _apply_scoring(values, reverse, inst)
    return by, _labels(scores, by), scored, values, per_row


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
    inst = _instrument(instrument)
    by, scores, scored, values, _ = _score_frame(data, inst, by, coding, min_share,
                                                 id_column, source)
    keys = _keys(by)
    answered = values.notna().any(axis=1)
    present = _present(answered, scores, by)
    desc = _describe(scores, keys, inst.score_keys, confidence)
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
                            threshold=min_group_size, partition_columns=_partition(by, ["measure"]))
    cut = _cutoff_table(scores, keys, inst, confidence)
    if cut is not None:
        cut = cut.merge(present, on=keys, how="inner").sort_values(keys, kind="stable")
        cut = _min_group_size(cut.reset_index(drop=True), count_column="n",
                              dependent_columns=["n_meeting", "pct", "ci_low", "ci_high"],
                              threshold=min_group_size,
                              partition_columns=_partition(by, ["measure"]))
        cut = cut.drop(columns=[_ALL], errors="ignore")
    table = table.drop(columns=[_ALL], errors="ignore")
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


# ---------------------------------------------------------------------------
# Item-level distributions
# ---------------------------------------------------------------------------
@dataclass
class ItemDistribution:
    """Per item and group: n, mean item score, % agreeing / disagreeing with the statement as
    worded, % unfavourable to the construct; ``options`` has the % choosing each answer
    code. Disclosure-controlled."""

    instrument: Instrument
    by: tuple[str, ...]
    table: pd.DataFrame
    options: pd.DataFrame
    min_group_size: int

    def most_disagreed(self) -> pd.DataFrame:
        """Per group, the statement with the highest % disagreeing (suppressed groups left
        out). For psychological safety: 'which statement staff most disagree with'."""
        return self._top("pct_disagree")

    def least_favourable(self) -> pd.DataFrame:
        """Per group, the item with the highest % of answers unfavourable to the construct
        (after reversal: e.g. agreeing that mistakes are held against you)."""
        return self._top("pct_unfavourable")

    def _top(self, column: str) -> pd.DataFrame:
        num = numeric(self.table, [column]).dropna(subset=[column])
        if num.empty:
            return num
        keys = list(self.by)
        idx = num.groupby(keys, sort=True)[column].idxmax() if keys else [num[column].idxmax()]
        return num.loc[list(np.atleast_1d(idx))].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        return self.most_disagreed()

    def to_dict(self) -> dict:
        return {"instrument": self.instrument.name, "by": list(self.by),
                "table": _records(self.table), "options": _records(self.options)}

    def plot(self, ax=None, *, wave=None):
        """% disagree / neutral / agree per statement for one wave (default the latest)."""
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
    inst = _instrument(instrument)
    by = _check_by(data, by, source)
    values, reverse, per_row = _read(data, inst, coding, source)
    scored = _apply_scoring(values, reverse, inst)
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
    frame = _labels(data[by].copy(), by).reset_index(drop=True)
    keys = _keys(by)
    items = list(inst.items)
    n_rows = len(frame)
    long = pd.DataFrame({
        **{k: np.repeat(frame[k].to_numpy(), len(items)) for k in keys},
        "item": np.tile(items, n_rows),
        "agreement": agreement.reshape(-1),
        "score": scored.to_numpy(dtype=float).reshape(-1),
        "unfavourable": unfav.reshape(-1),
    })
    long = long[~np.isnan(long["agreement"])]
    long["disagree"] = long["agreement"] < mid
    long["agree"] = long["agreement"] > mid
    g = long.groupby(keys + ["item"], sort=False)
    t = g.agg(n=("score", "size"), mean=("score", "mean"), pct_disagree=("disagree", "mean"),
              pct_agree=("agree", "mean"), pct_unfavourable=("unfavourable", "mean")).reset_index()
    for c in ("pct_disagree", "pct_agree", "pct_unfavourable"):
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
    part = _partition(by, ["item"])
    table = _min_group_size(t, count_column="n",
                            dependent_columns=["mean", "pct_disagree", "pct_agree",
                                               "pct_unfavourable", "pct_neutral"],
                            threshold=min_group_size, partition_columns=part)
    small = numeric(table, ["n"])["n"].isna()
    hidden = t.loc[small, keys + ["item"]].assign(_hide=True)
    opts = opts.merge(hidden, on=keys + ["item"], how="left")
    opts = opts[opts["_hide"].isna()].drop(columns=["_hide", "count", "n"])
    drop = [_ALL]
    return ItemDistribution(inst, tuple(by), table.drop(columns=drop, errors="ignore"),
                            opts.drop(columns=drop, errors="ignore").reset_index(drop=True),
                            min_group_size)


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
                "table": _records(self.table)}

    def plot(self, ax=None, *, measure: str | None = None):
        """Forest plot of the changes with their CIs; returns the Axes."""
        from wellbeing_analysis.instruments.plot import plot_score_change

        return plot_score_change(self, ax=ax, measure=measure)


def _change_table(desc_from: pd.DataFrame, desc_to: pd.DataFrame, keys: list[str],
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

    part = _partition(by, ["measure", "from", "to"])
    out = suppress(m, count_columns=["n_from", "n_to"],
                   dependent_columns={"mean_from": ["n_from"], "sd_from": ["n_from"],
                                      "mean_to": ["n_to"], "sd_to": ["n_to"],
                                      "change": ["n_from", "n_to"],
                                      "ci_low": ["n_from", "n_to"],
                                      "ci_high": ["n_from", "n_to"]},
                   threshold=min_group_size, suppress_zero=True, partition_columns=part)
    return out.drop(columns=[_ALL], errors="ignore")


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
    inst = _instrument(instrument)
    by_all = ["wave_date", *[b for b in by if b != "wave_date"]]
    by_all, scores, _, values, _ = _score_frame(data, inst, by_all, coding, min_share,
                                                id_column, source)
    groups = [b for b in by_all if b != "wave_date"]
    desc = _describe(scores, by_all, inst.score_keys, confidence)
    desc = desc.merge(_present(values.notna().any(axis=1), scores, by_all), on=by_all)
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
    keys = _keys(groups)
    desc_to = desc_to.drop(columns=["wave_date"])
    if not groups:
        desc_to[_ALL] = "All"
        desc_from[_ALL] = "All"
    m = _change_table(desc_from[keys + ["from", "measure", "n", "mean", "sd"]],
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
    inst = _instrument(instrument)
    change = pd.Timestamp(change_date)
    after_start = change + pd.DateOffset(months=washout_months)
    by = list(by)
    by_all = ["wave_date", *[b for b in by if b != "wave_date"]]
    by_all, scores, _, values, _ = _score_frame(data, inst, by_all, coding, min_share,
                                                id_column, source)
    answered = values.notna().any(axis=1)
    period = pd.Series(pd.NA, index=scores.index, dtype="object")
    period[scores["wave_date"] < change] = f"before {change.date()}"
    period[scores["wave_date"] >= after_start] = f"from {after_start.date()}"
    s = scores.assign(_period=period)[answered & period.notna()]
    groups = [b for b in by_all if b != "wave_date"]
    keys = _keys(groups)
    desc = _describe(s, keys + ["_period"], inst.score_keys, confidence)
    before_label, after_label = f"before {change.date()}", f"from {after_start.date()}"
    found = set(desc["_period"])
    if before_label not in found or after_label not in found:
        raise InputError(f"{source}: need responses to {inst.name} both before "
                         f"{change.date()} and from {after_start.date()}")
    d_from = desc[desc["_period"] == before_label].rename(columns={"_period": "from"})
    d_to = desc[desc["_period"] == after_label].rename(columns={"_period": "to"})
    d_to["from"] = before_label
    m = _change_table(d_from[keys + ["from", "measure", "n", "mean", "sd"]],
                      d_to[keys + ["from", "to", "measure", "n", "mean", "sd"]],
                      keys, inst, confidence, min_group_size, groups)
    return ScoreChange(inst, tuple(groups), m, confidence, min_group_size)


# ---------------------------------------------------------------------------
# NHS Staff Survey published results
# ---------------------------------------------------------------------------
_RESULT_COLUMNS = ("value", "value_type", "responses", "comparator_average", "comparator_best",
                   "comparator_worst")


@dataclass
class SurveyTrend:
    """NHS Staff Survey results by year (themes, sub-scores or questions), disclosure
    controlled; ``notes`` lists rows left out and why."""

    table: pd.DataFrame
    min_group_size: int
    title: str
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """The latest year's row per measure."""
        t = self.table
        if t.empty:
            return t
        latest = t.groupby("measure")["year"].transform("max")
        return t[t["year"] == latest].reset_index(drop=True)

    def to_dict(self) -> dict:
        return {"title": self.title, "table": _records(self.table), "notes": self.notes}

    def plot(self, ax=None):
        """Each measure over the years, with the comparator average dashed; returns the Axes."""
        from wellbeing_analysis.instruments.plot import plot_survey_trend

        return plot_survey_trend(self, ax=ax)


def _results_frame(results: pd.DataFrame, breakdown: str | None) -> pd.DataFrame:
    need = ["year", "measure_type", "measure", "value", "value_type", "responses"]
    missing = [c for c in need if c not in results.columns]
    if missing:
        raise InputError("staff survey results need column(s) " + ", ".join(map(repr, missing)))
    r = results.copy()
    for c in ("comparator_average", "comparator_best", "comparator_worst", "breakdown"):
        if c not in r:
            r[c] = np.nan if c != "breakdown" else pd.NA
    blank = r["breakdown"].isna() | (r["breakdown"].astype("string").str.strip() == "")
    if breakdown is None:
        r = r[blank.to_numpy()]
    elif breakdown != "all":
        r = r[(r["breakdown"] == breakdown).to_numpy()]
    return r


def staff_survey_trend(
    results: pd.DataFrame,
    *,
    measure_type: str | None = "theme",
    measures: Sequence[str] | None = None,
    breakdown: str | None = None,
    min_group_size: int = MIN_SURVEY_GROUP_SIZE,
) -> SurveyTrend:
    """Published NHS Staff Survey results over the years.

    ``measure_type`` filters themes / sub-scores / questions (None: all); ``measures``
    keeps the named ones; ``breakdown`` None keeps whole-service rows, a name keeps that
    group, 'all' keeps every group (then a lone small group gets secondary suppression
    within its year and measure). Results from fewer than ``min_group_size`` responses are
    suppressed (the survey's own rule is 11).
    """
    r = _results_frame(results, breakdown)
    if measure_type is not None:
        r = r[r["measure_type"] == measure_type]
    if measures is not None:
        r = r[r["measure"].isin(list(measures))]
    cols = ["year", "breakdown", "measure_type", "measure", *_RESULT_COLUMNS]
    t = r[cols].sort_values(["measure", "breakdown", "year"], kind="stable").reset_index(drop=True)
    part = ["year", "measure"] if breakdown == "all" else None
    t = _min_group_size(t, count_column="responses", dependent_columns=["value"],
                        threshold=min_group_size, partition_columns=part)
    title = "NHS Staff Survey " + ({"theme": "themes", "sub_score": "sub-scores",
                                    "question": "questions"}.get(measure_type or "", "results"))
    return SurveyTrend(t, min_group_size, title)


def highlighted_questions(
    results: pd.DataFrame,
    *,
    questions: Sequence[str] = tuple(HIGHLIGHTED_QUESTIONS),
    breakdown: str | None = None,
    min_group_size: int = MIN_SURVEY_GROUP_SIZE,
) -> SurveyTrend:
    """The strategy's highlighted NHS Staff Survey questions (3d, 3e, 3f, 9c, 9f in 2021
    numbering) tracked across years: each year's question number is translated to 2021
    numbering with the package table (2021, 2022, 2023-2025), so a question that moved is
    followed under one name (``question``; ``asked_as`` keeps that year's number). Years
    whose numbering is not tabled are left out and listed in ``notes``."""
    r = _results_frame(results, breakdown)
    r = r[r["measure_type"] == "question"].copy()
    r["asked_as"] = r["measure"].astype("string").str.strip().str.lower()
    r["question"] = to_2021_numbering(r["year"], r["asked_as"])
    wanted = [q.lower() for q in questions]
    untabled = r[r["question"].isna() & r["asked_as"].isin(wanted)]
    notes = []
    if not untabled.empty:
        years = ", ".join(str(int(y)) for y in sorted(untabled["year"].unique()))
        notes.append(f"Question rows from {years} are not shown: the numbering of those years "
                     "is not in the package table, so they cannot be matched safely.")
    r = r[r["question"].isin(wanted)]
    r["measure"] = r["question"].map(lambda q: HIGHLIGHTED_QUESTIONS.get(q, q))
    cols = ["year", "question", "asked_as", "measure", *_RESULT_COLUMNS]
    t = r[cols].sort_values(["question", "year"], kind="stable").reset_index(drop=True)
    t = _min_group_size(t, count_column="responses", dependent_columns=["value"],
                        threshold=min_group_size)
    return SurveyTrend(t, min_group_size, "NHS Staff Survey: the strategy's highlighted "
                       "questions", notes)
