"""The segmented-regression design matrix of an ITS.

For interruption ``i`` starting at period ``s_i`` (the first post-interruption period, after
any phase-in) and time ``t`` counted in periods from the first observation (0, 1, 2, ...):

    y_t = b0 + b1 t + sum_i [ b2_i post_it + b3_i (t - s_i + c) post_it ] + seasonality + covariates

with ``post_it = 1[t >= s_i]``. The slope term is *centred* at the interruption, so that
``b2_i`` is the change in level there; the uncentred ``t * post`` would make ``b2_i`` the
level change extrapolated back to ``t = 0`` (Lopez Bernal, Cummins & Gasparrini, IJE 2017,
correction IJE 2020; Xiao et al., IJE 2021). ``c = 0`` measures the level change at the first
post-interruption period (Stata ``itsa``, Linden 2015; the default); ``c = 1`` one period
earlier, at the last pre-interruption period (the ``I(time - 36)`` centring of Lopez Bernal
et al.'s corrected Sicily code).

Phase-in periods ``[T_i, T_i + phase_in)`` are left out of the fit and the change starts at
``s_i = T_i + phase_in``. An intervention that ends adds the end as one more change point
(a three-period design). Seasonality is ``K`` Fourier pairs ``sin(2 pi k s / P)``,
``cos(2 pi k s / P)`` of the season ``s`` with period ``P`` (Bhaskaran et al., IJE 2013), or
one indicator per season but the first (named by month, ``season_feb`` ..., when the season is
the calendar month of a monthly series).

Controlled ITS (Linden 2015, ``itsa`` multiple-group form): with ``z`` = 1 for the treated
series, the terms ``z``, ``z t``, ``z post_i`` and ``z ramp_i`` are added; ``post_i`` and
``ramp_i`` then describe the comparison series and the ``z`` terms are the treated-minus-
comparison differences in level change and slope change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    ITS_MIN_POINTS_EACH_SIDE,
    ITS_MIN_SEGMENT_POINTS,
    MONTHS_PER_YEAR,
)
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its.inputs import Prepared
from wellbeing_analysis.its.options import ITSOptions


@dataclass(frozen=True)
class Design:
    """Design matrix for every row (fitted or not) and what each column means."""

    X: np.ndarray
    names: tuple[str, ...]
    used: np.ndarray  # rows in the fit (phase-in periods are not)
    offset: np.ndarray | None  # log(exposure)
    intervention: np.ndarray  # columns set to zero for the counterfactual
    starts: tuple[int, ...]  # first fitted period of each change (interruptions, then end)
    suffixes: tuple[str, ...]  # '' for the first change, '_2', ..., '_end'
    labels: tuple[str, ...]  # time label of each change
    period: np.ndarray  # 'before', 'phase-in', 'after', 'after 2', 'after end', per row
    segments: pd.DataFrame  # points before and after each change
    controlled: bool
    slope_change: bool

    @property
    def X_counterfactual(self) -> np.ndarray:
        """The design with every intervention term zeroed: the pre-existing trend continued."""
        X = self.X.copy()
        X[:, self.intervention] = 0.0
        return X

    def vector(self, *names: str) -> np.ndarray:
        """Contrast vector summing the coefficients ``names``."""
        v = np.zeros(len(self.names))
        for n in names:
            v[self.names.index(n)] += 1.0
        return v

    def trend_terms(self, upto: int, *, treated: bool = True) -> tuple[str, ...]:
        """Coefficients summing to the trend after change ``upto`` (-1: before any change)."""
        terms = ["time"] + (["treated_time"] if self.controlled and treated else [])
        if self.slope_change:
            for sfx in self.suffixes[: upto + 1]:
                if self.controlled:
                    terms.append(f"comparison_slope_change{sfx}")
                if treated or not self.controlled:
                    terms.append(f"slope_change{sfx}")
        return tuple(terms)


def _segments(prepared: Prepared, starts, labels, stops) -> pd.DataFrame:
    """Points in the segment before and after each change (per series; grids are equal)."""
    t = prepared.t[prepared.treated]
    bounds = [0, *starts]
    rows = []  # one per change (a handful)
    for i, (s, label) in enumerate(zip(starts, labels)):
        before = int(((t >= bounds[i]) & (t < stops[i])).sum())
        after_stop = stops[i + 1] if i + 1 < len(stops) else prepared.n_periods
        after = int(((t >= s) & (t < after_stop)).sum())
        rows.append({"change": label, "n_before": before, "n_after": after})
    return pd.DataFrame(rows, columns=["change", "n_before", "n_after"])


def build_design(prepared: Prepared, options: ITSOptions) -> Design:
    """Build the design for ``prepared`` data (formulas in the module docstring)."""
    t = prepared.t.astype(float)
    phase_in = options.phase_in
    stops = list(prepared.interruption_t)  # where each segment before a change stops
    starts = [ti + phase_in for ti in prepared.interruption_t]
    labels = [prepared.axis.label(ti) for ti in prepared.interruption_t]
    suffixes = [""] + [f"_{i + 2}" for i in range(len(starts) - 1)]
    if prepared.end_t is not None:
        stops.append(prepared.end_t)
        starts.append(prepared.end_t)
        labels.append(prepared.axis.label(prepared.end_t))
        suffixes.append("_end")
    for i in range(len(starts) - 1):
        if starts[i] > stops[i + 1]:
            raise InputError(f"the phase-in after {labels[i]} ({phase_in} periods) runs past the "
                             f"next change at {labels[i + 1]}")
    excluded = np.zeros(len(t), dtype=bool)
    for ti, s in zip(prepared.interruption_t, starts):
        excluded |= (prepared.t >= ti) & (prepared.t < s)
    used = ~excluded
    segments = _segments(prepared, starts, labels, stops)
    too_few = segments[(segments["n_before"] < ITS_MIN_SEGMENT_POINTS)
                       | (segments["n_after"] < ITS_MIN_SEGMENT_POINTS)]
    if not too_few.empty:
        r = too_few.iloc[0]
        raise InputError(
            f"too few points around the change at {r['change']}: {r['n_before']} before and "
            f"{r['n_after']} after (fitted periods); each segment needs at least "
            f"{ITS_MIN_SEGMENT_POINTS} ({ITS_MIN_POINTS_EACH_SIDE} or more recommended)")

    z = prepared.treated.astype(float)
    controlled = options.group is not None
    shift = 1.0 if options.level_at == "last_pre" else 0.0
    cols: dict[str, np.ndarray] = {"intercept": np.ones_like(t), "time": t}
    if controlled:
        cols["treated"], cols["treated_time"] = z, z * t
    intervention = []
    for s, sfx in zip(starts, suffixes):
        post = (t >= s).astype(float)
        ramp = (t - s + shift) * post  # centred: zero at the first post period (c = 0)
        terms = {f"level_change{sfx}": post}
        if options.slope_change:
            terms[f"slope_change{sfx}"] = ramp
        if controlled:
            for name, col in terms.items():
                cols[f"comparison_{name}"] = col
            terms = {name: z * col for name, col in terms.items()}
        cols.update(terms)
        intervention += list(terms)
    cols.update(_seasonal_columns(prepared.season, options, prepared.axis.kind))
    for name, col in zip(options.covariates, prepared.covariates.T):
        if name in cols:
            raise InputError(f"covariate {name!r} clashes with a model term of the same name; "
                             "rename the column")
        cols[name] = col
    names = tuple(cols)
    X = np.column_stack(list(cols.values()))
    n_used, k = int(used.sum()), X.shape[1]
    if n_used <= k:
        raise InputError(f"too few points: {n_used} fitted observations for a model with {k} "
                         "coefficients; use fewer terms (harmonics, covariates) or more data")
    if np.linalg.matrix_rank(X[used]) < k:
        raise InputError("the model's terms are collinear (a covariate or season that repeats "
                         "time, a step or another term); remove the redundant column")
    period = np.full(len(t), "before", dtype=object)
    n_int = len(prepared.interruption_t)
    for i, (ti, s, sfx) in enumerate(zip(stops, starts, suffixes)):
        name = "after end" if sfx == "_end" else ("after" if n_int == 1 else f"after {i + 1}")
        period[prepared.t >= s] = name
        if sfx != "_end":
            period[(prepared.t >= ti) & (prepared.t < s)] = "phase-in"
    offset = None if prepared.exposure is None else np.log(prepared.exposure)
    return Design(
        X=X, names=names, used=used, offset=offset,
        intervention=np.isin(np.array(names), intervention), starts=tuple(starts),
        suffixes=tuple(suffixes), labels=tuple(labels), period=period.astype(str),
        segments=segments, controlled=controlled, slope_change=options.slope_change,
    )


#: Names of the calendar months for season indicator terms ('season_feb', ...).
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")


def _season_name(level, calendar: bool) -> str:
    """'season_feb' for calendar month 2; 'season_3' (not 'season_3.0') for a whole number."""
    if calendar:
        return f"season_{_MONTH_NAMES[int(level) - 1]}"
    if isinstance(level, (int, float, np.integer, np.floating)) and float(level).is_integer():
        return f"season_{int(level)}"
    return f"season_{level}"


def _is_calendar_month(season: np.ndarray, prepared_axis_kind: str, period: int | None) -> bool:
    """Whether the season is the calendar month (1-12) of a monthly series."""
    if prepared_axis_kind != "month" or period not in (None, MONTHS_PER_YEAR):
        return False
    values = pd.to_numeric(pd.Series(season, dtype=object), errors="coerce")
    return bool(values.notna().all() and values.isin(range(1, MONTHS_PER_YEAR + 1)).all())


def _seasonal_columns(season: np.ndarray | None, options: ITSOptions,
                      axis_kind: str = "numeric") -> dict[str, np.ndarray]:
    """Fourier pairs of the season, or indicators of each season but the first (named by
    month when the season is the calendar month of a monthly series)."""
    if season is None:
        return {}
    if options.season_indicators:
        levels = pd.unique(pd.Series(season, dtype=object).sort_values(kind="stable"))
        calendar = _is_calendar_month(season, axis_kind, options.period)
        return {_season_name(lv, calendar): (season == lv).astype(float) for lv in levels[1:]}
    cols = {}
    for k in range(1, options.harmonics + 1):
        angle = 2 * np.pi * k * season / options.period
        sin = np.sin(angle)
        if not np.allclose(sin, 0.0, atol=1e-12):  # sin(pi s) = 0 when 2k = P: not a term
            cols[f"sin{k}"] = sin
        cols[f"cos{k}"] = np.cos(angle)
    return cols
