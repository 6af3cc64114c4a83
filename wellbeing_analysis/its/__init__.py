"""Interrupted time-series (ITS) analysis: segmented regression, effects, diagnostics, power.

``fit_its(data, time=..., outcome=..., interruptions=...)`` validates and fits; the
:class:`ITSResult` reports level and slope changes, the counterfactual, effects at horizons,
the cumulative effect, diagnostics, guardrail checks (:mod:`.checks`), placebo tests and
plots. ``plan_power`` simulates how many post-interruption months are needed to detect a
change (or what change N months can detect), calibrated on the pre-period.

The names below are loaded from their modules on first use (:mod:`wellbeing_analysis.lazy`).
"""

from wellbeing_analysis.lazy import lazy_exports

#: Public name -> the module of this package that defines it.
_EXPORTS = {
    "FAMILIES": "options",
    "Check": "checks",
    "Checks": "checks",
    "CumulativeEffect": "result",
    "Diagnostics": "diagnostics",
    "Estimate": "effects",
    "ITSResult": "result",
    "PlaceboResult": "placebo",
    "PowerPlan": "power",
    "Suggestion": "diagnostics",
    "check_its": "result",
    "fit_its": "result",
    "plan_power": "power",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
