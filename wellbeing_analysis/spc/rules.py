"""Making Data Count special-cause rules, each a small pure function on numpy arrays.

Every rule returns a *signed* flag per point: +1 flagged as unusually high (or part of a
rising trend), -1 unusually low (or falling), 0 not flagged. The rules and their
precedence follow NHSRplotthedots (``ptd_calculate_point_type``) and NHS England's
'Making Data Count' guidance; docs/spc.md states them.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from wellbeing_analysis.constants import (
    MDC_SHIFT_POINTS,
    MDC_TREND_POINTS,
    MDC_TWO_OF_THREE_COUNT,
    MDC_TWO_OF_THREE_WINDOW,
)
from wellbeing_analysis.spc.labels import OUTSIDE, SHIFT, TREND, TWO_IN_THREE


def run_lengths(values: np.ndarray) -> np.ndarray:
    """Length of the run of equal consecutive values that each element belongs to.

    ``[1, 1, -1, 0, 0, 0] -> [2, 2, 1, 3, 3, 3]`` (NaN never equals NaN, so it is a run of 1).
    """
    values = np.asarray(values)
    if values.size == 0:
        return np.zeros(0, dtype=int)
    starts = np.r_[True, values[1:] != values[:-1]]
    ids = np.cumsum(starts) - 1
    return np.bincount(ids)[ids]


def relative_to_centre(y: np.ndarray, centre: np.ndarray | float) -> np.ndarray:
    """sign(y - centre): +1 above, -1 below, 0 exactly on the centre line (NHSRplotthedots
    ``relative_to_mean``)."""
    return np.sign(np.asarray(y, dtype=float) - centre)


def outside_limits(
    y: np.ndarray, lower: np.ndarray | float, upper: np.ndarray | float
) -> np.ndarray:
    """Rule 1: a point strictly above the upper (+1) or below the lower (-1) process limit.

    A point equal to a limit is not outside (NHSRplotthedots: ``y > upl | y < lpl``);
    missing limits flag nothing.
    """
    y = np.asarray(y, dtype=float)
    return np.where(y > upper, 1, np.where(y < lower, -1, 0)).astype(np.int8)


def close_to_limits(
    y: np.ndarray,
    lower: np.ndarray | float,
    upper: np.ndarray | float,
    near_lower: np.ndarray | float,
    near_upper: np.ndarray | float,
) -> np.ndarray:
    """True for a point beyond a 'near' limit but not outside the process limits.

    Near limits are mean ± (2/3 × 2.66) × mean(MR) on XmR charts, centre ± 2σ on attribute
    charts (NHSRplotthedots ``close_to_limits``).
    """
    y = np.asarray(y, dtype=float)
    outside = outside_limits(y, lower, upper) != 0
    return ~outside & ((y < near_lower) | (y > near_upper))


def trend(y: np.ndarray, n_points: int = MDC_TREND_POINTS) -> np.ndarray:
    """Rule 2: points in a run of ``n_points`` or more, each strictly above (or below) the last.

    That is ``n_points - 1`` successive differences of the same strict sign; a tie (equal
    neighbours) breaks the run (NHSRplotthedots ``ptd_seven_point_trend``). A point joining a
    rising and a falling trend takes the direction of the trend to its right, as
    NHSRplotthedots does.
    """
    y = np.asarray(y, dtype=float)
    if y.size < n_points:
        return np.zeros(y.size, dtype=np.int8)
    d = np.sign(np.diff(y))
    in_trend = np.where((d != 0) & (run_lengths(d) >= n_points - 1), d, 0)
    left = np.r_[0, in_trend]
    right = np.r_[in_trend, 0]
    return np.where(right != 0, right, left).astype(np.int8)


def two_in_three(
    close: np.ndarray,
    rtm: np.ndarray,
    window: int = MDC_TWO_OF_THREE_WINDOW,
    count: int = MDC_TWO_OF_THREE_COUNT,
) -> np.ndarray:
    """Rule 3: in a window of ``window`` consecutive points, at least ``count`` are close to
    a limit and all ``window`` lie on the same side of the mean; only the close points of
    such a window are flagged (NHSRplotthedots ``ptd_two_in_three``).
    """
    close = np.asarray(close, dtype=bool)
    rtm = np.asarray(rtm, dtype=float)
    if close.size == 0:
        return np.zeros(0, dtype=np.int8)
    pad = np.zeros(window - 1)
    c = np.r_[pad, close.astype(float), pad]
    r = np.r_[pad, rtm, pad]
    # Window j of the padded arrays covers original points j - (window - 1) .. j; padding
    # makes partial windows fail the all-same-side test.
    qualifies = (sliding_window_view(c, window).sum(axis=1) >= count) & (
        np.abs(sliding_window_view(r, window).sum(axis=1)) == window
    )
    in_window = sliding_window_view(qualifies, window).any(axis=1)
    return np.where(close & in_window, np.sign(rtm), 0).astype(np.int8)


def shift(rtm: np.ndarray, n_points: int = MDC_SHIFT_POINTS) -> np.ndarray:
    """Rule 4: ``n_points`` or more consecutive points on the same side of the mean; a point
    exactly on the mean breaks the run (NHSRplotthedots ``ptd_seven_point_one_side_mean``)."""
    rtm = np.asarray(rtm, dtype=float)
    return np.where((rtm != 0) & (run_lengths(rtm) >= n_points), np.sign(rtm), 0).astype(np.int8)


def mdc_rules(
    y: np.ndarray,
    centre: np.ndarray | float,
    lower: np.ndarray | float,
    upper: np.ndarray | float,
    near_lower: np.ndarray | float,
    near_upper: np.ndarray | float,
) -> dict[str, np.ndarray]:
    """The Making Data Count rule set: signed flags per rule, in order of precedence
    (outside a limit, trend, two of three close to a limit, shift)."""
    rtm = relative_to_centre(y, centre)
    close = close_to_limits(y, lower, upper, near_lower, near_upper)
    return {
        OUTSIDE: outside_limits(y, lower, upper),
        TREND: trend(y, MDC_TREND_POINTS),
        TWO_IN_THREE: two_in_three(close, rtm),
        SHIFT: shift(rtm, MDC_SHIFT_POINTS),
    }
