"""Seasonal monthly measures: the month-of-year test on known truth, and the same month
last year view."""

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.spc.seasonal import seasonal_sentence, seasonality, year_on_year

MONTHS = pd.date_range("2021-01-01", periods=36, freq="MS")
#: Fixed noise (seed 7) so each test sees the same series.
NOISE = np.random.default_rng(7).normal(0, 0.15, 36)


def winter_swing(amplitude: float) -> np.ndarray:
    """5% absence, ± amplitude with a January peak (the demo's shape), a gentle trend, noise."""
    return (5.0 * (1 + amplitude * np.cos(2 * np.pi * (MONTHS.month - 1) / 12))
            + 0.01 * np.arange(36) + NOISE)


def test_a_thirty_percent_winter_swing_is_strongly_seasonal():
    check = seasonality(MONTHS, winter_swing(0.30))
    assert check.tested and check.seasonal
    assert check.p_value < 0.001 and check.partial_r2 > 0.9
    assert check.peak_month == "January" and check.trough_month == "July"
    text = seasonal_sentence(check, "the sickness absence rate")
    assert text.startswith("The sickness absence rate is strongly seasonal")
    assert "may be the season" in text and "same month last year" in text


def test_no_swing_is_not_seasonal_and_says_why():
    check = seasonality(MONTHS, winter_swing(0.0))
    assert check.tested and not check.seasonal
    assert check.reason.startswith("not strongly seasonal")
    assert seasonal_sentence(check, "the rate") == ""


def test_a_steady_trend_is_not_read_as_season():
    check = seasonality(MONTHS, 5.0 + 0.2 * np.arange(36) + NOISE)
    assert not check.seasonal


def test_fewer_than_two_full_years_are_not_tested():
    check = seasonality(MONTHS[:23], winter_swing(0.30)[:23])
    assert not check.tested and not check.seasonal
    assert "2 full years" in check.reason and "23 months" in check.reason
    quarters = pd.date_range("2015-01-01", periods=36, freq="QS")
    assert "not months" in seasonality(quarters, winter_swing(0.3)).reason


def test_year_on_year_differences_take_the_same_month_a_year_earlier():
    data = pd.DataFrame({"month": MONTHS, "rate": np.arange(36, dtype=float) ** 2})
    data = data.drop(index=20)  # a gap: Sep 2022 missing, so Sep 2023 has no comparison
    yoy = year_on_year(data, x="month", y="rate", name="change")
    assert yoy["month"].iloc[0] == pd.Timestamp("2022-01-01")
    # Jan 2022 (index 12) - Jan 2021 (index 0) = 144 - 0
    assert yoy["change"].iloc[0] == pytest.approx(144.0)
    assert pd.Timestamp("2023-09-01") not in set(yoy["month"])
    assert pd.Timestamp("2022-09-01") not in set(yoy["month"])
    assert len(yoy) == 22  # 24 later months, less the missing one and the one it orphans
