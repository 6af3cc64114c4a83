"""Grouping survey responses by wave, team and staff group: labels, keys, the secondary
suppression partition, group descriptions and JSON records (shared by every survey
aggregate)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.instruments.scoring import apply_scoring, read_items, score_responses
from wellbeing_analysis.instruments.stats import t_interval

#: Breakdown columns: a table split by one of these gets secondary suppression across it.
BREAKDOWN_COLUMNS = ("team", "staff_group")
#: Label of responses with no team / staff group given.
NOT_STATED = "Not stated"
ALL_KEY = "_all"


def check_by(data: pd.DataFrame, by: Sequence[str], source: str) -> list[str]:
    by = list(by)
    missing = [c for c in by if c not in data.columns]
    if missing:
        raise InputError(f"{source}: cannot break down by {', '.join(map(repr, missing))}: "
                         f"no such column (the table has: {', '.join(map(str, data.columns))})")
    return by


def group_labels(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Group labels: blank team / staff group becomes 'Not stated'; no grouping -> '_all'."""
    out = frame.copy()
    for c in by:
        if c in BREAKDOWN_COLUMNS:
            out[c] = out[c].astype("object").where(out[c].notna(), NOT_STATED)
    out[ALL_KEY] = "All"
    return out


def partition(by: Sequence[str], extra: Sequence[str]) -> list[str] | None:
    """Secondary suppression partition: all grouping columns except the last breakdown."""
    breakdown = [c for c in by if c in BREAKDOWN_COLUMNS]
    if not breakdown:
        return None
    last = breakdown[-1]
    return [c for c in by if c != last] + list(extra)


def group_keys(by: Sequence[str]) -> list[str]:
    return list(by) if by else [ALL_KEY]


def present_groups(answered: pd.Series, frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Groups in which at least one response answers an item of the instrument."""
    keys = group_keys(by)
    g = answered.groupby([frame[k] for k in keys], dropna=False, sort=True).any()
    return g[g].reset_index()[keys]



def records(table: pd.DataFrame) -> list[dict]:
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


def describe(frame: pd.DataFrame, keys: list[str], measures: Sequence[str],
              confidence: float) -> pd.DataFrame:
    long = frame.melt(id_vars=keys, value_vars=list(measures), var_name="measure",
                      value_name="score")
    g = long.groupby(keys + ["measure"], dropna=False, sort=False)["score"]
    d = g.agg(n="count", mean="mean", sd="std").reset_index()
    d["ci_low"], d["ci_high"] = t_interval(d["mean"], d["sd"], d["n"], confidence)
    return d


def score_frame(data, inst, by, coding, min_share, id_column, source):
    by = check_by(data, by, source)
    scores = score_responses(data, inst, coding=coding, min_share=min_share,
                             id_column=id_column, keep=by, source=source)
    values, reverse, per_row = read_items(data, inst, coding, source)
    scored = apply_scoring(values, reverse, inst)
    return by, group_labels(scores, by), scored, values, per_row

