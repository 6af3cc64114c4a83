"""Interrupted time-series (ITS) analysis: segmented regression, effects, diagnostics, power.

``fit_its(data, time=..., outcome=..., interruptions=...)`` validates and fits; the
:class:`ITSResult` reports level and slope changes, the counterfactual, effects at horizons,
the cumulative effect, diagnostics, guardrail checks (:mod:`.checks`), placebo tests and
plots. ``plan_power`` simulates how many post-interruption months are needed to detect a
change (or what change N months can detect), calibrated on the pre-period.

The names below are loaded from their modules on first use (PEP 562), so that importing a
light module of this package (``its.options``, whose dataclass the command line's flags are
generated from) does not import statsmodels: ``wellbeing --help`` stays quick.
"""

from importlib import import_module

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
# a submodule must not share a public name: importing it would set the package attribute to
# the module before the name is first looked up (tests/test_cli_foundation.py checks)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
