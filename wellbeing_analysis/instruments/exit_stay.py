"""Reasons for leaving and for staying: counts and shares by category over time, and
voluntary leavers' top reasons, with small-number suppression.

The input is the ``exit_stay_reasons`` table (one row per reason given; several rows may
share a ``record_id``). Counts are of *records* (conversations or questionnaires) citing a
category, so a record giving a category twice counts once; the share is of the period's
records, so shares may add up to more than 100% when people give several reasons. The
free-text ``comment`` column is never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from wellbeing_analysis.constants import SUPPRESS_COUNT_BELOW, TOP_REASONS_COUNT
from wellbeing_analysis.disclosure import suppress
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.instruments.groups import NOT_STATED, check_by, records

#: Period aliases: pandas period frequencies, plus 'FY' for the NHS financial year
#: (April-March, labelled by the year it ends in, e.g. FY2024 = April 2023-March 2024).
PERIODS = {"M": "M", "Q": "Q", "Y": "Y", "FY": "Y-MAR"}
KINDS = ("leaving", "staying")
_COLUMNS = ("record_id", "kind", "date", "category")


def _prepare(reasons: pd.DataFrame, kind: str, voluntary_only: bool, by: Sequence[str],
             since=None, until=None) -> tuple[pd.DataFrame, list[str]]:
    missing = [c for c in _COLUMNS if c not in reasons.columns]
    if missing:
        raise InputError("exit/stay reasons need column(s) " + ", ".join(map(repr, missing)))
    if kind not in KINDS:
        raise InputError(f"kind must be 'leaving' or 'staying', got {kind!r}")
    by = check_by(reasons, by, "exit/stay reasons")
    cols = list(dict.fromkeys([*_COLUMNS, *by] + (["voluntary"] if voluntary_only else [])))
    if voluntary_only and "voluntary" not in reasons.columns:
        raise InputError("voluntary leavers' reasons need the 'voluntary' column")
    r = reasons[cols].copy()  # never the free-text comment
    r = r[(r["kind"] == kind).to_numpy()]
    r["date"] = pd.to_datetime(r["date"])
    if since is not None:
        r = r[r["date"] >= pd.Timestamp(since)]
    if until is not None:
        r = r[r["date"] <= pd.Timestamp(until)]
    if voluntary_only:
        r = r[r["voluntary"].fillna(False).astype(bool).to_numpy()]
    for c in by:
        r[c] = r[c].astype("object").where(r[c].notna(), NOT_STATED)
    return r.drop_duplicates(subset=["record_id", "category"]), by


def _period(dates: pd.Series, period: str) -> pd.Series:
    if period not in PERIODS:
        raise InputError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    p = dates.dt.to_period(PERIODS[period])
    if period == "FY":
        return "FY" + p.dt.year.astype(str)
    return p.astype(str)


@dataclass
class ReasonCounts:
    """Records citing each category per period (and group) with their share of the period's
    records; disclosure-controlled."""

    table: pd.DataFrame
    totals: pd.DataFrame
    kind: str
    period: str
    by: tuple[str, ...]
    threshold: int

    def summary(self) -> pd.DataFrame:
        """Records citing each category over all periods together, most cited first (counted
        from the data, not from the suppressed cells; suppressed again when small)."""
        return self.totals

    def to_dict(self) -> dict:
        return {"kind": self.kind, "period": self.period, "by": list(self.by),
                "table": records(self.table)}

    def plot(self, ax=None, *, top: int = TOP_REASONS_COUNT):
        """Share of records citing each of the ``top`` categories, per period."""
        from wellbeing_analysis.instruments.plot import plot_reasons

        return plot_reasons(self, ax=ax, top=top)


def reason_counts(
    reasons: pd.DataFrame,
    *,
    kind: str = "leaving",
    period: str = "Y",
    by: Sequence[str] = (),
    voluntary_only: bool = False,
    threshold: int = SUPPRESS_COUNT_BELOW,
) -> ReasonCounts:
    """Counts and shares of reasons by category over time.

    Formula: ``count`` = records of ``kind`` in the period (and group) citing the category;
    ``records`` = records in the period (and group); ``share = 100 x count / records``.
    Every category seen in the data appears in every period (zeros shown). Suppression: a
    count below ``threshold`` (default 5) is suppressed with its share, a share is
    suppressed when its denominator is below the threshold too, and a lone suppressed
    count in a period is protected by secondary suppression (see ``disclosure``).
    """
    r, by = _prepare(reasons, kind, voluntary_only, by)
    r["period"] = _period(r["date"], period)
    keys = ["period", *by]
    counts = r.groupby(keys + ["category"], sort=True)["record_id"].nunique().rename("count")
    records = r.groupby(keys, sort=True)["record_id"].nunique().rename("records")
    cats = sorted(r["category"].unique())
    grid = records.reset_index()[keys].merge(pd.DataFrame({"category": cats}), how="cross")
    t = grid.merge(counts.reset_index(), on=keys + ["category"], how="left")
    t["count"] = t["count"].fillna(0).astype(int)
    t = t.merge(records.reset_index(), on=keys)
    t["share"] = 100 * t["count"] / t["records"]
    table = suppress(t, count_columns=["count", "records"],
                     dependent_columns={"share": ["count", "records"]},
                     threshold=threshold, partition_columns=keys)
    n_all = r["record_id"].nunique()
    tot = r.groupby("category")["record_id"].nunique().rename("count").reset_index()
    tot = tot.sort_values(["count", "category"], ascending=[False, True], kind="stable")
    tot["records"] = n_all
    tot["share"] = 100 * tot["count"] / n_all
    totals = suppress(tot.reset_index(drop=True), count_columns=["count", "records"],
                      dependent_columns={"share": ["count", "records"]}, threshold=threshold,
                      partition_columns=["records"])
    return ReasonCounts(table, totals, kind, period, tuple(by), threshold)


@dataclass
class TopReasons:
    """The most cited categories, ranked; disclosure-controlled."""

    table: pd.DataFrame
    kind: str
    voluntary_only: bool
    threshold: int

    def summary(self) -> pd.DataFrame:
        return self.table

    def to_dict(self) -> dict:
        return {"kind": self.kind, "voluntary_only": self.voluntary_only,
                "table": records(self.table)}

    def plot(self, ax=None):
        """Horizontal bars of the share of records citing each top reason."""
        from wellbeing_analysis.instruments.plot import plot_top_reasons

        return plot_top_reasons(self, ax=ax)


def top_reasons(
    reasons: pd.DataFrame,
    *,
    kind: str = "leaving",
    voluntary_only: bool = True,
    n: int = TOP_REASONS_COUNT,
    since=None,
    until=None,
    threshold: int = SUPPRESS_COUNT_BELOW,
) -> TopReasons:
    """The ``n`` categories cited by most records (default: voluntary leavers' reasons,
    rows with ``voluntary`` yes), between ``since`` and ``until`` if given.

    Formula: ``count`` = records citing the category; ``share = 100 x count / records`` of
    all records in scope. Ranked by count (ties alphabetically). Counts below ``threshold``
    and their shares are suppressed; so is every share when the records in scope are fewer
    than the threshold.
    """
    r, _ = _prepare(reasons, kind, voluntary_only, (), since, until)
    total = r["record_id"].nunique()
    counts = r.groupby("category")["record_id"].nunique().rename("count").reset_index()
    counts = counts.sort_values(["count", "category"], ascending=[False, True], kind="stable")
    counts = counts.head(n).reset_index(drop=True)
    counts.insert(0, "rank", range(1, len(counts) + 1))
    counts["records"] = total
    counts["share"] = 100 * counts["count"] / total if total else float("nan")
    table = suppress(counts, count_columns=["count", "records"],
                     dependent_columns={"share": ["count", "records"]}, threshold=threshold)
    return TopReasons(table, kind, voluntary_only, threshold)
