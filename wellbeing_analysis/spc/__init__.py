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

The names below are loaded from their modules on first use (:mod:`wellbeing_analysis.lazy`).
"""

from wellbeing_analysis.lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
