"""Scoring of every instrument: hand-scored respondents, every reversal, the SWEMWBS table end
to end, missing-item rules, NHS Staff Survey coding and renumbering, and bad input.

Expected reversals and subscale memberships are written out here from
docs/instruments.md, *not* read from the package definitions, so that a dropped or
misplaced reversal in the definitions makes these tests fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.instruments.scoring import (
    item_scores,
    nss_item_score,
    score_bpns,
    score_nss_engagement,
    score_nss_morale,
    score_olbi,
    score_psafe,
    score_responses,
    score_swemwbs,
    score_wemwbs,
    score_wrqol,
    swemwbs_metric,
    to_2021_numbering,
)


def frame(prefix: str, rows: list[list], *, ids=None, columns=None, **extra) -> pd.DataFrame:
    """Responses with item columns '<prefix>1'.. (or ``columns``) and response ids."""
    n_items = len(rows[0])
    columns = columns or [f"{prefix}{i}" for i in range(1, n_items + 1)]
    df = pd.DataFrame(rows, columns=columns, dtype="float64")
    df.insert(0, "response_id", ids or [f"R{i + 1}" for i in range(len(rows))])
    for k, v in extra.items():
        df[k] = v
    return df


# ---------------------------------------------------------------------------
# Hand-scored respondents
# ---------------------------------------------------------------------------
def test_psafe_hand_scored():
    # A: answers 2 6 3 5 1 4 6; items 1, 3, 5 reversed (8 - x): 6 6 5 5 7 4 6 = 39 -> 39/7
    # B: 7 1 7 1 7 1 1 -> every scored item is 1 -> 1.0
    # C: item 3 blank, 6 of 7 answered (>= 80%): 4 5 . 6 2 7 3 -> 4 5 6 6 7 3 = 31 -> 31/6
    # D: items 3 and 6 blank, 5 of 7 (< 80%) -> not scored
    df = frame("psafe_", [[2, 6, 3, 5, 1, 4, 6], [7, 1, 7, 1, 7, 1, 1],
                          [4, 5, np.nan, 6, 2, 7, 3], [4, 5, np.nan, 6, 2, np.nan, 3]])
    out = score_psafe(df)
    assert list(out.columns) == ["response_id", "psafe"]
    np.testing.assert_allclose(out["psafe"].to_numpy(), [39 / 7, 1.0, 31 / 6, np.nan])


def test_bpns_hand_scored():
    # answers to items 1..21
    a = [5, 6, 2, 6, 3, 7, 2, 5, 6, 5, 2, 6, 4, 3, 6, 2, 5, 1, 2, 3, 7]
    # autonomy 1, 5R, 8, 11R, 13, 17, 20R: 5, 8-3, 5, 8-2, 4, 5, 8-3 = 35 -> 5.0
    # competence 3R, 4, 10, 12, 14R, 19R: 8-2, 6, 5, 6, 8-3, 8-2 = 34 -> 34/6
    # relatedness 2, 6, 7R, 9, 15, 16R, 18R, 21: 6, 7, 8-2, 6, 6, 8-2, 8-1, 7 = 51 -> 51/8
    out = score_bpns(frame("bpns_", [a]))
    assert list(out.columns) == ["response_id", "autonomy", "competence", "relatedness"]
    np.testing.assert_allclose(out.iloc[0, 1:].astype(float), [5.0, 34 / 6, 51 / 8])


OLBI_ANSWERS = [2, 1, 3, 2, 3, 2, 2, 1, 3, 3, 2, 1, 4, 3, 2, 3]


def test_olbi_hand_scored_agree_1():
    # agree_1: reverse 2, 3, 4, 6, 8, 9, 11, 12 (5 - x)
    # exhaustion 2R 4R 5 8R 10 12R 14 16: 4 3 3 4 3 4 3 3 = 27 -> 3.375
    # disengagement 1 3R 6R 7 9R 11R 13 15: 2 2 3 2 2 3 4 2 = 20 -> 2.5
    out = score_olbi(frame("olbi_", [OLBI_ANSWERS]), coding="agree_1")
    assert list(out.columns) == ["response_id", "exhaustion", "disengagement"]
    np.testing.assert_allclose(out.iloc[0, 1:].astype(float), [3.375, 2.5])


def test_olbi_hand_scored_disagree_1():
    # disagree_1: reverse the other eight, 1, 5, 7, 10, 13, 14, 15, 16
    # exhaustion 2 4 5R 8 10R 12 14R 16R: 1 2 2 1 2 1 2 2 = 13 -> 1.625
    # disengagement 1R 3 6 7R 9 11 13R 15R: 3 3 2 3 3 2 1 3 = 20 -> 2.5
    out = score_olbi(frame("olbi_", [OLBI_ANSWERS]), coding="disagree_1")
    np.testing.assert_allclose(out.iloc[0, 1:].astype(float), [1.625, 2.5])


def test_olbi_coding_per_row_from_the_olbi_coding_column():
    df = frame("olbi_", [OLBI_ANSWERS, OLBI_ANSWERS], olbi_coding=["agree_1", "disagree_1"])
    out = score_olbi(df)
    np.testing.assert_allclose(out[["exhaustion", "disengagement"]].to_numpy(),
                               [[3.375, 2.5], [1.625, 2.5]])


def test_wrqol_hand_scored():
    w = [4, 3, 5, 2, 4, 3, 2, 4, 1, 3, 4, 2, 3, 4, 5, 2, 4, 3, 5, 4, 3, 2, 3]
    # reversed 7, 9, 19 (6 - x): item 7 2->4, item 9 1->5, item 19 5->1
    # GWB 4 9 10 15 17 21: 2+5+3+5+4+3 = 22; HWI 5 6 14: 4+3+4 = 11;
    # JCS 1 3 8 11 18 20: 4+5+4+4+3+4 = 24; CAW 2 12 23: 3+2+3 = 8; WCS 13 16 22: 3+2+2 = 7;
    # SAW 7 19: 4+1 = 5; overall = 22+11+24+8+7+5 = 77 (raw sum 75, +2 +4 -4)
    df = frame("wrqol_", [w + [5]], columns=[f"wrqol_{i}" for i in range(1, 25)])
    out = score_wrqol(df)
    assert list(out.columns) == ["response_id", "gwb", "hwi", "jcs", "caw", "wcs", "saw", "wrqol"]
    assert out.iloc[0, 1:].astype(float).tolist() == [22, 11, 24, 8, 7, 5, 77]
    # item 24 is asked but not scored: changing it changes nothing
    df.loc[0, "wrqol_24"] = 1
    assert score_wrqol(df).iloc[0, 1:].astype(float).tolist() == [22, 11, 24, 8, 7, 5, 77]


def test_swemwbs_hand_scored():
    # 3+4+2+5+3+4+3 = 24 -> metric 21.54 (conversion table); never the raw total unconverted
    out = score_swemwbs(frame("swemwbs_", [[3, 4, 2, 5, 3, 4, 3]]))
    assert list(out.columns) == ["response_id", "raw", "metric"]
    assert out.loc[0, "raw"] == 24
    assert out.loc[0, "metric"] == pytest.approx(21.54)


def test_wemwbs_hand_scored():
    # plain sum: 3+4+2+5+3+4+3+4+3+2+5+4+3+3 = 48
    out = score_wemwbs(frame("wemwbs_", [[3, 4, 2, 5, 3, 4, 3, 4, 3, 2, 5, 4, 3, 3]]))
    assert list(out.columns) == ["response_id", "wemwbs"]
    assert out.loc[0, "wemwbs"] == 48


ENGAGEMENT_2023 = ["nss_q2a", "nss_q2b", "nss_q2c", "nss_q3c", "nss_q3d", "nss_q3f", "nss_q25a",
                   "nss_q25c", "nss_q25d"]
ENGAGEMENT_2021 = [c.replace("q25", "q21") for c in ENGAGEMENT_2023]
ENGAGEMENT_2022 = [c.replace("q25", "q23") for c in ENGAGEMENT_2023]


@pytest.mark.parametrize("columns", [ENGAGEMENT_2021, ENGAGEMENT_2022, ENGAGEMENT_2023])
def test_nss_engagement_hand_scored_in_every_numbering(columns):
    # answers 4 5 3 | 2 4 3 | 5 4 2 -> 0-10: 7.5 10 5 | 2.5 7.5 5 | 10 7.5 2.5
    # motivation 22.5/3 = 7.5, involvement 15/3 = 5, advocacy 20/3; engagement = mean of three
    df = frame("", [[4, 5, 3, 2, 4, 3, 5, 4, 2]], columns=columns)
    out = score_nss_engagement(df)
    assert list(out.columns) == ["response_id", "motivation", "involvement", "advocacy",
                                 "engagement"]
    expected = [7.5, 5.0, 20 / 3, (7.5 + 5.0 + 20 / 3) / 3]
    np.testing.assert_allclose(out.iloc[0, 1:].astype(float), expected)


def test_nss_morale_hand_scored():
    # 2022 numbering: thinking about leaving q24a-c (reversed: 10, 7.5, 5, 2.5, 0)
    # q24a 2 -> 7.5, q24b 1 -> 10, q24c 4 -> 2.5: 20/3
    # work pressure q3g 3 -> 5, q3h 4 -> 7.5, q3i 2 -> 2.5: 5
    # stressors q3a 4 -> 7.5, q3e 3 -> 5, q5a 2 (R) -> 7.5, q5b 4 -> 7.5, q5c 5 (R) -> 0,
    #   q7c 3 -> 5, q9a 4 -> 7.5: 40/7
    cols = ["nss_q24a", "nss_q24b", "nss_q24c", "nss_q3g", "nss_q3h", "nss_q3i", "nss_q3a",
            "nss_q3e", "nss_q5a", "nss_q5b", "nss_q5c", "nss_q7c", "nss_q9a"]
    df = frame("", [[2, 1, 4, 3, 4, 2, 4, 3, 2, 4, 5, 3, 4]], columns=cols)
    out = score_nss_morale(df)
    expected = [20 / 3, 5.0, 40 / 7, (20 / 3 + 5 + 40 / 7) / 3]
    np.testing.assert_allclose(out.iloc[0, 1:].astype(float), expected)
    assert (20 / 3 + 5 + 40 / 7) / 3 == pytest.approx(365 / 63)


def test_nss_item_score_coding():
    codes = pd.Series([1, 2, 3, 4, 5, np.nan])
    assert nss_item_score(codes).tolist()[:5] == [0, 2.5, 5, 7.5, 10]
    assert nss_item_score(codes, reverse=True).tolist()[:5] == [10, 7.5, 5, 2.5, 0]
    assert np.isnan(nss_item_score(codes).iloc[5])
    with pytest.raises(InputError, match="1-5"):
        nss_item_score(pd.Series([0, 3]))


# ---------------------------------------------------------------------------
# Every reversal, every item: perturb one answer, the score moves the documented way
# ---------------------------------------------------------------------------
# (instrument, coding, column of item, subscale key, reversed?, scale, items in subscale,
#  'mean'/'sum', points per answer step)
def _local_cases():
    cases = []
    psafe_rev = {1, 3, 5}
    for i in range(1, 8):
        cases.append(("psafe", None, f"psafe_{i}", "psafe", i in psafe_rev, (1, 7), 7, "mean", 1))
    bpns = {"autonomy": ([1, 5, 8, 11, 13, 17, 20], {5, 11, 20}),
            "competence": ([3, 4, 10, 12, 14, 19], {3, 14, 19}),
            "relatedness": ([2, 6, 7, 9, 15, 16, 18, 21], {7, 16, 18})}
    for key, (items, rev) in bpns.items():
        for i in items:
            cases.append(("bpns", None, f"bpns_{i}", key, i in rev, (1, 7), len(items), "mean", 1))
    olbi = {"exhaustion": [2, 4, 5, 8, 10, 12, 14, 16],
            "disengagement": [1, 3, 6, 7, 9, 11, 13, 15]}
    agree_rev = {2, 3, 4, 6, 8, 9, 11, 12}
    for coding in ("agree_1", "disagree_1"):
        for key, items in olbi.items():
            for i in items:
                rev = (i in agree_rev) if coding == "agree_1" else (i not in agree_rev)
                cases.append(("olbi", coding, f"olbi_{i}", key, rev, (1, 4), 8, "mean", 1))
    wrqol = {"gwb": [4, 9, 10, 15, 17, 21], "hwi": [5, 6, 14], "jcs": [1, 3, 8, 11, 18, 20],
             "caw": [2, 12, 23], "wcs": [13, 16, 22], "saw": [7, 19]}
    for key, items in wrqol.items():
        for i in items:
            cases.append(("wrqol", None, f"wrqol_{i}", key, i in {7, 9, 19}, (1, 5), len(items),
                          "sum", 1))
    for i in range(1, 8):
        cases.append(("swemwbs", None, f"swemwbs_{i}", "raw", False, (1, 5), 7, "sum", 1))
    for i in range(1, 15):
        cases.append(("wemwbs", None, f"wemwbs_{i}", "wemwbs", False, (1, 5), 14, "sum", 1))
    eng = {"motivation": ["q2a", "q2b", "q2c"], "involvement": ["q3c", "q3d", "q3f"],
           "advocacy": ["q25a", "q25c", "q25d"]}
    for key, items in eng.items():
        for q in items:
            cases.append(("nss_engagement", None, f"nss_{q}", key, False, (1, 5), 3, "mean", 2.5))
    mor = {"thinking_about_leaving": (["q26a", "q26b", "q26c"], {"q26a", "q26b", "q26c"}),
           "work_pressure": (["q3g", "q3h", "q3i"], set()),
           "stressors": (["q3a", "q3e", "q5a", "q5b", "q5c", "q7c", "q9a"], {"q5a", "q5c"})}
    for key, (items, rev) in mor.items():
        for q in items:
            cases.append(("nss_morale", None, f"nss_{q}", key, q in rev, (1, 5), len(items),
                          "mean", 2.5))
    return cases


ALL_COLUMNS = {
    "psafe": [f"psafe_{i}" for i in range(1, 8)],
    "bpns": [f"bpns_{i}" for i in range(1, 22)],
    "olbi": [f"olbi_{i}" for i in range(1, 17)],
    "wrqol": [f"wrqol_{i}" for i in range(1, 24)],
    "swemwbs": [f"swemwbs_{i}" for i in range(1, 8)],
    "wemwbs": [f"wemwbs_{i}" for i in range(1, 15)],
    "nss_engagement": ENGAGEMENT_2023,
    "nss_morale": ["nss_q26a", "nss_q26b", "nss_q26c", "nss_q3g", "nss_q3h", "nss_q3i",
                   "nss_q3a", "nss_q3e", "nss_q5a", "nss_q5b", "nss_q5c", "nss_q7c", "nss_q9a"],
}


@pytest.mark.parametrize("case", _local_cases(), ids=lambda c: f"{c[0]}-{c[1] or 'std'}-{c[2]}")
def test_every_item_moves_its_subscale_in_the_documented_direction(case):
    name, coding, column, key, reverse, (lo, hi), k, method, step = case
    cols = ALL_COLUMNS[name]
    base = lo + 1  # so that +1 stays on the scale
    df = frame("", [[base] * len(cols), [base] * len(cols)], columns=cols)
    df.loc[1, column] = base + 1
    out = score_responses(df, name, coding=coding)
    delta = out.drop(columns="response_id").astype(float).diff().iloc[1]
    per_item = step / k if method == "mean" else step
    expected = -per_item if reverse else per_item
    assert delta[key] == pytest.approx(expected), f"{column} in {key}"
    others = [c for c in delta.index if c != key
              and c not in ("psafe", "metric", "wrqol", "engagement", "morale", "wemwbs")]
    assert np.allclose(delta[others], 0.0), f"{column} moved another subscale"


# ---------------------------------------------------------------------------
# SWEMWBS raw -> metric, every raw total end to end
# ---------------------------------------------------------------------------
def _answers_with_total(raw: int) -> list[int]:
    """Seven answers 1-5 adding up to ``raw`` (7..35)."""
    extra = raw - 7
    return [1 + min(4, max(0, extra - 4 * i)) for i in range(7)]


def test_swemwbs_all_29_raw_totals_end_to_end(reference_dir):
    table = pd.read_csv(reference_dir / "instruments" / "swemwbs_conversion.csv")
    assert len(table) == 29 and table["raw"].tolist() == list(range(7, 36))
    rows = [_answers_with_total(r) for r in table["raw"]]
    assert [sum(r) for r in rows] == table["raw"].tolist()
    out = score_swemwbs(frame("swemwbs_", rows))
    assert out["raw"].tolist() == table["raw"].tolist()
    np.testing.assert_allclose(out["metric"].to_numpy(), table["metric"].to_numpy(), atol=1e-9)
    # the conversion is not the identity (a common error returns the raw total)
    assert (out["metric"] != out["raw"]).sum() >= 25


def test_swemwbs_metric_rejects_non_integer_raw_totals():
    assert swemwbs_metric(pd.Series([7, np.nan])).iloc[0] == 7.0
    with pytest.raises(InputError, match="whole numbers from 7 to 35"):
        swemwbs_metric(pd.Series([24.5]))
    with pytest.raises(InputError):
        swemwbs_metric(pd.Series([36]))


# ---------------------------------------------------------------------------
# Missing-item rules (declared per instrument)
# ---------------------------------------------------------------------------
def test_bpns_competence_needs_five_of_six():
    a = [4] * 21
    b = list(a)
    b[2] = np.nan  # item 3 (competence): 5 of 6 answered -> scored
    c = list(b)
    c[3] = np.nan  # item 4 too: 4 of 6 -> not scored; autonomy and relatedness unaffected
    out = score_bpns(frame("bpns_", [a, b, c]))
    assert out["competence"].notna().tolist() == [True, True, False]
    assert out["autonomy"].notna().all() and out["relatedness"].notna().all()


def test_min_share_overrides_the_rule_where_allowed():
    df = frame("psafe_", [[4, 5, np.nan, 6, 2, np.nan, 3]])  # 5 of 7
    assert score_psafe(df)["psafe"].isna().all()
    # 5/7 = 0.714 >= 0.7: scored, mean of the answered items after reversal (4, 5, 6, 6, 3)
    assert score_psafe(df, min_share=0.7)["psafe"].iloc[0] == pytest.approx((4 + 5 + 6 + 6 + 3) / 5)
    with pytest.raises(InputError, match="min_share"):
        score_psafe(df, min_share=1.5)


def test_sum_scales_need_every_item_by_default():
    w = frame("wrqol_", [[3] * 23])
    w.loc[0, "wrqol_19"] = np.nan  # SAW and the overall score lose an item
    out = score_wrqol(w)
    assert np.isnan(out.loc[0, "saw"]) and np.isnan(out.loc[0, "wrqol"])
    assert out.loc[0, "gwb"] == 18
    s = frame("swemwbs_", [[3, 3, 3, np.nan, 3, 3, 3]])
    assert score_swemwbs(s)[["raw", "metric"]].isna().all(axis=None)
    with pytest.raises(InputError, match="conversion table"):
        score_swemwbs(s, min_share=0.8)
    # WEMWBS prorates when a lower share is chosen: 13 answers of 3 -> 3 x 14 = 42
    m = frame("wemwbs_", [[3] * 13 + [np.nan]])
    assert np.isnan(score_wemwbs(m).loc[0, "wemwbs"])
    assert score_wemwbs(m, min_share=0.9).loc[0, "wemwbs"] == pytest.approx(42)


def test_nss_sub_scores_need_two_of_three_and_theme_needs_all():
    df = frame("", [[4, np.nan, np.nan, 3, 3, 3, 3, 3, 3], [4, 4, np.nan, 3, 3, 3, 3, 3, 3]],
               columns=ENGAGEMENT_2023)
    out = score_nss_engagement(df)
    assert np.isnan(out.loc[0, "motivation"]) and np.isnan(out.loc[0, "engagement"])
    assert out.loc[1, "motivation"] == 7.5 and out.loc[1, "engagement"] == pytest.approx(
        (7.5 + 5 + 5) / 3)


# ---------------------------------------------------------------------------
# NHS Staff Survey renumbering
# ---------------------------------------------------------------------------
def test_renumbering_against_the_reference_table(reference_dir):
    t = pd.read_csv(reference_dir / "instruments" / "nhs_nss_theme_items.csv", dtype=str)
    t = t[["q_2021", "q_2022", "q_2023_2025"]].drop_duplicates()
    for year, col in ((2021, "q_2021"), (2022, "q_2022"), (2023, "q_2023_2025"),
                      (2025, "q_2023_2025")):
        got = to_2021_numbering(pd.Series([year] * len(t)), t[col].reset_index(drop=True))
        assert got.tolist() == t["q_2021"].tolist(), year
    # examples: advocacy moved; 9c did not; untabled years are not guessed
    got = to_2021_numbering(pd.Series([2023, 2022, 2024, 2020, 2026, 2023]),
                            pd.Series(["q25c", "Q23A", "q9c", "q3d", "q3d", "q23c"]))
    assert got.tolist()[:3] == ["q21c", "q21a", "q9c"]
    assert pd.isna(got.iloc[3]) and pd.isna(got.iloc[4])
    assert got.iloc[5] == "q19c"  # 2023's q23c is an appraisal question, not advocacy


def test_a_row_answering_one_question_in_two_numberings_is_an_error():
    df = frame("", [[4, 4, 4, 3, 3, 3, 5, 4, 2, 5]], columns=ENGAGEMENT_2023 + ["nss_q21a"])
    with pytest.raises(InputError, match="more than one numbering"):
        score_nss_engagement(df, source="pulse.csv")


# ---------------------------------------------------------------------------
# Bad input: clear errors naming file, row, column and value
# ---------------------------------------------------------------------------
def _problems(exc) -> pd.DataFrame:
    return exc.value.problems


def test_out_of_range_codes_name_row_column_value():
    df = frame("psafe_", [[4] * 7, [4, 8, 4, 4, 4, 4, 0]])
    with pytest.raises(InputError) as exc:
        score_psafe(df, source="survey.csv")
    p = _problems(exc)
    assert set(zip(p["row"], p["column"])) == {(3, "psafe_2"), (3, "psafe_7")}
    assert "survey.csv, row 3, column 'psafe_2'" in str(exc.value)
    assert "[1, 7]" in str(exc.value)


def test_olbi_range_is_1_to_4():
    df = frame("olbi_", [[5] + [2] * 15], olbi_coding=["agree_1"])
    with pytest.raises(InputError, match=r"row 2, column 'olbi_1'.*\[1, 4\]"):
        score_olbi(df, source="s.csv")


def test_undeclared_olbi_coding_is_an_error_never_guessed():
    with pytest.raises(InputError, match="olbi_coding"):
        score_olbi(frame("olbi_", [OLBI_ANSWERS]), source="s.csv")
    # a coding column with a blank on an answered row: that row is named
    df = frame("olbi_", [OLBI_ANSWERS, OLBI_ANSWERS], olbi_coding=["agree_1", ""])
    with pytest.raises(InputError) as exc:
        score_olbi(df, source="s.csv")
    p = _problems(exc)
    assert p[["row", "column"]].values.tolist() == [[3, "olbi_coding"]]


def test_unknown_or_conflicting_codings():
    with pytest.raises(InputError, match="unknown coding 'agree'"):
        score_olbi(frame("olbi_", [OLBI_ANSWERS]), coding="agree")
    with pytest.raises(InputError, match="single response coding"):
        score_psafe(frame("psafe_", [[4] * 7]), coding="agree_1")
    df = frame("olbi_", [OLBI_ANSWERS], olbi_coding=["disagree_1"])
    with pytest.raises(InputError, match="conflicts with the declared coding"):
        score_olbi(df, coding="agree_1")
    bad = frame("olbi_", [OLBI_ANSWERS], olbi_coding=["agree1"])
    with pytest.raises(InputError, match="unknown response coding"):
        score_olbi(bad)


def test_unknown_and_missing_item_columns():
    df = frame("psafe_", [[4] * 7])
    df["psafe_8"] = 3
    with pytest.raises(InputError, match="row 1, column 'psafe_8': unknown item column"):
        score_psafe(df, source="s.csv")
    df = frame("psafe_", [[4] * 7]).drop(columns="psafe_4")
    with pytest.raises(InputError, match="column 'psafe_4'"):
        score_psafe(df, source="s.csv")
    # other instruments' columns and other columns are fine
    df = frame("psafe_", [[4] * 7], team=["A"], bpns_1=[3], nss_q2a=[4])
    assert score_psafe(df)["psafe"].iloc[0] == 4.0


def test_non_numbers_and_non_integers_are_errors():
    df = pd.DataFrame({"response_id": ["a", "b"],
                       **{f"psafe_{i}": ["4", "4"] for i in range(1, 8)}})
    df.loc[0, "psafe_3"] = "four"
    df.loc[1, "psafe_5"] = "2.5"
    with pytest.raises(InputError) as exc:
        score_psafe(df)
    assert sorted(_problems(exc)["problem"]) == ["not a number", "not a whole number"]


def test_response_ids_required_and_unique():
    df = frame("psafe_", [[4] * 7, [4] * 7, [4] * 7], ids=["a", "a", None])
    with pytest.raises(InputError) as exc:
        score_psafe(df, source="s.csv")
    p = _problems(exc)
    assert sorted(zip(p["row"], p["column"], p["problem"])) == [
        (3, "response_id", "duplicate response identifier"),
        (4, "response_id", "a response identifier is required")]
    with pytest.raises(InputError, match="'response_id' is missing"):
        score_psafe(frame("psafe_", [[4] * 7]).drop(columns="response_id"))


def test_unknown_instrument():
    with pytest.raises(InputError, match="unknown instrument 'phq9'"):
        score_responses(frame("psafe_", [[4] * 7]), "phq9")


def test_keep_columns_and_order_are_preserved():
    df = frame("psafe_", [[4] * 7, [5] * 7], ids=["z", "a"], wave_date=["2024-04-01"] * 2,
               team=["A", "B"])
    out = score_psafe(df)
    assert list(out.columns) == ["response_id", "wave_date", "team", "psafe"]
    assert out["response_id"].tolist() == ["z", "a"]
    assert list(score_psafe(df, keep=()).columns) == ["response_id", "psafe"]


def test_item_scores_are_reversed_and_rescaled():
    s = item_scores(frame("psafe_", [[1, 1, 1, 1, 1, 1, 1]]), "psafe")
    assert s.iloc[0].tolist() == [7, 1, 7, 1, 7, 1, 1]
    e = item_scores(frame("", [[1, 2, 3, 4, 5, 1, 2, 3, 4]], columns=ENGAGEMENT_2023),
                    "nss_engagement")
    assert e.iloc[0].tolist() == [0, 2.5, 5, 7.5, 10, 0, 2.5, 5, 7.5]
    assert list(e.columns)[-3:] == ["q21a", "q21c", "q21d"]  # keyed by 2021 numbering


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(1, 7), min_size=7, max_size=7), min_size=1, max_size=20))
def test_property_psafe_mirror_and_range(rows):
    df = frame("psafe_", rows)
    s = score_psafe(df)["psafe"]
    assert ((s >= 1) & (s <= 7)).all()
    # answering every statement the opposite way (8 - x) mirrors the score (8 - s)
    mirrored = score_psafe(frame("psafe_", [[8 - x for x in r] for r in rows]))["psafe"]
    np.testing.assert_allclose(mirrored.to_numpy(), 8 - s.to_numpy())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(1, 4), min_size=16, max_size=16), min_size=1, max_size=10))
def test_property_olbi_codings_agree_when_answers_are_flipped(rows):
    # the same opinions recorded under the other convention (5 - x) give the same scores
    a = score_olbi(frame("olbi_", rows), coding="agree_1")
    d = score_olbi(frame("olbi_", [[5 - x for x in r] for r in rows]), coding="disagree_1")
    np.testing.assert_allclose(a[["exhaustion", "disengagement"]].to_numpy(),
                               d[["exhaustion", "disengagement"]].to_numpy())
