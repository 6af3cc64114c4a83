"""GLS with AR(1) errors and quasi-Poisson fitted to many series at once (one shared design,
one column of ``Y`` per series): the power planner's simulated analyses, vectorised over
series. :mod:`.glmar_many` does the same for ``quasipoisson_ar``; the single-series models
they reproduce are :mod:`.gls` and :mod:`.models` (tests/test_its_power.py compares them).
"""

from __future__ import annotations

import numpy as np

from wellbeing_analysis.constants import (
    ITS_AR_BOUND,
    ITS_SATTERTHWAITE_STEP,
    PLANNER_RHO_GRID_STEP,
)
from wellbeing_analysis.its.glmar_many import poisson_irls_many


# --------------------------------------------------------------------------- REML, vectorised
def reml_ar1_many(X: np.ndarray, Y: np.ndarray, j: int) -> tuple[np.ndarray, ...]:
    """Coefficient ``j``, its SE and Satterthwaite df for each column of ``Y`` under
    GLS with AR(1) errors estimated by REML (the model of :mod:`.gls`, for contiguous series).

    With ``R`` the AR(1) correlation matrix, ``a' R^-1 b = a_0 b_0 + (S00 - rho (S10 + S01)
    + rho^2 S11) / (1 - rho^2)`` where ``S00 = sum_(t>=1) a_t b_t``, ``S10 = sum a_(t-1) b_t``,
    ``S01 = sum a_t b_(t-1)``, ``S11 = sum a_(t-1) b_(t-1)``, and ``log|R| = (n-1) log(1-rho^2)``:
    every quadratic form is a polynomial in rho of a few lag products, so all series are
    profiled over a grid of rho at once.
    """
    n, k = X.shape
    lag = _LagProducts(X, Y)
    grid = np.arange(-ITS_AR_BOUND, ITS_AR_BOUND + 1e-12, PLANNER_RHO_GRID_STEP)
    f = lag.neg2_reml(grid)  # G x S
    i = np.clip(f.argmin(axis=0), 1, len(grid) - 2)
    cols = np.arange(f.shape[1])
    f_m, f_0, f_p = f[i - 1, cols], f[i, cols], f[i + 1, cols]
    curv = f_p - 2 * f_0 + f_m
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curv > 0, 0.5 * (f_m - f_p) / curv, 0.0)
    rho = np.clip(grid[i] + np.clip(shift, -1, 1) * PLANNER_RHO_GRID_STEP, -ITS_AR_BOUND,
                  ITS_AR_BOUND)
    h = ITS_SATTERTHWAITE_STEP
    beta, rss, M, logdet = lag.at(rho)
    _, rss_p, M_p, logdet_p = lag.at(np.clip(rho + h, -ITS_AR_BOUND, ITS_AR_BOUND))
    _, rss_m, M_m, logdet_m = lag.at(np.clip(rho - h, -ITS_AR_BOUND, ITS_AR_BOUND))
    s2 = rss / (n - k)
    v = s2 * M[:, j, j]
    # Hessian of -l_R in (log s2, rho) and the gradient of v (see the gls module docstring)
    H_ss = 0.5 * (n - k)
    H_sr = -0.5 * (rss_p - rss_m) / (2 * h) / s2
    H_rr = 0.5 * ((rss_p - 2 * rss + rss_m) / h**2 / s2 + (logdet_p - 2 * logdet + logdet_m) / h**2)
    g_s, g_r = v, s2 * (M_p[:, j, j] - M_m[:, j, j]) / (2 * h)
    det = H_ss * H_rr - H_sr**2
    with np.errstate(divide="ignore", invalid="ignore"):
        quad = (g_s**2 * H_rr - 2 * g_s * g_r * H_sr + g_r**2 * H_ss) / det
        df = 2 * v**2 / quad
    ok = (det > 0) & (H_rr > 0) & np.isfinite(df) & (df > 0) & (np.abs(rho) < ITS_AR_BOUND - 1e-3)
    df = np.where(ok, np.minimum(df, n - k), n - k)
    return beta[:, j], np.sqrt(v), df, rho


class _LagProducts:
    """Lag products of X and Y from which every AR(1) quadratic form follows."""

    def __init__(self, X: np.ndarray, Y: np.ndarray):
        self.n, self.k = X.shape
        a, b, ya, yb = X[1:], X[:-1], Y[1:], Y[:-1]
        self.xx = [np.outer(X[0], X[0]), a.T @ a, b.T @ a + a.T @ b, b.T @ b]
        self.xy = [np.outer(X[0], Y[0]), a.T @ ya, b.T @ ya + a.T @ yb, b.T @ yb]
        self.yy = [Y[0] ** 2, (ya**2).sum(0), 2 * (ya * yb).sum(0), (yb**2).sum(0)]

    @staticmethod
    def _form(parts, rho):
        r = rho.reshape(rho.shape + (1,) * parts[0].ndim)
        return parts[0] + (parts[1] - r * parts[2] + r**2 * parts[3]) / (1 - r**2)

    def neg2_reml(self, grid: np.ndarray) -> np.ndarray:
        """-2 l_R (profiled over s2) for every rho of ``grid`` (rows) and series (columns)."""
        XRX = self._form(self.xx, grid)  # G x k x k
        XRY = self._form(self.xy, grid)  # G x k x S
        yRy = self._form(self.yy, grid)  # G x S
        beta = np.linalg.solve(XRX, XRY)
        rss = yRy - np.einsum("gks,gks->gs", beta, XRY)
        df = self.n - self.k
        logdet = np.linalg.slogdet(XRX)[1]
        return (df * np.log(np.maximum(rss, 1e-300) / df)
                + ((self.n - 1) * np.log(1 - grid**2) + logdet)[:, None])

    def at(self, rho: np.ndarray):
        """Per series at its own rho: coefficients, whitened RSS, (X'R^-1X)^-1, log-dets."""
        XRX = self._form(self.xx, rho)  # S x k x k
        own = lambda p: p[0] + (p[1] - rho * p[2] + rho**2 * p[3]) / (1 - rho**2)  # noqa: E731
        XRY = own(self.xy).T  # S x k: the last axis of xy is the series
        yRy = own(self.yy)
        beta = np.linalg.solve(XRX, XRY[..., None])[..., 0]
        rss = yRy - (beta * XRY).sum(1)
        M = np.linalg.inv(XRX)
        logdet = (self.n - 1) * np.log(1 - rho**2) + np.linalg.slogdet(XRX)[1]
        return beta, rss, M, logdet


# --------------------------------------------------------------------------- quasi-Poisson
def quasipoisson_many(X: np.ndarray, Y: np.ndarray, offset: np.ndarray, j: int,
                      start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficient ``j`` and its quasi-Poisson SE for each column of ``Y`` (IRLS, vectorised).

    IRLS for the Poisson log link (:func:`.glmar_many.poisson_irls_many`); then
    ``Var(b) = phi (X'WX)^-1`` with ``phi = sum((y - mu)^2 / mu) / (n - k)`` (as statsmodels
    ``GLM.fit(scale="X2")``, before the floor at 1 that family 'quasipoisson' applies).
    """
    n, k = X.shape
    S = Y.shape[1]
    beta, mu = poisson_irls_many(X, Y, offset, start)
    XX = (X[:, :, None] * X[:, None, :]).reshape(n, k * k)
    XWX = (XX.T @ mu).T.reshape(S, k, k)
    phi = ((Y - mu) ** 2 / mu).sum(0) / (n - k)
    se = np.sqrt(phi * np.linalg.inv(XWX)[:, j, j])
    return beta[:, j], se
