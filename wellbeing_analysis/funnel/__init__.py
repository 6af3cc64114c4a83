"""Funnel plots for comparing units (services, trusts) with overdispersion-adjusted limits.

- :func:`funnel` - proportions, ratios of counts and standardised ratios with Spiegelhalter's
  multiplicative or additive (DerSimonian-Laird tau²) overdispersion adjustment on Winsorised
  or trimmed z-scores, as FunnelPlotR does it; returns a :class:`FunnelResult` (``.table``,
  ``.summary()``, ``.limits_curve()``, ``.plot()``, ``.to_dict()``).
- :func:`population_from_publication` - every organisation of one type from NHS Digital's
  sickness absence publication, summed over twelve months.

See docs/funnel.md for what the chart means and where each method comes from.
"""

from wellbeing_analysis.funnel.population import population_from_publication
from wellbeing_analysis.funnel.result import FunnelResult, funnel

__all__ = ["FunnelResult", "funnel", "population_from_publication"]
