"""Interval statistics for survey results (pure functions): Cronbach's alpha, t and Wilson
intervals, Welch's difference of means."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from wellbeing_analysis.constants import CONFIDENCE_LEVEL


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of a response x item matrix.

    Formula (Cronbach 1951): ``alpha = k / (k - 1) x (1 - sum(var(item_i)) / var(total))``
    with sample variances (ddof = 1) over the responses answering every item (listwise
    deletion, our rule). NaN when there are fewer than 2 items or 2 complete responses, or
    when the total has no variance.
    """
    x = items.dropna(how="any").to_numpy(dtype=float)
    n, k = x.shape
    if k < 2 or n < 2:
        return float("nan")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def t_interval(mean, sd, n, confidence: float = CONFIDENCE_LEVEL):
    """t-based interval for a mean: ``mean ± t(1 - (1 - confidence)/2, n - 1) x sd / √n``
    (arrays welcome; NaN where n < 2)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stats.t.ppf(1 - (1 - confidence) / 2, np.where(n >= 2, n - 1, np.nan))
        half = q * np.asarray(sd, dtype=float) / np.sqrt(n)
    return np.asarray(mean) - half, np.asarray(mean) + half


def wilson_interval(successes, n, confidence: float = CONFIDENCE_LEVEL):
    """Wilson score interval for a proportion (Wilson 1927), as proportions in [0, 1]:
    ``(p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n)``; NaN where n = 0."""
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.asarray(successes, dtype=float) / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def welch_difference(m1, s1, n1, m2, s2, n2, confidence: float = CONFIDENCE_LEVEL):
    """Difference of two independent means (m2 - m1) with a Welch t interval.

    ``se = √(s1²/n1 + s2²/n2)``, Welch-Satterthwaite degrees of freedom. Anonymous survey
    waves cannot be paired, so they are treated as independent samples; when the same staff
    answer both waves this is conservative (positive correlation narrows the true interval).
    Returns (difference, low, high).
    """
    m1, s1, n1, m2, s2, n2 = (np.asarray(a, dtype=float) for a in (m1, s1, n1, m2, s2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        v1, v2 = s1**2 / n1, s2**2 / n2
        se = np.sqrt(v1 + v2)
        dof = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        q = stats.t.ppf(1 - (1 - confidence) / 2, dof)
    diff = m2 - m1
    return diff, diff - q * se, diff + q * se

