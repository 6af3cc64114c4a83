"""Joy at work: marble-jar proportion and Net Promoter Score."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.instruments.joy import joy_proportion, net_promoter_score

STAR = "*"


def _tallies() -> pd.DataFrame:
    return pd.DataFrame({
        "week_start": pd.to_datetime(["2024-04-01", "2024-04-08", "2024-04-29", "2024-05-06",
                                      "2024-04-01", "2024-04-08"]),
        "team": ["A", "A", "A", "A", "B", "B"],
        "good_days": [9, 1, 30, 3, 2, 20],
        "total_days": [10, 10, 40, 4, 3, 25],
    })


def test_weekly_share_sums_good_days_then_divides():
    j = joy_proportion(_tallies())
    t = j.table.set_index("period")
    # week of 2024-04-01: (9 + 2) / (10 + 3) = 11/13
    assert t.loc[pd.Timestamp("2024-04-01"), "pct_good"] == pytest.approx(100 * 11 / 13)
    assert t.loc[pd.Timestamp("2024-04-01"), "total_days"] == 13
    # a week with 4 marbles in total (< 5) is suppressed with its share
    assert t.loc[pd.Timestamp("2024-05-06"), "pct_good"] == STAR
    assert t.loc[pd.Timestamp("2024-05-06"), "good_days"] == STAR


def test_monthly_share_is_not_an_average_of_weekly_shares():
    j = joy_proportion(_tallies(), freq="M")
    t = j.table.set_index("period")
    # April (weeks starting 1, 8, 29 April): good 9+1+30+2+20 = 62 of 10+10+40+3+25 = 88;
    # the mean of weekly shares would be different
    april = t.loc[pd.Timestamp("2024-04-01")]
    assert april["good_days"] == 62 and april["total_days"] == 88
    assert april["pct_good"] == pytest.approx(100 * 62 / 88)
    # the week starting 29 April counts in April (the month of its first day)
    assert t.loc[pd.Timestamp("2024-05-01"), "total_days"] == STAR  # 4 marbles


def test_by_team_with_secondary_suppression():
    j = joy_proportion(_tallies(), by=("team",))
    t = j.table.set_index(["period", "team"])
    w = pd.Timestamp("2024-04-01")
    # team B has 3 marbles (< 5) that week: suppressed, and A (the only other team) too
    assert t.loc[(w, "B"), "pct_good"] == STAR and t.loc[(w, "A"), "pct_good"] == STAR
    w2 = pd.Timestamp("2024-04-08")
    assert t.loc[(w2, "A"), "pct_good"] == pytest.approx(10.0)
    assert t.loc[(w2, "B"), "pct_good"] == pytest.approx(80.0)


def test_joy_bad_input():
    bad = _tallies()
    bad.loc[0, "good_days"] = 11
    with pytest.raises(InputError, match="good_days"):
        joy_proportion(bad)
    with pytest.raises(InputError, match="freq"):
        joy_proportion(_tallies(), freq="Q")
    with pytest.raises(InputError, match="total_days"):
        joy_proportion(_tallies().drop(columns="total_days"))


def test_joy_plot_and_summary():
    j = joy_proportion(_tallies())
    ax = j.plot(intervention_date="2024-04-15")
    assert isinstance(ax, plt.Axes)
    assert "good days" in ax.get_title(loc="left")
    s = j.summary()
    assert s["periods"].iloc[0] == 4


def test_nps_hand_computed():
    # 12 answers: promoters (9-10): 4; detractors (0-6): 4; passives: 4 -> NPS 0
    answers = [10, 9, 9, 10, 8, 7, 8, 7, 6, 0, 3, 5]
    df = pd.DataFrame({"wave_date": pd.Timestamp("2024-04-01"), "nps": answers})
    t = net_promoter_score(df).table.iloc[0]
    assert t["n"] == 12
    assert t["pct_promoters"] == pytest.approx(100 / 3)
    assert t["pct_detractors"] == pytest.approx(100 / 3)
    assert t["nps"] == pytest.approx(0.0)
    # se = 100 sqrt((1/3 + 1/3 - 0) / 12); 95% CI = ±1.96 se
    se = 100 * np.sqrt((2 / 3) / 12)
    assert t["ci_high"] == pytest.approx(1.959964 * se, rel=1e-5)


def test_nps_blank_answers_left_out_and_small_groups_suppressed():
    df = pd.DataFrame({"wave_date": pd.to_datetime(["2024-04-01"] * 12 + ["2024-10-01"] * 5),
                       "nps": [10] * 11 + [np.nan] + [0] * 5})
    t = net_promoter_score(df).table.set_index("wave_date")
    assert t.loc[pd.Timestamp("2024-04-01"), "n"] == 11
    assert t.loc[pd.Timestamp("2024-04-01"), "nps"] == 100
    assert t.loc[pd.Timestamp("2024-10-01"), "nps"] == STAR


def test_nps_rejects_answers_off_the_scale():
    df = pd.DataFrame({"wave_date": pd.Timestamp("2024-04-01"), "nps": [10, 11, 5.5]})
    with pytest.raises(InputError, match="0-10"):
        net_promoter_score(df)
