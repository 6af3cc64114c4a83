"""XmR (individuals and moving range) limits with Making Data Count semantics.

Source: NHSRplotthedots ``ptd_spc_standard`` and NHS England 'Making Data Count':
process limits are mean ± 2.66 × mean(MR) - exactly 2.66, not 3/1.128 = 2.6596 as in
qicharts2 and PowerBI-SPC - with moving ranges at or above 3.267 × mean(MR) screened out
(once) before the mean is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wellbeing_analysis.constants import MR_SCREEN_FACTOR, XMR_LIMIT_FACTOR, XMR_NEAR_LIMIT_FRACTION


@dataclass(frozen=True)
class Limits:
    """Centre line and limits of one group; arrays are per point (scalars broadcast)."""

    centre: float
    lower: np.ndarray | float
    upper: np.ndarray | float
    near_lower: np.ndarray | float
    near_upper: np.ndarray | float


def moving_ranges(y: np.ndarray) -> np.ndarray:
    """MR_i = |y_i - y_(i-1)| for i = 2..n (never across a rebase: pass one group at a time)."""
    return np.abs(np.diff(np.asarray(y, dtype=float)))


def mean_moving_range(y: np.ndarray, *, screen_outliers: bool = True) -> float:
    """Mean moving range, optionally screened: drop MR_i >= 3.267 × mean(MR), recompute once.

    3.267 is D4 for subgroups of two (NHSRplotthedots ``screen_outliers``, on by default; the
    Making Data Count Excel tool does not screen). When every MR is 0 the mean is 0 and the
    limits collapse onto the mean (NHSRplotthedots would return NaN limits here).
    """
    mr = moving_ranges(y)
    if mr.size == 0:
        raise ValueError("a moving range needs at least two points")
    amr = float(mr.mean())
    if screen_outliers and amr > 0:
        amr = float(mr[mr < MR_SCREEN_FACTOR * amr].mean())
    return amr


def xmr_limits(
    y: np.ndarray, *, fix_after_n_points: int | None = None, screen_outliers: bool = True
) -> Limits:
    """XmR centre line and limits of one group.

    centre = mean of the first ``fix_after_n_points`` values (all when None);
    limits = centre ± 2.66 × mean(MR) over the same points; near limits = centre ±
    (2/3 × 2.66) × mean(MR). Source: NHSRplotthedots ``ptd_spc_standard``.
    """
    base = np.asarray(y, dtype=float)[:fix_after_n_points]
    centre = float(base.mean())
    amr = mean_moving_range(base, screen_outliers=screen_outliers)
    half = XMR_LIMIT_FACTOR * amr
    near = XMR_NEAR_LIMIT_FRACTION * XMR_LIMIT_FACTOR * amr
    return Limits(centre, centre - half, centre + half, centre - near, centre + near)
