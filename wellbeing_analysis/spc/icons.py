"""The Making Data Count icons: variation (the latest point's type) and assurance (can
the process meet its target?), with their plain-English text alternatives."""

from __future__ import annotations

import numpy as np

from wellbeing_analysis.spc.labels import (
    COMMON_CAUSE,
    CONCERN,
    CONSISTENT_FAIL,
    CONSISTENT_PASS,
    IMPROVEMENT,
    INCONSISTENT,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
)


def variation(point_types: np.ndarray) -> str:
    """Variation icon: the type of the last point (docs/spc.md; NHSRplotthedots icons)."""
    return str(point_types[-1]) if len(point_types) else COMMON_CAUSE


def assurance(
    target: float | None, lower: float, upper: float, improvement_direction: str
) -> str | None:
    """Assurance icon from the last group's limits (NHSRplotthedots
    ``ptd_calculate_assurance_type``): target above the upper limit - fail if higher is
    better, pass if lower is better; below the lower limit - the reverse; between or on a
    limit - inconsistent (hit and miss). None without a target, with a neutral direction,
    or without limits."""
    if target is None or improvement_direction == "neutral" or np.isnan(lower) or np.isnan(upper):
        return None
    increasing = improvement_direction == "increase"
    if target > upper:
        return CONSISTENT_FAIL if increasing else CONSISTENT_PASS
    if target < lower:
        return CONSISTENT_PASS if increasing else CONSISTENT_FAIL
    return INCONSISTENT


def point_type_text(point_type: str, improvement_direction: str) -> str:
    """Plain-English text alternative of a variation icon / point type."""
    higher_better = improvement_direction == "increase"
    if point_type == COMMON_CAUSE:
        return "Common cause variation: no significant change."
    if point_type == IMPROVEMENT:
        return ("Special cause variation - improvement: unusually "
                f"{'high' if higher_better else 'low'} values.")
    if point_type == CONCERN:
        return ("Special cause variation - concern: unusually "
                f"{'low' if higher_better else 'high'} values.")
    if point_type == NEUTRAL_HIGH:
        return "Special cause variation (neither better nor worse): unusually high values."
    if point_type == NEUTRAL_LOW:
        return "Special cause variation (neither better nor worse): unusually low values."
    raise ValueError(f"unknown point type {point_type!r}")


def assurance_text(assurance: str | None, target: float | None, reason_none: str) -> str:
    """Plain-English text alternative of an assurance icon (``reason_none`` when there is none)."""
    if assurance is None:
        return f"No assurance icon: {reason_none}."
    if assurance == CONSISTENT_PASS:
        return (f"Assurance: the process will consistently meet the target ({target:g}); "
                "the target lies outside the process limits on the passing side.")
    if assurance == CONSISTENT_FAIL:
        return (f"Assurance: the process will consistently fail the target ({target:g}) "
                "unless something changes; the target lies outside the process limits.")
    if assurance == INCONSISTENT:
        return (f"Assurance: hit and miss - the target ({target:g}) lies between the process "
                "limits, so it will sometimes be met and sometimes not.")
    raise ValueError(f"unknown assurance type {assurance!r}")
