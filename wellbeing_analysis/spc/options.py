"""Validated options of an SPC analysis (NHSRplotthedots ``ptd_spc_options``)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    SPC_CHART_TYPES,
    SPC_IMPROVEMENT_DIRECTIONS,
    SPC_MIN_FIX_AFTER_N,
    SPC_RULE_SETS,
)
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.spc.inputs import SHOW_VALUES, format_x

#: Charts that need a denominator column.
CHARTS_WITH_DENOMINATOR = ("p", "u", "pprime", "uprime")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)


@dataclass(frozen=True)
class SPCOptions:
    """Everything that defines an SPC analysis besides the data; validated on creation.

    ``chart=None`` chooses XmR without a denominator; with one, the chart that fits the
    counts (:mod:`~wellbeing_analysis.spc.fit`). ``rules=None`` chooses Making Data Count for control charts and Anhøj
    for run charts. ``rebase`` is a list of x values, or a mapping ``{x: reason}``; with a
    facet, a mapping ``{facet: list or {x: reason}}``. ``target`` is a number, or with a
    facet a mapping ``{facet: number}``.
    """

    x: str
    y: str
    n: str | None = None
    facet: str | None = None
    chart: str | None = None
    rules: str | None = None
    rebase: Any = None
    fix_after_n_points: int | None = None
    screen_outliers: bool = True
    improvement_direction: str = "increase"
    target: Any = None

    def __post_init__(self) -> None:
        for name in ("x", "y"):
            if not isinstance(getattr(self, name), str):
                raise InputError(f"{name} must be a column name (text)")
        if self.chart is not None and self.chart not in SPC_CHART_TYPES:
            raise InputError(f"chart must be one of {', '.join(SPC_CHART_TYPES)}; "
                             f"got {self.chart!r}")
        if self.rules is not None and self.rules not in SPC_RULE_SETS:
            raise InputError(f"rules must be one of {', '.join(SPC_RULE_SETS)}; got {self.rules!r}")
        if self.chart == "run" and self.rules == "mdc":
            raise InputError("the Making Data Count rules need process limits; a run chart has "
                             "none - use rules 'anhoej' or 'ihi', or an XmR chart")
        if self.chart not in (None, "run") and self.rules == "ihi":
            raise InputError("the IHI rules are run-chart rules; use chart 'run', or rules 'mdc' "
                             "or 'anhoej' for a control chart")
        if self.chart in CHARTS_WITH_DENOMINATOR and self.n is None:
            raise InputError(f"a {self.chart} chart needs a denominator column (n)")
        if self.chart in ("xmr", "run", "c") and self.n is not None:
            raise InputError(f"a {self.chart} chart does not use a denominator; drop n, or choose "
                             "a p, u, pprime or uprime chart")
        fix = self.fix_after_n_points
        if fix is not None and (not isinstance(fix, numbers.Integral) or isinstance(fix, bool)
                                or fix < SPC_MIN_FIX_AFTER_N):
            raise InputError(f"fix_after_n_points must be a whole number of at least "
                             f"{SPC_MIN_FIX_AFTER_N}; got {fix!r}")
        if not isinstance(self.screen_outliers, (bool, np.bool_)):
            raise InputError("screen_outliers must be True or False")
        if self.improvement_direction not in SPC_IMPROVEMENT_DIRECTIONS:
            raise InputError(f"improvement_direction must be one of "
                             f"{', '.join(SPC_IMPROVEMENT_DIRECTIONS)}; got "
                             f"{self.improvement_direction!r}")
        self._check_target()

    def _check_target(self) -> None:
        t = self.target
        if t is None:
            return
        if isinstance(t, Mapping):
            if self.facet is None:
                raise InputError("a target per facet needs a facet column")
            bad = {k: v for k, v in t.items() if not _is_number(v)}
        else:
            bad = {"target": t} if not _is_number(t) else {}
        if bad:
            raise InputError(f"target must be a finite number; got {bad}")

    # -- derived ------------------------------------------------------------------------
    def target_for(self, facet: Any) -> float | None:
        """The target that applies to ``facet`` (None when there is none)."""
        if isinstance(self.target, Mapping):
            v = self.target.get(facet)
            return None if v is None else float(v)
        return None if self.target is None else float(self.target)

    def rebase_for(self, facet: Any) -> list[tuple[Any, str | None]]:
        """[(x, reason or None)] rebase points that apply to ``facet``."""
        r = self.rebase
        if r is None:
            return []
        if self.facet is not None and isinstance(r, Mapping) and r and all(
            not isinstance(v, str) and v is not None for v in r.values()
        ):
            r = r.get(facet, [])
        if isinstance(r, Mapping):
            return [(k, None if v is None or pd.isna(v) else str(v)) for k, v in r.items()]
        if isinstance(r, (str, pd.Timestamp)) or np.isscalar(r):
            return [(r, None)]
        return [(v, None) for v in r]


def resolve_chart(options: SPCOptions, y: pd.Series) -> str:
    """The chart as asked, else XmR (no denominator), else the Laney chart of the right
    family: P′ for proportions in [0, 1], U′ for other rates. With a denominator the result
    chooses between run, P/U and P′/U′ from the counts (:mod:`~wellbeing_analysis.spc.fit`)."""
    if options.chart is not None:
        return options.chart
    if options.n is None:
        return "xmr"
    return "pprime" if ((y >= 0) & (y <= 1)).all() else "uprime"


def resolve_rules(chart: str, rules: str | None) -> str:
    """The rule set: as asked, else Making Data Count (control charts) or Anhøj (run charts)."""
    if rules is not None:
        if chart == "run" and rules == "mdc":
            raise InputError("the Making Data Count rules need process limits; a run chart "
                             "has none")
        if chart != "run" and rules == "ihi":
            raise InputError("the IHI rules are run-chart rules; use chart 'run'")
        return rules
    return "anhoej" if chart == "run" else "mdc"


def check_values(chart: str, y: pd.Series, x: pd.Series, column: str) -> None:
    """Values a chart cannot take: proportions outside [0, 1], negative rates or counts."""
    if chart in ("p", "pprime"):
        bad = (y < 0) | (y > 1)
        need = "proportions between 0 and 1 (divide percentages by 100, or use a U′ chart)"
    elif chart in ("u", "uprime", "c"):
        bad = y < 0
        need = "rates or counts of 0 or more"
    else:
        return
    if bad.any():
        where = ", ".join(format_x(v) for v in x[bad].head(SHOW_VALUES))
        raise InputError(f"a {chart} chart needs {need}; column {column!r} has values outside "
                         f"that range at x = {where}")
