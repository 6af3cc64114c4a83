"""The monthly indicator table of a loaded service, whichever data tier it has: the row-level
engine (:mod:`.monthly`) for staff spells and absence episodes, the trust's monthly figures
(:mod:`.aggregate`) otherwise."""

from __future__ import annotations

import pandas as pd

from wellbeing_analysis.constants import AGGREGATE_TABLE, LONG_TERM_ABSENCE_DAYS, TIER_AGGREGATE
from wellbeing_analysis.workforce.aggregate import aggregate_monthly_indicators
from wellbeing_analysis.workforce.monthly import monthly_indicators


def service_monthly_indicators(service, *, by: str | None = None,
                               long_term_days: int = LONG_TERM_ABSENCE_DAYS) -> pd.DataFrame:
    """:func:`~.monthly.monthly_indicators` for a loaded
    :class:`~wellbeing_analysis.loading.ServiceData`, or for an aggregate-tier service
    :func:`~.aggregate.aggregate_monthly_indicators` of its monthly figures (the long-term
    split is then the trust's own). The staff keys of the load are used when the tables
    are those loaded."""
    if service.tier == TIER_AGGREGATE:
        return aggregate_monthly_indicators(service.table(AGGREGATE_TABLE), by=by)
    return monthly_indicators(service.staff_spells, service.absence_episodes,
                              extract_date=service.extract_date, by=by,
                              long_term_days=long_term_days,
                              staff_keys=service.staff_keys("staff_spells", "absence_episodes"))
