"""Plain-English sentences for service leads: the intervention verdict states a change only
when the evaluation declared one, says when the data do not show a clear change (and how large
a change could have been missed), and names the failed checks, with no figure, when there is
not enough data; SPC readings for every icon."""

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


def verdict(kind, rel, lo, hi, *, mde=None, largest=None, outcome="sickness absence",
            p_adjusted=None, n_judged=1, **kw):
    return narrative.its_verdict(verdict=kind, relative=rel, ci_lower=lo, ci_upper=hi,
                                 outcome=outcome, mde_ratio=mde, largest_planned=largest,
                                 p_adjusted=p_adjusted, n_judged=n_judged, **kw)


def check(name, detail, needed, kind="data"):
    from wellbeing_analysis.its import Check

    return Check(name, False, detail, needed, kind)


# ---------------------------------------------------------------------------
# its_verdict
# ---------------------------------------------------------------------------
def test_improved_is_a_fall():
    assert verdict("improved", -0.20, -0.30, -0.10) == (
        "Sickness absence fell after the intervention: about 20% lower than expected had "
        "things continued as before (95% confidence interval 10% to 30% lower).")


def test_worsened_is_a_rise_and_names_holm_when_two_outcomes_are_judged():
    assert verdict("worsened", 0.25, 0.10, 0.40, outcome="leaving", p_adjusted=0.012,
                   n_judged=2) == (
        "Leaving rose after the intervention: about 25% higher than expected had things "
        "continued as before (95% confidence interval 10% to 40% higher, judged together with "
        "the other outcome (Holm-adjusted p = 0.012)).")


def test_no_clear_change_spanning_zero():
    text = verdict("no clear change", -0.10, -0.25, 0.08)
    assert re.fullmatch(r"The data do not show a clear change in sickness absence: the best "
                        r"estimate is a 10% fall, but anything from a 25% fall to an? 8% rise "
                        r"fits the data\.", text), text
    assert "a 5% rise, but" in verdict("no clear change", 0.05, -0.1, 0.2)


def test_no_clear_change_never_opens_by_asserting_a_change():
    """The interval excludes no change but Holm's correction for two outcomes does not let
    the change be declared: the sentence opens by saying there is no clear change."""
    text = verdict("no clear change", -0.22, -0.37, -0.04, p_adjusted=0.07, n_judged=2)
    assert text.startswith("The data do not show a clear change in sickness absence")
    assert "(95% CI 4% to 37% lower)" in text and "Holm-adjusted p = 0.07" in text
    for word in ("fell", "rose", "real"):
        assert word not in text


@pytest.mark.parametrize("lo, hi", [(-0.2, 0.0), (0.0, 0.2)])
def test_an_interval_touching_zero_claims_nothing(lo, hi):
    assert verdict("no clear change", (lo + hi) / 2, lo, hi).startswith(
        "The data do not show a clear change")


def test_no_clear_change_with_a_minimum_detectable_effect():
    text = verdict("no clear change", -0.10, -0.25, 0.08, mde=0.70, largest=0.70)
    assert text.endswith(" With this much data only a change of about 30% or more would "
                         "reliably show.")  # the MDE wins over the largest planned effect


def test_no_clear_change_when_even_the_largest_planned_effect_would_be_missed():
    expected = (" With this much data even a 30% change would probably be missed: the "
                "measure is too noisy at this size of service.")
    assert verdict("no clear change", -0.1, -0.25, 0.08, largest=0.70).endswith(expected)
    assert verdict("no clear change", -0.1, -0.25, 0.08, mde=math.nan,
                   largest=0.70).endswith(expected)


def test_no_clear_change_without_power_information_adds_nothing():
    assert verdict("no clear change", -0.1, -0.25, 0.08).endswith("fits the data.")


def test_power_sentences_only_when_there_is_no_clear_change():
    assert "With this much data" not in verdict("improved", -0.2, -0.3, -0.1, mde=0.7,
                                                largest=0.7)


def test_not_enough_data_names_the_failed_checks_and_shows_no_figure():
    failed = [check("points_after", "5 months analysed after the change at 2024-04; at least "
                    "8 are needed.", "Needed: 3 more month(s) of data after the change.")]
    text = narrative.its_verdict(verdict="not enough data", status="not enough data",
                                 outcome="sickness absence", failed=failed)
    assert text == ("No estimate of the change in sickness absence is shown: the analysis has "
                    "too little data to judge it. 5 months analysed after the change at "
                    "2024-04; at least 8 are needed. Needed: 3 more month(s) of data after "
                    "the change.")
    assert "%" not in text


def test_a_model_that_cannot_be_trusted_says_so():
    failed = [check("separation", "The fitted rate of some periods is driven towards zero.",
                    "Needed: events in every segment.", kind="fit")]
    text = narrative.its_verdict(verdict="not enough data", status="model not trusted",
                                 outcome="leaving", relative=-0.9, ci_lower=-1.0,
                                 ci_upper=-0.5, failed=failed)
    assert text.startswith("No estimate of the change in leaving is shown: the analysis "
                           "cannot be trusted to judge it.")
    assert "%" not in text and "90" not in text


def test_failed_diagnostics_add_a_caution():
    diag = [check("autocorrelation", "Some autocorrelation is left.", None, "diagnostic")]
    text = verdict("improved", -0.2, -0.3, -0.1, diagnostics=diag)
    assert text.endswith(" Caution: Some autocorrelation is left.")


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
    signals = pd.DataFrame({"start_x": ["2024-06-01", "2025-09-01", "2026-03-01", "2026-06-01"],
                            "end_x": ["2025-01-01", "2026-03-01", "2026-05-01", "2026-06-01"],
                            "description": ["old", "new shift", "new shift", None]})
    assert narrative.signal_sentences(signals, pd.Timestamp("2026-01-01")) == ["new shift"]
    assert narrative.signal_sentences(signals.iloc[:0], pd.Timestamp("2026-01-01")) == []


def test_signal_sentences_latest_first_and_nested_episodes_listed_once():
    signals = pd.DataFrame({
        "start_x": ["2025-02-01", "2025-08-01", "2026-03-01"],
        "end_x": ["2025-12-01", "2025-10-01", "2026-09-01"],
        "description": ["the sickness absence rate stayed below the mean (Feb to Dec 2025)",
                        "months near the lower limit (Aug to Oct 2025)",
                        "the sickness absence rate stayed below the mean (Mar to Sep 2026)"]})
    got = narrative.signal_sentences(signals, pd.Timestamp("2025-01-01"),
                                     subject="Sickness absence rate")
    # the Aug-Oct 2025 episode lies inside the Feb-Dec 2025 shift: the same signal
    assert got == ["stayed below the mean (Mar to Sep 2026)",
                   "stayed below the mean (Feb to Dec 2025)"]


def test_suppressed_note_names_the_threshold():
    assert narrative.suppressed_note(7).startswith("Counts below 7 are suppressed (*)")
