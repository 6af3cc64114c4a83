"""Workforce metrics: the monthly indicator table (headcount, FTE, sickness absence,
starters, leavers, turnover, stability) for the service and by team or staff group, the
window summaries the reports show, and the domain rules they rest on.

- :mod:`.rules`: continuous periods of service and voluntary leaving (shared with validation);
- :mod:`.monthly`: the monthly table and window summaries;
- :mod:`.windows`: the counts of people behind window figures (for disclosure control).
"""

from wellbeing_analysis.workforce.monthly import (
    CORE_COLUMNS,
    GROUP_COLUMNS,
    GROUP_ONLY_COLUMNS,
    absence_by_reason,
    episode_segments,
    leavers_by,
    leavers_by_length_of_service,
    leavers_in_window,
    monthly_indicators,
    prepare_spells,
    service_monthly_indicators,
    window_summary,
)
from wellbeing_analysis.workforce.rules import employment_periods, is_voluntary
from wellbeing_analysis.workforce.windows import staff_absent

__all__ = [
    "CORE_COLUMNS", "GROUP_COLUMNS", "GROUP_ONLY_COLUMNS", "absence_by_reason",
    "employment_periods", "episode_segments", "is_voluntary", "leavers_by",
    "leavers_by_length_of_service", "leavers_in_window", "monthly_indicators",
    "prepare_spells", "service_monthly_indicators", "staff_absent", "window_summary",
]
