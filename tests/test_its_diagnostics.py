"""Residual diagnostics against statsmodels, warnings, and the autocorrelation advice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import signal, stats
from statsmodels.stats.diagnostic import acorr_breusch_godfrey, acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson
from statsmodels.tsa.stattools import acf, pacf

from wellbeing_analysis.its import fit_its
from wellbeing_analysis.its.diagnostics import autocorrelation_table, suggest_hac_lags


def series(n: int, rho: float, seed: int, level: float = -1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(n)
    u[1:] *= np.sqrt(1 - rho**2)
    t = np.arange(n)
    y = 5 + 0.01 * t + level * (t >= n // 2) + signal.lfilter([1.0], [1.0, -rho], u)
    return pd.DataFrame({"t": t, "y": y})


def test_statistics_equal_statsmodels():
    data = series(60, 0.5, seed=41)
    r = fit_its(data, time="t", outcome="y", interruptions=30, family="ols")
    d = r.diagnostics()
    e = r.model.resid
    assert d.table["lag"].tolist() == list(range(1, 13))
    np.testing.assert_allclose(d.table["acf"], acf(e, nlags=12)[1:], rtol=1e-10)
    np.testing.assert_allclose(d.table["pacf"], pacf(e, nlags=12, method="ldb")[1:], rtol=1e-8)
    lb = acorr_ljungbox(e, lags=12)
    np.testing.assert_allclose(d.table["ljung_box"], lb["lb_stat"], rtol=1e-10)
    np.testing.assert_allclose(d.table["ljung_box_p"], lb["lb_pvalue"], rtol=1e-8)
    bg = acorr_breusch_godfrey(r.model.ols_results, nlags=3, result_object=True)
    assert d.table.loc[2, "breusch_godfrey"] == pytest.approx(bg.lm)
    assert d.durbin_watson == pytest.approx(durbin_watson(e))
    assert d.ljung_box_lag == 10  # Hyndman's rule: 10, capped at n / 5 = 12


def test_max_lag_is_a_quarter_of_a_short_series():
    r = fit_its(series(24, 0.0, seed=42), time="t", outcome="y", interruptions=12, family="ols")
    assert r.diagnostics().table["lag"].max() == 6


def test_ljung_box_after_an_ar_model_loses_its_degrees_of_freedom():
    r = fit_its(series(60, 0.5, seed=43), time="t", outcome="y", interruptions=30,
                family="glsar")
    table = r.diagnostics().table
    assert np.isnan(table.loc[0, "ljung_box_p"])  # Q(1) on 1 - 1 = 0 df
    assert table.loc[4, "ljung_box_p"] == pytest.approx(stats.chi2.sf(table.loc[4, "ljung_box"],
                                                                      4))


def test_overdispersion_test():
    rng = np.random.default_rng(44)
    n = 48
    lost = rng.negative_binomial(20, 20 / (20 + 400), n).astype(float)  # mean 400, var 8400
    data = pd.DataFrame({"t": np.arange(n), "lost": lost, "avail": np.full(n, 8000.0)})
    r = fit_its(data, time="t", outcome="lost", interruptions=24, family="poisson",
                offset="avail")
    d = r.diagnostics()
    assert d.dispersion > 5
    assert d.dispersion_p == pytest.approx(stats.chi2.sf(r.model.pearson_chi2, 44))
    assert any("overdispersed" in w and "quasipoisson" in w for w in r.warnings)
    q = fit_its(data, time="t", outcome="lost", interruptions=24, family="quasipoisson",
                offset="avail")
    assert not any("overdispersed" in w for w in q.warnings)


def test_warnings_for_few_points():
    r = fit_its(series(24, 0.0, seed=45), time="t", outcome="y", interruptions=18, family="ols")
    assert any("only 6 fitted points after the change at 18" in w for w in r.warnings)
    assert not any("before" in w for w in r.warnings)


def test_autocorrelation_warning_for_classical_ols_but_not_glsar():
    data = series(72, 0.7, seed=46)
    ols = fit_its(data, time="t", outcome="y", interruptions=36, family="ols")
    assert any("autocorrelated" in w and "glsar" in w for w in ols.warnings)
    gls = fit_its(data, time="t", outcome="y", interruptions=36, family="glsar")
    assert not any("autocorrelated" in w for w in gls.warnings)


def test_too_few_hac_lags_are_flagged():
    data = series(72, 0.7, seed=46)
    r = fit_its(data, time="t", outcome="y", interruptions=36, hac_lags=0, family="ols")
    assert any("HAC lag(s) may be too few" in w for w in r.warnings)


def test_suggestions_on_ar1_errors():
    r = fit_its(series(120, 0.6, seed=47), time="t", outcome="y", interruptions=60, family="ols")
    ar = r.suggest_ar_order()
    assert ar.value == 1 and "AR(1)" in ar.reason
    hac = r.suggest_hac_lags()
    assert hac.value >= 1 and "Newey-West" in hac.reason


def test_suggestions_on_white_noise():
    r = fit_its(series(120, 0.0, seed=48), time="t", outcome="y", interruptions=60, family="ols")
    assert r.suggest_ar_order().value == 0
    assert r.suggest_hac_lags().value == 0


def test_glsar_suggestions_come_from_the_ols_residuals():
    data = series(120, 0.6, seed=47)
    gls = fit_its(data, time="t", outcome="y", interruptions=60, family="glsar")
    ols = fit_its(data, time="t", outcome="y", interruptions=60, family="ols")
    assert gls.suggest_ar_order() == ols.suggest_ar_order()


def test_unmodelled_seasonality_is_named_in_the_advice():
    n = 96
    t = np.arange(n)
    rng = np.random.default_rng(49)
    data = pd.DataFrame({"t": t, "m": t % 12 + 1,
                         "y": 5 + 2 * (t % 12 == 0) + rng.normal(0, 0.3, n)})
    table = autocorrelation_table(
        fit_its(data, time="t", outcome="y", interruptions=48, family="ols").model.resid[None, :], 12)
    advice = suggest_hac_lags(table, period=12, what="OLS residuals")
    assert advice.value == 12 and "seasonal" in advice.reason


def test_pooled_diagnostics_for_a_controlled_its():
    a, b = series(40, 0.5, seed=50), series(40, 0.5, seed=51)
    data = pd.concat([a.assign(u="a"), b.assign(u="b")], ignore_index=True)
    r = fit_its(data, time="t", outcome="y", interruptions=20, group="u", treated="a", family="ols")
    d = r.diagnostics()
    assert d.table["breusch_godfrey"].isna().all()  # single-series test only
    e = r.model.resid.reshape(2, 40)
    e = e - e.mean(axis=1, keepdims=True)
    r1 = (e[:, 1:] * e[:, :-1]).sum() / (e**2).sum()
    assert d.table.loc[0, "acf"] == pytest.approx(r1)
