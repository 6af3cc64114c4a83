"""The family ``quasipoisson_ar`` (:mod:`.glmar`) fitted to many simulated series at once,
with the evaluation's headline test: for the power planner.

Every series shares one design ``X`` (``n`` contiguous periods, AR(1) errors) and offset; each
has its own counts (columns of ``Y``). The algorithm is :mod:`.glmar`'s, vectorised over
series: IRLS from Poisson estimates, each step a GLS fit of the working model
``sqrt(mu) z = sqrt(mu) X b + e`` with the AR(1) coefficient by REML. For AR(1) every
quadratic form ``a' R^-1 b`` is ``a_0 b_0 + (S11 - rho (S01 + S10) + rho^2 S00) / (1 - rho^2)``
in four lag products of the series (as :func:`.gls_many.reml_ar1_many`), so the REML criterion

    -2 l_R(rho) = (n - k) log(RSS(rho) / (n - k)) + (n - 1) log(1 - rho^2) + log|X*' R^-1 X*|

is evaluated for all series together: on a grid of ``rho`` (step PLANNER_RHO_COARSE_STEP),
then by Brent's method in the bracket around each series' best grid point; later IRLS
steps search near the previous estimate. The
headline is the cumulative relative effect over the post rows ``sum(mu) / sum(mu_cf) - 1``;
its log has the delta-method variance ``g' V g`` with ``V = max(phi, 1) (X*' R^-1 X*)^-1``
and Satterthwaite degrees of freedom computed as in :mod:`.gls` (derivatives in
``(log s2, rho)`` by central differences). This reproduces
``fit_its(..., family='quasipoisson_ar').cumulative_effect()`` up to the optimiser's
tolerance (tests/test_its_power.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wellbeing_analysis.constants import (
    ITS_AR_BOUND,
    ITS_GLMAR_MAX_ITER,
    ITS_SATTERTHWAITE_STEP,
    PLANNER_GLMAR_TOL,
    PLANNER_IRLS_MAX_ITER,
    PLANNER_IRLS_TOL,
    PLANNER_RHO_COARSE_STEP,
    PLANNER_RHO_MAX_STEPS,
    PLANNER_RHO_TOL,
    PLANNER_RHO_WARM_HALF_WIDTH,
)

_MAX_ETA = 700.0
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0  # the golden section's larger part, 0.618...


def poisson_irls_many(X: np.ndarray, Y: np.ndarray, offset: np.ndarray,
                      start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson GLM coefficients (S x k) and means (n x S) of every column of ``Y`` by IRLS:
    ``b <- (X'WX)^-1 X'W z`` with ``W = mu``, ``z = eta - offset + (y - mu) / mu``."""
    n, k = X.shape
    S = Y.shape[1]
    XX = (X[:, :, None] * X[:, None, :]).reshape(n, k * k)  # rows of x x'
    beta = np.tile(start, (S, 1))
    for _ in range(PLANNER_IRLS_MAX_ITER):  # iterations of the algorithm, all series at once
        eta = np.clip(X @ beta.T + offset[:, None], -_MAX_ETA, _MAX_ETA)
        mu = np.exp(eta)
        z = eta - offset[:, None] + (Y - mu) / mu
        XWX = (XX.T @ mu).T.reshape(S, k, k)
        XWz = (X.T @ (mu * z)).T
        new = np.linalg.solve(XWX, XWz[..., None])[..., 0]
        done = np.abs(new - beta).max() < PLANNER_IRLS_TOL
        beta = new
        if done:
            break
    mu = np.exp(np.clip(X @ beta.T + offset[:, None], -_MAX_ETA, _MAX_ETA))
    return beta, mu


class _Forms:
    """AR(1) quadratic forms of stacked per-series matrices ``Z = [X* | z*]`` (S x n x k+1)."""

    def __init__(self, Z: np.ndarray):
        self.S, self.n, kk = Z.shape
        self.k = kk - 1
        a, b = Z[:, 1:], Z[:, :-1]
        at, bt = a.transpose(0, 2, 1), b.transpose(0, 2, 1)  # batched matmul uses BLAS
        cross = bt @ a
        parts = (Z[:, 0, :, None] * Z[:, 0, None, :], at @ a, cross + cross.transpose(0, 2, 1),
                 bt @ b)
        # S x (k+1)^2 x 4: a form is then one batched matrix-vector product (below)
        self.parts = np.stack([part.reshape(self.S, kk * kk) for part in parts], axis=2)

    def forms(self, rho: np.ndarray) -> np.ndarray:
        """``F = [X* z*]' R^-1 [X* z*]`` at each series' ``rho`` (S x k+1 x k+1):
        ``P0 + (P1 - rho P2 + rho^2 P3) / (1 - rho^2)``."""
        c = 1 / (1 - rho**2)
        coef = np.stack([np.ones_like(rho), c, -rho * c, rho**2 * c], axis=1)
        kk = self.k + 1
        return (self.parts @ coef[:, :, None]).reshape(len(rho), kk, kk)

    def at(self, rho: np.ndarray):
        """Per series at its own ``rho``: coefficients, RSS, X*'R^-1X*, log|X*'R^-1X*|, ok."""
        F = self.forms(rho)
        k = self.k
        XRX, XRz, zRz = F[:, :k, :k], F[:, :k, k], F[:, k, k]
        sign, logdet = np.linalg.slogdet(XRX)
        ok = (sign > 0) & np.isfinite(logdet)
        XRX = np.where(ok[:, None, None], XRX, np.eye(k))
        beta = np.linalg.solve(XRX, XRz[..., None])[..., 0]
        rss = zRz - (beta * XRz).sum(-1)
        return beta, rss, XRX, np.where(ok, logdet, 0.0), ok

    def neg2_reml(self, rho: np.ndarray) -> np.ndarray:
        """-2 l_R at each series' ``rho``. With ``F = [X* z*]' R^-1 [X* z*] = L L'`` (Cholesky),
        ``log|X*'R^-1X*| = 2 sum_(i<k) log L_ii`` and ``RSS = L_kk^2`` (the Schur complement), so
        one batched factorisation gives the criterion."""
        F = self.forms(rho)
        k, df = self.k, self.n - self.k
        try:
            L = np.linalg.cholesky(F)
        except np.linalg.LinAlgError:  # a degenerate series: fall back to the slow path
            _, rss, _, logdet, ok = self.at(rho)
            f = df * np.log(np.maximum(rss, 1e-300) / df) + (self.n - 1) * np.log1p(-rho**2)
            return np.where(ok, f + logdet, np.inf)
        d = np.diagonal(L, axis1=1, axis2=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            logdet = 2 * np.log(d[:, :k]).sum(1)
            f = (df * np.log(np.maximum(d[:, k] ** 2, 1e-300) / df)
                 + (self.n - 1) * np.log1p(-rho**2) + logdet)
        return np.where(np.isfinite(f), f, np.inf)

    def reml_rho(self, around: np.ndarray | None = None) -> np.ndarray:
        """REML estimate of rho per series: a grid, then a search in the bracket around the
        best grid point (or, given ``around``, within the warm half-width of it)."""
        half = PLANNER_RHO_COARSE_STEP
        if around is None:
            grid = np.arange(-ITS_AR_BOUND, ITS_AR_BOUND + 1e-12, half)
            f = np.stack([self.neg2_reml(np.full(self.S, g)) for g in grid])  # a few dozen
            best = f.argmin(axis=0)
            around, f_mid = grid[best], f[best, np.arange(self.S)]
        else:
            half = PLANNER_RHO_WARM_HALF_WIDTH
            f_mid = self.neg2_reml(around)
        lo = np.maximum(around - half, -ITS_AR_BOUND)
        hi = np.minimum(around + half, ITS_AR_BOUND)
        return self._bracketed_minimum(lo, around.copy(), hi, f_mid)

    def _bracketed_minimum(self, a: np.ndarray, x: np.ndarray, b: np.ndarray,
                           fx: np.ndarray) -> np.ndarray:
        """Minimise -2 l_R within [a, b] for every series at once, from the point ``x`` (with
        value ``fx``), by Brent's method (Brent 1973, ch. 5; as scipy's ``brent``):
        parabolic steps through the three best points, a golden-section step whenever the
        parabola's step is not trusted. Stops at a bracket narrower than PLANNER_RHO_TOL."""
        S = self.S
        w, v, fw, fv = x.copy(), x.copy(), fx.copy(), fx.copy()
        d = np.zeros(S)
        e = np.zeros(S)  # the step before last
        for _ in range(PLANNER_RHO_MAX_STEPS):
            m = 0.5 * (a + b)
            tol1 = PLANNER_RHO_TOL / 4 + 1e-12
            active = np.abs(x - m) > 2 * tol1 - 0.5 * (b - a)
            if not active.any():
                break
            # a parabola through (v, fv), (w, fw), (x, fx)
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = 2 * (q - r)
            p = np.where(q > 0, -p, p)
            q = np.abs(q)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = p / q
            use_parabola = ((np.abs(e) > tol1) & (np.abs(p) < np.abs(0.5 * q * e))
                            & (p > q * (a - x)) & (p < q * (b - x)))
            golden_e = np.where(x >= m, a - x, b - x)
            e = np.where(use_parabola, d, golden_e)
            d = np.where(use_parabola, step, (1 - _GOLDEN) * golden_e)
            # never evaluate within tol1 of x, nor of the bracket's ends
            u0 = x + d
            near_end = (u0 - a < 2 * tol1) | (b - u0 < 2 * tol1)
            d = np.where(use_parabola & near_end, np.where(x < m, tol1, -tol1), d)
            d = np.where(np.abs(d) >= tol1, d, np.where(d >= 0, tol1, -tol1))
            u = np.where(active, x + d, x)
            fu = np.full(S, np.inf)
            fu[active] = self.subset(active).neg2_reml(u[active])
            better = active & (fu <= fx)
            worse = active & ~better
            # the bracket shrinks to the side of the new best point
            a = np.where(better & (u >= x), x, np.where(worse & (u < x), u, a))
            b = np.where(better & (u < x), x, np.where(worse & (u >= x), u, b))
            shift_w = worse & ((fu <= fw) | (w == x))
            shift_v = worse & ~shift_w & ((fu <= fv) | (v == x) | (v == w))
            v, fv = (np.where(better | shift_w, w, np.where(shift_v, u, v)),
                     np.where(better | shift_w, fw, np.where(shift_v, fu, fv)))
            w, fw = (np.where(better, x, np.where(shift_w, u, w)),
                     np.where(better, fx, np.where(shift_w, fu, fw)))
            x, fx = np.where(better, u, x), np.where(better, fu, fx)
        return x

    def subset(self, keep: np.ndarray) -> _Forms:
        """The forms of the series ``keep`` (a boolean mask) only."""
        out = object.__new__(_Forms)
        out.S, out.n, out.k = int(keep.sum()), self.n, self.k
        out.parts = self.parts[keep]
        return out


@dataclass(frozen=True)
class HeadlineMany:
    """Per simulated series: the headline (log of the cumulative rate ratio) and the facts
    the fit checks need."""

    log_ratio: np.ndarray
    std_error: np.ndarray
    df: np.ndarray
    rho: np.ndarray
    dispersion: np.ndarray
    level_se: np.ndarray  # standard error of the level change (log scale)
    mu_min_fraction: np.ndarray  # smallest fitted count / mean count (separation)
    cf_rate: tuple[np.ndarray, np.ndarray]  # smallest and largest counterfactual rate after
    finite: np.ndarray
    converged: np.ndarray


def glmar_headline_many(X: np.ndarray, X_cf: np.ndarray, Y: np.ndarray, offset: np.ndarray,
                        post: np.ndarray, level: int, start: np.ndarray) -> HeadlineMany:
    """Fit ``quasipoisson_ar`` (AR(1)) to every column of ``Y`` and test its headline (see the
    module docstring). ``post`` marks the rows the cumulative effect sums over; ``level`` is
    the column of the level change. Series that diverge (e.g. a segment without events) come
    back non-finite or unconverged, for the checks to reject, never with a warning."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _glmar_headline_many(X, X_cf, Y, offset, post, level, start)


def _glmar_headline_many(X, X_cf, Y, offset, post, level, start) -> HeadlineMany:
    n, k = X.shape
    S = Y.shape[1]
    beta, mu = poisson_irls_many(X, Y, offset, start)
    converged = np.zeros(S, dtype=bool)
    rho = None

    def forms(idx):
        """Working-model forms of the series ``idx`` at the current coefficients."""
        m = mu[:, idx].T  # s x n
        w = np.sqrt(m)
        z = (X @ beta[idx].T).T + (Y[:, idx].T - m) / m
        Z = np.concatenate([w[:, :, None] * X[None], (w * z)[:, :, None]], axis=2)
        return _Forms(Z)

    active = np.arange(S)
    for _ in range(ITS_GLMAR_MAX_ITER):  # IRLS steps, the unsettled series at once
        f = forms(active)
        r = f.reml_rho(None if rho is None else rho[active])
        if rho is None:
            rho = np.zeros(S)
        rho[active] = r
        new, *_ = f.at(r)
        step = np.abs(new - beta[active]).max(axis=1)
        beta[active] = new
        mu[:, active] = np.exp(np.clip(X @ new.T + offset[:, None], -_MAX_ETA, _MAX_ETA))
        done = ~(step >= PLANNER_GLMAR_TOL)  # NaN steps stop too (and fail the checks)
        converged[active[done & np.isfinite(step)]] = True
        active = active[~done]
        if active.size == 0:
            break
    f = forms(np.arange(S))
    rho = f.reml_rho(rho)  # at the settled means: the last estimate's neighbourhood
    beta, rss, XRX, logdet, ok = f.at(rho)
    M = np.linalg.inv(XRX)
    s2 = rss / (n - k)
    scale = np.maximum(s2, 1.0)
    mu = np.exp(np.clip(X @ beta.T + offset[:, None], -_MAX_ETA, _MAX_ETA))  # n x S
    cf = np.exp(np.clip(X_cf @ beta.T + offset[:, None], -_MAX_ETA, _MAX_ETA))
    mp, cp = mu[post], cf[post]
    log_ratio = np.log(mp.sum(0)) - np.log(cp.sum(0))
    g = ((mp.T @ X[post]) / mp.sum(0)[:, None] - (cp.T @ X_cf[post]) / cp.sum(0)[:, None])
    gMg = np.einsum("si,sij,sj->s", g, M, g)
    se = np.sqrt(scale * gMg)
    df = _satterthwaite(f, rho, s2, g, M, rss, logdet)
    rate_cf = cp / np.exp(offset[post])[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_y = Y.mean(0)
        mu_min = np.where(mean_y > 0, mu.min(0) / mean_y, 0.0)
    finite = (ok & np.isfinite(beta).all(1) & np.isfinite(M).all((1, 2)) & np.isfinite(se)
              & np.isfinite(log_ratio))
    return HeadlineMany(log_ratio=log_ratio, std_error=se, df=df, rho=rho, dispersion=s2,
                        level_se=np.sqrt(scale * M[:, level, level]), mu_min_fraction=mu_min,
                        cf_rate=(rate_cf.min(0), rate_cf.max(0)), finite=finite,
                        converged=converged)


def _satterthwaite(f: _Forms, rho, s2, g, M, rss, logdet) -> np.ndarray:
    """Satterthwaite df of ``v = s2 g' M g`` per series (formula in :mod:`.gls`)."""
    n, k = f.n, f.k
    h = ITS_SATTERTHWAITE_STEP
    rp = np.clip(rho + h, -ITS_AR_BOUND, ITS_AR_BOUND)
    rm = np.clip(rho - h, -ITS_AR_BOUND, ITS_AR_BOUND)
    _, rss_p, XRX_p, ld_p, _ = f.at(rp)
    _, rss_m, XRX_m, ld_m, _ = f.at(rm)
    M_p, M_m = np.linalg.inv(XRX_p), np.linalg.inv(XRX_m)
    full = lambda r, ld: (n - 1) * np.log1p(-r**2) + ld  # noqa: E731 - log|R| + log|X'R^-1X|
    v = s2 * np.einsum("si,sij,sj->s", g, M, g)
    H_ss = 0.5 * (n - k)
    H_sr = -0.5 * (rss_p - rss_m) / (2 * h) / s2
    H_rr = 0.5 * ((rss_p - 2 * rss + rss_m) / h**2 / s2
                  + (full(rp, ld_p) - 2 * full(rho, logdet) + full(rm, ld_m)) / h**2)
    g_s = v
    g_r = s2 * np.einsum("si,sij,sj->s", g, (M_p - M_m) / (2 * h), g)
    det = H_ss * H_rr - H_sr**2
    with np.errstate(divide="ignore", invalid="ignore"):
        quad = (g_s**2 * H_rr - 2 * g_s * g_r * H_sr + g_r**2 * H_ss) / det
        df = 2 * v**2 / quad
    good = ((det > 0) & (H_rr > 0) & np.isfinite(df) & (df > 0)
            & (np.abs(rho) < ITS_AR_BOUND - 1e-3))
    return np.where(good, np.minimum(df, n - k), n - k)
