"""Aggregation for reports: alpha against the formula, means and CIs, cut-offs, item
distributions, wave changes against scipy, NHS Staff Survey trends, suppression."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.instruments import (
    before_after,
    cronbach_alpha,
    highlighted_questions,
    item_distribution,
    staff_survey_trend,
    summarise_scores,
    wave_changes,
)
from wellbeing_analysis.instruments.stats import welch_difference, wilson_interval

STAR = "*"


def test_cronbach_alpha_against_the_formula_by_hand():
    # items (rows = responses):  1 2 2 / 2 3 3 / 3 3 4 / 4 5 5
    # item variances (ddof 1): 5/3, 4.75/3, 5/3 -> sum 59/12
    # totals 5, 8, 10, 14: mean 9.25, SS 42.75, variance 14.25 = 57/4
    # alpha = 3/2 x (1 - (59/12)/(57/4)) = 3/2 x (1 - 59/171) = 3/2 x 112/171 = 56/57
    m = pd.DataFrame([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 5]], dtype=float)
    assert cronbach_alpha(m) == pytest.approx(56 / 57)
    # listwise deletion: an incomplete response changes nothing
    with_gap = pd.concat([m, pd.DataFrame([[5, np.nan, 1]], dtype=float)], ignore_index=True)
    assert cronbach_alpha(with_gap) == pytest.approx(56 / 57)


def test_cronbach_alpha_degenerate_cases():
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [1.0, 2.0, 3.0]})))  # one item
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [1.0], "b": [2.0]})))  # one response
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [2.0, 2.0], "b": [3.0, 3.0]})))  # no variance
    # perfectly parallel items: alpha = 1
    assert cronbach_alpha(pd.DataFrame({"a": [1.0, 2, 3], "b": [1.0, 2, 3]})) == pytest.approx(1)


def test_wilson_and_welch_against_references():
    lo, hi = wilson_interval(np.array([8]), np.array([10]))
    # Wilson 95% interval for 8/10 (z = 1.95996): 0.4902 to 0.9433
    assert lo[0] == pytest.approx(0.4902, abs=1e-4) and hi[0] == pytest.approx(0.9433, abs=1e-4)
    rng = np.random.default_rng(3)
    a, b = rng.normal(4, 1, 30), rng.normal(4.6, 1.5, 45)
    d, lo, hi = welch_difference(a.mean(), a.std(ddof=1), 30, b.mean(), b.std(ddof=1), 45)
    ref = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert d == pytest.approx(b.mean() - a.mean())
    assert (lo, hi) == pytest.approx((ref.low, ref.high))


def _survey(rng, sizes: dict, waves=("2024-04-01", "2024-10-01"), shift=0.0) -> pd.DataFrame:
    """psafe responses: sizes = {team: responses per wave}."""
    parts = []
    for w_i, wave in enumerate(waves):
        for team, n in sizes.items():
            theta = rng.normal(4.5 + shift * w_i, 0.8, n)
            items = np.clip(np.rint(theta[:, None] + rng.normal(0, 0.8, (n, 7))), 1, 7)
            items[:, [0, 2, 4]] = 8 - items[:, [0, 2, 4]]  # answers to reversed statements
            df = pd.DataFrame(items, columns=[f"psafe_{i}" for i in range(1, 8)])
            df["wave_date"] = pd.Timestamp(wave)
            df["team"] = team
            parts.append(df)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "response_id", [f"R{i}" for i in range(len(out))])
    return out


def test_means_cis_and_alpha_match_direct_computation():
    rng = np.random.default_rng(7)
    data = _survey(rng, {"A": 40, "B": 30})
    s = summarise_scores(data, "psafe")
    assert list(s.table.columns[:4]) == ["wave_date", "measure", "label", "n"]
    row = s.table.iloc[0]
    # direct: score by hand (reverse 1, 3, 5), mean, t interval, alpha on the scored items
    wave = data[data["wave_date"] == row["wave_date"]]
    items = wave[[f"psafe_{i}" for i in range(1, 8)]].to_numpy(float, copy=True)
    items[:, [0, 2, 4]] = 8 - items[:, [0, 2, 4]]
    scores = items.mean(axis=1)
    n = len(scores)
    half = stats.t.ppf(0.975, n - 1) * scores.std(ddof=1) / np.sqrt(n)
    assert row["n"] == 70
    assert row["mean"] == pytest.approx(scores.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((scores.mean() - half,
                                                             scores.mean() + half))
    assert row["alpha"] == pytest.approx(cronbach_alpha(pd.DataFrame(items)))
    assert row["alpha_n"] == 70


def test_small_groups_are_suppressed_in_every_table():
    rng = np.random.default_rng(1)
    data = _survey(rng, {"A": 30, "B": 25, "C": 11, "D": 10})
    s = summarise_scores(data, "psafe", by=("wave_date", "team"))
    t = s.table.set_index(["wave_date", "team"])
    w = pd.Timestamp("2024-04-01")
    assert t.loc[(w, "D"), "n"] == STAR and t.loc[(w, "D"), "mean"] == STAR
    assert t.loc[(w, "D"), "alpha"] == STAR
    # exactly one small team per wave: the next smallest (C, 11 responses) is suppressed too,
    # or D's mean could be recovered from the service mean
    assert t.loc[(w, "C"), "mean"] == STAR
    assert t.loc[(w, "A"), "n"] == 30 and t.loc[(w, "B"), "n"] == 25
    # the minimum is a parameter
    s5 = summarise_scores(data, "psafe", by=("wave_date", "team"), min_group_size=5)
    assert (s5.table["n"] != STAR).all()
    # item distributions and wave changes obey it too
    dist = item_distribution(data, "psafe", by=("wave_date", "team"))
    dd = dist.table[dist.table["team"] == "D"]
    assert (dd["pct_disagree"] == STAR).all() and (dd["n"] == STAR).all()
    assert not dist.options["team"].isin(["C", "D"]).any()
    ch = wave_changes(data, "psafe", by=("team",))
    assert (ch.table.loc[ch.table["team"] == "D", "change"] == STAR).all()
    assert (ch.table.loc[ch.table["team"] == "A", "change"] != STAR).all()


def test_not_stated_team_is_a_group_and_empty_waves_are_noted():
    rng = np.random.default_rng(2)
    data = _survey(rng, {"A": 20}, waves=("2024-04-01", "2024-10-01", "2025-04-01"))
    data.loc[data.index[:12], "team"] = np.nan
    data.loc[data["wave_date"] == pd.Timestamp("2025-04-01"),
             [f"psafe_{i}" for i in range(1, 8)]] = np.nan
    s = summarise_scores(data, "psafe", by=("wave_date", "team"))
    assert "Not stated" in set(s.table["team"])
    assert pd.Timestamp("2025-04-01") not in set(s.table["wave_date"])
    assert any("2025-04-01" in n for n in s.notes)
    assert any("Missing items" in n for n in s.notes)


def test_olbi_cutoffs_count_scores_at_the_threshold():
    # exhaustion items 2 4 5 8 10 12 14 16, disengagement the rest; disagree_1 coding with
    # answers chosen so that scored values are exact: set raw so scored = target
    exhaust = [2.25, 2.0, 3.0, 1.0] * 3  # 12 responses: 6 of 12 meet >= 2.25
    diseng = [2.125, 2.0, 2.5, 2.0] * 3  # 2.125 and 2.5 meet >= 2.10
    rows = []
    e_items, d_items = [2, 4, 5, 8, 10, 12, 14, 16], [1, 3, 6, 7, 9, 11, 13, 15]
    rev = {1, 5, 7, 10, 13, 14, 15, 16}  # reversed under disagree_1
    for e, d in zip(exhaust, diseng, strict=True):
        scored = {}
        for items, target in ((e_items, e), (d_items, d)):
            total = int(round(target * 8))  # eight items adding up to target x 8
            vals = [1] * 8
            for j in range(total - 8):
                vals[j % 8] += 1
            scored.update(dict(zip(items, vals, strict=True)))
        rows.append([5 - scored[i] if i in rev else scored[i] for i in range(1, 17)])
    df = pd.DataFrame(rows, columns=[f"olbi_{i}" for i in range(1, 17)], dtype=float)
    df.insert(0, "response_id", [f"R{i}" for i in range(len(df))])
    df["wave_date"] = pd.Timestamp("2024-04-01")
    df["olbi_coding"] = "disagree_1"
    s = summarise_scores(df, "olbi")
    cut = s.cutoffs.set_index("measure")
    assert cut.loc["exhaustion", "n_meeting"] == 6 and cut.loc["exhaustion", "pct"] == 50
    assert cut.loc["disengagement", "n_meeting"] == 6
    # burnout = both: responses 1 (2.25 & 2.125) and 3 (3.0 & 2.5) of each four
    assert cut.loc["burnout", "n_meeting"] == 6
    lo, hi = wilson_interval(np.array([6]), np.array([12]))
    assert cut.loc["exhaustion", "ci_low"] == pytest.approx(100 * lo[0])


def test_item_distribution_finds_the_most_disagreed_statement():
    # 12 respondents; statement 4 ('safe to take a risk') answered 2 by everyone: 100% disagree
    rows = [[2, 6, 2, 2, 2, 6, 6]] * 12
    df = pd.DataFrame(rows, columns=[f"psafe_{i}" for i in range(1, 8)], dtype=float)
    df.loc[:5, "psafe_1"] = 6  # half agree that mistakes are held against them
    df.insert(0, "response_id", [f"R{i}" for i in range(12)])
    df["wave_date"] = pd.Timestamp("2024-04-01")
    dist = item_distribution(df, "psafe")
    t = dist.table.set_index("item")
    assert t.loc["4", "pct_disagree"] == 100 and t.loc["2", "pct_agree"] == 100
    # statement 1 (reversed): agreeing is unfavourable; 50% agree -> 50% unfavourable
    assert t.loc["1", "pct_agree"] == 50 and t.loc["1", "pct_unfavourable"] == 50
    assert t.loc["3", "pct_unfavourable"] == 0  # disagreeing that people are rejected is good
    assert bool(t.loc["1", "reversed"]) and not bool(t.loc["2", "reversed"])
    top = dist.most_disagreed()
    assert top["item"].tolist() in (["3"], ["4"], ["5"]) and top["pct_disagree"].iloc[0] == 100
    worst = dist.least_favourable()
    assert worst["item"].iloc[0] == "4"
    assert "risk" in worst["statement"].iloc[0]
    assert dist.summary()["item"].tolist() == ["4"]  # the summary reads favourability
    # a reversed statement disagreed with by everyone is favourable, not a concern
    assert t.loc["3", "pct_disagree"] == 100 and t.loc["3", "pct_favourable"] == 100
    opts = dist.options[dist.options["item"] == "1"].set_index("code")["pct"]
    assert opts.to_dict() == {2.0: 50.0, 6.0: 50.0}


def test_wave_changes_match_welch_on_the_scores():
    rng = np.random.default_rng(11)
    data = _survey(rng, {"A": 40}, waves=("2024-04-01", "2024-10-01", "2025-04-01"), shift=0.4)
    ch = wave_changes(data, "psafe")
    assert len(ch.table) == 2
    first = ch.table.iloc[0]
    scored = data.copy()
    cols = [f"psafe_{i}" for i in range(1, 8)]
    items = scored[cols].to_numpy(float, copy=True)
    items[:, [0, 2, 4]] = 8 - items[:, [0, 2, 4]]
    scored["s"] = items.mean(axis=1)
    a = scored.loc[scored["wave_date"] == pd.Timestamp("2024-04-01"), "s"]
    b = scored.loc[scored["wave_date"] == pd.Timestamp("2024-10-01"), "s"]
    ref = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert first["change"] == pytest.approx(b.mean() - a.mean())
    assert (first["ci_low"], first["ci_high"]) == pytest.approx((ref.low, ref.high))
    base = wave_changes(data, "psafe", against="first")
    assert (base.table["from"] == pd.Timestamp("2024-04-01")).all()
    with pytest.raises(InputError, match="two waves"):
        wave_changes(data[data["wave_date"] == pd.Timestamp("2024-04-01")], "psafe")


def test_before_after_pools_waves_and_skips_the_washout():
    rng = np.random.default_rng(5)
    data = _survey(rng, {"A": 50}, waves=("2023-10-01", "2024-04-01", "2024-10-01"))
    ba = before_after(data, "psafe", change_date="2024-03-01", washout_months=3)
    row = ba.table.iloc[0]
    assert row["n_from"] == 50 and row["n_to"] == 50  # 2024-04 wave is in the washout
    assert row["from"] == "before 2024-03-01" and row["to"] == "from 2024-06-01"
    with pytest.raises(InputError, match="both before"):
        before_after(data, "psafe", change_date="2030-01-01")


def test_bad_breakdown_column_is_a_clear_error():
    data = _survey(np.random.default_rng(0), {"A": 12})
    with pytest.raises(InputError, match="'directorate'"):
        summarise_scores(data, "psafe", by=("wave_date", "directorate"))


def _results() -> pd.DataFrame:
    rows = []
    for year, q in ((2021, "q21c"), (2022, "q23c"), (2023, "q25c")):
        rows.append((year, "question", q, 50.0 + year - 2021, "percent_positive", 80, ""))
    rows += [(2019, "question", "q3d", 40.0, "percent_positive", 80, ""),
             (2021, "question", "q3d", 41.0, "percent_positive", 80, ""),
             (2023, "question", "q3d", 45.0, "percent_positive", 9, ""),
             (2023, "question", "q23c", 12.0, "percent_positive", 80, ""),  # appraisal in 2023
             (2022, "theme", "Staff engagement", 6.8, "score", 80, ""),
             (2023, "theme", "Staff engagement", 7.0, "score", 80, ""),
             (2023, "theme", "Staff engagement", 6.1, "score", 8, "Team A"),
             (2023, "theme", "Staff engagement", 7.2, "score", 30, "Team B"),
             (2023, "theme", "Staff engagement", 7.1, "score", 40, "Team C")]
    return pd.DataFrame(rows, columns=["year", "measure_type", "measure", "value", "value_type",
                                       "responses", "breakdown"])


def test_highlighted_questions_follow_renumbering_and_suppress_small_results():
    r = _results()
    adv = highlighted_questions(r, questions=("q21c",))
    assert adv.table["year"].tolist() == [2021, 2022, 2023]
    assert adv.table["asked_as"].tolist() == ["q21c", "q23c", "q25c"]
    assert adv.table["value"].tolist() == [50.0, 51.0, 52.0]  # 2023's q23c (12%) not mixed in
    h = highlighted_questions(r)
    q3d = h.table[h.table["question"] == "q3d"]
    assert q3d["year"].tolist() == [2021, 2023]  # 2019 numbering is not tabled: left out
    assert q3d["value"].tolist() == [41.0, STAR]  # 9 responses < 11
    assert any("2019" in n for n in h.notes)


def test_staff_survey_trend_breakdowns():
    r = _results()
    whole = staff_survey_trend(r)
    assert whole.table["value"].tolist() == [6.8, 7.0]
    teams = staff_survey_trend(r, breakdown="all")
    t = teams.table.set_index("breakdown")
    assert t.loc["Team A", "value"] == STAR  # 8 responses
    assert t.loc["Team B", "value"] == STAR  # secondary: the lone small team is protected
    assert t.loc["Team C", "value"] == 7.1
    assert staff_survey_trend(r, breakdown="Team C").table["value"].tolist() == [7.1]


def test_plots_return_axes_and_skip_suppressed_points():
    rng = np.random.default_rng(1)
    # B is too small; C (next smallest) is hidden too by secondary suppression; A is drawn
    data = _survey(rng, {"A": 30, "B": 5, "C": 25},
                   waves=("2024-04-01", "2024-10-01", "2025-04-01"))
    s = summarise_scores(data, "psafe", by=("wave_date", "team"), min_group_size=11)
    ax = s.plot(intervention_date="2024-06-01")
    assert isinstance(ax, plt.Axes)
    assert "Psychological safety" in ax.get_title(loc="left")
    drawn = [line for line in ax.get_lines() if len(line.get_xdata()) == 3]
    ys = [np.asarray(line.get_ydata(), float) for line in drawn]
    assert any(np.isnan(y).all() for y in ys)  # team B's points are suppressed, not drawn
    assert any(np.isfinite(y).all() for y in ys)
    fig, ax2 = plt.subplots()
    assert item_distribution(data, "psafe").plot(ax=ax2) is ax2
    assert wave_changes(data, "psafe").plot() is not None
    assert highlighted_questions(_results()).plot() is not None


def test_results_serialise_to_json():
    rng = np.random.default_rng(4)
    data = _survey(rng, {"A": 20, "B": 4}, waves=("2024-04-01", "2024-10-01"))
    for result in (summarise_scores(data, "psafe", by=("wave_date", "team")),
                   item_distribution(data, "psafe"), wave_changes(data, "psafe"),
                   before_after(data, "psafe", change_date="2024-06-01"),
                   highlighted_questions(_results())):
        text = json.dumps(result.to_dict())
        assert "NaN" not in text
    d = wave_changes(data, "psafe").to_dict()
    assert d["table"][0]["from"] == "2024-04-01" and d["table"][0]["to"] == "2024-10-01"
