"""Attribute charts for counts and rates: P, U, C and Laney P′ / U′.

``y`` is the proportion (P), rate per unit (U) or count (C) of each point and ``n`` its
denominator, so the numerator is y × n. Limits are 3 sigma (Montgomery, *Introduction to
Statistical Quality Control*; qicharts2). Laney P′/U′ (Laney 2002, Quality Engineering
14:531-537) widen the limits by the between-point variation seen in the data, which plain
P/U charts ignore: with the huge denominators of sickness absence (thousands of FTE days a
month) a P chart flags almost every month.
"""

from __future__ import annotations

import numpy as np

from wellbeing_analysis.constants import D2_CONSTANT, SIGMA_LIMIT, XMR_NEAR_LIMIT_FRACTION
from wellbeing_analysis.spc.xmr import Limits, mean_moving_range


def _limits(
    centre: float, sigma: np.ndarray, *, floor: float | None, ceiling: float | None
) -> Limits:
    """centre ± 3σ clamped to [floor, ceiling]; near limits at 2/3 of the way (2σ), unclamped."""
    half = SIGMA_LIMIT * sigma
    near = XMR_NEAR_LIMIT_FRACTION * half
    lower, upper = centre - half, centre + half
    if floor is not None:
        lower = np.maximum(lower, floor)
    if ceiling is not None:
        upper = np.minimum(upper, ceiling)
    return Limits(centre, lower, upper, centre - near, centre + near)


def _weighted_centre(y: np.ndarray, n: np.ndarray, baseline: int | None) -> float:
    """Pooled centre line: sum(y × n) / sum(n) over the baseline points."""
    y, n = np.asarray(y, float)[:baseline], np.asarray(n, float)[:baseline]
    return float((y * n).sum() / n.sum())


def p_sigma(centre: float, n: np.ndarray) -> np.ndarray:
    """σ_i = sqrt(p̄ (1 - p̄) / n_i) (binomial)."""
    return np.sqrt(centre * (1 - centre) / np.asarray(n, float))


def u_sigma(centre: float, n: np.ndarray) -> np.ndarray:
    """σ_i = sqrt(ū / n_i) (Poisson)."""
    return np.sqrt(centre / np.asarray(n, float))


def p_limits(p: np.ndarray, n: np.ndarray, *, baseline: int | None = None) -> Limits:
    """P chart: p̄ ± 3 sqrt(p̄(1 - p̄)/n_i), clamped to [0, 1]; p̄ = Σ p_i n_i / Σ n_i."""
    centre = _weighted_centre(p, n, baseline)
    return _limits(centre, p_sigma(centre, n), floor=0.0, ceiling=1.0)


def u_limits(u: np.ndarray, n: np.ndarray, *, baseline: int | None = None) -> Limits:
    """U chart: ū ± 3 sqrt(ū/n_i), lower limit at least 0; ū = Σ u_i n_i / Σ n_i."""
    centre = _weighted_centre(u, n, baseline)
    return _limits(centre, u_sigma(centre, n), floor=0.0, ceiling=None)


def c_limits(c: np.ndarray, *, baseline: int | None = None) -> Limits:
    """C chart: c̄ ± 3 sqrt(c̄), lower limit at least 0; c̄ = mean count."""
    centre = float(np.asarray(c, float)[:baseline].mean())
    sigma = np.full(np.asarray(c).size, np.sqrt(centre))
    return _limits(centre, sigma, floor=0.0, ceiling=None)


def laney_sigma_z(
    y: np.ndarray, centre: float, sigma: np.ndarray, *, screen_outliers: bool = True
) -> float:
    """σ_z = mean(MR of z) / 1.128 with z_i = (y_i - CL) / σ_i (Laney 2002).

    Moving ranges of z are screened like XmR moving ranges when ``screen_outliers`` (docs/spc.md).
    Points with σ_i = 0 (p̄ of 0 or 1) have no z: σ_z is then 0.
    """
    sigma = np.asarray(sigma, float)
    if not np.all(sigma > 0):
        return 0.0
    z = (np.asarray(y, float) - centre) / sigma
    return mean_moving_range(z, screen_outliers=screen_outliers) / D2_CONSTANT


def laney_limits(
    y: np.ndarray,
    n: np.ndarray,
    *,
    kind: str,
    baseline: int | None = None,
    screen_outliers: bool = True,
) -> Limits:
    """Laney P′ (``kind='p'``) or U′ (``kind='u'``): CL ± 3 σ_i σ_z.

    CL and σ_i as for the P or U chart, σ_z from the baseline points. P′ and U′ give the
    same limits (σ_z absorbs the sqrt(1 - p̄) factor); P′ is clamped to [0, 1].
    """
    centre = _weighted_centre(y, n, baseline)
    sigma_fn = p_sigma if kind == "p" else u_sigma
    sigma = sigma_fn(centre, n)
    base = slice(None, baseline)
    sigma_z = laney_sigma_z(np.asarray(y, float)[base], centre, sigma[base],
                            screen_outliers=screen_outliers)
    return _limits(centre, sigma * sigma_z, floor=0.0, ceiling=1.0 if kind == "p" else None)
