"""Counterfactual, effects at horizons and cumulative effects: hand computations and
parameter simulation as an independent check of the delta method."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its import fit_its


@pytest.fixture
def rate() -> pd.DataFrame:
    rng = np.random.default_rng(31)
    n = 40
    t = np.arange(n)
    y = 5 + 0.02 * t - 0.6 * (t >= 20) - 0.03 * np.maximum(t - 20, 0) + rng.normal(0, 0.3, n)
    return pd.DataFrame({"t": t, "y": y})


@pytest.fixture
def counts() -> pd.DataFrame:
    rng = np.random.default_rng(32)
    n = 48
    t = np.arange(n)
    avail = rng.uniform(8000, 12000, n)
    mu = avail * 0.045 * np.exp(0.002 * t - 0.12 * (t >= 24))
    return pd.DataFrame({"t": t, "lost": rng.poisson(mu).astype(float), "avail": avail})


def test_gaussian_effects_by_hand(rate):
    r = fit_its(rate, time="t", outcome="y", interruptions=20, family="ols")
    b, V = r.model.params, r.model.cov
    eff = r.effects(horizons=(0, 5, 19))
    q = stats.t.ppf(0.975, 36)
    for h, row in zip((0, 5, 19), eff.itertuples()):
        c = np.array([0, 0, 1, h])
        assert row.time == 20 + h
        assert row.effect == pytest.approx(c @ b)
        se = np.sqrt(c @ V @ c)
        assert row.effect_std_error == pytest.approx(se)
        assert row.effect_lower == pytest.approx(c @ b - q * se)
        cf = b[0] + b[1] * (20 + h)
        assert row.counterfactual == pytest.approx(cf)
        assert row.relative_effect == pytest.approx((c @ b) / cf)


def test_gaussian_relative_effect_interval_is_the_delta_method(rate):
    r = fit_its(rate, time="t", outcome="y", interruptions=20, family="ols")
    b, V = r.model.params, r.model.cov
    x = np.array([1, 30, 1, 10.0])
    x_cf = np.array([1, 30, 0, 0.0])
    g = lambda beta: (x @ beta) / (x_cf @ beta) - 1  # noqa: E731
    grad = np.array([(g(b + 1e-6 * e) - g(b - 1e-6 * e)) / 2e-6 for e in np.eye(4)])
    se = np.sqrt(grad @ V @ grad)
    row = r.effects(horizons=(10,)).iloc[0]
    assert row.relative_upper - row.relative_effect == pytest.approx(stats.t.ppf(0.975, 36) * se,
                                                                     rel=1e-5)


def test_log_link_effect_is_in_outcome_units_with_each_periods_exposure(counts):
    r = fit_its(counts, time="t", outcome="lost", interruptions=24, family="quasipoisson",
                offset="avail")
    b = r.model.params
    h = 6
    t = 24 + h
    x, x_cf = np.array([1, t, 1, h]), np.array([1, t, 0, 0.0])
    expo = counts.loc[t, "avail"]
    row = r.effects(horizons=(h,)).iloc[0]
    assert row.fitted == pytest.approx(expo * np.exp(x @ b))
    assert row.effect == pytest.approx(expo * (np.exp(x @ b) - np.exp(x_cf @ b)))
    # relative effect = exp(b2 + h b3) - 1, interval by transforming the log-scale interval
    c = np.array([0, 0, 1, h])
    se = np.sqrt(c @ r.model.cov @ c)
    assert row.relative_effect == pytest.approx(np.exp(c @ b) - 1)
    assert row.relative_lower == pytest.approx(np.exp(c @ b - 1.959964 * se) - 1, rel=1e-5)


def test_delta_method_agrees_with_parameter_simulation(counts):
    r = fit_its(counts, time="t", outcome="lost", interruptions=24, family="quasipoisson",
                offset="avail")
    rng = np.random.default_rng(33)
    draws = rng.multivariate_normal(r.model.params, r.model.cov, size=100_000)
    X, X_cf = r.design.X, r.design.X_counterfactual
    off = np.log(counts["avail"].to_numpy())
    effects = np.exp(draws @ X.T + off) - np.exp(draws @ X_cf.T + off)  # draws x periods
    row = r.effects(horizons=(12,)).iloc[0]
    assert row.effect_std_error == pytest.approx(effects[:, 36].std(), rel=0.03)
    cum = r.cumulative_effect()
    assert cum.std_error == pytest.approx(effects[:, 24:].sum(axis=1).std(), rel=0.03)


def test_cumulative_effect_sums_the_period_effects(counts):
    r = fit_its(counts, time="t", outcome="lost", interruptions=24, family="poisson",
                offset="avail")
    table = r.counterfactual()
    post = table[table["t"] >= 24]
    cum = r.cumulative_effect()
    assert cum.n_periods == 24 and cum.start == "24" and cum.stop == "47"
    assert cum.estimate == pytest.approx(post["effect"].sum())
    assert cum.observed_total == pytest.approx(post["observed"].sum())
    assert cum.relative == pytest.approx(post["fitted"].sum() / post["counterfactual"].sum() - 1)
    assert cum.ci_lower < cum.estimate < cum.ci_upper
    first6 = r.cumulative_effect(periods=6)
    assert first6.estimate == pytest.approx(post["effect"].iloc[:6].sum())
    with pytest.raises(InputError, match="exceeds the 24 fitted periods"):
        r.cumulative_effect(periods=30)


def test_counterfactual_table_is_empty_where_it_does_not_apply(rate):
    r = fit_its(rate, time="t", outcome="y", interruptions=20, phase_in=2, family="ols")
    table = r.counterfactual()
    before, phase, after = (table[table["period"] == p] for p in ("before", "phase-in", "after"))
    assert before["counterfactual"].isna().all() and before["fitted"].notna().all()
    assert phase["fitted"].isna().all() and phase["counterfactual"].notna().all()
    assert phase["effect"].isna().all() and len(phase) == 2
    assert after[["fitted", "counterfactual", "effect"]].notna().all().all()
    lo, hi = after["counterfactual_lower"], after["counterfactual_upper"]
    assert ((lo < after["counterfactual"]) & (after["counterfactual"] < hi)).all()


def test_horizons_are_checked(rate):
    r = fit_its(rate, time="t", outcome="y", interruptions=20, family="ols")
    with pytest.raises(InputError, match="horizon 25 lies beyond the data"):
        r.effects(horizons=(6, 25))
    with pytest.raises(InputError, match="whole numbers"):
        r.effects(horizons=(-1,))


def test_glsar_intervals_use_satterthwaite_df(rate):
    r = fit_its(rate, time="t", outcome="y", interruptions=20, family="glsar")
    row = r.effects(horizons=(4,)).iloc[0]
    c = np.array([0, 0, 1, 4.0])
    df = r.model.df(c)[0]
    assert df < 36
    assert row.effect_upper - row.effect == pytest.approx(stats.t.ppf(0.975, df) * row.
                                                          effect_std_error, rel=1e-8)


def test_controlled_counterfactual_keeps_the_comparisons_change():
    rng = np.random.default_rng(34)
    n = 30
    t = np.arange(n)
    shock = -1.0 * (t >= 15)  # both series drop (a shared shock) ...
    a = 10 + 0.1 * t + shock - 2.0 * (t >= 15) + rng.normal(0, 0.2, n)  # ... treated by 2 more
    b = 8 + 0.1 * t + shock + rng.normal(0, 0.2, n)
    data = pd.DataFrame({"t": np.r_[t, t], "y": np.r_[a, b], "unit": ["a"] * n + ["b"] * n})
    r = fit_its(data, time="t", outcome="y", interruptions=15, group="unit", treated="a",
                slope_change=False, family="ols")
    table = r.counterfactual()
    assert len(table) == n  # the treated series only
    assert r.level_change.estimate == pytest.approx(-2.0, abs=0.3)
    post = table[table["t"] >= 15]
    assert post["effect"].to_numpy() == pytest.approx(np.full(15, r.level_change.estimate))


def test_horizons_count_from_the_interventions_start_not_the_end_of_the_phase_in(rate):
    r = fit_its(rate, time="t", outcome="y", interruptions=20, phase_in=2, family="ols")
    eff = r.effects(horizons=(0, 1, 2, 6))
    assert eff["time"].tolist() == [20, 21, 22, 26]
    # the phase-in periods are not fitted: no effect there
    assert eff["effect"].iloc[:2].isna().all() and eff["effect"].iloc[2:].notna().all()
    # horizon 6 is six periods after the start: four after the phase-in ended
    b = r.model.params
    assert eff["effect"].iloc[3] == pytest.approx(b[2] + 4 * b[3])
