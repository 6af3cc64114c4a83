"""The SPC vocabulary: point types, icon values, rule names and their labels, named once.

Point-type and icon values are NHSRplotthedots' (they are part of the ``wellbeing spc
--json`` contract); the ``special_cause_type`` labels of the Making Data Count rules are the
ones NHSRplotthedots prints (``ptd_special_cause_type``).
"""

from __future__ import annotations

from wellbeing_analysis.constants import (
    IHI_SHIFT_POINTS,
    IHI_TREND_POINTS,
    MDC_SHIFT_POINTS,
    MDC_TREND_POINTS,
    MDC_TWO_OF_THREE_COUNT,
    MDC_TWO_OF_THREE_WINDOW,
)

# Point types (NHSRplotthedots `point_type`), also the values of the variation icon.
COMMON_CAUSE = "common_cause"
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
NEUTRAL_HIGH = "special_cause_neutral_high"
NEUTRAL_LOW = "special_cause_neutral_low"
POINT_TYPES: tuple[str, ...] = (COMMON_CAUSE, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW)

# Assurance icon values (NHSRplotthedots `assurance_type`); None when there is none.
CONSISTENT_PASS = "consistent_pass"
CONSISTENT_FAIL = "consistent_fail"
INCONSISTENT = "inconsistent"
ASSURANCE_TYPES: tuple[str, ...] = (CONSISTENT_PASS, CONSISTENT_FAIL, INCONSISTENT)

#: Label of a point no rule flags.
COMMON_CAUSE_LABEL = "Common Cause"

# Rule names: the keys of the per-point signal columns (``signal_<rule>``) and of the
# signals table. Chart-level rules (a whole group, no single point) are listed apart.
OUTSIDE = "outside"
TREND = "trend"
TWO_IN_THREE = "two_in_three"
SHIFT = "shift"
LONG_RUN = "long_run"
FEW_CROSSINGS = "few_crossings"
TOO_FEW_RUNS = "too_few_runs"
TOO_MANY_RUNS = "too_many_runs"
CHART_LEVEL_RULES: tuple[str, ...] = (FEW_CROSSINGS, TOO_FEW_RUNS, TOO_MANY_RUNS)

#: Rules of each named rule set, in order of precedence (the first that flags a point names it).
RULE_SET_RULES: dict[str, tuple[str, ...]] = {
    "mdc": (OUTSIDE, TREND, TWO_IN_THREE, SHIFT),
    "anhoej": (OUTSIDE, LONG_RUN, FEW_CROSSINGS),
    "ihi": (SHIFT, TREND, TOO_FEW_RUNS, TOO_MANY_RUNS),
}

RULE_SET_NAMES: dict[str, str] = {
    "mdc": "Making Data Count rules",
    "anhoej": "Anhøj rules",
    "ihi": "IHI run chart rules",
}

CHART_NAMES: dict[str, str] = {
    "xmr": "XmR chart",
    "run": "run chart",
    "p": "P chart",
    "u": "U chart",
    "c": "C chart",
    "pprime": "Laney P′ chart",
    "uprime": "Laney U′ chart",
}

#: What each chart is, in plain words (named on every chart and in report text).
CHART_DESCRIPTIONS: dict[str, str] = {
    "xmr": "XmR chart: each value, with limits from the average change between neighbours",
    "run": "run chart: each value around the median, with no process limits",
    "p": "P chart: a proportion, with limits from the binomial distribution",
    "u": "U chart: a rate, with limits from the Poisson distribution",
    "c": "C chart: a count, with limits from the Poisson distribution",
    "pprime": "Laney P′ chart: a proportion, with limits widened for the variation seen "
              "between points",
    "uprime": "Laney U′ chart: a rate, with limits widened for the variation seen between "
              "points",
}


def special_cause_label(rule: str, direction: int, rule_set: str, centre_name: str) -> str:
    """The ``special_cause_type`` label of a point flagged by ``rule`` going ``direction`` (±1).

    Making Data Count labels are NHSRplotthedots' own ('Above UCL', '7 Point Trend
    (Increasing)', '2 in 3 Below CL', '7 Points Above CL'); run-chart labels are ours.
    """
    side = "Above" if direction > 0 else "Below"
    creasing = "Increasing" if direction > 0 else "Decreasing"
    if rule == OUTSIDE:
        return "Above UCL" if direction > 0 else "Below LCL"
    if rule_set == "mdc":
        if rule == TREND:
            return f"{MDC_TREND_POINTS} Point Trend ({creasing})"
        if rule == TWO_IN_THREE:
            return f"{MDC_TWO_OF_THREE_COUNT} in {MDC_TWO_OF_THREE_WINDOW} {side} CL"
        if rule == SHIFT:
            return f"{MDC_SHIFT_POINTS} Points {side} CL"
    if rule == SHIFT:
        return f"Shift ({IHI_SHIFT_POINTS}+ Points {side} {centre_name})"
    if rule == TREND:
        return f"Trend ({IHI_TREND_POINTS}+ Points {creasing})"
    if rule == LONG_RUN:
        return f"Long Run {side} {centre_name}"
    raise ValueError(f"no per-point label for rule {rule!r}")  # a bug, not a user error
