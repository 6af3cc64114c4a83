"""Numbers formatted by what they are: rates, changes, counts, ratios, coefficients,
p-values and degrees of freedom; never '-0.00' or 'inf'."""

from __future__ import annotations

import math

import pytest

from wellbeing_analysis import formatting as f


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (3.9163, 2, "3.92%"), (0.0, 1, "0.0%"), (-0.001, 2, "0.00%"), (-1.25, 1, "−1.2%"),
    (None, 1, "–"), (math.nan, 2, "–")])
def test_rates_have_fixed_decimals_and_no_negative_zero(value, decimals, expected):
    assert f.rate(value, decimals) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (-0.2213, "−22%"), (0.05, "+5%"), (-0.004, "0%"), (0.004, "0%"), (None, "–")])
def test_changes_are_signed_whole_percentages_with_a_true_minus(value, expected):
    assert f.change(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (1533.4, "1,533"), (-0.3, "0"), (-12.6, "−13"), (0, "0")])
def test_counts(value, expected):
    assert f.count(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (0.0123456, "0.0123"), (1.0, "1.00"), (0.91234, "0.912"), (-4.5678, "−4.57"),
    (1534.2, "1,530"), (0.0, "0"), (-0.00004, "−4.00e-05"), (2.5e-7, "2.50e-07"),
    (math.inf, "infinite")])
def test_coefficients_keep_three_significant_digits(value, expected):
    # 'time 0.0' at one decimal hid a trend of 0.0123 a month; three significant digits show it
    assert f.significant(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (0.0342, "p = 0.034"), (0.41, "p = 0.41"), (0.0004, "p < 0.001"), (1.0, "p = 1")])
def test_p_values(value, expected):
    assert f.p_value(value) == expected


def test_infinite_degrees_of_freedom_read_as_large_sample():
    assert f.degrees_of_freedom(math.inf) == "large sample"
    assert f.degrees_of_freedom(34.0) == "34"
    assert f.degrees_of_freedom(12.46) == "12.5"
