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
"""

from wellbeing_analysis.spc.chart import run_chart, spc
from wellbeing_analysis.spc.cycles import CANNOT_TELL, CycleReview, Population, cycle_settings
from wellbeing_analysis.spc.options import SPCOptions
from wellbeing_analysis.spc.pdsa import PDSAReview, review_pdsa
from wellbeing_analysis.spc.result import SPCResult

__all__ = ["spc", "run_chart", "review_pdsa", "SPCResult", "SPCOptions", "PDSAReview",
           "CycleReview", "Population", "cycle_settings", "CANNOT_TELL"]
