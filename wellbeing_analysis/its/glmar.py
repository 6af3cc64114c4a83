"""Quasi-Poisson regression with AR(p) errors (family ``quasipoisson_ar``).

Model, for counts ``y_t`` with exposure ``E_t``:

    E(y_t) = mu_t = E_t exp(x_t' b),   Var(y_t) = phi mu_t,
    e_t = (y_t - mu_t) / sqrt(mu_t) (the Pearson residuals) follow a stationary AR(p) process,
    so Cov(e) = phi R(rho) within each series.

This is the marginal model of Zeger (Biometrika 1988) for a time series of counts, with the
overdispersion ``phi`` of quasi-Poisson regression (McCullagh & Nelder 1989) and an AR(p)
correlation of the months. It is fitted by iteratively reweighted GLS: at the current ``b``,
the working response ``z = eta - offset + (y - mu) / mu`` and weights ``mu`` give the
linearised model ``sqrt(mu) z = sqrt(mu) X b + e`` with ``Cov(e) = phi R(rho)``, which
:func:`~wellbeing_analysis.its.gls.fit_glsar` fits with ``rho`` and ``phi`` by REML; repeat
until ``b`` settles. At convergence ``b`` solves the estimating equation
``X' W^(1/2) R^-1 W^(-1/2) (y - mu) = 0`` (``W = diag(mu)``; Liang & Zeger 1986 with an AR
working correlation), and

    Cov(b) = max(phi, 1) (X*' R^-1 X*)^-1,   X* = W^(1/2) X,

with ``t`` inference on Satterthwaite degrees of freedom from the final GLS step (as family
``glsar``). The floor at 1 is Poisson variation, the least a count can have: intervals are
never narrower than Poisson's. REML matters on short series: the lag-1 autocorrelation of the residuals of a
regression with a trend, steps and seasons is biased towards zero by roughly ``k / n``. In our
simulation of 36 + 24-month absence series with AR(1) coefficient 0.6
(benchmarks/bench_evaluation_sim.py --candidates) this model's 95% intervals for the change
since the intervention covered the truth in 93.6% of series; quasi-Poisson with an AR(1)
sandwich variance (rho from the residuals, bias-corrected) 91.5%, with Newey-West errors
77.5%, with independent months 70.1%.

With several series (a controlled ITS) each series has its own dispersion ``phi_g`` and the
AR coefficients are shared: rows of series ``g`` are divided by ``sqrt(phi_g)``, with
``phi_g = RSS_g / (n_g - h_g)`` from the whitened residuals and leverages ``h`` of the
previous step (the ``h_g`` sum to ``k``), each floored at 1, until ``b`` settles.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from wellbeing_analysis.constants import ITS_GLMAR_MAX_ITER, ITS_GLMAR_TOL
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its.gls import GLSARFit, fit_glsar

#: Linear predictors are clipped here before exp() so that a diverging fit overflows to a
#: large finite number (which the checks flag) instead of inf.
_MAX_ETA = 700.0


@dataclass
class GLMARFit:
    """A fitted quasi-Poisson model with AR(p) errors (formulas in the module docstring)."""

    params: np.ndarray
    cov: np.ndarray
    dispersion: float  # REML phi of the single series, or the mean of the per-series ones
    dispersion_by_series: tuple[float, ...]
    gls: GLSARFit  # the final GLS step (whitened data, AR coefficients, Satterthwaite df)
    mu: np.ndarray
    converged: bool
    iterations: int
    warnings: list[str] = field(default_factory=list)

    @property
    def ar(self) -> np.ndarray:
        return self.gls.ar

    @property
    def whitened_resid(self) -> np.ndarray:
        """What the AR model leaves of the Pearson residuals (scaled by 1/sqrt(phi_g))."""
        return self.gls.whitened_endog - self.gls.whitened_exog @ self.params


def _poisson_start(X, y, offset) -> np.ndarray:
    """Poisson GLM estimates as starting values (warnings about separation are the checks'
    business, not the user's terminal)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(GLM(y, X, family=families.Poisson(), offset=offset).fit().params)


def _leverage(Xw: np.ndarray) -> np.ndarray:
    """Diagonal of the hat matrix of the whitened regression."""
    q, _ = np.linalg.qr(Xw)
    return (q**2).sum(axis=1)


def fit_quasipoisson_ar(
    X: np.ndarray,
    y: np.ndarray,
    offset: np.ndarray | None,
    *,
    t_block: np.ndarray,
    n_groups: int = 1,
    order: int = 1,
) -> GLMARFit:
    """Fit the quasi-Poisson model with AR(``order``) errors (module docstring).

    Rows are ``n_groups`` series stacked one after another, each observed at ``t_block``.
    Raises :class:`InputError` when there are no events at all or the fit breaks down
    (e.g. a segment with no events, where the rate ratio is not estimable).
    """
    X, y = np.asarray(X, float), np.asarray(y, float)
    off = np.zeros(len(y)) if offset is None else np.asarray(offset, float)
    if y.sum() <= 0:
        raise InputError("the outcome is zero in every fitted period: a count model needs "
                         "events to estimate a rate")
    m = len(t_block)
    group = np.repeat(np.arange(n_groups), m)
    beta = _poisson_start(X, y, off)
    phi_g = np.ones(n_groups)  # per-series dispersion used as weights (floored at 1)
    phi_raw = np.ones(n_groups)  # and as estimated
    pacf = None
    converged, it = False, 0
    try:
        for it in range(1, ITS_GLMAR_MAX_ITER + 1):  # IRLS iterations, not data rows
            eta = np.minimum(X @ beta + off, _MAX_ETA)
            mu = np.exp(eta)
            z = eta - off + (y - mu) / mu
            w = np.sqrt(mu / phi_g[group])
            g = fit_glsar(w[:, None] * X, w * z, t_block=t_block, n_groups=n_groups,
                          order=order, start_pacf=pacf, satterthwaite=False)
            pacf = np.clip(g.pacf, -0.9, 0.9)
            if n_groups > 1:  # per-series dispersion from the whitened residuals
                r = g.whitened_endog - g.whitened_exog @ g.params
                h = _leverage(g.whitened_exog)
                rss = np.bincount(group, weights=r**2, minlength=n_groups)
                lev = np.bincount(group, weights=h, minlength=n_groups)
                phi_raw = phi_g * rss / np.maximum(m - lev, 1e-12)
                phi_g = np.maximum(phi_raw, 1.0)
            step = np.max(np.abs(g.params - beta))
            beta = g.params
            if step < ITS_GLMAR_TOL:
                converged = True
                break
        eta = np.minimum(X @ beta + off, _MAX_ETA)
        mu = np.exp(eta)
        z = eta - off + (y - mu) / mu
        w = np.sqrt(mu / phi_g[group])
        g = fit_glsar(w[:, None] * X, w * z, t_block=t_block, n_groups=n_groups, order=order,
                      start_pacf=pacf)
    except np.linalg.LinAlgError:
        raise InputError("the quasi-Poisson model with AR errors could not be fitted: the "
                         "weighted design became singular, which happens when a segment of "
                         "the series has no events (its rate is driven to zero)") from None
    msgs = [] if converged else [
        f"the quasi-Poisson AR fit did not settle in {ITS_GLMAR_MAX_ITER} iterations (the "
        "largest coefficient step was still above the tolerance): its estimates are unreliable"]
    if g.at_bound:
        msgs.append(f"the AR coefficient estimate reached the bound (partial autocorrelations "
                    f"{np.round(g.pacf, 3).tolist()}): the errors may be non-stationary or the "
                    "trend misspecified; degrees of freedom fall back to n - k")
    if n_groups == 1:
        phi = float(g.sigma2)
        cov = g.cov * max(phi, 1.0) / phi if phi > 0 else g.cov
        by_series = (phi,)
    else:  # the scale is carried by phi_g; what REML leaves over is ~1 and floored there too
        cov = g.cov * max(g.sigma2, 1.0) / g.sigma2 if g.sigma2 > 0 else g.cov
        by_series = tuple(float(v) for v in phi_raw)
        phi = float(np.mean(by_series))
    return GLMARFit(params=g.params, cov=cov, dispersion=phi, dispersion_by_series=by_series,
                    gls=g, mu=mu, converged=converged, iterations=it, warnings=msgs)
