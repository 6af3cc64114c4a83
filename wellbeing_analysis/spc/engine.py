"""Computing one group (a facet's rebase group): limits, rule flags, labels and point types.

Pure functions on numpy arrays, shared by :func:`~wellbeing_analysis.spc.spc` and by the
false-signal simulations (which call :func:`evaluate_group` directly, without DataFrames).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wellbeing_analysis.spc import attribute, labels
from wellbeing_analysis.spc.rules import close_to_limits, mdc_rules, relative_to_centre
from wellbeing_analysis.spc.run_rules import RuleOutcome, anhoej_rules, ihi_rules
from wellbeing_analysis.spc.xmr import Limits, xmr_limits

#: Direction of improvement as a sign (NHSRplotthedots: increase 1, neutral 0, decrease -1).
DIRECTION_SIGN = {"increase": 1, "neutral": 0, "decrease": -1}


@dataclass
class GroupResult:
    """Per-point arrays of one group plus the rule set's chart-level signals and notes."""

    columns: dict[str, np.ndarray]
    outcome: RuleOutcome


def group_limits(
    y: np.ndarray,
    n: np.ndarray | None,
    *,
    chart: str,
    fix_after_n_points: int | None,
    screen_outliers: bool,
) -> Limits:
    """Centre line and limits of one group for ``chart`` (run charts: median, no limits)."""
    if chart == "xmr":
        return xmr_limits(y, fix_after_n_points=fix_after_n_points, screen_outliers=screen_outliers)
    if chart == "run":
        # Run chart centre line: the median of the baseline points (Perla 2011; qicharts2).
        return Limits(float(np.median(y[:fix_after_n_points])), np.nan, np.nan, np.nan, np.nan)
    if chart == "p":
        return attribute.p_limits(y, n, baseline=fix_after_n_points)
    if chart == "u":
        return attribute.u_limits(y, n, baseline=fix_after_n_points)
    if chart == "c":
        return attribute.c_limits(y, baseline=fix_after_n_points)
    if chart in ("pprime", "uprime"):
        return attribute.laney_limits(y, n, kind=chart[0], baseline=fix_after_n_points,
                                      screen_outliers=screen_outliers)
    raise ValueError(f"unknown chart {chart!r}")  # options are validated before this


def apply_rule_set(rules: str, y: np.ndarray, lim: Limits, *, has_limits: bool) -> RuleOutcome:
    """Run the named rule set on one group."""
    if rules == "mdc":
        return RuleOutcome(mdc_rules(y, lim.centre, lim.lower, lim.upper,
                                     lim.near_lower, lim.near_upper))
    if rules == "anhoej":
        if has_limits:
            return anhoej_rules(y, lim.centre, lim.lower, lim.upper)
        return anhoej_rules(y, lim.centre)
    if rules == "ihi":
        return ihi_rules(y, lim.centre)
    raise ValueError(f"unknown rule set {rules!r}")


def label_points(
    flags: dict[str, np.ndarray], *, rule_set: str, centre_name: str
) -> tuple[np.ndarray, np.ndarray]:
    """(special_cause_type label, signal direction) per point, taking the first rule in
    order of precedence that flags the point; unflagged points are 'Common Cause', 0."""
    size = len(next(iter(flags.values()))) if flags else 0
    label = np.full(size, labels.COMMON_CAUSE_LABEL, dtype=object)
    direction = np.zeros(size, dtype=np.int8)
    for rule in reversed(list(flags)):  # lowest precedence first, overwritten by higher ones
        f = flags[rule]
        for sign in (1, -1):
            hit = f == sign
            if hit.any():
                label[hit] = labels.special_cause_label(rule, sign, rule_set, centre_name)
                direction[hit] = sign
    return label, direction


def point_types(direction: np.ndarray, improvement_direction: str) -> np.ndarray:
    """Point type = signal direction × improvement direction (NHSRplotthedots ``ptd_point_type``):
    improvement / concern, or neutral high / low when neither direction is better."""
    direction = np.asarray(direction)
    sign = DIRECTION_SIGN[improvement_direction]
    if sign == 0:
        choices = [labels.NEUTRAL_HIGH, labels.NEUTRAL_LOW]
        return np.select([direction > 0, direction < 0], choices,
                         labels.COMMON_CAUSE).astype(object)
    oriented = direction * sign
    return np.select([oriented > 0, oriented < 0], [labels.IMPROVEMENT, labels.CONCERN],
                     labels.COMMON_CAUSE).astype(object)


def evaluate_group(
    y: np.ndarray,
    n: np.ndarray | None = None,
    *,
    chart: str = "xmr",
    rules: str = "mdc",
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    improvement_direction: str = "increase",
) -> GroupResult:
    """Limits, rule flags, labels and point types of one group of points (in x order)."""
    y = np.asarray(y, dtype=float)
    lim = group_limits(y, n, chart=chart, fix_after_n_points=fix_after_n_points,
                       screen_outliers=screen_outliers)
    has_limits = chart != "run"
    outcome = apply_rule_set(rules, y, lim, has_limits=has_limits)
    centre_name = "Median" if chart == "run" else "CL"
    label, direction = label_points(outcome.points, rule_set=rules, centre_name=centre_name)
    size = y.size
    columns: dict[str, np.ndarray] = {
        "centre": np.full(size, lim.centre),
        "lpl": np.broadcast_to(lim.lower, size).astype(float),
        "upl": np.broadcast_to(lim.upper, size).astype(float),
        "near_lpl": np.broadcast_to(lim.near_lower, size).astype(float),
        "near_upl": np.broadcast_to(lim.near_upper, size).astype(float),
        "rtm": relative_to_centre(y, lim.centre),
        "outside": (np.asarray(y > lim.upper) | np.asarray(y < lim.lower)) & has_limits,
        "close": (close_to_limits(y, lim.lower, lim.upper, lim.near_lower, lim.near_upper)
                  if has_limits else np.zeros(size, dtype=bool)),
    }
    columns |= {f"signal_{rule}": flags for rule, flags in outcome.points.items()}
    columns |= {
        "special_cause": direction != 0,
        "special_cause_type": label,
        "signal_direction": direction,
        "point_type": point_types(direction, improvement_direction),
    }
    return GroupResult(columns, outcome)


def episodes(flags: np.ndarray) -> list[tuple[int, int, int]]:
    """Consecutive points flagged with the same sign: (first index, last index, sign)."""
    flags = np.asarray(flags)
    if flags.size == 0:
        return []
    starts = np.flatnonzero(np.r_[True, flags[1:] != flags[:-1]])
    ends = np.r_[starts[1:], flags.size] - 1
    keep = flags[starts] != 0
    return list(zip(starts[keep].tolist(), ends[keep].tolist(), flags[starts][keep].tolist(),
                    strict=True))
