"""Workforce indicators: the monthly table (headcount, FTE, sickness absence, starters,
leavers, turnover, stability) for the service and by team or staff group, breakdowns over a
report window, and the domain rules they rest on.

Definitions follow NHS Digital's sickness absence and workforce publications
(``docs/metrics.md``); each public function's docstring gives its formula.

- :mod:`.rules`: continuous periods of service and voluntary leaving (shared with
  validation, which sits below this package);
- :mod:`.monthly`: :func:`monthly_indicators`, an interval-arithmetic engine whose cost
  grows like a database query's (no spell × month or episode × day expansion);
- :mod:`.aggregate`: the same table from a trust's monthly figures (the aggregate tier);
  :mod:`.rates` holds the rate formulas both share, :mod:`.service` picks the tier;
- :mod:`.breakdowns`: spells with continuous-service flags, absence by reason, leavers,
  window summaries;
- :mod:`.windows`: the counts of people behind window figures (for disclosure control);
- :mod:`.columnar`: a compact reader for large extracts (Parquet or CSV) that feeds the
  engine with categorical codes instead of Python strings.
"""

from wellbeing_analysis.workforce.aggregate import aggregate_monthly_indicators
from wellbeing_analysis.workforce.breakdowns import (
    SERVICE_LENGTH_BANDS,
    absence_by_reason,
    episode_segments,
    leavers_by,
    leavers_by_length_of_service,
    leavers_in_window,
    prepare_spells,
    window_summary,
)
from wellbeing_analysis.workforce.monthly import (
    CORE_COLUMNS,
    GROUP_COLUMNS,
    GROUP_ONLY_COLUMNS,
    monthly_indicators,
)
from wellbeing_analysis.workforce.rules import employment_periods, is_voluntary
from wellbeing_analysis.workforce.service import service_monthly_indicators
from wellbeing_analysis.workforce.windows import from_data_start, staff_absent

__all__ = [
    "CORE_COLUMNS", "GROUP_COLUMNS",
    "aggregate_monthly_indicators", "GROUP_ONLY_COLUMNS", "SERVICE_LENGTH_BANDS",
    "absence_by_reason", "employment_periods", "episode_segments", "from_data_start",
    "is_voluntary",
    "leavers_by", "leavers_by_length_of_service", "leavers_in_window", "monthly_indicators",
    "prepare_spells", "service_monthly_indicators", "staff_absent", "window_summary",
]
