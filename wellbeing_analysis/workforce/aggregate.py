"""The monthly indicator table of an aggregate-tier service: computed from the trust's monthly
figures (``monthly_workforce``) with the same columns and definitions as the row-level engine
(:mod:`.monthly`; docs/metrics.md).

What the figures support: headcount, FTE days available and lost, the monthly and rolling
12-month absence rates, leavers and rolling 12-month turnover, and - when the file has those
columns - FTE, starters, S10 and long-term days lost, voluntary leavers. What they cannot
support (stability indices, early leavers, COVID-related days, moves between teams) is NaN,
never estimated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.schema.aggregate import OPTIONAL_FIGURES, REQUIRED_FIGURES, parse_months
from wellbeing_analysis.workforce.monthly import CORE_COLUMNS, GROUP_COLUMNS, GROUP_ONLY_COLUMNS
from wellbeing_analysis.workforce.rates import monthly_rates

#: Whole-number figures (integers in the indicator table when present).
COUNT_FIGURES = ("headcount", "starters", "leavers", "leavers_voluntary")
#: What a column of the indicator table needs when the monthly figures cannot give it (the
#: reports say so in one line instead of showing a blank).
NEEDS: dict[str, str] = {
    **{c: f"a {c} column in monthly_workforce.csv (or staff-level data)"
       for c in OPTIONAL_FIGURES},
    "fte_days_lost_short_term": "an fte_days_lost_long_term column in monthly_workforce.csv",
    "fte_days_lost_covid": "absence_episodes.csv with ESR related reasons",
    "leavers_early": "staff_spells.csv (each leaver's length of service)",
    "stability_index_strategy_pct": "staff_spells.csv (each person's continuous service)",
    "stability_index_classical_pct": "staff_spells.csv (who stayed in post a year)",
    "turnover_voluntary_12m_pct": "a leavers_voluntary column in monthly_workforce.csv",
}


def needs_for(column: str) -> str:
    """What a blank column of the indicator table would need."""
    return NEEDS.get(column, "staff_spells.csv and absence_episodes.csv")


def present_figures(table: pd.DataFrame) -> list[str]:
    """Optional figures the file gives (a column blank in every row is absent)."""
    return [c for c in OPTIONAL_FIGURES if c in table and table[c].notna().any()]


def aggregate_columns(table: pd.DataFrame) -> set[str]:
    """The indicator table's columns the monthly figures give values for."""
    given = {*REQUIRED_FIGURES, *present_figures(table), "absence_rate_pct",
             "absence_rate_12m_pct", "turnover_12m_pct"}
    if "leavers_voluntary" in given:
        given.add("turnover_voluntary_12m_pct")
    if "fte_days_lost_long_term" in given:
        given.add("fte_days_lost_short_term")
    return given


def aggregate_monthly_indicators(table: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """The monthly indicator table (columns of :data:`~.monthly.CORE_COLUMNS`, plus ``by`` and
    :data:`~.monthly.GROUP_ONLY_COLUMNS` for a breakdown) from validated monthly figures.

    One row per month (and group) from the file's first month to its last. The service's
    figures are the sums of its rows in each month (teams or staff groups); a group with no
    row in a month had no staff then (zeros). Rates use the row-level engine's formulas
    (:func:`~.rates.monthly_rates`): absence_rate_pct = 100 × fte_days_lost ÷
    fte_days_available; absence_rate_12m_pct = 100 × 12 months' days lost ÷ 12 months' days
    available; turnover_12m_pct = 100 × leavers in the 12 months to m ÷ mean(headcount at
    m − 12, headcount at m). Columns the figures cannot support are NaN.
    """
    if by is not None and by not in GROUP_COLUMNS:
        raise InputError(f"--by must be one of {', '.join(GROUP_COLUMNS)}, not {by!r}")
    if table.empty:
        raise InputError("monthly_workforce has no rows: nothing to compute")
    if by is not None and (by not in table or table[by].isna().all()):
        raise InputError(f"monthly_workforce has no {by} column: a breakdown by {by} needs "
                         "one row per month and " + by.replace("_", " "))
    given = list(REQUIRED_FIGURES) + present_figures(table)
    month = parse_months(table["month"])
    if month.isna().any():
        raise InputError("monthly_workforce: month is not YYYY-MM in row(s) "
                         f"{', '.join(map(str, np.flatnonzero(month.isna())[:5] + 2))}")
    frame = table[given].astype(float).assign(_month=month)
    if by:
        frame[by] = table[by]
    keys = ["_month"] + ([by] if by else [])
    sums = frame.groupby(keys, sort=True)[given].sum()
    months = pd.period_range(month.min(), month.max(), freq="M")
    labels = np.sort(table[by].dropna().unique()) if by else np.array(["service"], dtype=object)
    full = (pd.MultiIndex.from_product([months, labels], names=keys) if by
            else pd.Index(months, name="_month"))
    sums = sums.reindex(full, fill_value=0.0)
    k, g = len(months), len(labels)
    # groups x months arrays, the engine's layout
    grid = {c: (sums[c].to_numpy().reshape(k, g).T if by else sums[c].to_numpy()[None, :])
            for c in given}
    nan = np.full((g, k), np.nan)
    for c in OPTIONAL_FIGURES:
        grid.setdefault(c, nan)
    lost, long_term = grid["fte_days_lost"], grid["fte_days_lost_long_term"]
    grid["fte_days_lost_short_term"] = lost - long_term
    grid.update(fte_days_lost_covid=nan, leavers_early=nan)
    grid.update(monthly_rates(grid))
    out: dict[str, object] = {"month": np.tile(months.strftime("%Y-%m").to_numpy(), g)}
    if by:
        out[by] = np.repeat(labels, k)
    names = list(CORE_COLUMNS[1:]) + (list(GROUP_ONLY_COLUMNS) if by else [])
    for name in names:
        values = grid.get(name, nan).reshape(-1)
        whole = name in COUNT_FIGURES and name in given
        out[name] = values.round().astype(np.int64) if whole else values.astype(float)
    return pd.DataFrame(out)
