"""Regression with AR(p) errors: GLS with the AR coefficients estimated by REML.

Model: ``y = X b + e`` with ``Cov(e) = s2 * R(phi)`` within each series, where ``R`` is the
autocorrelation matrix of a stationary AR(p) process and series (groups) are independent.
For given ``phi``, GLS is OLS on the whitened data ``L^-1 y``, ``L^-1 X`` with ``R = L L'``
(Prais-Winsten keeps the first observations in just this way; Cochrane-Orcutt drops them).

``phi`` maximises the restricted (residual) likelihood (Patterson & Thompson 1971; Harville
1977), profiled over ``s2``:

    -2 l_R(phi) = (N - k) log(s2_hat) + G log|R| + log|X' R^-1 X|,  s2_hat = RSS_w / (N - k)

with ``RSS_w`` the whitened residual sum of squares, ``N`` observations, ``k`` coefficients and
``G`` series. ``phi`` is parametrised by its partial autocorrelations (Barndorff-Nielsen &
Schou 1973; Monahan 1984), which keeps the process stationary. Inference on a contrast
``c'b`` uses ``t`` with Satterthwaite degrees of freedom (Giesbrecht & Burns 1985):

    df = 2 v^2 / (grad v' A grad v),  v(theta) = s2 * c' (X' R^-1 X)^-1 c

where ``theta = (log s2, atanh(pacf))`` and ``A`` is the inverse Hessian of ``-l_R`` at its
maximum. Turner et al. (BMC Med Res Methodol 2021;21:181) found REML with Satterthwaite
degrees of freedom gave the coverage closest to nominal among the ITS methods they compared
in short autocorrelated series; our own simulation (tests/test_its_coverage.py) agrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize
from scipy.linalg import lapack
from statsmodels.tsa.arima_process import arma_acf

from wellbeing_analysis.constants import (
    ITS_AR_BOUND,
    ITS_NEGLIGIBLE_AUTOCORRELATION,
    ITS_SATTERTHWAITE_STEP,
)


def pacf_to_ar(pacf: np.ndarray) -> np.ndarray:
    """AR coefficients from partial autocorrelations (Durbin-Levinson recursion).

    ``phi_k^(k) = pacf_k`` and ``phi_j^(k) = phi_j^(k-1) - pacf_k * phi_(k-j)^(k-1)``; any
    ``pacf`` in (-1, 1)^p gives a stationary AR(p) (Barndorff-Nielsen & Schou 1973).
    """
    phi = np.zeros(0)
    for p_k in np.asarray(pacf, dtype=float):
        phi = np.append(phi - p_k * phi[::-1], p_k)
    return phi


def ar_autocorrelation(phi: np.ndarray, max_lag: int) -> np.ndarray:
    """Autocorrelations ``r_0 .. r_max_lag`` of the stationary AR process with coefficients ``phi``.

    AR(1): ``r_k = phi^k``; higher orders via statsmodels' ``arma_acf``.
    """
    phi = np.asarray(phi, dtype=float)
    if phi.size == 1:  # the common case, in closed form (arma_acf dominates the run time)
        return phi[0] ** np.arange(max_lag + 1)
    return arma_acf(np.r_[1.0, -phi], [1.0], lags=max_lag + 1)


@dataclass(frozen=True)
class GLSARFit:
    """A fitted regression with AR(p) errors (see the module docstring for the formulas)."""

    params: np.ndarray
    cov: np.ndarray
    sigma2: float
    ar: np.ndarray
    pacf: np.ndarray
    whitened_exog: np.ndarray
    whitened_endog: np.ndarray
    at_bound: bool
    #: ``A`` (inverse Hessian of -l_R in theta) and, per theta coordinate, the derivative of
    #: ``(X' R^-1 X)^-1`` by central differences; together they give Satterthwaite's df.
    theta_cov: np.ndarray | None
    dM: np.ndarray | None
    M: np.ndarray

    def satterthwaite_df(self, contrasts: np.ndarray) -> np.ndarray:
        """Satterthwaite degrees of freedom of each row ``c`` of ``contrasts`` (m x k)."""
        L = np.atleast_2d(contrasts)
        nobs, k = self.whitened_exog.shape
        if self.theta_cov is None:  # Hessian not positive definite: fall back to N - k
            return np.full(L.shape[0], float(nobs - k))
        v = self.sigma2 * np.einsum("mi,ij,mj->m", L, self.M, L)
        grad = np.empty((L.shape[0], 1 + self.dM.shape[0]))
        grad[:, 0] = v  # dv / dlog(s2)
        grad[:, 1:] = self.sigma2 * np.einsum("mi,pij,mj->mp", L, self.dM, L)
        denom = np.einsum("mp,pq,mq->m", grad, self.theta_cov, grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = 2.0 * v**2 / denom
        # A contrast whose variance does not depend on theta is known up to s2 only: N - k.
        return np.where(np.isfinite(df) & (df > 0), np.minimum(df, nobs - k), nobs - k)


class _Problem:
    """The REML objective for one data set; ``t_blocks`` are the time indices of one series."""

    def __init__(self, exog: np.ndarray, endog: np.ndarray, t_block: np.ndarray, n_groups: int):
        self.n_groups = n_groups
        self.m = len(t_block)  # points per series
        lag = np.abs(t_block[:, None] - t_block[None, :])
        self.lag = lag.astype(int)
        self.max_lag = int(self.lag.max()) if self.m else 0
        self.gaps = np.diff(t_block)
        # Stack series as (G, m, .) so one Cholesky factor whitens all of them.
        self.X = exog.reshape(n_groups, self.m, -1)
        self.y = endog.reshape(n_groups, self.m)
        self.nobs, self.k = exog.shape

    def whiten(self, pacf: np.ndarray):
        """``L^-1 [X | y]`` for every series and ``log|R|`` of one series.

        AR(1): by its Markov property, ``e_i | e_(i-1) ~ N(a_i e_(i-1), s2 (1 - a_i^2))`` with
        ``a_i = rho^d_i`` for a time gap ``d_i``, so the whitened rows are ``z_0`` and
        ``(z_i - a_i z_(i-1)) / sqrt(1 - a_i^2)`` and ``log|R| = sum log(1 - a_i^2)``: no
        matrix factorisation (whose tiny triangular solves are slow under a threaded BLAS).
        Higher orders: the Cholesky factor of the Toeplitz correlation matrix.
        """
        stacked = np.concatenate([self.X, self.y[:, :, None]], axis=2)  # G, m, k+1
        if len(pacf) == 1:
            a = pacf[0] ** self.gaps  # m - 1 partial correlations across each gap
            scale = np.sqrt(1.0 - a**2)
            w = stacked.copy()
            w[:, 1:] = (stacked[:, 1:] - a[None, :, None] * stacked[:, :-1]) / scale[None, :, None]
            logdet_r = 2.0 * np.log(scale).sum()
        else:
            r = ar_autocorrelation(pacf_to_ar(pacf), self.max_lag)
            r[np.abs(r) < ITS_NEGLIGIBLE_AUTOCORRELATION] = 0.0  # denormals crawl in BLAS
            chol = linalg.cholesky(r[self.lag], lower=True)
            logdet_r = 2.0 * np.log(np.diag(chol)).sum()
            inv = lapack.dtrtri(chol, lower=1)[0]
            w = np.einsum("ij,gjc->gic", inv, stacked)
        w = w.reshape(-1, self.k + 1)
        return w[:, : self.k], w[:, self.k], logdet_r

    def profile(self, pacf: np.ndarray):
        Xw, yw, logdet_r = self.whiten(pacf)
        XtX = Xw.T @ Xw
        chol = linalg.cho_factor(XtX, check_finite=False)
        beta = linalg.cho_solve(chol, Xw.T @ yw, check_finite=False)
        resid = yw - Xw @ beta
        rss = float(resid @ resid)
        logdet_xx = 2.0 * np.log(np.diag(chol[0])).sum()
        return rss, logdet_r, logdet_xx, beta, Xw, yw, chol

    def neg2_reml_profiled(self, pacf: np.ndarray) -> float:
        rss, logdet_r, logdet_xx, *_ = self.profile(pacf)
        df = self.nobs - self.k
        # a floor keeps a perfect fit (rss = 0) finite; the checks report it
        return df * np.log(max(rss, 1e-300) / df) + self.n_groups * logdet_r + logdet_xx

    def neg_reml(self, theta: np.ndarray) -> float:
        """``-l_R`` (up to a constant) at ``theta = (log s2, atanh(pacf))``, not profiled."""
        pacf = np.tanh(theta[1:])
        rss, logdet_r, logdet_xx, *_ = self.profile(pacf)
        log_s2 = theta[0]
        return 0.5 * (
            (self.nobs - self.k) * log_s2 + rss * np.exp(-log_s2)
            + self.n_groups * logdet_r + logdet_xx
        )

    def xtx_inverse(self, z: np.ndarray) -> np.ndarray:
        Xw, _, _ = self.whiten(np.tanh(z))
        return np.linalg.inv(Xw.T @ Xw)


def _hessian(f, x: np.ndarray, h: float) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` with step ``h``."""
    d = len(x)
    H = np.empty((d, d))
    f0 = f(x)
    eye = np.eye(d) * h
    for i in range(d):  # (p + 1) <= 4 coordinates: a tiny loop over parameters, not data
        H[i, i] = (f(x + eye[i]) - 2 * f0 + f(x - eye[i])) / h**2
        for j in range(i):
            H[i, j] = H[j, i] = (
                f(x + eye[i] + eye[j]) - f(x + eye[i] - eye[j])
                - f(x - eye[i] + eye[j]) + f(x - eye[i] - eye[j])
            ) / (4 * h**2)
    return H


def fit_glsar(
    exog: np.ndarray,
    endog: np.ndarray,
    *,
    t_block: np.ndarray,
    n_groups: int = 1,
    order: int = 1,
    start_pacf: np.ndarray | None = None,
    satterthwaite: bool = True,
) -> GLSARFit:
    """Fit ``y = X b + e`` with AR(``order``) errors by REML (formulas in the module docstring).

    Rows are ``n_groups`` series stacked one after another, each observed at the time indices
    ``t_block`` (gaps, e.g. excluded phase-in months, are allowed: the correlation between two
    points depends on their distance in time). ``satterthwaite=False`` skips the derivatives
    behind the degrees of freedom (inner iterations of :mod:`.glmar` need the estimates only).
    """
    problem = _Problem(np.asarray(exog, float), np.asarray(endog, float), np.asarray(t_block),
                       n_groups)
    bound = ITS_AR_BOUND
    if order == 1:
        res = optimize.minimize_scalar(
            lambda r: problem.neg2_reml_profiled(np.array([r])),
            bounds=(-bound, bound), method="bounded", options={"xatol": 1e-7},
        )
        pacf = np.array([res.x])
    else:
        z0 = np.arctanh(np.clip(start_pacf if start_pacf is not None else np.zeros(order),
                                -0.9, 0.9))
        lim = np.arctanh(bound)
        res = optimize.minimize(
            lambda z: problem.neg2_reml_profiled(np.tanh(z)), z0, method="L-BFGS-B",
            bounds=[(-lim, lim)] * order,
        )
        pacf = np.tanh(res.x)
    at_bound = bool(np.any(np.abs(pacf) > bound - 1e-3))
    rss, _, _, beta, Xw, yw, chol = problem.profile(pacf)
    sigma2 = rss / (problem.nobs - problem.k)
    M = linalg.cho_solve(chol, np.eye(problem.k), check_finite=False)

    theta_cov = dM = None
    if satterthwaite and not at_bound and sigma2 > 0:  # a perfect fit has no variance to vary
        theta = np.r_[np.log(sigma2), np.arctanh(pacf)]
        h = ITS_SATTERTHWAITE_STEP
        H = _hessian(problem.neg_reml, theta, h)
        try:
            np.linalg.cholesky(H)
            theta_cov = np.linalg.inv(H)
        except np.linalg.LinAlgError:
            theta_cov = None
        z = theta[1:]
        dM = np.stack([
            (problem.xtx_inverse(z + h * e) - problem.xtx_inverse(z - h * e)) / (2 * h)
            for e in np.eye(order)
        ])
    return GLSARFit(
        params=beta, cov=sigma2 * M, sigma2=sigma2, ar=pacf_to_ar(pacf), pacf=pacf,
        whitened_exog=Xw, whitened_endog=yw, at_bound=at_bound, theta_cov=theta_cov, dM=dM,
        M=M,
    )
