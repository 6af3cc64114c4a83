"""Choosing the chart that fits a series of counts or rates, with a stated rule.

The rule (docs/spc.md, 'Which chart: the rule'), for a series whose numerator is
``events_i = y_i × n_i``:

1. **Thin counts** - mean events per point below ``SPC_MIN_EVENTS_PER_POINT`` or fewer than
   ``SPC_MIN_NONZERO_SHARE`` of points with any event: 3-sigma limits rest on a normal
   approximation that fails, and Laney's σ_z collapses on runs of zeros (so every point
   looks special). Such a series gets a **run chart** (median, no limits); a caller that can
   sum months into quarters may do so first (:func:`longer_periods_fit`).
2. Otherwise an attribute chart: **Laney P′/U′** when the points vary more than the P/U
   chart assumes (Laney's σ_z > ``SPC_OVERDISPERSION_SIGMA_Z``), else the plain **P/U**.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wellbeing_analysis.constants import (
    SPC_MIN_AGGREGATED_POINTS,
    SPC_MIN_EVENTS_PER_POINT,
    SPC_MIN_NONZERO_SHARE,
    SPC_OVERDISPERSION_SIGMA_Z,
)
from wellbeing_analysis.spc.attribute import laney_sigma_z, p_sigma, u_sigma


@dataclass(frozen=True)
class ChartChoice:
    """The chosen chart, whether the counts are thin, and the reason in words."""

    chart: str
    thin: bool
    reason: str
    mean_events: float
    sigma_z: float | None = None


def _events_text(mean: float, unit: str) -> str:
    """'an average count of 0.2 a month'."""
    return f"an average count of {mean:,.1f} a {unit}" if mean < 100 else \
        f"an average count of {mean:,.0f} a {unit}"


def choose_chart(
    y: np.ndarray, n: np.ndarray, *, proportion: bool, unit: str = "point"
) -> ChartChoice:
    """The chart for a rate ``y`` with denominators ``n`` (so ``y × n`` counts events).

    ``proportion``: y is a share in [0, 1] (P family) rather than a rate per unit of n
    (U family). ``unit`` names a point in the reason ('month', 'quarter').
    """
    y, n = np.asarray(y, float), np.asarray(n, float)
    events = y * n
    mean = float(events.mean()) if events.size else 0.0
    nonzero = float((events > 0).mean()) if events.size else 0.0
    if mean < SPC_MIN_EVENTS_PER_POINT or nonzero < SPC_MIN_NONZERO_SHARE:
        zeros = int((events <= 0).sum())
        return ChartChoice("run", True, (
            f"run chart (median line, no process limits): the counts are too small for "
            f"limits - {_events_text(mean, unit)} (the rule needs "
            f"{SPC_MIN_EVENTS_PER_POINT:g}) and {zeros} of {events.size} {unit}s with none "
            f"(the rule allows at most {1 - SPC_MIN_NONZERO_SHARE:.0%})"), mean)
    centre = float(events.sum() / n.sum())
    sigma = p_sigma(centre, n) if proportion else u_sigma(centre, n)
    sigma_z = laney_sigma_z(y, centre, sigma)
    family = "P" if proportion else "U"
    if sigma_z > SPC_OVERDISPERSION_SIGMA_Z:
        return ChartChoice("pprime" if proportion else "uprime", False, (
            f"Laney {family}′ chart: {_events_text(mean, unit)}, and the {unit}s "
            f"vary {sigma_z:.1f} times as much as a plain {family} chart assumes, so its "
            f"limits are widened by that factor"), mean, sigma_z)
    return ChartChoice(family.lower(), False, (
        f"{family} chart: {_events_text(mean, unit)}, and the {unit}s vary no "
        f"more than a {family} chart assumes (Laney's σ_z = {sigma_z:.2f})"), mean, sigma_z)


def longer_periods_fit(monthly: ChartChoice, longer: ChartChoice, points: int) -> bool:
    """Whether a thin monthly series should be shown over longer periods: the monthly counts
    are thin, the longer periods' are not, and there are at least
    ``SPC_MIN_AGGREGATED_POINTS`` of them."""
    return monthly.thin and not longer.thin and points >= SPC_MIN_AGGREGATED_POINTS
