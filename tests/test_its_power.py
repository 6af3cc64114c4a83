"""The power / minimum-detectable-effect planner."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import signal, stats

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its import PowerPlan, fit_its, plan_power
from wellbeing_analysis.its.gls import fit_glsar
from wellbeing_analysis.its.gls_many import quasipoisson_many, reml_ar1_many


def ar1(n: int, rho: float, size: int, rng) -> np.ndarray:
    u = rng.standard_normal((n, size))
    u[1:] *= np.sqrt(1 - rho**2)
    return signal.lfilter([1.0], [1.0, -rho], u, axis=0)


def its_X(n: int, t0: int, season: bool = True) -> np.ndarray:
    t = np.arange(n, dtype=float)
    post = (t >= t0).astype(float)
    cols = [np.ones(n), t, post, (t - t0) * post]
    if season:
        cols += [np.sin(2 * np.pi * t / 12), np.cos(2 * np.pi * t / 12)]
    return np.column_stack(cols)


def monthly(n: int, rho: float, seed: int, sd: float = 0.3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"month": pd.period_range("2019-04", periods=n, freq="M").astype(str),
                         "rate": 4.5 + 0.005 * np.arange(n) + sd * ar1(n, rho, 1, rng)[:, 0]})


def test_vectorised_reml_equals_the_single_series_fit():
    rng = np.random.default_rng(101)
    X = its_X(48, 24)
    Y = ar1(48, 0.5, 6, rng)
    b, se, df, rho = reml_ar1_many(X, Y, 2)
    for s in range(6):
        fit = fit_glsar(X, Y[:, s], t_block=np.arange(48))
        assert rho[s] == pytest.approx(fit.ar[0], abs=1e-3)
        assert b[s] == pytest.approx(fit.params[2], rel=1e-3, abs=1e-4)
        assert se[s] == pytest.approx(np.sqrt(fit.cov[2, 2]), rel=1e-3)
        assert df[s] == pytest.approx(fit.satterthwaite_df(np.eye(6)[2])[0], rel=1e-2)


def test_vectorised_quasipoisson_equals_statsmodels():
    rng = np.random.default_rng(102)
    X = its_X(40, 20)
    off = np.log(rng.uniform(4000, 6000, 40))
    mu = np.exp(off - 3 + 0.002 * np.arange(40))
    Y = rng.poisson(mu[:, None] * rng.gamma(10, 0.1, (40, 5))).astype(float)
    b, se = quasipoisson_many(X, Y, off, 2, start=np.r_[-3, np.zeros(5)])
    for s in range(5):
        ref = sm.GLM(Y[:, s], X, family=sm.families.Poisson(), offset=off).fit(scale="X2")
        assert b[s] == pytest.approx(ref.params[2], rel=1e-6, abs=1e-8)
        assert se[s] == pytest.approx(ref.bse[2], rel=1e-6)


def test_calibration_recovers_the_pre_period():
    data = monthly(120, 0.5, seed=103, sd=0.3)
    plan = plan_power(data, time="month", outcome="rate", n_post=(12,), n_sim=50)
    c = plan.calibration
    assert c["n_pre"] == 120
    assert c["rho"] == pytest.approx(0.5, abs=0.15)
    assert np.sqrt(c["sigma2"]) == pytest.approx(0.3, rel=0.2)


def test_deterministic_given_a_seed():
    data = monthly(36, 0.4, seed=104)
    kw = dict(time="month", outcome="rate", n_post=(6, 12), n_sim=200, harmonics=1)
    a, b = plan_power(data, **kw), plan_power(data, **kw)
    pd.testing.assert_frame_equal(a.table, b.table)
    c = plan_power(data, **kw, seed=7)
    assert not a.table["power"].equals(c.table["power"])


def test_power_grows_with_effect_and_months_and_the_null_row_is_the_size():
    data = monthly(48, 0.4, seed=105)
    plan = plan_power(data, time="month", outcome="rate", n_post=(6, 24), n_sim=1000,
                      effects=(0.0, 0.2, 0.5))
    p = plan.table.set_index(["n_post", "effect"])["power"]
    assert p[(24, 0.5)] > p[(24, 0.2)] > p[(24, 0.0)]
    assert p[(24, 0.5)] > p[(6, 0.5)]
    # the test's size: 5% nominal; REML with Satterthwaite df keeps it close
    assert abs(plan.size - 0.05) < 0.025
    assert "With no change the rule declared one in" in plan.text


def hand_plan() -> PowerPlan:
    table = pd.DataFrame({
        "n_post": [6, 6, 6, 12, 12, 12, 24, 24, 24],
        "effect": [0.0, 1.0, 2.0] * 3,
        "power": [0.05, 0.30, 0.60, 0.05, 0.50, 0.85, 0.05, 0.70, 0.97],
    })
    return PowerPlan(table=table.assign(mc_se=0.01), calibration={"n_pre": 24, "sigma2": 1.0,
                     "rho": 0.3}, outcome="rate", family="glsar", effect_type="level",
                     target_power=0.8, n_sim=1000, seed=1)


def test_months_needed_and_detectable_effect_by_interpolation():
    plan = hand_plan()
    assert plan.months_needed(2.0) == 12
    assert plan.months_needed(1.0) is None  # 0.70 at 24 months: more than simulated
    # effect 1.5 interpolates to 0.675 at 12 months (below 0.8) and 0.835 at 24 months
    assert plan.months_needed(1.5) == 24
    assert plan.months_needed(1.5, power=0.65) == 12
    assert plan.detectable_effect(12) == pytest.approx(1 + (0.8 - 0.5) / (0.85 - 0.5))
    assert plan.detectable_effect(6) is None
    assert plan.detectable_effect(24) == pytest.approx(1 + 0.1 / 0.27)
    with pytest.raises(InputError, match="n_post=18 was not simulated"):
        plan.detectable_effect(18)
    with pytest.raises(InputError, match="outside the simulated effects"):
        plan.months_needed(3.0)


def test_count_planner_runs_and_reports_rate_ratios(reference_dir):
    sicily = pd.read_csv(reference_dir / "its" / "sicily.csv")
    plan = plan_power(sicily, time="time", outcome="aces", interruption=37,
                      family="quasipoisson_ar", offset="stdpop", season_col="month",
                      harmonics=2, n_post=(12, 24), n_sim=200)
    assert plan.calibration["dispersion"] == pytest.approx(
        fit_its(sicily[sicily.time < 37], time="time", outcome="aces", interruptions=20,
                family="quasipoisson", offset="stdpop", season_col="month", harmonics=2,
                slope_change=False).dispersion, rel=0.2)
    effects = sorted(set(plan.table["effect"]))
    assert all(0 < e <= 1 for e in effects) and 1.0 in effects
    assert "rate ratio" in plan.text and "evaluation's own rule" in plan.text
    assert 0 <= plan.size <= 0.1 and plan.no_decision == 0


def test_the_null_effect_is_always_simulated_and_its_size_reported(reference_dir):
    sicily = pd.read_csv(reference_dir / "its" / "sicily.csv")
    plan = plan_power(sicily, time="time", outcome="aces", interruption=37,
                      family="quasipoisson_ar", offset="stdpop", season_col="month",
                      harmonics=2, n_post=(6, 12), n_sim=100, effects=(0.9,), alpha=0.025)
    assert sorted(set(plan.table["effect"])) == [0.9, 1.0]
    assert plan.alpha == 0.025 and "nominal 2.5%" in plan.text
    # 6 months after is too few for the evaluation's checks: nothing can be decided
    six = plan.table[plan.table["n_post"] == 6]
    assert (six["no_decision"] == 1).all() and (six["power"] == 0).all()
    assert plan.too_short == [6] and "6 months: too few months to judge" in plan.text
    assert plan.to_dict()["size"] == plan.size


def small_team(n: int = 36, rate: float = 0.01, headcount: int = 25, seed: int = 110):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"month": pd.period_range("2021-04", periods=n, freq="M").astype(str),
                         "leavers": rng.poisson(rate * headcount, n).astype(float),
                         "headcount": float(headcount)})


def test_the_planner_never_crashes_on_all_zero_simulated_series():
    """A team of 25 with few leavers: many simulated series are all zeros. They get no
    decision (not detected) and are counted, instead of breaking the fit."""
    data = small_team()
    assert data["leavers"].sum() > 0
    plan = plan_power(data, time="month", outcome="leavers", family="quasipoisson_ar",
                      offset="headcount", n_post=(12, 24), n_sim=150, effects=(0.7,))
    assert plan.no_decision > 0.2 and plan.table["power"].between(0, 1).all()
    assert "could not be judged" in plan.text


def test_all_zero_series_are_undecided_by_the_rule():
    from wellbeing_analysis.its.power import _decide_counts

    data = small_team(n=60, rate=0.2)
    plan_opts = dict(time="month", outcome="leavers", family="quasipoisson_ar",
                     offset="headcount")
    r = fit_its(data, interruptions="2024-04", **plan_opts)
    Y = np.zeros((60, 5))
    Y[:, 0] = data["leavers"]  # one real series among all-zero ones
    decision, undecided = _decide_counts(r.design, r._prepared, Y, r.options, 36, 0.05,
                                         r.model.params)
    assert undecided.tolist() == [False, True, True, True, True]
    assert (decision[1:] == 0).all()


def test_vectorised_count_rule_equals_fit_its():
    """The planner's vectorised fit reproduces fit_its(family='quasipoisson_ar')'s headline:
    the cumulative relative effect, its interval and degrees of freedom."""
    from wellbeing_analysis.its.glmar_many import glmar_headline_many

    rng = np.random.default_rng(111)
    n, n_pre = 60, 36
    months = pd.period_range("2019-04", periods=n, freq="M").astype(str)
    expo = np.full(n, 6000.0)
    z = ar1(n, 0.6, 4, rng)
    Y = rng.poisson(expo[:, None] * 0.045 * np.exp(0.15 * z)).astype(float)
    results = [fit_its(pd.DataFrame({"m": months, "y": Y[:, s], "e": expo}), time="m",
                       outcome="y", interruptions=months[n_pre], family="quasipoisson_ar",
                       offset="e", harmonics=2) for s in range(4)]
    d = results[0].design
    h = glmar_headline_many(d.X, d.X_counterfactual, Y, np.log(expo), np.arange(n) >= n_pre,
                            d.names.index("level_change"), results[0].model.params)
    for s, r in enumerate(results):
        c = r.cumulative_effect()
        assert np.exp(h.log_ratio[s]) - 1 == pytest.approx(c.relative, rel=1e-5, abs=1e-7)
        assert h.rho[s] == pytest.approx(r.model.ar[0], abs=1e-4)
        assert h.df[s] == pytest.approx(c.relative_df, rel=1e-3)
        q = stats.t.ppf(0.975, h.df[s])
        assert np.exp(h.log_ratio[s] + q * h.std_error[s]) - 1 == pytest.approx(
            c.relative_ci_upper, rel=1e-4)


@pytest.mark.parametrize("kw, message", [
    ({"family": "ols"}, "use 'glsar' for continuous outcomes"),
    ({"effect_type": "slope", "slope_change": False}, "needs slope_change=True"),
    ({"effect_type": "trend"}, "must be 'level' or 'slope'"),
    ({"n_sim": 5}, "at least 10"),
    ({"interruption": "2030-01"}, "outside the data"),
])
def test_bad_planner_input(kw, message):
    with pytest.raises(InputError, match=message):
        plan_power(monthly(36, 0.3, seed=106), time="month", outcome="rate", **kw)


@pytest.mark.slow
def test_planner_power_matches_a_direct_simulation_with_fit_its():
    """An independent check: the same scenario simulated series by series and analysed with
    fit_its(family='glsar') gives the same power within Monte Carlo error."""
    data = monthly(36, 0.5, seed=107, sd=0.3)
    plan = plan_power(data, time="month", outcome="rate", n_post=(18,), n_sim=1000,
                      effects=(0.3,), seed=5)
    c = plan.calibration
    rng = np.random.default_rng(99)
    n, n_sim = 54, 400
    noise = np.sqrt(c["sigma2"]) * ar1(n, c["rho"], n_sim, rng)
    months = pd.period_range("2019-04", periods=n, freq="M").astype(str)
    step = (np.arange(n) >= 36) * 0.3
    hits = 0
    for s in range(n_sim):  # the slow, obvious way, once per series
        frame = pd.DataFrame({"month": months, "rate": 4 + step + noise[:, s]})
        hits += fit_its(frame, time="month", outcome="rate", interruptions=months[36],
                        family="glsar").level_change.p_value < 0.05
    direct = hits / n_sim
    planned = plan.table.set_index("effect")["power"][0.3]
    mc = np.sqrt(direct * (1 - direct) / n_sim + planned * (1 - planned) / 1000)
    assert abs(direct - planned) < 3.5 * mc


def test_slope_effects_are_tested_on_the_slope_term():
    data = monthly(36, 0.3, seed=108)
    plan = plan_power(data, time="month", outcome="rate", effect_type="slope", n_post=(12, 24),
                      n_sim=300, effects=(0.0, 0.02, 0.05))
    p = plan.table.set_index(["n_post", "effect"])["power"]
    # a slope change accumulates: the same change per month is easier to see after 24 months
    assert p[(24, 0.05)] > p[(12, 0.05)] > p[(12, 0.0)]
    assert "slope change" in plan.text and "per month" in plan.effect_label


def test_count_plans_interpolate_rate_ratios_below_one():
    table = pd.DataFrame({"n_post": [12] * 3 + [24] * 3, "effect": [1.0, 0.9, 0.8] * 2,
                          "power": [0.05, 0.40, 0.75, 0.05, 0.60, 0.95]})
    plan = PowerPlan(table=table.assign(mc_se=0.01), calibration={"n_pre": 24,
                     "dispersion": 2.0, "rho": 0.0}, outcome="lost", family="quasipoisson",
                     effect_type="level", target_power=0.8, n_sim=1000, seed=1)
    # 0.85 interpolates to 0.575 at 12 months and 0.775 at 24: 80% is not reached
    assert plan.months_needed(0.85) is None
    assert plan.months_needed(0.85, power=0.7) == 24
    assert plan.months_needed(0.8, power=0.7) == 12
    assert plan.detectable_effect(24) == pytest.approx(0.9 - 0.1 * (0.8 - 0.6) / (0.95 - 0.6))


def test_planner_with_season_indicators_and_a_season_that_does_not_step():
    rng = np.random.default_rng(109)
    n = 48
    data = pd.DataFrame({"t": np.arange(n), "m": np.arange(n) % 12 + 1,
                         "y": rng.normal(size=n)})
    plan = plan_power(data, time="t", outcome="y", season_col="m", season_indicators=True,
                      n_post=(12,), n_sim=50)
    assert len(plan.table) == len(set(plan.table["effect"]))
    with pytest.raises(InputError, match="does not step by one each period"):
        plan_power(data.assign(m=(np.arange(n) * 5) % 12 + 1), time="t", outcome="y",
                   season_col="m", harmonics=1, n_post=(12,), n_sim=50)
