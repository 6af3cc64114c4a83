"""SPC and run charts with named rule sets, and PDSA cycle reviews.

- :func:`spc` - XmR (Making Data Count semantics), run, P, U, C and Laney P′/U′ charts;
  returns an :class:`SPCResult` (``.data``, ``.summary()``, ``.plot()``, ``.to_dict()``).
- :func:`run_chart` - run charts with the Anhøj or IHI rules.
- :func:`review_pdsa` - judge PDSA cycles against their measure's chart
  (a :class:`PDSAReview` with ``.table``, ``.signals``, ``.plot()``).
- :class:`CycleReview` - judge each cycle on its own population's series (a
  :class:`Population`) with limits from the period before it, concurrent changes named.

Rule sets are named ('mdc', 'anhoej', 'ihi') and their constants live in
``wellbeing_analysis.constants``; see docs/spc.md for what each rule means.

The names below are loaded from their modules on first use (PEP 562), so that importing a
light module of this package (``spc.options``, whose dataclass the command line's flags are
generated from) does not import scipy and statsmodels: ``wellbeing --help`` stays quick.
"""

from importlib import import_module

#: Public name -> the module of this package that defines it.
_EXPORTS = {
    "spc": "chart",
    "run_chart": "chart",
    "review_pdsa": "pdsa",
    "SPCResult": "result",
    "SPCOptions": "options",
    "PDSAReview": "pdsa",
    "CycleReview": "cycles",
    "Population": "cycles",
    "cycle_settings": "cycles",
    "CANNOT_TELL": "cycles",
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
