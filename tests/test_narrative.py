"""Plain-English sentences for service leads: the intervention verdict claims a change only
when the interval excludes none, says when the data cannot tell (and how large a change
could have been missed) or it is too early; SPC readings for every icon."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from wellbeing_analysis import narrative
from wellbeing_analysis.spc.labels import (
    COMMON_CAUSE,
    CONCERN,
    CONSISTENT_FAIL,
    CONSISTENT_PASS,
    IMPROVEMENT,
    INCONSISTENT,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
)


def verdict(ratio, lo, hi, *, months=18, mde=None, largest=None, outcome="sickness absence"):
    return narrative.its_verdict(estimate_ratio=ratio, ci_lower=lo, ci_upper=hi,
                                 outcome=outcome, months_after=months, min_points=8,
                                 mde_ratio=mde, largest_planned=largest)


# ---------------------------------------------------------------------------
# its_verdict
# ---------------------------------------------------------------------------
def test_ci_below_one_is_a_real_fall():
    assert verdict(0.80, 0.70, 0.90) == (
        "The intervention was followed by a real fall in sickness absence: about 20% lower "
        "than expected had things continued as before (95% confidence interval 10% to 30% "
        "lower).")


def test_ci_above_one_is_a_rise():
    assert verdict(1.25, 1.10, 1.40, outcome="leaving") == (
        "Leaving rose after the intervention: about 25% higher than expected (95% CI 10% to "
        "40% higher).")


def test_ci_spanning_one_cannot_tell():
    text = verdict(0.90, 0.75, 1.08)
    assert re.fullmatch(r"The data cannot tell whether the intervention changed sickness "
                        r"absence: the best estimate is a 10% fall, but anything from a 25% "
                        r"fall to an? 8% rise fits the data\.", text), text
    assert "real" not in text
    assert "rise fits" in verdict(1.05, 0.9, 1.2) and "a 5% rise, but" in verdict(1.05, 0.9,
                                                                                     1.2)


@pytest.mark.parametrize("lo, hi", [(0.8, 1.0), (1.0, 1.2)])
def test_an_interval_touching_one_claims_nothing(lo, hi):
    assert verdict((lo + hi) / 2, lo, hi).startswith("The data cannot tell")


def test_spanning_with_a_minimum_detectable_effect():
    text = verdict(0.90, 0.75, 1.08, mde=0.70, largest=0.70)
    assert text.endswith(" With this much data only a change of about 30% or more would "
                         "reliably show.")  # the MDE wins over the largest planned effect


def test_spanning_when_even_the_largest_planned_effect_would_be_missed():
    expected = (" With this much data even a 30% change would probably be missed: the "
                "measure is too noisy at this size of service.")
    assert verdict(0.90, 0.75, 1.08, largest=0.70).endswith(expected)
    assert verdict(0.90, 0.75, 1.08, mde=math.nan, largest=0.70).endswith(expected)


def test_spanning_without_power_information_adds_nothing():
    assert verdict(0.90, 0.75, 1.08).endswith("fits the data.")


def test_power_sentences_only_when_the_data_cannot_tell():
    assert "With this much data" not in verdict(0.80, 0.70, 0.90, mde=0.7, largest=0.7)


@pytest.mark.parametrize("lo, hi", [(0.6, 0.9), (0.8, 1.2), (1.1, 1.3)])
def test_too_few_months_is_too_early_whatever_the_interval(lo, hi):
    text = verdict((lo + hi) / 2, lo, hi, months=5)
    assert text == ("Too early to tell: only 5 month(s) of sickness absence after the "
                    "intervention (at least 8 are needed for a trustworthy estimate).")


def test_exactly_the_minimum_months_is_enough():
    assert verdict(0.80, 0.70, 0.90, months=8).startswith("The intervention was followed")


# ---------------------------------------------------------------------------
# spc_reading
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("icon, words", [
    (COMMON_CAUSE, "within the normal range — month-to-month changes are noise, not a signal"),
    (IMPROVEMENT, "part of a real improvement (a signal, not noise)"),
    (CONCERN, "part of a real deterioration (a signal, not noise) worth looking into"),
    (NEUTRAL_HIGH, "unusually high (a signal, not noise)"),
    (NEUTRAL_LOW, "unusually low (a signal, not noise)"),
])
def test_spc_reading_for_each_variation_icon(icon, words):
    text = narrative.spc_reading("absence_rate_pct", icon, None, None)
    assert text == f"Sickness absence rate: the latest month is {words}."


def test_spc_reading_of_an_unknown_icon_says_so():
    assert narrative.spc_reading("absence_rate_pct", "???", None, None) == (
        "Sickness absence rate: no reading.")


@pytest.mark.parametrize("icon, words", [
    (CONSISTENT_PASS, "the target of 4.50% will be met month after month if nothing changes"),
    (CONSISTENT_FAIL, "the target of 4.50% will not be met unless something changes"),
    (INCONSISTENT, "the target of 4.50% will be met in some months and missed in others"),
])
def test_spc_reading_for_each_assurance_icon(icon, words):
    text = narrative.spc_reading("absence_rate_pct", COMMON_CAUSE, icon, 4.5)
    assert text.endswith(f"noise, not a signal; {words}.")


def test_assurance_needs_both_an_icon_and_a_target():
    plain = "Sickness absence rate: the latest month is within the normal range"
    assert narrative.spc_reading("absence_rate_pct", COMMON_CAUSE, None, 4.5).startswith(plain)
    assert "target" not in narrative.spc_reading("absence_rate_pct", COMMON_CAUSE, None, 4.5)
    assert "target" not in narrative.spc_reading("absence_rate_pct", COMMON_CAUSE,
                                                 CONSISTENT_PASS, None)


def test_targets_use_the_indicators_unit_and_precision():
    text = narrative.spc_reading("headcount", COMMON_CAUSE, CONSISTENT_FAIL, 1234)
    assert "the target of 1,234 will not be met" in text


# ---------------------------------------------------------------------------
# Smaller helpers
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("now, before, expected", [
    (4.9, 4.6, "4.90%, up from 4.60% in the previous 12 months"),
    (4.1, 4.6, "4.10%, down from 4.60% in the previous 12 months"),
    (4.601, 4.6, "4.60%, the same as in the previous 12 months"),
    (4.9, float("nan"), "4.90%"),
    (float("nan"), 4.6, "not available"),
])
def test_change(now, before, expected):
    assert narrative.change("absence_rate_pct", now, before) == expected


def test_change_without_the_current_value():
    assert narrative.change("absence_rate_pct", 4.9, 4.6, include_now=False) == (
        "up from 4.60% in the previous 12 months")


def test_signal_sentences_only_recent_ones_once():
    signals = pd.DataFrame({"end_x": ["2025-01-01", "2026-03-01", "2026-05-01", "2026-06-01"],
                            "description": ["old", "new shift", "new shift", None]})
    assert narrative.signal_sentences(signals, pd.Timestamp("2026-01-01")) == ["new shift"]
    assert narrative.signal_sentences(signals.iloc[:0], pd.Timestamp("2026-01-01")) == []


def test_suppressed_note_names_the_threshold():
    assert narrative.suppressed_note(7).startswith("Counts below 7 are suppressed (*)")
