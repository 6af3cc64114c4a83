"""Disclosure control: primary, dependent and secondary suppression, survey group sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_analysis.constants import MIN_SURVEY_GROUP_SIZE, SUPPRESS_COUNT_BELOW
from wellbeing_analysis.disclosure import min_group_size, numeric, suppress, suppression_masks
from wellbeing_analysis.errors import InputError

STAR = "*"


def test_defaults_follow_the_published_rules():
    # NHS Talking Therapies statistics suppress counts below 5; the NHS Staff Survey does not
    # show breakdowns below 11 responses
    assert SUPPRESS_COUNT_BELOW == 5
    assert MIN_SURVEY_GROUP_SIZE == 11


def test_counts_below_threshold_are_suppressed_and_zero_is_not():
    t = pd.DataFrame({"team": list("ABCDE"), "leavers": [0, 1, 4, 5, 12]})
    out = suppress(t, count_columns=["leavers"])
    assert out["leavers"].tolist() == [0, STAR, STAR, 5, 12]
    assert out["suppressed"].tolist() == [False, True, True, False, False]
    # zeros too when asked
    out0 = suppress(t, count_columns=["leavers"], suppress_zero=True)
    assert out0["leavers"].tolist() == [STAR, STAR, STAR, 5, 12]


def test_threshold_is_a_parameter():
    t = pd.DataFrame({"n": [3, 7, 8]})
    # hospital statistics rule: 1-7 suppressed
    assert suppress(t, count_columns=["n"], threshold=8)["n"].tolist() == [STAR, STAR, 8]


def test_dependent_values_of_a_suppressed_count_are_suppressed():
    t = pd.DataFrame({"team": list("ABC"), "n": [3, 20, 30], "mean": [4.1, 5.2, 5.5],
                      "ci_low": [3.0, 4.9, 5.3], "label": ["x", "y", "z"]})
    out = suppress(t, count_columns=["n"], dependent_columns=["mean", "ci_low"])
    assert out.loc[0, ["n", "mean", "ci_low"]].tolist() == [STAR, STAR, STAR]
    assert out.loc[1, "mean"] == 5.2
    assert out["label"].tolist() == ["x", "y", "z"]  # not derived: kept


def test_a_percentage_is_suppressed_when_numerator_or_denominator_is_small():
    t = pd.DataFrame({"num": [3, 10, 10], "den": [50, 4, 40], "pct": [6.0, 250.0, 25.0]})
    out = suppress(t, count_columns=["num", "den"], dependent_columns={"pct": ["num", "den"]})
    assert out["pct"].tolist() == [STAR, STAR, 25.0]
    assert out["num"].tolist() == [STAR, 10, 10]
    assert out["den"].tolist() == [50, STAR, 40]


def test_dependency_mapping_only_blanks_what_derives_from_the_suppressed_count():
    t = pd.DataFrame({"n_from": [3, 30], "n_to": [30, 30], "mean_from": [1.0, 2.0],
                      "mean_to": [3.0, 4.0]})
    out = suppress(t, count_columns=["n_from", "n_to"],
                   dependent_columns={"mean_from": ["n_from"], "mean_to": ["n_to"]})
    assert out.loc[0, "mean_from"] == STAR
    assert out.loc[0, "mean_to"] == 3.0


def test_secondary_suppression_protects_a_lone_suppressed_cell():
    # team counts of one month add up to the published service total (3 + 20 + 9 + 40 = 72):
    # with only the 3 hidden it could be recovered by subtraction, so the smallest other
    # count (9) is hidden too
    t = pd.DataFrame({"month": ["2024-01"] * 4 + ["2024-02"] * 4,
                      "team": list("ABCD") * 2,
                      "leavers": [3, 20, 9, 40, 6, 20, 9, 40],
                      "rate": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]})
    out = suppress(t, count_columns=["leavers"], dependent_columns=["rate"],
                   partition_columns=["month"])
    assert out["leavers"].tolist() == [STAR, 20, STAR, 40, 6, 20, 9, 40]
    assert out["rate"].tolist()[:4] == [STAR, 0.2, STAR, 0.4]
    # without a partition, only primary suppression
    plain = suppress(t, count_columns=["leavers"], partition_columns=None)
    assert plain["leavers"].tolist()[:4] == [STAR, 20, 9, 40]


def test_secondary_prefers_a_non_zero_count_and_stops_at_two():
    t = pd.DataFrame({"g": ["x"] * 4, "n": [2, 0, 30, 8]})
    out = suppress(t, count_columns=["n"], partition_columns=["g"])
    assert out["n"].tolist() == [STAR, 0, 30, STAR]
    # two primary suppressions already protect each other: nothing more
    t2 = pd.DataFrame({"g": ["x"] * 4, "n": [2, 3, 30, 8]})
    assert suppress(t2, count_columns=["n"], partition_columns=["g"])["n"].tolist() == \
        [STAR, STAR, 30, 8]
    # only zeros left to choose from: the zero is hidden
    t3 = pd.DataFrame({"g": ["x"] * 2, "n": [2, 0]})
    assert suppress(t3, count_columns=["n"], partition_columns=["g"])["n"].tolist() == [STAR, STAR]


def test_single_row_partition_cannot_get_secondary_suppression():
    t = pd.DataFrame({"g": ["x", "y", "y"], "n": [2, 10, 12]})
    out = suppress(t, count_columns=["n"], partition_columns=["g"])
    assert out["n"].tolist() == [STAR, 10, 12]


def test_missing_counts_are_left_alone_and_input_is_not_changed():
    t = pd.DataFrame({"n": [np.nan, 2.0, 9.0], "m": [1.0, 2.0, 3.0]})
    before = t.copy()
    out = suppress(t, count_columns=["n"], dependent_columns=["m"])
    assert pd.isna(out.loc[0, "n"]) and out.loc[0, "m"] == 1.0
    assert out.loc[1, "n"] == STAR
    pd.testing.assert_frame_equal(t, before)


def test_marker_none_keeps_columns_numeric_and_no_flag_column():
    t = pd.DataFrame({"n": [2, 9], "m": [1.5, 2.5]})
    out = suppress(t, count_columns=["n"], dependent_columns=["m"], marker=None,
                   flag_column=None)
    assert list(out.columns) == ["n", "m"]
    assert out["m"].dtype == float and np.isnan(out.loc[0, "m"]) and out.loc[1, "m"] == 2.5
    assert np.isnan(out.loc[0, "n"])


def test_unknown_columns_are_a_clear_error():
    t = pd.DataFrame({"n": [1]})
    with pytest.raises(InputError, match="'count'"):
        suppress(t, count_columns=["count"])
    with pytest.raises(InputError, match="'mean'"):
        suppress(t, count_columns=["n"], dependent_columns=["mean"])
    with pytest.raises(InputError, match="'month'"):
        suppress(t, count_columns=["n"], partition_columns=["month"])


def test_min_group_size_hides_small_and_empty_groups_entirely():
    t = pd.DataFrame({"team": list("ABCD"), "n": [0, 10, 11, 40],
                      "mean": [np.nan, 4.0, 5.0, 6.0]})
    out = min_group_size(t, dependent_columns=["mean"])
    assert out["n"].tolist() == [STAR, STAR, 11, 40]
    assert out["mean"].tolist() == [STAR, STAR, 5.0, 6.0]
    shown = min_group_size(t, dependent_columns=["mean"], hide_count=False)
    assert shown["n"].tolist() == [0, 10, 11, 40]
    assert shown["mean"].tolist() == [STAR, STAR, 5.0, 6.0]
    # a different minimum is a parameter
    assert min_group_size(t, dependent_columns=["mean"], threshold=5)["mean"].tolist()[1:] == \
        [4.0, 5.0, 6.0]


def test_min_group_size_secondary_suppression_across_teams():
    # one small team in a wave: its mean could be recovered from the published service mean,
    # so the next smallest team is suppressed as well
    t = pd.DataFrame({"wave": ["w1"] * 3 + ["w2"] * 3, "team": list("ABC") * 2,
                      "n": [8, 25, 14, 12, 25, 14], "mean": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out = min_group_size(t, dependent_columns=["mean"], partition_columns=["wave"])
    assert out["mean"].tolist() == [STAR, 2.0, STAR, 4.0, 5.0, 6.0]


def test_numeric_turns_markers_back_into_nan_for_charts():
    t = pd.DataFrame({"n": [2, 20], "m": [1.0, 2.0], "label": ["a", "*b"]})
    out = numeric(suppress(t, count_columns=["n"], dependent_columns=["m"]))
    assert np.isnan(out.loc[0, "m"]) and out.loc[1, "m"] == 2.0
    assert out["label"].tolist() == ["a", "*b"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 30)), min_size=1, max_size=25),
       st.integers(1, 12))
def test_property_no_small_count_shown_and_no_lone_suppression(rows, threshold):
    t = pd.DataFrame(rows, columns=["part", "n"])
    masks = suppression_masks(t, count_columns=["n"], threshold=threshold,
                              partition_columns=["part"])
    m = masks["n"]
    shown = t.loc[~m, "n"]
    # no count in 1..threshold-1 is ever shown
    assert not ((shown > 0) & (shown < threshold)).any()
    # every partition with 2+ rows has either none or at least two suppressed cells
    per_part = pd.DataFrame({"part": t["part"], "m": m}).groupby("part")["m"].agg(["sum", "size"])
    multi = per_part[per_part["size"] >= 2]
    assert not (multi["sum"] == 1).any()
    # secondary suppression never takes more than one extra cell per partition
    primary = (t["n"] > 0) & (t["n"] < threshold)
    extra = (m & ~primary).groupby(t["part"]).sum()
    assert (extra <= 1).all()


# ---------------------------------------------------------------------------
# Shares and rates of people: numerator, complement and group (rule 3)
# ---------------------------------------------------------------------------
from wellbeing_analysis.disclosure import Share, protect, share_shown  # noqa: E402


@pytest.mark.parametrize("num,den,shown", [
    (1, 12, False),    # one person has it
    (11, 12, False),   # one person lacks it: the complement reveals them
    (6, 12, True),
    (0, 12, True),     # nobody: shown, as NHS publications show zeros
    (12, 12, True),    # everybody
    (2, 4, False),     # the group itself is small
])
def test_share_shown_follows_numerator_complement_and_group(num, den, shown):
    assert share_shown(num, den, threshold=5) is shown


def test_protect_suppresses_a_share_whose_complement_is_small_and_hides_its_numerator():
    # the two rows the safe-data issue found: 5 in post with stability 20 (one person) and
    # 12 in post with stability 91.7 (one person lacking a year's service)
    t = pd.DataFrame({"team": list("ABC"), "in_post": [5, 12, 40],
                      "long_serving": [1, 11, 30], "stability": [20.0, 91.7, 75.0]})
    out = protect(t, counts=["in_post"],
                  shares={"stability": Share("long_serving", "in_post")},
                  hidden=["long_serving"])
    assert "long_serving" not in out.columns
    assert out["stability"].tolist() == [STAR, STAR, 75.0]
    assert out["in_post"].tolist() == [5, 12, 40]


def test_protect_secondary_suppression_covers_hidden_numerators():
    # team numerators add up to a service figure shown elsewhere: one suppressed team
    # numerator would be recovered by subtraction, so a second one goes too
    t = pd.DataFrame({"team": list("ABCD"), "staff": [30, 30, 30, 30],
                      "absent": [3, 10, 12, 20], "rate": [1.0, 2.0, 3.0, 4.0]})
    out = protect(t, counts=["staff"], shares={"rate": Share("absent", "staff", complement=False)},
                  hidden=["absent"])
    assert out["rate"].tolist() == [STAR, 2.0, 3.0, 4.0]
    whole = protect(t.assign(part=1), counts=["staff"],
                    shares={"rate": Share("absent", "staff", complement=False)},
                    hidden=["absent"], partition_columns=["part"])
    assert whole["rate"].tolist() == [STAR, STAR, 3.0, 4.0]
