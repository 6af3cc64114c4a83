"""Plain-English descriptions of signals, units and dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.spc import labels
from wellbeing_analysis.spc.describe import describe_episode, period_unit, readable_name, span


def test_readable_name():
    assert readable_name("absence_rate_pct") == "absence rate (%)"
    assert readable_name("leavers") == "leavers"


def test_period_unit_from_spacing():
    assert period_unit(pd.date_range("2023-01-01", periods=6, freq="MS")) == "month"
    assert period_unit(pd.date_range("2023-01-02", periods=6, freq="W-MON")) == "week"
    assert period_unit(pd.date_range("2023-01-01", periods=6, freq="QS")) == "quarter"
    assert period_unit(np.arange(6.0)) == "point"
    assert period_unit(pd.to_datetime(["2023-01-01"])) == "point"


def test_span_and_descriptions():
    a, b = pd.Timestamp("2023-02-01"), pd.Timestamp("2023-08-01")
    assert span(a, b, "month") == "Feb 2023 to Aug 2023"
    assert span(a, a, "week") == "01 Feb 2023"
    assert describe_episode(labels.SHIFT, -1, 7, start=a, end=b, subject="the rate",
                            unit="month") == (
        "the rate stayed below the mean for 7 months in a row (Feb 2023 to Aug 2023) — a real "
        "shift")
    assert "went above the upper process limit (Feb 2023)" in describe_episode(
        labels.OUTSIDE, 1, 1, start=a, end=a, unit="month")
    assert "for 2 weeks" in describe_episode(labels.OUTSIDE, -1, 2, start=a, end=b, unit="week")
    assert "each lower than the last" in describe_episode(labels.TREND, -1, 7, start=a, end=b)
    assert "longer run than chance" in describe_episode(labels.LONG_RUN, 1, 9, start=1.0,
                                                        end=9.0, centre_word="median")
    assert "close to the upper process limit" in describe_episode(labels.TWO_IN_THREE, 1, 2,
                                                                  start=a, end=b)
