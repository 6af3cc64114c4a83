"""Interrupted time-series (ITS) analysis: segmented regression, effects, diagnostics, power.

``fit_its(data, time=..., outcome=..., interruptions=...)`` validates and fits; the
:class:`ITSResult` reports level and slope changes, the counterfactual, effects at horizons,
the cumulative effect, diagnostics, guardrail checks (:mod:`.checks`), placebo tests and plots. ``plan_power`` simulates how
many post-interruption months are needed to detect a change (or what change N months can
detect), calibrated on the pre-period.
"""

from wellbeing_analysis.its.checks import Check, Checks
from wellbeing_analysis.its.diagnostics import Diagnostics, Suggestion
from wellbeing_analysis.its.effects import Estimate
from wellbeing_analysis.its.options import FAMILIES
from wellbeing_analysis.its.placebo import PlaceboResult
from wellbeing_analysis.its.power import PowerPlan, plan_power
from wellbeing_analysis.its.result import CumulativeEffect, ITSResult, check_its, fit_its

__all__ = [
    "FAMILIES",
    "Check",
    "Checks",
    "CumulativeEffect",
    "Diagnostics",
    "Estimate",
    "ITSResult",
    "PlaceboResult",
    "PowerPlan",
    "Suggestion",
    "check_its",
    "fit_its",
    "plan_power",
]
