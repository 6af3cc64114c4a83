"""Effects of the intervention: linear contrasts, the counterfactual, horizons, cumulative sums.

With coefficient estimates ``b`` and covariance ``V``:

- a contrast ``c'b`` has standard error ``sqrt(c' V c)`` and interval ``c'b -/+ q se`` with
  ``q`` the ``t`` quantile (OLS: ``n - k`` df; GLS: Satterthwaite df) or the normal one (GLMs);
  on the log link, ``exp`` of the estimate and interval is a rate ratio;
- the counterfactual is the fitted model with every intervention term set to zero (the
  pre-existing trend continued; for a controlled ITS, with the comparison's changes kept),
  ``mu_cf = g^-1(x_cf' b + offset)``; its band is ``g^-1(x_cf' b -/+ q se)``;
- the effect at a period is ``mu - mu_cf`` in outcome units (with the period's own exposure on
  the log link, e.g. days lost avoided), with a delta-method interval (gradient ``d mu / d b``
  = ``x`` for the identity link, ``mu x`` for the log link); the relative effect is
  ``mu / mu_cf - 1``: ``exp((x - x_cf)' b) - 1`` on the log link (interval by transforming
  the interval of ``(x - x_cf)' b``), by the delta method on the identity link;
- the cumulative effect over a window is ``sum(mu - mu_cf)`` by the delta method, and its
  relative form ``sum(mu) / sum(mu_cf) - 1`` by the delta method on the log of the ratio,
  whose ``t`` (or ``z``) test gives ``relative_p_value`` (the intervention evaluation's
  headline test).

The delta method: ``Var(f(b)) ~ grad f' V grad f`` (e.g. Oehlert, Am Stat 1992). All results
are deterministic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from wellbeing_analysis.constants import CONFIDENCE_LEVEL
from wellbeing_analysis.its.models import ModelFit


def quantile(df: np.ndarray) -> np.ndarray:
    """Two-sided critical value at CONFIDENCE_LEVEL: t(df), or normal where df is infinite."""
    p = 0.5 + CONFIDENCE_LEVEL / 2
    df = np.asarray(df, float)
    return np.where(np.isinf(df), stats.norm.ppf(p), stats.t.ppf(p, np.where(np.isinf(df), 1, df)))


def p_value(stat: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided p-value of a t (finite df) or z (infinite df) statistic."""
    df = np.asarray(df, float)
    stat = np.abs(np.asarray(stat, float))
    return np.where(np.isinf(df), 2 * stats.norm.sf(stat),
                    2 * stats.t.sf(stat, np.where(np.isinf(df), 1, df)))


@dataclass(frozen=True)
class Estimate:
    """One reported quantity with its standard error, confidence interval and p-value.

    On the log link ``estimate`` is on the log scale and ``ratio`` = exp(estimate).
    """

    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    p_value: float
    df: float
    ratio: float | None = None
    ratio_ci_lower: float | None = None
    ratio_ci_upper: float | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["df"] = None if not np.isfinite(self.df) else self.df
        return {k: v for k, v in d.items() if v is not None or k == "df"}


def contrasts(fit: ModelFit, L: np.ndarray) -> pd.DataFrame:
    """Estimate, SE, df, CI and p of each row ``c`` of ``L`` (``c'b``), vectorised."""
    L = np.atleast_2d(L)
    est = L @ fit.params
    se = np.sqrt(np.einsum("mi,ij,mj->m", L, fit.cov, L))
    df = fit.df(L)
    q = quantile(df)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = p_value(est / se, df)
    out = pd.DataFrame({"estimate": est, "std_error": se, "df": df, "ci_lower": est - q * se,
                        "ci_upper": est + q * se, "p_value": p})
    if fit.link == "log":
        with np.errstate(over="ignore"):  # absurd fits overflow to inf; the checks flag them
            for a, b in (("ratio", "estimate"), ("ratio_ci_lower", "ci_lower"),
                         ("ratio_ci_upper", "ci_upper")):
                out[a] = np.exp(out[b].to_numpy())
    return out


def estimate(fit: ModelFit, c: np.ndarray) -> Estimate:
    """A single contrast as an :class:`Estimate`."""
    row = contrasts(fit, c).iloc[0]
    return Estimate(**{k: float(v) for k, v in row.items()})


def _mean_and_gradient(fit: ModelFit, X: np.ndarray, offset: np.ndarray | None):
    """Fitted mean of each row and its gradient with respect to the coefficients."""
    eta = X @ fit.params + (0.0 if offset is None else offset)
    if fit.link == "log":
        mu = np.exp(eta)
        return mu, mu[:, None] * X
    return eta, X


def _interval(fit: ModelFit, est: np.ndarray, grad: np.ndarray):
    """Standard error, df and critical value of a delta-method estimate with gradient rows."""
    se = np.sqrt(np.einsum("mi,ij,mj->m", grad, fit.cov, grad))
    df = fit.df(grad)
    return se, df, quantile(df)


def counterfactual_table(fit: ModelFit, X: np.ndarray, X_cf: np.ndarray,
                         offset: np.ndarray | None) -> pd.DataFrame:
    """Fitted values, counterfactual with its band, and absolute and relative effects per row."""
    with np.errstate(over="ignore", invalid="ignore"):  # absurd fits: the checks flag them
        return _counterfactual_table(fit, X, X_cf, offset)


def _counterfactual_table(fit: ModelFit, X: np.ndarray, X_cf: np.ndarray,
                          offset: np.ndarray | None) -> pd.DataFrame:
    mu, g = _mean_and_gradient(fit, X, offset)
    cf, g_cf = _mean_and_gradient(fit, X_cf, offset)
    # the counterfactual band on the link scale, then transformed
    se_link = np.sqrt(np.einsum("mi,ij,mj->m", X_cf, fit.cov, X_cf))
    q_cf = quantile(fit.df(X_cf))
    eta_cf = X_cf @ fit.params + (0.0 if offset is None else offset)
    inv = np.exp if fit.link == "log" else (lambda v: v)
    effect = mu - cf
    se, df, q = _interval(fit, effect, g - g_cf)
    out = pd.DataFrame({
        "fitted": mu, "counterfactual": cf,
        "counterfactual_lower": inv(eta_cf - q_cf * se_link),
        "counterfactual_upper": inv(eta_cf + q_cf * se_link),
        "effect": effect, "effect_std_error": se,
        "effect_lower": effect - q * se, "effect_upper": effect + q * se,
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["effect_p_value"] = p_value(effect / se, df)
    rel, rel_lo, rel_hi = _relative(fit, X - X_cf, mu, cf, g, g_cf)
    out["relative_effect"], out["relative_lower"], out["relative_upper"] = rel, rel_lo, rel_hi
    return out


def _relative(fit, D, mu, cf, g, g_cf):
    """Relative effect ``mu / cf - 1`` and its interval (see the module docstring)."""
    if fit.link == "log":
        d = D @ fit.params
        se, _, q = _interval(fit, d, D)
        return np.exp(d) - 1, np.exp(d - q * se) - 1, np.exp(d + q * se) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = mu / cf - 1
        grad = g / cf[:, None] - g_cf * (mu / cf**2)[:, None]
    se, _, q = _interval(fit, rel, np.nan_to_num(grad))
    return rel, rel - q * se, rel + q * se


def cumulative(fit: ModelFit, X: np.ndarray, X_cf: np.ndarray,
               offset: np.ndarray | None, observed: np.ndarray) -> dict:
    """Cumulative absolute and relative effect over the rows given (see the module docstring)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _cumulative(fit, X, X_cf, offset, observed)


def cumulative_path(fit: ModelFit, X: np.ndarray, X_cf: np.ndarray,
                    offset: np.ndarray | None) -> pd.DataFrame:
    """The running cumulative effect ``sum_{i<=k}(mu_i - mu_cf_i)`` after each row, with its
    delta-method interval (the gradient of a running sum is the running sum of gradients)."""
    with np.errstate(over="ignore", invalid="ignore"):
        mu, g = _mean_and_gradient(fit, X, offset)
        cf, g_cf = _mean_and_gradient(fit, X_cf, offset)
        total = np.cumsum(mu - cf)
        se, _, q = _interval(fit, total, np.cumsum(g - g_cf, axis=0))
    return pd.DataFrame({"cumulative_effect": total, "cumulative_lower": total - q * se,
                         "cumulative_upper": total + q * se})


def _cumulative(fit: ModelFit, X: np.ndarray, X_cf: np.ndarray,
                offset: np.ndarray | None, observed: np.ndarray) -> dict:
    mu, g = _mean_and_gradient(fit, X, offset)
    cf, g_cf = _mean_and_gradient(fit, X_cf, offset)
    total = float(mu.sum() - cf.sum())
    grad = (g - g_cf).sum(axis=0)
    se, df, q = (float(v[0]) for v in _interval(fit, np.array([total]), grad[None, :]))
    log_ratio = np.log(mu.sum() / cf.sum()) if mu.sum() > 0 and cf.sum() > 0 else np.nan
    g_log = g.sum(axis=0) / mu.sum() - g_cf.sum(axis=0) / cf.sum()
    se_r, df_r, q_r = (float(v[0]) for v in _interval(fit, np.array([log_ratio]),
                                                      g_log[None, :]))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = float(p_value(total / se, df))
        p_r = float(p_value(log_ratio / se_r, df_r))
    return {
        "n_periods": int(len(mu)), "observed_total": float(observed.sum()),
        "fitted_total": float(mu.sum()),
        "counterfactual_total": float(cf.sum()), "estimate": total, "std_error": se,
        "ci_lower": total - q * se, "ci_upper": total + q * se, "p_value": p,
        "relative": float(np.exp(log_ratio) - 1),
        "relative_ci_lower": float(np.exp(log_ratio - q_r * se_r) - 1),
        "relative_ci_upper": float(np.exp(log_ratio + q_r * se_r) - 1),
        "relative_p_value": p_r, "relative_df": df_r,
    }
