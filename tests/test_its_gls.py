"""GLS with AR(p) errors by REML, checked against dense brute-force formulas and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import linalg, signal
from statsmodels.tsa.arima_process import ArmaProcess, arma_acf

from wellbeing_analysis.its.gls import ar_autocorrelation, fit_glsar, pacf_to_ar


def its_exog(n: int, t0: int) -> np.ndarray:
    t = np.arange(n, dtype=float)
    post = (t >= t0).astype(float)
    return np.column_stack([np.ones(n), t, post, (t - t0) * post])


def ar1_series(n: int, rho: float, rng) -> np.ndarray:
    u = rng.standard_normal(n)
    u[1:] *= np.sqrt(1 - rho**2)
    return signal.lfilter([1.0], [1.0, -rho], u)


def dense_R(rho: float, t: np.ndarray) -> np.ndarray:
    return rho ** np.abs(t[:, None] - t[None, :])


def dense_neg2_reml(X, y, rho, t):
    """-2 REML log-likelihood profiled over s2, from the full correlation matrix."""
    R = dense_R(rho, t)
    Ri = np.linalg.inv(R)
    XRX = X.T @ Ri @ X
    b = np.linalg.solve(XRX, X.T @ Ri @ y)
    r = y - X @ b
    n, k = X.shape
    rss = r @ Ri @ r
    return (n - k) * np.log(rss / (n - k)) + np.linalg.slogdet(R)[1] + np.linalg.slogdet(XRX)[1]


def test_pacf_to_ar_round_trip():
    phi = pacf_to_ar(np.array([0.5, -0.3]))
    np.testing.assert_allclose(ArmaProcess(np.r_[1, -phi]).pacf(3)[1:], [0.5, -0.3], atol=1e-12)
    np.testing.assert_allclose(pacf_to_ar(np.array([0.4])), [0.4])


@pytest.mark.parametrize("phi", [[0.6], [0.5, -0.2]])
def test_ar_autocorrelation(phi):
    np.testing.assert_allclose(ar_autocorrelation(np.array(phi), 10),
                               arma_acf(np.r_[1, -np.array(phi)], [1], lags=11))


def test_reml_estimate_maximises_the_dense_restricted_likelihood():
    rng = np.random.default_rng(11)
    n = 40
    X, t = its_exog(n, 20), np.arange(n)
    y = X @ [5, 0.1, -1, 0.05] + ar1_series(n, 0.5, rng)
    fit = fit_glsar(X, y, t_block=t)
    grid = np.linspace(-0.95, 0.95, 3801)
    best = grid[np.argmin([dense_neg2_reml(X, y, r, t) for r in grid])]
    assert fit.ar[0] == pytest.approx(best, abs=1e-3)


def test_gls_step_equals_statsmodels_gls_at_the_estimated_rho():
    rng = np.random.default_rng(12)
    n = 50
    X, t = its_exog(n, 25), np.arange(n)
    y = X @ [5, 0.1, -1, 0.05] + ar1_series(n, 0.6, rng)
    fit = fit_glsar(X, y, t_block=t)
    ref = sm.GLS(y, X, sigma=dense_R(fit.ar[0], t)).fit()
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-9)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov)), ref.bse, rtol=1e-9)


def test_gaps_use_the_distance_in_time():
    """Phase-in periods are left out: the correlation of two points follows their time gap."""
    rng = np.random.default_rng(13)
    t = np.r_[np.arange(20), np.arange(23, 45)]  # periods 20-22 left out
    X = its_exog(45, 23)[t]
    y = X @ [5, 0.1, -1, 0.05] + ar1_series(45, 0.5, rng)[t]
    fit = fit_glsar(X, y, t_block=t)
    ref = sm.GLS(y, X, sigma=dense_R(fit.ar[0], t)).fit()
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-9)
    grid = np.linspace(-0.95, 0.95, 1901)
    best = grid[np.argmin([dense_neg2_reml(X, y, r, t) for r in grid])]
    assert fit.ar[0] == pytest.approx(best, abs=2e-3)


def test_series_of_a_panel_are_independent_blocks():
    rng = np.random.default_rng(14)
    n = 30
    Xa = its_exog(n, 15)
    X = np.vstack([Xa, Xa])
    y = np.r_[Xa @ [5, 0.1, -1, 0], Xa @ [6, 0.2, 0, 0]] + np.r_[
        ar1_series(n, 0.4, rng), ar1_series(n, 0.4, rng)]
    fit = fit_glsar(X, y, t_block=np.arange(n), n_groups=2)
    R = dense_R(fit.ar[0], np.arange(n))
    ref = sm.GLS(y, X, sigma=linalg.block_diag(R, R)).fit()
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-9)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov)), ref.bse, rtol=1e-9)


def test_satterthwaite_df_matches_an_independent_computation():
    """Recompute df = 2 v^2 / (grad v' A grad v) in the (s2, rho) parametrisation with dense
    matrices; df does not depend on the parametrisation (delta method)."""
    rng = np.random.default_rng(15)
    n = 48
    X, t = its_exog(n, 24), np.arange(n)
    y = X @ [5, 0.1, -1, 0.05] + ar1_series(n, 0.5, rng)
    fit = fit_glsar(X, y, t_block=t)
    k = X.shape[1]

    def parts(rho):
        R = dense_R(rho, t)
        Ri = np.linalg.inv(R)
        XRX = X.T @ Ri @ X
        b = np.linalg.solve(XRX, X.T @ Ri @ y)
        r = y - X @ b
        return r @ Ri @ r, np.linalg.slogdet(R)[1] + np.linalg.slogdet(XRX)[1], np.linalg.inv(XRX)

    def f(theta):
        s2, rho = theta
        rss, logdets, _ = parts(rho)
        return 0.5 * ((n - k) * np.log(s2) + rss / s2 + logdets)

    theta = np.array([fit.sigma2, fit.ar[0]])
    h = np.array([1e-3 * fit.sigma2, 1e-3])
    H = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h[i], np.eye(2)[j] * h[j]
            H[i, j] = (f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej)
                       + f(theta - ei - ej)) / (4 * h[i] * h[j])
    A = np.linalg.inv(H)
    c = np.array([0, 0, 1.0, 0])  # the level change
    v = lambda th: th[0] * c @ parts(th[1])[2] @ c  # noqa: E731
    grad = np.array([(v(theta + np.eye(2)[i] * h[i]) - v(theta - np.eye(2)[i] * h[i])) / (2 * h[i])
                     for i in range(2)])
    expected = 2 * v(theta) ** 2 / (grad @ A @ grad)
    assert fit.satterthwaite_df(c)[0] == pytest.approx(expected, rel=1e-3)
    assert 5 < expected < n - k  # fewer df than n - k: rho is estimated


def test_rho_is_consistent_on_a_long_series():
    rng = np.random.default_rng(16)
    n = 800  # SE of the estimate ~ sqrt((1 - rho^2) / n) = 0.028
    X = its_exog(n, 400)
    y = X @ [5, 0.001, -1, 0.0] + ar1_series(n, 0.6, rng)
    assert fit_glsar(X, y, t_block=np.arange(n)).ar[0] == pytest.approx(0.6, abs=0.08)


def test_ar2_is_estimated():
    rng = np.random.default_rng(17)
    n = 600  # SE of each coefficient ~ 0.04
    X = its_exog(n, 300)
    e = ArmaProcess(np.r_[1, -0.5, 0.3]).generate_sample(n, distrvs=rng.standard_normal)
    fit = fit_glsar(X, X @ [5, 0.0, -1, 0.0] + e, t_block=np.arange(n), order=2)
    np.testing.assert_allclose(fit.ar, [0.5, -0.3], atol=0.12)
