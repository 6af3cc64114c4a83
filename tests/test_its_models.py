"""Each family against direct statsmodels fits and hand computations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from wellbeing_analysis.its import fit_its


@pytest.fixture
def counts() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    n = 48
    t = np.arange(n)
    exposure = rng.uniform(5000, 7000, n)
    mu = exposure * 0.05 * np.exp(0.003 * t - 0.1 * (t >= 24)) * rng.gamma(20, 1 / 20, n)
    return pd.DataFrame({"t": t, "lost": rng.poisson(mu).astype(float), "avail": exposure})


def its_X(n: int, t0: int) -> np.ndarray:
    t = np.arange(n, dtype=float)
    post = (t >= t0).astype(float)
    return np.column_stack([np.ones(n), t, post, (t - t0) * post])


@pytest.mark.parametrize("family", ["poisson", "quasipoisson"])
def test_glm_families_equal_statsmodels(counts, family):
    r = fit_its(counts, time="t", outcome="lost", interruptions=24, family=family, offset="avail")
    ref = sm.GLM(counts["lost"], its_X(48, 24), family=sm.families.Poisson(),
                 offset=np.log(counts["avail"])).fit(
        scale="X2" if family == "quasipoisson" else None)
    np.testing.assert_allclose(r.coefficients["estimate"], ref.params, rtol=1e-8)
    np.testing.assert_allclose(r.coefficients["std_error"], ref.bse, rtol=1e-6)
    assert r.dispersion == pytest.approx(ref.pearson_chi2 / 44, rel=1e-10)
    # GLM intervals use the normal quantile
    np.testing.assert_allclose(r.coefficients["ci_lower"], ref.conf_int()[0], rtol=1e-6)
    assert np.isinf(r.coefficients["df"]).all()


def test_negative_binomial_equals_statsmodels(counts):
    r = fit_its(counts, time="t", outcome="lost", interruptions=24, family="negbin",
                offset="avail")
    ref = sm.NegativeBinomial(counts["lost"], its_X(48, 24),
                              offset=np.log(counts["avail"])).fit(disp=0, maxiter=300)
    np.testing.assert_allclose(r.coefficients["estimate"], np.asarray(ref.params)[:-1], rtol=1e-4)
    np.testing.assert_allclose(r.coefficients["std_error"], np.asarray(ref.bse)[:-1], rtol=1e-3)
    assert r.model.nb_alpha == pytest.approx(np.asarray(ref.params)[-1], rel=1e-3)
    mu = ref.predict()
    x2 = (((counts["lost"] - mu) ** 2) / (mu + np.asarray(ref.params)[-1] * mu**2)).sum()
    assert r.dispersion == pytest.approx(x2 / 44, rel=1e-3)


def test_ols_dispersion_is_the_residual_variance():
    rng = np.random.default_rng(22)
    data = pd.DataFrame({"t": np.arange(30), "y": rng.normal(size=30)})
    r = fit_its(data, time="t", outcome="y", interruptions=15, family="ols")
    ref = sm.OLS(data["y"], its_X(30, 15)).fit()
    assert r.dispersion == pytest.approx(ref.scale)
    np.testing.assert_allclose(r.coefficients["p_value"], ref.pvalues, rtol=1e-8)


def test_hac_lag_zero_is_whites_hc1_as_stata_newey_lag0():
    rng = np.random.default_rng(23)
    data = pd.DataFrame({"t": np.arange(30), "y": rng.normal(size=30) * np.linspace(1, 3, 30)})
    r = fit_its(data, time="t", outcome="y", interruptions=15, hac_lags=0, family="ols")
    ref = sm.OLS(data["y"], its_X(30, 15)).fit(cov_type="HC1")
    np.testing.assert_allclose(r.coefficients["std_error"], ref.bse, rtol=1e-10)


def _two_series(rng, n=30, t0=15):
    X = its_X(n, t0)
    a = X @ [10, 0.2, -2, -0.1] + rng.normal(size=n)
    b = X @ [8, 0.1, 0.5, 0.05] + rng.normal(size=n)
    return pd.DataFrame({"t": np.r_[np.arange(n), np.arange(n)], "y": np.r_[a, b],
                         "unit": ["A"] * n + ["B"] * n})


def test_controlled_its_difference_equals_separate_fits():
    """With one comparison, the pooled interaction model's treated-minus-comparison terms
    equal the differences of the two single-series OLS fits."""
    data = _two_series(np.random.default_rng(24))
    r = fit_its(data, time="t", outcome="y", interruptions=15, group="unit", treated="A", family="ols")
    fa = fit_its(data[data.unit == "A"], time="t", outcome="y", interruptions=15, family="ols")
    fb = fit_its(data[data.unit == "B"], time="t", outcome="y", interruptions=15, family="ols")
    assert r.level_change.estimate == pytest.approx(
        fa.level_change.estimate - fb.level_change.estimate, rel=1e-10)
    assert r.slope_change.estimate == pytest.approx(
        fa.slope_change.estimate - fb.slope_change.estimate, rel=1e-10)
    assert r.post_trend.estimate == pytest.approx(fa.post_trend.estimate, rel=1e-10)


def test_controlled_its_with_several_comparisons_uses_their_mean():
    rng = np.random.default_rng(25)
    frames = [_two_series(rng).assign(unit=lambda d, i=i: d["unit"] + str(i)) for i in range(2)]
    data = pd.concat(frames, ignore_index=True)  # A0 treated; B0, A1, B1 comparisons
    r = fit_its(data, time="t", outcome="y", interruptions=15, group="unit", treated="A0", family="ols")
    comp = data[data.unit != "A0"].groupby("t", as_index=False)["y"].mean()
    fa = fit_its(data[data.unit == "A0"], time="t", outcome="y", interruptions=15, family="ols")
    fc = fit_its(comp, time="t", outcome="y", interruptions=15, family="ols")
    assert r.level_change.estimate == pytest.approx(
        fa.level_change.estimate - fc.level_change.estimate, rel=1e-9)


def test_controlled_newey_west_sums_within_series():
    """HAC covariance by hand: Bartlett-weighted sums of x_t e_t within each series, scaled by
    n / (n - k) (Stata newey on panel data)."""
    data = _two_series(np.random.default_rng(26))
    L = 2
    r = fit_its(data, time="t", outcome="y", interruptions=15, group="unit", treated="A",
                hac_lags=L, family="ols")
    X = r.design.X
    e = r._prepared.y - X @ r.model.params
    n, k = X.shape
    meat = np.zeros((k, k))
    for g in range(2):  # two series, in stacked order
        u = X[g * 30:(g + 1) * 30] * e[g * 30:(g + 1) * 30, None]
        meat += u.T @ u
        for lag in range(1, L + 1):
            w = 1 - lag / (L + 1)
            g_l = u[lag:].T @ u[:-lag]
            meat += w * (g_l + g_l.T)
    bread = np.linalg.inv(X.T @ X)
    cov = bread @ meat @ bread * n / (n - k)
    np.testing.assert_allclose(r.coefficients["std_error"], np.sqrt(np.diag(cov)), rtol=1e-10)


def test_no_statsmodels_warnings_leak_to_the_user(counts):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for family in ("poisson", "quasipoisson", "negbin", "glsar", "ols"):
            kw = {"offset": "avail"} if family not in ("ols", "glsar") else {}
            fit_its(counts, time="t", outcome="lost", interruptions=24, family=family, **kw)


def test_negative_binomial_without_overdispersion_is_poisson():
    """With underdispersed counts the NB2 likelihood falls as alpha leaves 0, so the ML
    estimate is the Poisson fit (statsmodels' NB cannot invert its Hessian there)."""
    rng = np.random.default_rng(27)
    n = 40
    lost = np.round(rng.normal(400, 5, n))  # variance far below the mean
    data = pd.DataFrame({"t": np.arange(n), "lost": lost, "avail": np.full(n, 8000.0)})
    nb = fit_its(data, time="t", outcome="lost", interruptions=20, family="negbin",
                 offset="avail")
    po = fit_its(data, time="t", outcome="lost", interruptions=20, family="poisson",
                 offset="avail")
    pd.testing.assert_frame_equal(nb.coefficients, po.coefficients)
    assert nb.model.nb_alpha == 0.0
    assert any("reduces to Poisson" in w for w in nb.warnings)


# ---------------------------------------------------------------------------
# Quasi-Poisson: the dispersion floor and one dispersion per series
# ---------------------------------------------------------------------------
def underdispersed(n: int = 48, seed: int = 27) -> pd.DataFrame:
    """Counts closer to their means than Poisson counts would be (X2/df well below 1)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    mu = 40 * np.exp(0.004 * t)
    return pd.DataFrame({"t": t, "y": np.round(mu + rng.uniform(-2, 2, n)), "e": 1.0})


@pytest.mark.parametrize("family", ["quasipoisson", "quasipoisson_ar"])
def test_dispersion_is_floored_at_one(family):
    data = underdispersed()
    r = fit_its(data, time="t", outcome="y", interruptions=24, family=family, offset="e")
    poisson = fit_its(data, time="t", outcome="y", interruptions=24, family="poisson",
                      offset="e")
    assert r.dispersion < 0.5  # estimated below 1 ...
    assert r.model.scale == 1.0  # ... but the intervals use 1: never narrower than Poisson's
    if family == "quasipoisson":
        np.testing.assert_allclose(r.coefficients["std_error"],
                                   poisson.coefficients["std_error"], rtol=1e-10)
    assert r.to_dict()["scale"] == 1.0


def two_series_counts(seed: int = 28) -> pd.DataFrame:
    """A Poisson treated series and a comparison with dispersion about 10."""
    rng = np.random.default_rng(seed)
    n = 40
    t = np.arange(n)
    step = np.where(t >= 20, 0.85, 1.0)
    a = rng.poisson(300 * step).astype(float)
    b = rng.poisson(3000 * rng.gamma(30, 1 / 30, n)).astype(float)
    return pd.DataFrame({"t": np.r_[t, t], "y": np.r_[a, b], "e": 1.0,
                         "unit": ["A"] * n + ["B"] * n})


def test_controlled_quasipoisson_has_a_dispersion_per_series():
    """Without shared terms the per-series model is the two separate fits: the difference in
    level change has SE sqrt(se_A^2 + se_B^2) with each series' own (floored) dispersion; one
    pooled dispersion would inflate the treated series' share."""
    data = two_series_counts()
    kw = dict(time="t", outcome="y", interruptions=20, family="quasipoisson", offset="e")
    r = fit_its(data, group="unit", treated="A", **kw)
    fa = fit_its(data[data.unit == "A"], **kw)
    fb = fit_its(data[data.unit == "B"], **kw)
    assert r.model.dispersion_by_series == pytest.approx((fa.dispersion, fb.dispersion),
                                                         rel=1e-6)
    assert fb.dispersion > 5 * max(fa.dispersion, 1)
    expected = np.hypot(fa.level_change.std_error, fb.level_change.std_error)
    assert r.level_change.std_error == pytest.approx(expected, rel=1e-6)
    assert r.level_change.estimate == pytest.approx(
        fa.level_change.estimate - fb.level_change.estimate, rel=1e-8)
    pooled = np.sqrt(r.dispersion / r.model.scale) * r.level_change.std_error
    assert abs(pooled - expected) / expected > 0.2  # pooling would have been far off


def test_controlled_quasipoisson_ar_has_a_dispersion_per_series():
    data = two_series_counts(29)
    r = fit_its(data, time="t", outcome="y", interruptions=20, family="quasipoisson_ar",
                offset="e", group="unit", treated="A")
    phi_a, phi_b = r.model.dispersion_by_series
    assert phi_a < 2.5 and phi_b > 4
    assert "dispersion per series" in r.model.method


# ---------------------------------------------------------------------------
# Quasi-Poisson with AR(1) errors, by hand
# ---------------------------------------------------------------------------
def test_quasipoisson_ar_solves_its_estimating_equation_and_uses_the_gls_covariance():
    """At convergence X' W^(1/2) R^-1 W^(-1/2) (y - mu) = 0 (R the AR(1) correlation at the
    REML estimate) and Cov(b) = max(phi, 1) (X*' R^-1 X*)^-1 with X* = W^(1/2) X."""
    rng = np.random.default_rng(30)
    n = 60
    t = np.arange(n)
    u = np.zeros(n)
    for i in range(1, n):  # an AR(1) frailty (a loop over 60 simulated months)
        u[i] = 0.6 * u[i - 1] + rng.normal(0, 0.1)
    y = rng.poisson(5000 * 0.045 * np.exp(u - 0.15 * (t >= 36))).astype(float)
    data = pd.DataFrame({"t": t, "y": y, "e": 5000.0})
    r = fit_its(data, time="t", outcome="y", interruptions=36, family="quasipoisson_ar",
                offset="e")
    X = its_X(n, 36)
    b = r.model.params
    mu = 5000 * np.exp(X @ b)
    rho = r.model.ar[0]
    R = rho ** np.abs(t[:, None] - t[None, :])
    Ri = np.linalg.inv(R)
    score = X.T @ (np.sqrt(mu) * (Ri @ ((y - mu) / np.sqrt(mu))))
    assert np.abs(score).max() < 1e-4 * np.abs(X.T @ y).max()
    Xs = np.sqrt(mu)[:, None] * X
    resid = (y - mu) / np.sqrt(mu)
    L = np.linalg.cholesky(Ri)
    phi = float(((L.T @ resid) @ (L.T @ resid)) / (n - 4))
    assert r.model.dispersion == pytest.approx(phi, rel=1e-4)
    cov = max(phi, 1.0) * np.linalg.inv(Xs.T @ Ri @ Xs)
    np.testing.assert_allclose(r.model.cov, cov, rtol=1e-4)
    assert 0.2 < rho < 0.9  # the AR(1) frailty is seen
    assert np.isfinite(r.model.df(np.eye(4))).all()  # Satterthwaite, not the normal


def test_quasipoisson_ar_on_the_sicily_data_is_close_to_quasipoisson(reference_dir):
    """The Sicily residuals are barely autocorrelated: the AR model changes little."""
    sicily = pd.read_csv(reference_dir / "its" / "sicily.csv")
    kw = dict(time="time", outcome="aces", interruptions=37, offset="stdpop",
              season_col="month", harmonics=2)
    ar = fit_its(sicily, family="quasipoisson_ar", **kw).level_change
    qp = fit_its(sicily, family="quasipoisson", **kw).level_change
    assert ar.ratio == pytest.approx(qp.ratio, abs=0.01)
    assert ar.std_error == pytest.approx(qp.std_error, rel=0.25)


def test_glsar_is_the_default_family():
    rng = np.random.default_rng(31)
    data = pd.DataFrame({"t": np.arange(40), "y": rng.normal(size=40)})
    assert fit_its(data, time="t", outcome="y", interruptions=20).family == "glsar"


@pytest.mark.parametrize("n, warned", [(48, True), (100, False)])
def test_newey_west_on_a_short_series_is_flagged(n, warned):
    rng = np.random.default_rng(32)
    data = pd.DataFrame({"t": np.arange(n), "y": rng.normal(size=n)})
    r = fit_its(data, time="t", outcome="y", interruptions=n // 2, family="ols", hac_lags=2)
    assert any("Newey-West standard errors on a series of" in w for w in r.warnings) == warned
    assert r.checks()["newey_west_length"].passed != warned
