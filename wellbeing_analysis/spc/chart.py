"""Entry functions: :func:`spc` (any chart) and :func:`run_chart` (run charts)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from wellbeing_analysis.spc.options import SPCOptions
from wellbeing_analysis.spc.result import SPCResult


def spc(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    n: str | None = None,
    chart: str | None = None,
    rules: str | None = None,
    rebase: Any = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    improvement_direction: str = "increase",
    target: Any = None,
    facet: str | None = None,
) -> SPCResult:
    """SPC chart of a tidy series with a named rule set (NHSRplotthedots ``ptd_spc``).

    Parameters
    ----------
    data : one row per point (and per facet): an x column (dates or numbers), a y column
        and, for P/U/P′/U′ charts, a denominator column ``n`` (y is then the proportion or
        rate and y × n the numerator).
    chart : 'xmr', 'run', 'p', 'u', 'c', 'pprime' or 'uprime'. None: XmR without ``n``;
        with ``n``, chosen from the counts y × n (:func:`~wellbeing_analysis.spc.fit.
        choose_chart`): a run chart for thin counts, Laney P′ (y in [0, 1]) or U′ when
        over-dispersed (sickness absence), else P or U. ``.chart_reason`` says why.
    rules : 'mdc' (Making Data Count: outside limits, 7-point trend, 2 of 3 near a limit,
        7-point shift), 'anhoej' (long runs and too few crossings; plus outside limits on a
        control chart) or 'ihi' (run charts: 6-point shift, 5-point trend, runs table).
        None: 'mdc' for control charts, 'anhoej' for run charts.
    rebase : x values where new limits start (first point on or after each), or
        ``{x: reason}``; with ``facet``, ``{facet: values or {x: reason}}``.
    fix_after_n_points : compute the centre line and limits from the first N points of each
        group only (N >= 12); default all points.
    screen_outliers : drop moving ranges >= 3.267 × mean(MR) before computing limits
        (NHSRplotthedots default True; the Making Data Count Excel tool does not screen).
    improvement_direction : 'increase', 'decrease' or 'neutral'.
    target : number (or ``{facet: number}``) for the assurance icon.
    facet : column splitting the data into separately computed charts.

    Returns
    -------
    SPCResult with ``.data``, ``.summary()``, ``.signals``, ``.plot()``, ``.to_dict()``,
    ``.warnings``, ``.variation_icon``, ``.assurance_icon`` and ``.icon_text``.
    Raises :class:`~wellbeing_analysis.errors.InputError` for bad data or options.
    """
    options = SPCOptions(x=x, y=y, n=n, facet=facet, chart=chart, rules=rules, rebase=rebase,
                         fix_after_n_points=fix_after_n_points, screen_outliers=screen_outliers,
                         improvement_direction=improvement_direction, target=target)
    return SPCResult(data, options)


def run_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    rules: str = "anhoej",
    rebase: Any = None,
    fix_after_n_points: int | None = None,
    improvement_direction: str = "increase",
    facet: str | None = None,
) -> SPCResult:
    """Run chart (median centre line) with the Anhøj (default) or IHI rule set; see :func:`spc`."""
    return spc(data, x=x, y=y, chart="run", rules=rules, rebase=rebase,
               fix_after_n_points=fix_after_n_points,
               improvement_direction=improvement_direction, facet=facet)
