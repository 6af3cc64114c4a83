"""The ITS design matrix: time index, centred slope terms, phase-in, end, seasonality, groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its import fit_its
from wellbeing_analysis.its.design import build_design
from wellbeing_analysis.its.inputs import prepare
from wellbeing_analysis.its.options import ITSOptions


def design_for(data: pd.DataFrame, **kw):
    options = ITSOptions(**{"time": "month", "outcome": "y", **kw})
    prepared = prepare(data, options)
    return build_design(prepared, options), prepared


def monthly(n: int, start: str = "2020-01", y=None) -> pd.DataFrame:
    months = pd.period_range(start, periods=n, freq="M").astype(str)
    return pd.DataFrame({"month": months, "y": np.arange(n, dtype=float) if y is None else y})


def test_time_counts_periods_from_the_first_observation():
    d, p = design_for(monthly(10), interruptions="2020-05")
    assert p.t.tolist() == list(range(10))
    assert d.X[:, d.names.index("time")].tolist() == list(range(10))
    years = pd.DataFrame({"year": np.arange(1970, 2001), "y": np.ones(31)})
    d, p = design_for(years, time="year", interruptions=1989)
    assert p.t[0] == 0 and p.t[-1] == 30 and p.interruption_t == (19,)


def test_slope_term_is_centred_at_the_interruption():
    """Guard against the published pitfall: the ramp must be (t - T0) * post, not t * post."""
    d, p = design_for(monthly(12), interruptions="2020-06")  # T0 = period 5
    t = p.t
    step = d.X[:, d.names.index("level_change")]
    ramp = d.X[:, d.names.index("slope_change")]
    np.testing.assert_array_equal(step, (t >= 5).astype(float))
    np.testing.assert_array_equal(ramp, np.maximum(t - 5, 0))
    assert ramp[5] == 0  # zero at the first post-interruption point, not 5


def test_level_at_last_pre_moves_the_centre_one_period_back():
    d, p = design_for(monthly(12), interruptions="2020-06", level_at="last_pre")
    ramp = d.X[:, d.names.index("slope_change")]
    np.testing.assert_array_equal(ramp, np.where(p.t >= 5, p.t - 4, 0))


@settings(max_examples=40, deadline=None)
@given(t0=st.integers(3, 17), level=st.floats(-50, 50), slope=st.floats(-3, 3),
       trend=st.floats(-3, 3))
def test_noiseless_segments_are_recovered_exactly(t0, level, slope, trend):
    """With y = 10 + trend t + level post + slope (t - T0) post and no noise, the level change
    is recovered. An uncentred ramp would report level - slope * T0 instead."""
    t = np.arange(21.0)
    post = (t >= t0).astype(float)
    y = 10 + trend * t + level * post + slope * (t - t0) * post
    data = pd.DataFrame({"x": t + 100, "y": y})
    r = fit_its(data, time="x", outcome="y", interruptions=100 + t0)
    tol = 1e-6 * (1 + abs(level) + abs(slope) * 20 + abs(trend) * 20)
    assert r.level_change.estimate == pytest.approx(level, abs=tol)
    assert r.slope_change.estimate == pytest.approx(slope, abs=tol)
    assert r.post_trend.estimate == pytest.approx(trend + slope, abs=tol)
    last_pre = fit_its(data, time="x", outcome="y", interruptions=100 + t0, level_at="last_pre")
    assert last_pre.level_change.estimate == pytest.approx(level - slope, abs=tol)


def test_phase_in_periods_are_left_out_and_the_change_starts_after_them():
    d, p = design_for(monthly(24), interruptions="2020-11", phase_in=3)  # T0 = 10
    assert d.used.tolist() == [t not in (10, 11, 12) for t in range(24)]
    assert d.starts == (13,)
    ramp = d.X[:, d.names.index("slope_change")]
    assert ramp[13] == 0 and ramp[14] == 1
    assert list(d.period[9:14]) == ["before", "phase-in", "phase-in", "phase-in", "after"]
    assert d.segments.to_dict("records") == [{"change": "2020-11", "n_before": 10,
                                              "n_after": 11}]


def test_end_of_intervention_is_a_third_period():
    d, _ = design_for(monthly(30), interruptions="2020-11", end="2021-09")
    assert d.names[:6] == ("intercept", "time", "level_change", "slope_change",
                           "level_change_end", "slope_change_end")
    assert list(d.period[[0, 10, 20]]) == ["before", "after", "after end"]
    assert d.trend_terms(1) == ("time", "slope_change", "slope_change_end")


def test_several_interruptions_each_get_a_step_and_a_ramp():
    d, _ = design_for(monthly(30), interruptions=["2020-09", "2021-05"])
    assert "level_change_2" in d.names and "slope_change_2" in d.names
    assert list(d.period[[0, 10, 20]]) == ["before", "after 1", "after 2"]
    assert d.intervention.sum() == 4


def test_fourier_terms_and_the_vanishing_sine():
    months = np.tile(np.arange(1, 13), 3).astype(float)
    data = monthly(36).assign(m=months)
    d, _ = design_for(data, interruptions="2021-07", season_col="m", harmonics=2)
    np.testing.assert_allclose(d.X[:, d.names.index("sin2")], np.sin(2 * np.pi * 2 * months / 12))
    np.testing.assert_allclose(d.X[:, d.names.index("cos1")], np.cos(2 * np.pi * months / 12))
    d6, _ = design_for(data, interruptions="2021-07", season_col="m", harmonics=6)
    assert "sin6" not in d6.names and "cos6" in d6.names  # sin(pi m) = 0 for whole months


def test_calendar_month_is_the_default_season_for_dates():
    d, _ = design_for(monthly(36, start="2020-04"), interruptions="2021-07", harmonics=1)
    np.testing.assert_allclose(d.X[0, d.names.index("cos1")], np.cos(2 * np.pi * 4 / 12))


def test_season_indicators():
    data = monthly(36).assign(m=np.tile(np.arange(1, 13), 3))
    d, _ = design_for(data, interruptions="2021-07", season_col="m", season_indicators=True)
    seasons = [n for n in d.names if n.startswith("season_")]
    # named by month on a monthly series (not 'season_2.0')
    assert seasons == ["season_feb", "season_mar", "season_apr", "season_may", "season_jun",
                       "season_jul", "season_aug", "season_sep", "season_oct", "season_nov",
                       "season_dec"]


def test_season_indicators_from_dates_are_named_by_month_and_others_as_whole_numbers():
    d, _ = design_for(monthly(36), interruptions="2021-07", season_indicators=True)
    assert [n for n in d.names if n.startswith("season_")][:2] == ["season_feb", "season_mar"]
    quarters = pd.DataFrame({"t": np.arange(24), "y": np.ones(24),
                             "q": np.tile([1.0, 2.0, 3.0, 4.0], 6)})
    options = ITSOptions(time="t", outcome="y", interruptions=12, season_col="q",
                         season_indicators=True)
    d = build_design(prepare(quarters, options), options)
    assert [n for n in d.names if n.startswith("season_")] == ["season_2", "season_3",
                                                                "season_4"]


def test_controlled_design_has_itsa_terms_and_a_treated_only_counterfactual():
    data = pd.concat([monthly(20).assign(unit="A"), monthly(20).assign(unit="B")])
    d, p = design_for(data, interruptions="2020-11", group="unit", treated="B")
    assert d.names == ("intercept", "time", "treated", "treated_time",
                       "comparison_level_change", "comparison_slope_change",
                       "level_change", "slope_change")
    assert p.treated[:20].all() and not p.treated[20:].any()  # treated series first
    intervention = [n for n, m in zip(d.names, d.intervention) if m]
    assert intervention == ["level_change", "slope_change"]
    cf = d.X_counterfactual
    assert (cf[:, d.names.index("comparison_level_change")] == d.X[:, 4]).all()
    assert (cf[:, d.names.index("level_change")] == 0).all()


def test_collinear_covariate_is_refused():
    data = monthly(20).assign(copy=np.arange(20.0))
    with pytest.raises(InputError, match="collinear"):
        design_for(data, interruptions="2020-11", covariates=["copy"])


def test_covariate_named_like_a_model_term_is_refused():
    data = monthly(20).assign(time=np.random.default_rng(1).normal(size=20))
    with pytest.raises(InputError, match="clashes"):
        design_for(data, interruptions="2020-11", covariates=["time"])
