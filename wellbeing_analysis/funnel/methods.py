"""The arithmetic of funnel plots: transformations, overdispersion (phi, tau²) and limits.

Follows Spiegelhalter, 'Funnel plots for comparing institutional performance' (Stat Med
2005;24:1185-1202) and 'Handling over-dispersion of performance indicators' (Qual Saf
Health Care 2005;14:347-351), as implemented in FunnelPlotR 0.5-0.6 (Chris Mainey, NHS-R
community; functions ``transformed_zscore``, ``winsorisation``, ``truncation``,
``phi_func``, ``tau_func`` and ``calculate_limits``). Where we differ from FunnelPlotR the
docstring says so. Everything here works on whole arrays (one element per unit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from wellbeing_analysis.constants import FUNNEL_RC_CONTINUITY, FUNNEL_SR_TARGET

#: Words for each indicator type and its transformation (used in the method text).
DATA_TYPE_TEXT = {
    "PR": ("proportion", "arcsine square-root transformation"),
    "RC": ("ratio of counts", "log transformation"),
    "SR": ("standardised ratio", "square-root transformation"),
}


def level_key(level: float) -> str:
    """Column suffix of a limit level: 95 -> '95', 99.8 -> '99_8'."""
    return f"{level:g}".replace(".", "_")


# ---------------------------------------------------------------------------
# Transformations (FunnelPlotR ``transformed_zscore``; Spiegelhalter 2005, table I)
# ---------------------------------------------------------------------------
def transform(data_type: str, numerator: np.ndarray,
              denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's indicator on the variance-stabilised scale, ``y``, and its standard error
    under the null hypothesis of no overdispersion, ``s``.

    - PR (proportion p = r/n): y = arcsin(sqrt(p)), s = 1 / (2 sqrt(n)).
    - RC (ratio of counts O/D): y = log((O + 0.5) / (D + 0.5)),
      s = sqrt(O / (O + 0.5)² + D / (D + 0.5)²) (the 0.5 lets zero counts through;
      CQC Intelligent Monitoring methodology, as FunnelPlotR).
    - SR (standardised ratio O/E): y = sqrt(O / E), s = 1 / (2 sqrt(E)) (Spiegelhalter's
      square-root transformation; FunnelPlotR ``sr_method = "CQC"``).
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    if data_type == "PR":
        return np.arcsin(np.sqrt(num / den)), 1.0 / (2.0 * np.sqrt(den))
    if data_type == "RC":
        c = FUNNEL_RC_CONTINUITY
        y = np.log((num + c) / (den + c))
        return y, np.sqrt(num / (num + c) ** 2 + den / (den + c) ** 2)
    return np.sqrt(num / den), 1.0 / (2.0 * np.sqrt(den))


def pooled_target(data_type: str, numerator: np.ndarray, denominator: np.ndarray) -> float:
    """The funnel's centre on the natural scale: sum(numerators) / sum(denominators) for
    proportions and ratios of counts (the pooled value: sum first, then divide), 1 for
    standardised ratios (FunnelPlotR)."""
    if data_type == "SR":
        return FUNNEL_SR_TARGET
    return float(np.sum(numerator) / np.sum(denominator))


def transform_target(data_type: str, target: float) -> float:
    """The target on the transformed scale: arcsin(sqrt(t)), log(t) or sqrt(t)."""
    if data_type == "PR":
        return float(np.arcsin(np.sqrt(target)))
    if data_type == "RC":
        return float(np.log(target))
    return float(np.sqrt(target))


def back_transform(data_type: str, value: np.ndarray) -> np.ndarray:
    """From the transformed scale back to the indicator's scale.

    Proportions: sin(v)² with v clamped to [0, π/2], so a limit beyond the range of the
    transformation is 0 or 1 rather than folding back (FunnelPlotR gets the same effect by
    truncating limits at [0, 1] and setting non-monotonic limits to 0 or 1 on its grid).
    Ratios of counts: exp(v). Standardised ratios: v² with v clamped at 0 (FunnelPlotR's
    CQC limits stay on the square-root scale, its open issue #33: ours are squared back).
    """
    v = np.asarray(value, dtype=float)
    if data_type == "PR":
        return np.sin(np.clip(v, 0.0, np.pi / 2)) ** 2
    if data_type == "RC":
        return np.exp(v)
    return np.clip(v, 0.0, None) ** 2


def curve_se(data_type: str, x: np.ndarray, target: float, rc_limit_se: str) -> np.ndarray:
    """Standard error on the transformed scale of a unit whose denominator is ``x`` and
    whose indicator equals the target: the width of the funnel at ``x``.

    PR and SR: 1 / (2 sqrt(x)). RC, ``rc_limit_se="expected"`` (default): the ratio-of-counts
    standard error at the counts expected on the target, O = target·x and D = x (so the
    curve agrees with the units' z-scores). RC, ``"funnelplotr"``: 1 / (2 sqrt(x)), what
    FunnelPlotR 0.5-0.6 ``calculate_limits`` uses (it reproduces FunnelPlotR's RC curves,
    which are narrower than its own RC z-scores imply).
    """
    x = np.asarray(x, dtype=float)
    if data_type == "RC" and rc_limit_se == "expected":
        c = FUNNEL_RC_CONTINUITY
        o = target * x
        return np.sqrt(o / (o + c) ** 2 + x / (x + c) ** 2)
    return 1.0 / (2.0 * np.sqrt(x))


# ---------------------------------------------------------------------------
# Overdispersion (Spiegelhalter 2005; FunnelPlotR winsorisation/truncation/phi/tau)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Dispersion:
    """The dispersion estimate: z-scores after Winsorising or trimming (``z_used``; NaN for
    a trimmed unit), how many units entered it, phi and the DerSimonian-Laird tau²."""

    z_used: np.ndarray
    n_used: int
    phi: float
    tau2: float


def winsorise(z: np.ndarray, fraction: float) -> np.ndarray:
    """z-scores pulled in to their ``fraction`` and ``1 - fraction`` quantiles (R's default
    type-7 quantiles, numpy's 'linear'; FunnelPlotR ``winsorisation``)."""
    lo, hi = np.quantile(z, [fraction, 1.0 - fraction])
    return np.clip(z, lo, hi)


def trim(z: np.ndarray, fraction: float) -> np.ndarray:
    """z-scores with the top and bottom ``fraction`` set to NaN, NHS Digital's SHMI
    truncation as FunnelPlotR ``truncation`` does it: with k = 1/fraction groups and ranks r
    (ties averaged), a unit is kept when 0 < floor(r·k / (n + 1)) < k - 1."""
    k = 1.0 / fraction
    ranks = stats.rankdata(z, method="average")
    band = np.floor(ranks * k / (len(z) + 1))
    return np.where((band > 0) & (band < k - 1), z, np.nan)


def dispersion_ratio(z_used: np.ndarray) -> float:
    """phi = sum(z²) / n over the z-scores kept (Spiegelhalter 2005; FunnelPlotR ``phi_func``).
    Under no overdispersion n·phi is roughly chi-squared on n - 1 degrees of freedom."""
    kept = z_used[~np.isnan(z_used)]
    return float(np.sum(kept**2) / len(kept)) if len(kept) else float("nan")


def tau2_dersimonian_laird(phi: float, n: int, s: np.ndarray) -> float:
    """Between-unit variance on the transformed scale (DerSimonian & Laird 1986, as in
    Spiegelhalter 2005 and FunnelPlotR ``tau_func``):

        tau² = max(0, (n·phi - (n - 1)) / (sum(w) - sum(w²) / sum(w))),  w = 1/s²,

    and 0 when n·phi < n - 1; ``s`` are the standard errors of the n units kept."""
    if n < 2 or n * phi < n - 1:  # one unit has no between-unit variance
        return 0.0
    w = 1.0 / np.asarray(s, dtype=float) ** 2
    return float(max(0.0, (n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum())))


def estimate_dispersion(z: np.ndarray, s: np.ndarray, *, trim_method: str,
                        fraction: float) -> Dispersion:
    """Winsorise or trim the z-scores (or neither), then phi and tau² from the units kept."""
    if trim_method == "winsorise":
        z_used = winsorise(z, fraction)
    elif trim_method == "trim":
        z_used = trim(z, fraction)
    else:
        z_used = np.asarray(z, dtype=float).copy()
    kept = ~np.isnan(z_used)
    n_used = int(kept.sum())
    phi = dispersion_ratio(z_used)
    return Dispersion(z_used=z_used, n_used=n_used, phi=phi,
                      tau2=tau2_dersimonian_laird(phi, n_used, s[kept]))


# ---------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------
def z_for_level(level: float) -> float:
    """Standard normal quantile of a two-sided ``level`` (%): 95 -> 1.959964,
    99.8 -> 3.090232 (FunnelPlotR writes these rounded to 6 decimals)."""
    return float(stats.norm.ppf(1.0 - (1.0 - level / 100.0) / 2.0))


def limits_at(x: np.ndarray, *, data_type: str, target: float, level: float, adjustment: str,
              phi: float, tau2: float, rc_limit_se: str) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper ``level``% limits (natural scale, no multiplier) at denominators ``x``.

    On the transformed scale the limits are theta ± z·sd with sd = s(x) unadjusted,
    sqrt(phi)·s(x) multiplicative, sqrt(s(x)² + tau²) additive (Spiegelhalter 2005), then
    back-transformed. Unadjusted standardised ratios use exact Poisson limits instead, as
    FunnelPlotR does: chi²_{α/2}(2x) / 2x and chi²_{1-α/2}(2x + 2) / 2x times the target.
    """
    x = np.asarray(x, dtype=float)
    if data_type == "SR" and adjustment == "none":
        alpha = 1.0 - level / 100.0
        lower = stats.chi2.ppf(alpha / 2, 2 * x) / (2 * x)
        upper = stats.chi2.ppf(1 - alpha / 2, 2 * (x + 1)) / (2 * x)
        return target * lower, target * upper
    s = curve_se(data_type, x, target, rc_limit_se)
    if adjustment == "additive":
        sd = np.sqrt(s**2 + tau2)
    elif adjustment == "multiplicative":
        sd = np.sqrt(phi) * s
    else:
        sd = s
    theta = transform_target(data_type, target)
    half = z_for_level(level) * sd
    return back_transform(data_type, theta - half), back_transform(data_type, theta + half)
