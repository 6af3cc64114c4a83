"""Each Making Data Count rule on hand-built series: ties, exact limits, points on the mean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.spc import labels, spc
from wellbeing_analysis.spc.engine import episodes, label_points, point_types
from wellbeing_analysis.spc.rules import (
    close_to_limits,
    outside_limits,
    relative_to_centre,
    run_lengths,
    shift,
    trend,
    two_in_three,
)


def test_run_lengths():
    assert run_lengths(np.array([1, 1, -1, 0, 0, 0])).tolist() == [2, 2, 1, 3, 3, 3]
    assert run_lengths(np.array([])).tolist() == []


def test_outside_limits_is_strict():
    y = np.array([0.0, 3.0, 3.0001, -3.0, -3.5])
    assert outside_limits(y, -3.0, 3.0).tolist() == [0, 0, 1, 0, -1]
    assert outside_limits(y, np.nan, np.nan).tolist() == [0] * 5


def test_close_to_limits_excludes_outside_points():
    y = np.array([0.0, 2.5, 3.5, -2.5, 2.0])
    assert close_to_limits(y, -3, 3, -2, 2).tolist() == [False, True, False, True, False]


def test_trend_needs_seven_points_and_ties_break_it():
    up7 = np.arange(7, dtype=float)
    assert trend(up7).tolist() == [1] * 7
    assert trend(up7[:6]).tolist() == [0] * 6
    tied = np.array([0, 1, 2, 3, 3, 4, 5, 6], dtype=float)  # a tie in the middle
    assert trend(tied).tolist() == [0] * 8
    down = np.array([9, 8, 7, 6, 5, 4, 3, 5], dtype=float)
    assert trend(down).tolist() == [-1] * 7 + [0]


def test_trend_peak_takes_the_direction_on_its_right():
    y = np.r_[np.arange(7.0), np.arange(5.0, -1.0, -1.0)]  # 0..6 up, then 5..0 down
    flags = trend(y)
    assert flags[:6].tolist() == [1] * 6
    assert flags[6] == -1  # the peak belongs to both; NHSRplotthedots uses the right side
    assert flags[7:].tolist() == [-1] * 6


def test_two_in_three_flags_only_the_close_points():
    close = np.array([True, False, True, False, False])
    rtm = np.array([1, 1, 1, -1, -1.0])
    assert two_in_three(close, rtm).tolist() == [1, 0, 1, 0, 0]
    # one of the three on the other side of the mean: no signal
    assert two_in_three(close, np.array([1, -1, 1, 1, 1.0])).tolist() == [0] * 5
    # the third point exactly on the mean: not all on the same side
    assert two_in_three(close, np.array([1, 0, 1, 1, 1.0])).tolist() == [0] * 5
    # one close point alone is not enough
    assert two_in_three(np.array([True, False, False]), np.ones(3)).tolist() == [0, 0, 0]
    # below the mean: signed -1
    assert two_in_three(np.array([True, True, False]), -np.ones(3)).tolist() == [-1, -1, 0]


def test_shift_needs_seven_and_a_point_on_the_mean_breaks_it():
    assert shift(np.ones(7)).tolist() == [1] * 7
    assert shift(np.ones(6)).tolist() == [0] * 6
    broken = np.array([1, 1, 1, 0, 1, 1, 1, 1.0])
    assert shift(broken).tolist() == [0] * 8
    assert shift(-np.ones(9)).tolist() == [-1] * 9


def test_relative_to_centre():
    assert relative_to_centre(np.array([1.0, 2.0, 3.0]), 2.0).tolist() == [-1, 0, 1]


def test_precedence_outside_beats_shift_and_trend():
    flags = {
        labels.OUTSIDE: np.array([1, 0, 0]),
        labels.TREND: np.array([1, 1, 0]),
        labels.TWO_IN_THREE: np.array([0, 1, 1]),
        labels.SHIFT: np.array([1, 1, 1]),
    }
    label, direction = label_points(flags, rule_set="mdc", centre_name="CL")
    assert label.tolist() == ["Above UCL", "7 Point Trend (Increasing)", "2 in 3 Above CL"]
    assert direction.tolist() == [1, 1, 1]


def test_point_types_by_direction():
    d = np.array([1, -1, 0])
    assert point_types(d, "increase").tolist() == [labels.IMPROVEMENT, labels.CONCERN,
                                                   labels.COMMON_CAUSE]
    assert point_types(d, "decrease").tolist() == [labels.CONCERN, labels.IMPROVEMENT,
                                                   labels.COMMON_CAUSE]
    assert point_types(d, "neutral").tolist() == [labels.NEUTRAL_HIGH, labels.NEUTRAL_LOW,
                                                  labels.COMMON_CAUSE]


def test_trend_point_type_follows_the_trend_not_the_mean():
    """A rising trend that starts below the mean is an improvement (increase is better)."""
    y = np.r_[np.full(6, 10.0), [0, 1, 2, 3, 4, 5, 6], np.full(6, 3.0)]
    y = y + np.tile([0.0, 0.4], 10)[: y.size] * (np.arange(y.size) < 6)  # break the flat runs
    df = pd.DataFrame({"i": range(y.size), "y": y})
    d = spc(df, x="i", y="y", screen_outliers=False).data
    rising = d.iloc[6:13]
    assert (rising["signal_trend"] == 1).all()
    below_mean = rising[rising["rtm"] < 0]
    assert len(below_mean) > 0
    assert set(below_mean.loc[below_mean["special_cause_type"].str.contains("Trend"),
                              "point_type"]) == {labels.IMPROVEMENT}


def test_episodes():
    assert episodes(np.array([0, 1, 1, 0, -1, -1, -1, 1])) == [(1, 2, 1), (4, 6, -1), (7, 7, 1)]
    assert episodes(np.array([], dtype=int)) == []


@pytest.mark.parametrize(("rule", "direction", "label"), [
    (labels.OUTSIDE, -1, "Below LCL"),
    (labels.TREND, -1, "7 Point Trend (Decreasing)"),
    (labels.TWO_IN_THREE, -1, "2 in 3 Below CL"),
    (labels.SHIFT, 1, "7 Points Above CL"),
])
def test_mdc_labels_match_nhsrplotthedots(rule, direction, label):
    assert labels.special_cause_label(rule, direction, "mdc", "CL") == label
