"""Run charts: Anhøj and IHI rule sets against the reference tables and hand-built series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.constants import IHI_MIN_USEFUL_POINTS
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.spc import labels, run_chart, spc
from wellbeing_analysis.spc.run_rules import (
    anhoej_crossings_limit,
    anhoej_longest_run_limit,
    anhoej_rules,
    ihi_rules,
    ihi_runs_range,
    ihi_shift,
    ihi_trend,
    long_runs,
    longest_run,
    n_crossings,
    runs_acceptance_range,
)


def test_anhoej_critical_values_table(reference_dir):
    table = pd.read_csv(reference_dir / "spc" / "anhoej_critical_values_10_100.csv")
    n = table["n_useful"].to_numpy()
    np.testing.assert_array_equal(anhoej_longest_run_limit(n), table["longest_run_max"])
    np.testing.assert_array_equal(anhoej_crossings_limit(n), table["n_crossings_min"])
    assert anhoej_longest_run_limit(24) == 8 and anhoej_crossings_limit(24) == 8


def test_swed_eisenhart_runs_table(reference_dir):
    table = pd.read_csv(reference_dir / "spc" / "swed_eisenhart_runs_10_100.csv")
    got = np.array([runs_acceptance_range(a, b) for a, b in zip(table["n1"], table["n2"])])
    np.testing.assert_array_equal(got[:, 0], table["min_runs_random"])
    np.testing.assert_array_equal(got[:, 1], table["max_runs_random"])
    by_n = np.array([ihi_runs_range(n) for n in table["n_useful"]])
    np.testing.assert_array_equal(by_n, got)


def test_runs_range_needs_both_sides():
    with pytest.raises(ValueError):
        runs_acceptance_range(0, 10)


def test_runs_and_crossings_skip_points_on_the_centre():
    rtm = np.array([1, 1, 0, 1, -1, -1, 0, -1, 1])
    assert longest_run(rtm) == 3  # 1, 1, (0), 1 and -1, -1, (0), -1
    assert n_crossings(rtm) == 2
    assert long_runs(rtm, 2).tolist() == [1, 1, 0, 1, -1, -1, 0, -1, 0]


def test_anhoej_long_run_and_few_crossings():
    y = np.r_[np.linspace(1, 2, 12), np.linspace(3, 4, 12)]  # one crossing, runs of 12
    out = anhoej_rules(y, np.median(y))
    assert out.points[labels.LONG_RUN].tolist() == [-1] * 12 + [1] * 12
    assert [c.rule for c in out.chart] == [labels.FEW_CROSSINGS]
    assert out.chart[0].observed == 1 and out.chart[0].limit == 8


def test_anhoej_random_looking_series_has_no_signal():
    y = np.array([3, 5, 2, 6, 4, 7, 1, 5, 3, 6, 2, 8, 4, 6, 3, 5, 2, 7], dtype=float)
    out = anhoej_rules(y, np.median(y))
    assert not out.points[labels.LONG_RUN].any()
    assert out.chart == []


def test_anhoej_all_on_the_median_is_noted_not_an_error():
    out = anhoej_rules(np.ones(12), 1.0)
    assert out.notes and not out.points[labels.LONG_RUN].any()


def test_ihi_shift_skips_points_on_the_median():
    rtm = np.array([1, 1, 1, 0, 1, 1, 1, -1])
    assert ihi_shift(rtm).tolist() == [1, 1, 1, 0, 1, 1, 1, 0]
    assert ihi_shift(np.array([1, 1, 1, 1, 1, -1])).tolist() == [0] * 6


def test_ihi_trend_ties_count_once():
    y = np.array([1, 2, 2, 3, 4, 5, 4], dtype=float)  # 1,2,3,4,5 once ties are merged
    assert ihi_trend(y).tolist() == [1, 1, 1, 1, 1, 1, 0]
    assert ihi_trend(np.array([1, 2, 2, 3, 3.0])).tolist() == [0] * 5  # only 3 distinct steps


def test_ihi_too_many_runs_on_an_alternating_series():
    y = np.tile([1.0, 3.0], 10)
    out = ihi_rules(y, np.median(y))
    assert [c.rule for c in out.chart] == [labels.TOO_MANY_RUNS]
    assert out.chart[0].observed == 20 and out.chart[0].limit == ihi_runs_range(20)[1] == 15


def test_ihi_too_few_runs():
    y = np.r_[np.zeros(5), np.ones(5), np.zeros(5), np.ones(5)] + np.linspace(0, 0.1, 20)
    out = ihi_rules(y, np.median(y))
    assert [c.rule for c in out.chart] == [labels.TOO_FEW_RUNS]  # 4 runs < 7 for n = 20


def test_ihi_runs_rule_needs_ten_useful_points():
    out = ihi_rules(np.array([1, 3, 2, 4, 3, 5, 2, 6.0]), 3.0)
    assert out.chart == []
    assert str(IHI_MIN_USEFUL_POINTS) in out.notes[0]


def test_run_chart_entry_point_uses_the_median():
    df = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=11, freq="W-MON"),
                       "calls": [5, 9, 1, 7, 3, 100, 4, 6, 2, 8, 5]})
    r = run_chart(df, x="week", y="calls")
    assert r.chart == "run" and r.rules == "anhoej"
    assert (r.data["centre"] == 5).all()
    assert r.data["lpl"].isna().all() and not r.data["outside"].any()
    assert r.assurance_icon is None
    r_ihi = run_chart(df, x="week", y="calls", rules="ihi")
    assert "signal_shift" in r_ihi.data and "signal_trend" in r_ihi.data


def test_run_chart_signals_are_labelled_and_typed():
    df = pd.DataFrame({"m": pd.date_range("2022-01-01", periods=20, freq="MS"),
                       "y": np.r_[np.linspace(10, 11, 10), np.linspace(1, 2, 10)]})
    r = spc(df, x="m", y="y", chart="run", rules="ihi", improvement_direction="decrease")
    d = r.data
    assert set(d.loc[d["signal_shift"] == -1, "point_type"]) <= {labels.IMPROVEMENT}
    assert d["special_cause_type"].str.startswith("Shift").any()
    assert "median" in " ".join(r.signals["description"])


def test_rule_sets_and_charts_that_do_not_mix():
    df = pd.DataFrame({"i": range(12), "y": range(12)})
    with pytest.raises(InputError, match="process limits"):
        spc(df, x="i", y="y", chart="run", rules="mdc")
    with pytest.raises(InputError, match="run-chart rules"):
        spc(df, x="i", y="y", chart="xmr", rules="ihi")


def test_anhoej_on_a_control_chart_adds_outside_limits():
    y = np.r_[np.tile([1.0, 2.0], 10), 40.0]
    df = pd.DataFrame({"i": range(y.size), "y": y})
    r = spc(df, x="i", y="y", rules="anhoej")
    assert r.data["signal_outside"].iloc[-1] == 1
    assert r.data["special_cause_type"].iloc[-1] == "Above UCL"
