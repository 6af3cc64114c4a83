"""Monthly workforce indicators: hand-computed small cases for every column, and
hypothesis property tests against a slow day-by-day reference implementation.

Every expected number below is worked out by hand in a comment (calendar days, inclusive
dates), never copied from the code's output.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.workforce import CORE_COLUMNS, GROUP_ONLY_COLUMNS, monthly_indicators

VOL = "Voluntary Resignation - Promotion"
NONVOL = "Retirement Age"


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------
def sp(staff, start, end=None, *, fte=1.0, team="A", group="Counsellor", reason=None) -> dict:
    return {"staff_id": staff, "team": team, "staff_group": group, "band": "Band 6",
            "fte": float(fte), "start_date": pd.Timestamp(start),
            "end_date": pd.Timestamp(end) if end else pd.NaT, "leaving_reason": reason}


def ep(staff, start, end=None, *, reason="S13", related=None) -> dict:
    return {"staff_id": staff, "start_date": pd.Timestamp(start),
            "end_date": pd.Timestamp(end) if end else pd.NaT, "reason_code": reason,
            "related_reason": related}


def spells(*rows: dict) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    for c in ("start_date", "end_date"):
        df[c] = df[c].astype("datetime64[ns]")
    df["leaving_reason"] = df["leaving_reason"].astype(object)
    return df


def episodes(*rows: dict) -> pd.DataFrame:
    cols = ["staff_id", "start_date", "end_date", "reason_code", "related_reason"]
    df = pd.DataFrame(list(rows), columns=cols)
    for c in ("start_date", "end_date"):
        df[c] = df[c].astype("datetime64[ns]")
    df["related_reason"] = df["related_reason"].astype(object)
    return df


def run(s: pd.DataFrame, e: pd.DataFrame, extract: str, by: str | None = None,
        **kw) -> pd.DataFrame:
    out = monthly_indicators(s, e, extract_date=extract, by=by, **kw)
    return out.set_index([by, "month"] if by else "month")


# ---------------------------------------------------------------------------
# The table's shape
# ---------------------------------------------------------------------------
def test_columns_contract():
    out = monthly_indicators(spells(sp("a", "2023-01-01")), episodes(),
                             extract_date="2023-03-31")
    # the core columns, in this order, month first
    named = ["month", "headcount", "fte", "fte_days_available", "fte_days_lost",
             "absence_rate_pct", "starters", "leavers"]
    cols = list(out.columns)
    assert cols == list(CORE_COLUMNS)
    assert [c for c in cols if c in named] == named
    by = monthly_indicators(spells(sp("a", "2023-01-01")), episodes(),
                            extract_date="2023-03-31", by="team")
    assert list(by.columns) == ["month", "team", *CORE_COLUMNS[1:], *GROUP_ONLY_COLUMNS]


def test_every_month_from_first_spell_to_extract_even_when_empty():
    # a leaves 10 Feb 2022; b starts 1 June 2022; March-May nobody is in post
    s = spells(sp("a", "2022-01-15", "2022-02-10", reason=VOL), sp("b", "2022-06-01"))
    out = run(s, episodes(), "2022-07-04")
    assert out.index.tolist() == ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05",
                                  "2022-06", "2022-07"]
    assert out["headcount"].tolist() == [1, 0, 0, 0, 0, 1, 1]
    # Jan: 15..31 = 17 days; Feb: 1..10 = 10; Jun: 30; Jul: 1..4 = 4 (the extract date)
    assert out["fte_days_available"].tolist() == [17, 10, 0, 0, 0, 30, 4]
    # no days available -> no rate (not zero, not an error)
    assert out.loc["2022-04", "absence_rate_pct"] != out.loc["2022-04", "absence_rate_pct"]
    assert out["starters"].tolist() == [1, 0, 0, 0, 0, 1, 0]
    assert out["leavers"].tolist() == [0, 1, 0, 0, 0, 0, 0]


def test_bad_inputs_raise_input_error():
    s = spells(sp("a", "2023-01-01"))
    with pytest.raises(InputError, match="--by"):
        monthly_indicators(s, episodes(), extract_date="2023-03-31", by="band")
    with pytest.raises(InputError, match="fte"):
        monthly_indicators(s.drop(columns="fte"), episodes(), extract_date="2023-03-31")
    with pytest.raises(InputError, match="no rows"):
        monthly_indicators(s.iloc[:0], episodes(), extract_date="2023-03-31")


# ---------------------------------------------------------------------------
# Absence
# ---------------------------------------------------------------------------
def test_episode_across_a_month_end():
    s = spells(sp("a", "2023-01-01"))
    e = episodes(ep("a", "2023-01-30", "2023-02-02"))
    out = run(s, e, "2023-03-31")
    # available: Jan 31, Feb 28, Mar 31 days at FTE 1
    assert out["fte_days_available"].tolist() == [31.0, 28.0, 31.0]
    # lost: Jan 30, 31 -> 2; Feb 1, 2 -> 2; Mar 0
    assert out["fte_days_lost"].tolist() == [2.0, 2.0, 0.0]
    # rate: 100 × 2/31 = 6.4516...; 100 × 2/28 = 7.1428...; 0
    assert out["absence_rate_pct"].tolist() == pytest.approx([200 / 31, 200 / 28, 0.0])
    # a 4-day episode is short-term
    assert out["fte_days_lost_short_term"].tolist() == [2.0, 2.0, 0.0]
    assert out["fte_days_lost_long_term"].sum() == 0


def test_ongoing_episode_runs_to_the_extract_date_mid_month():
    s = spells(sp("a", "2023-01-01"))
    e = episodes(ep("a", "2023-02-20"))  # ongoing
    out = run(s, e, "2023-03-15")
    # Feb: 20..28 = 9 days; Mar: 1..15 = 15 days, never beyond the extract date
    assert out["fte_days_lost"].tolist() == [0.0, 9.0, 15.0]
    # Mar available: 1..15 = 15 days -> the month's rate is 100%
    assert out.loc["2023-03", "fte_days_available"] == 15.0
    assert out.loc["2023-03", "absence_rate_pct"] == pytest.approx(100.0)
    # whole episode 20 Feb..15 Mar = 9 + 15 = 24 days < 28: short-term
    assert out["fte_days_lost_long_term"].sum() == 0
    # the same episode with a later extract date becomes long-term (28 days by 19 Mar)
    out = run(s, e, "2023-03-19")
    assert out.loc["2023-03", "fte_days_lost_long_term"] == 19.0
    assert out.loc["2023-02", "fte_days_lost_long_term"] == 9.0


def test_part_timer():
    s = spells(sp("a", "2023-01-01", fte=0.6), sp("b", "2023-01-01", fte=1.0))
    e = episodes(ep("a", "2023-01-10", "2023-01-14"))
    out = run(s, e, "2023-01-31")
    # available: 0.6 × 31 + 1.0 × 31 = 18.6 + 31 = 49.6
    assert out.loc["2023-01", "fte_days_available"] == pytest.approx(49.6)
    # lost: 0.6 × 5 days = 3.0; rate 100 × 3 / 49.6 = 6.0484
    assert out.loc["2023-01", "fte_days_lost"] == pytest.approx(3.0)
    assert out.loc["2023-01", "absence_rate_pct"] == pytest.approx(300 / 49.6)
    assert out.loc["2023-01", "fte"] == pytest.approx(1.6)
    assert out.loc["2023-01", "headcount"] == 2


def test_leap_year_february():
    s = spells(sp("a", "2024-01-01", fte=0.5))
    e = episodes(ep("a", "2024-02-28", "2024-03-01"))
    out = run(s, e, "2024-03-31")
    # February 2024 has 29 days: 0.5 × 29 = 14.5
    assert out["fte_days_available"].tolist() == [15.5, 14.5, 15.5]
    # 28 and 29 Feb -> 2 days × 0.5 = 1.0; 1 Mar -> 0.5
    assert out["fte_days_lost"].tolist() == [0.0, 1.0, 0.5]


def test_long_term_split_at_exactly_28_days():
    s = spells(sp("a", "2023-01-01"))
    e = episodes(
        ep("a", "2023-01-01", "2023-01-27"),  # 27 days: short-term
        ep("a", "2023-02-01", "2023-02-28"),  # 28 days: long-term
        ep("a", "2023-03-20", "2023-04-16"),  # 12 + 16 = 28 days across a month end: long
    )
    out = run(s, e, "2023-04-30")
    assert out["fte_days_lost_short_term"].tolist() == [27.0, 0.0, 0.0, 0.0]
    assert out["fte_days_lost_long_term"].tolist() == [0.0, 28.0, 12.0, 16.0]
    assert (out["fte_days_lost_short_term"] + out["fte_days_lost_long_term"]
            == out["fte_days_lost"]).all()
    # the threshold is a parameter: at 27 days the first episode is long-term too
    out27 = run(s, e, "2023-04-30", long_term_days=27)
    assert out27["fte_days_lost_long_term"].tolist() == [27.0, 28.0, 12.0, 16.0]


def test_s10_and_covid_days():
    s = spells(sp("a", "2023-01-01", fte=0.8), sp("b", "2023-01-01"))
    e = episodes(
        ep("a", "2023-01-02", "2023-01-06", reason="S10"),                      # 5 d × 0.8
        ep("b", "2023-01-09", "2023-01-11", reason="S13", related="COVID-19"),  # 3 d
        ep("b", "2023-01-16", "2023-01-17", reason="S27",
           related="Coronavirus (suspected)"),                                  # 2 d
        ep("a", "2023-01-20", "2023-01-20", reason="S12", related="Other"),     # 1 d × 0.8
    )
    out = run(s, e, "2023-01-31")
    row = out.loc["2023-01"]
    assert row["fte_days_lost_s10"] == pytest.approx(4.0)    # 0.8 × 5
    assert row["fte_days_lost_covid"] == pytest.approx(5.0)  # 3 + 2
    assert row["fte_days_lost"] == pytest.approx(4.0 + 3 + 2 + 0.8)


def test_absence_only_counts_inside_a_spell():
    # an ongoing episode for someone who left (a validation warning): days after the last
    # day in post are not lost
    s = spells(sp("a", "2023-01-01", "2023-01-20", reason=VOL), sp("b", "2023-01-01"))
    e = episodes(ep("a", "2023-01-18"))
    out = run(s, e, "2023-02-28")
    # 18, 19, 20 Jan = 3 days; nothing in February
    assert out["fte_days_lost"].tolist() == [3.0, 0.0]


def test_episode_across_an_internal_move_uses_each_spells_fte_and_team():
    s = spells(sp("a", "2023-02-01", "2023-02-14", fte=1.0, team="A"),
               sp("a", "2023-02-15", fte=0.5, team="B"))
    e = episodes(ep("a", "2023-02-10", "2023-02-20"))
    out = run(s, e, "2023-02-28")
    # 10..14 Feb in A at 1.0 = 5; 15..20 Feb in B at 0.5 = 6 × 0.5 = 3; total 8
    assert out.loc["2023-02", "fte_days_lost"] == pytest.approx(8.0)
    by = run(s, e, "2023-02-28", by="team")
    assert by.loc[("A", "2023-02"), "fte_days_lost"] == pytest.approx(5.0)
    assert by.loc[("B", "2023-02"), "fte_days_lost"] == pytest.approx(3.0)
    # the 11-day episode is short-term in both teams
    assert by["fte_days_lost_long_term"].sum() == 0


# ---------------------------------------------------------------------------
# Headcount, starters, leavers, moves
# ---------------------------------------------------------------------------
def test_mid_month_start_and_mid_month_leaver():
    s = spells(sp("a", "2023-01-16", fte=0.8),
               sp("b", "2023-01-01", "2023-01-20", reason=VOL))
    out = run(s, episodes(), "2023-02-28")
    jan, feb = out.loc["2023-01"], out.loc["2023-02"]
    # a: 16..31 Jan = 16 days × 0.8 = 12.8; b: 1..20 Jan = 20 days; total 32.8
    assert jan["fte_days_available"] == pytest.approx(32.8)
    # on 31 Jan only a is in post
    assert jan["headcount"] == 1 and jan["fte"] == pytest.approx(0.8)
    assert jan["starters"] == 2 and jan["leavers"] == 1
    assert jan["leavers_voluntary"] == 1 and jan["leavers_early"] == 1
    # Feb: a only, 28 × 0.8 = 22.4; no events
    assert feb["fte_days_available"] == pytest.approx(22.4)
    assert (feb["starters"], feb["leavers"]) == (0, 0)


def test_headcount_on_the_extract_date_in_the_extract_month():
    s = spells(sp("a", "2023-01-01", "2023-03-10", reason=VOL),   # left before 15 Mar
               sp("b", "2023-03-12"),                              # started before 15 Mar
               sp("c", "2023-01-01", fte=0.5))
    out = run(s, episodes(), "2023-03-15")
    mar = out.loc["2023-03"]
    # in post on 15 March: b and c -> 2 staff, FTE 1.5
    assert mar["headcount"] == 2 and mar["fte"] == pytest.approx(1.5)
    # available: a 1..10 = 10; b 12..15 = 4; c 0.5 × 15 = 7.5 -> 21.5
    assert mar["fte_days_available"] == pytest.approx(21.5)
    assert mar["starters"] == 1 and mar["leavers"] == 1


def test_internal_move_and_fte_change_are_not_starters_or_leavers():
    s = spells(
        # m moves from team A to team B on 15 Feb
        sp("m", "2023-01-01", "2023-02-14", team="A"),
        sp("m", "2023-02-15", team="B"),
        # f changes FTE within team A on 1 Feb
        sp("f", "2023-01-01", "2023-01-31", team="A", fte=1.0),
        sp("f", "2023-02-01", team="A", fte=0.5),
    )
    out = run(s, episodes(), "2023-03-31")
    assert out["starters"].tolist() == [2, 0, 0]  # m and f start in January
    assert out["leavers"].sum() == 0               # an open spell is not a leaver either
    assert out["headcount"].tolist() == [2, 2, 2]
    # FTE at month end: Jan 1.0 + 1.0 = 2.0; Feb, Mar 1.0 + 0.5 = 1.5
    assert out["fte"].tolist() == pytest.approx([2.0, 1.5, 1.5])
    # Feb available: m 14 (A) + 14 (B) = 28; f 0.5 × 28 = 14 -> 42
    assert out.loc["2023-02", "fte_days_available"] == pytest.approx(42.0)

    by = run(s, episodes(), "2023-03-31", by="team")
    a, b = by.loc["A"], by.loc["B"]
    assert a["starters"].tolist() == [2, 0, 0] and b["starters"].tolist() == [0, 0, 0]
    assert a["leavers"].sum() == 0 and b["leavers"].sum() == 0
    # m's move: out of A and into B in February; f's FTE change is not a move
    assert a["moves_out"].tolist() == [0, 1, 0] and a["moves_in"].sum() == 0
    assert b["moves_in"].tolist() == [0, 1, 0] and b["moves_out"].sum() == 0
    # Feb days available: A = m 14 + f 14 = 28; B = m 14
    assert a.loc["2023-02", "fte_days_available"] == pytest.approx(28.0)
    assert b.loc["2023-02", "fte_days_available"] == pytest.approx(14.0)
    assert a["headcount"].tolist() == [2, 1, 1] and b["headcount"].tolist() == [0, 1, 1]


def test_move_between_staff_groups():
    s = spells(sp("t", "2023-01-01", "2023-01-31", group="Trainee High Intensity Therapist"),
               sp("t", "2023-02-01", group="High Intensity Therapist"))
    by = run(s, episodes(), "2023-02-28", by="staff_group")
    assert by.loc[("Trainee High Intensity Therapist", "2023-01"), "moves_out"] == 1
    assert by.loc[("High Intensity Therapist", "2023-02"), "moves_in"] == 1
    assert by["leavers"].sum() == 0 and by["starters"].sum() == 1


def test_leaving_and_rejoining_is_a_leaver_and_a_starter():
    # a gap of one day (not 'the next day') breaks continuous service
    s = spells(sp("a", "2023-01-01", "2023-01-31", reason=VOL), sp("a", "2023-02-02"))
    out = run(s, episodes(), "2023-02-28")
    assert out["leavers"].tolist() == [1, 0]
    assert out["starters"].tolist() == [1, 1]


def test_voluntary_and_early_leavers():
    s = spells(
        # 12 months exactly (1 Jan..31 Dec 2022): not early; voluntary
        sp("a", "2022-01-01", "2022-12-31", reason=VOL),
        # one day short of 12 months: early; not voluntary
        sp("b", "2022-01-01", "2022-12-30", reason=NONVOL),
        # continuous service counts across an internal move: 13 months, not early
        sp("c", "2021-12-01", "2022-05-31", team="A"),
        sp("c", "2022-06-01", "2022-12-31", team="B", reason=VOL),
        # no reason given: a leaver, not voluntary; 3 months: early
        sp("d", "2022-10-01", "2022-12-31"),
        sp("z", "2021-12-01"),
    )
    out = run(s, episodes(), "2023-01-31")
    dec = out.loc["2022-12"]
    assert dec["leavers"] == 4
    assert dec["leavers_voluntary"] == 2   # a, c
    assert dec["leavers_early"] == 2       # b, d
    assert out["leavers"].sum() == 4


# ---------------------------------------------------------------------------
# Rolling rates and stability
# ---------------------------------------------------------------------------
def test_rolling_12_month_absence_rate_is_a_ratio_of_sums():
    s = spells(sp("a", "2023-01-01"), sp("b", "2023-12-01"))
    e = episodes(ep("a", "2023-12-01", "2023-12-31"))  # a off sick all December
    out = run(s, e, "2024-01-31")
    # needs 12 months of history: blank in November 2023
    assert out["absence_rate_12m_pct"].isna().tolist() == [True] * 11 + [False, False]
    # Jan-Dec 2023 available: a 365 + b 31 = 396; lost 31 -> 100 × 31/396 = 7.8283
    assert out.loc["2023-12", "absence_rate_12m_pct"] == pytest.approx(3100 / 396)
    # the mean of monthly rates would be (11 × 0 + 100 × 31/62) / 12 = 4.1667: different
    assert out.loc["2023-12", "absence_rate_pct"] == pytest.approx(50.0)
    mean_of_rates = out.loc["2023-01":"2023-12", "absence_rate_pct"].mean()
    assert mean_of_rates == pytest.approx(50 / 12)
    assert abs(mean_of_rates - out.loc["2023-12", "absence_rate_12m_pct"]) > 3
    # Feb 2023-Jan 2024: available 365 - 31 + 31 (a, Jan 24) + 31 (b Dec) + 31 (b Jan) = 427
    assert out.loc["2024-01", "absence_rate_12m_pct"] == pytest.approx(3100 / 427)


def test_turnover_12m_uses_mean_of_headcount_at_both_ends():
    s = spells(
        sp("a", "2022-01-01", "2022-03-15", reason=VOL),     # leaves in the window
        sp("b", "2022-01-01", "2022-08-10", reason=NONVOL),  # leaves in the window
        sp("c", "2022-01-01"), sp("d", "2022-01-01"),
        sp("e", "2022-01-01", "2022-01-20", reason=VOL),     # leaves Jan 2022: before window
        sp("f", "2022-06-01"), sp("g", "2022-06-01"), sp("h", "2022-06-01"),
    )
    out = run(s, episodes(), "2023-01-31")
    # headcount 31 Jan 2022: a, b, c, d = 4; 31 Jan 2023: c, d, f, g, h = 5
    assert out.loc["2022-01", "headcount"] == 4 and out.loc["2023-01", "headcount"] == 5
    # leavers Feb 2022..Jan 2023: a, b = 2 -> 100 × 2 / ((4 + 5) / 2) = 44.444
    assert out.loc["2023-01", "turnover_12m_pct"] == pytest.approx(200 / 4.5)
    assert out.loc["2023-01", "turnover_voluntary_12m_pct"] == pytest.approx(100 / 4.5)
    # no headcount 12 months before December 2022 in the table: blank
    assert np.isnan(out.loc["2022-12", "turnover_12m_pct"])


def test_stability_indices_strategy_and_classical_differ():
    s = spells(
        sp("p", "2020-01-01"),                                   # long-serving, stays
        sp("q", "2023-01-15"),                                   # in post both dates, 1y+ now
        sp("r", "2022-06-01", "2023-06-30", reason=VOL),         # left during the year
        sp("s", "2023-03-01"),                                   # new: < 1 year
        sp("t", "2023-02-01"),                                   # exactly 1 year on 31 Jan 24
        sp("u", "2023-02-02"),                                   # one day short of a year
        sp("v", "2021-01-01", "2023-05-31", reason=VOL),         # left and came back:
        sp("v", "2023-09-01"),                                   # not continuous
        sp("w", "2022-01-01", "2023-06-30", team="A"),           # internal move:
        sp("w", "2023-07-01", team="B"),                         # continuous
    )
    out = run(s, episodes(), "2024-01-31")
    jan24 = out.loc["2024-01"]
    # in post 31 Jan 2024: p q s t u v w = 7; with a year's continuous service: p q t w = 4
    assert jan24["headcount"] == 7
    assert jan24["stability_index_strategy_pct"] == pytest.approx(400 / 7)   # 57.14
    # in post 31 Jan 2023: p q r v w = 5; still continuously in post: p q w = 3
    assert out.loc["2023-01", "headcount"] == 5
    assert jan24["stability_index_classical_pct"] == pytest.approx(60.0)


def test_strategy_stability_counts_a_full_year_on_the_day_before_the_anniversary():
    # staff transferred in on 1 April 2019 have one full year's service on 31 March 2020
    s = spells(sp("a", "2019-04-01"), sp("b", "2019-04-02"))
    out = run(s, episodes(), "2020-04-30")
    # 31 Mar 2020: a has served 1 Apr 2019..31 Mar 2020 = a year; b is one day short
    assert out.loc["2020-03", "stability_index_strategy_pct"] == pytest.approx(50.0)
    assert out.loc["2020-04", "stability_index_strategy_pct"] == pytest.approx(100.0)
    assert out.loc["2020-02", "stability_index_strategy_pct"] == 0.0


def test_classical_stability_blank_without_a_year_of_history():
    out = run(spells(sp("a", "2023-01-01")), episodes(), "2023-12-31")
    assert out["stability_index_classical_pct"].isna().all()
    out = run(spells(sp("a", "2023-01-01")), episodes(), "2024-01-31")
    assert out.loc["2024-01", "stability_index_classical_pct"] == 100.0


# ---------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------
BASE = dt.date(2020, 1, 1)
TEAMS = ("A", "B", "C")
GROUPS = ("Counsellor", "Manager", "High Intensity Therapist")
FTES = (0.2, 0.5, 0.6, 0.8, 1.0, 1.5)


def day(n: int) -> pd.Timestamp:
    return pd.Timestamp(BASE + dt.timedelta(days=int(n)))


@st.composite
def services(draw):
    """Random valid small services: non-overlapping spells per staff ID (some chained
    the next day, some with gaps, the last maybe open) and non-overlapping episodes inside
    continuous service (some crossing a move, the last maybe ongoing)."""
    n_staff = draw(st.integers(1, 5))
    spell_rows, periods = [], []  # periods: (staff, first, last or None)
    for k in range(n_staff):
        staff = f"s{k}"
        t = draw(st.integers(0, 500))
        n_sp = draw(st.integers(1, 3))
        period_start = t
        for i in range(n_sp):
            length = draw(st.integers(1, 300))
            last = i == n_sp - 1
            is_open = last and draw(st.booleans())
            end = None if is_open else t + length - 1
            gap = None if last else draw(st.sampled_from([0, 0, 1, 40]))
            reason = draw(st.sampled_from([None, VOL, NONVOL]))
            spell_rows.append(dict(staff=staff, start=t, end=end, fte=draw(st.sampled_from(FTES)),
                                   team=draw(st.sampled_from(TEAMS)),
                                   group=draw(st.sampled_from(GROUPS)), reason=reason))
            if gap is None or gap > 0:
                periods.append((staff, period_start, end))
            if gap is not None:
                t = end + 1 + gap
                if gap > 0:
                    period_start = t
    max_day = max(max(r["start"], r["end"] or 0) for r in spell_rows)
    extract = max_day + draw(st.integers(0, 60))
    ep_rows = []
    for staff, first, last in periods:
        last_eff = extract if last is None else last
        cursor = first
        for _ in range(draw(st.integers(0, 3))):
            start = cursor + draw(st.integers(0, 60))
            if start > last_eff:
                break
            end = min(start + draw(st.integers(0, 45)), last_eff)
            ongoing = last is None and end == extract and draw(st.booleans())
            ep_rows.append(dict(staff=staff, start=start, end=None if ongoing else end,
                                reason=draw(st.sampled_from(["S10", "S13", "S12"]))))
            cursor = end + 2
            if ongoing:
                break
    s = spells(*[sp(r["staff"], day(r["start"]), None if r["end"] is None else day(r["end"]),
                    fte=r["fte"], team=r["team"], group=r["group"],
                    reason=None if r["end"] is None else r["reason"]) for r in spell_rows])
    e = episodes(*[ep(r["staff"], day(r["start"]), None if r["end"] is None else day(r["end"]),
                      reason=r["reason"]) for r in ep_rows])
    return s, e, day(extract)


def reference(s: pd.DataFrame, e: pd.DataFrame, extract: pd.Timestamp) -> pd.DataFrame:
    """Slow day-by-day reference: loops over spells, episodes and days (tests may loop)."""
    avail, lost, head, fte = {}, {}, {}, {}
    starters, leavers = {}, {}
    spell_list = []
    for r in s.itertuples():
        end = extract if pd.isna(r.end_date) else min(r.end_date, extract)
        spell_list.append((r.staff_id, r.start_date, end, r.fte))
        d = r.start_date
        while d <= end:
            m = d.strftime("%Y-%m")
            avail[m] = avail.get(m, 0.0) + r.fte
            d += pd.Timedelta(days=1)
        # starter: no spell of the same staff ID ends the day before
        prev = s[(s.staff_id == r.staff_id) & (s.end_date == r.start_date - pd.Timedelta(days=1))]
        if prev.empty:
            m = r.start_date.strftime("%Y-%m")
            starters[m] = starters.get(m, 0) + 1
        # leaver: closed, and no spell of the same staff ID starts the next day
        nxt = s[(s.staff_id == r.staff_id) & (s.start_date == r.end_date + pd.Timedelta(days=1))]
        if pd.notna(r.end_date) and r.end_date <= extract and nxt.empty:
            m = r.end_date.strftime("%Y-%m")
            leavers[m] = leavers.get(m, 0) + 1
    for r in e.itertuples():
        end = extract if pd.isna(r.end_date) else min(r.end_date, extract)
        d = r.start_date
        while d <= end:
            for staff, first, last, f in spell_list:
                if staff == r.staff_id and first <= d <= last:
                    m = d.strftime("%Y-%m")
                    lost[m] = lost.get(m, 0.0) + f
            d += pd.Timedelta(days=1)
    months = pd.period_range(s["start_date"].min(), extract, freq="M")
    for p in months:
        ref = min(p.to_timestamp(how="end").normalize(), extract)
        m = p.strftime("%Y-%m")
        inpost = [f for staff, first, last, f in spell_list if first <= ref <= last]
        head[m], fte[m] = len(inpost), sum(inpost)
    idx = [p.strftime("%Y-%m") for p in months]
    return pd.DataFrame({
        "headcount": [head[m] for m in idx], "fte": [fte[m] for m in idx],
        "fte_days_available": [avail.get(m, 0.0) for m in idx],
        "fte_days_lost": [lost.get(m, 0.0) for m in idx],
        "starters": [starters.get(m, 0) for m in idx],
        "leavers": [leavers.get(m, 0) for m in idx],
    }, index=pd.Index(idx, name="month"))


PROPS = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPS
@given(services())
def test_matches_day_by_day_reference(service):
    s, e, extract = service
    out = run(s, e, extract)
    ref = reference(s, e, extract)
    assert out.index.tolist() == ref.index.tolist()
    for col in ref.columns:
        np.testing.assert_allclose(out[col].to_numpy(dtype=float), ref[col].to_numpy(dtype=float),
                                   atol=1e-9, err_msg=col)


@PROPS
@given(services())
def test_days_lost_within_days_available_and_rates_in_range(service):
    s, e, extract = service
    for by in (None, "team", "staff_group"):
        out = monthly_indicators(s, e, extract_date=extract, by=by)
        assert (out["fte_days_lost"] >= 0).all()
        assert (out["fte_days_lost"] <= out["fte_days_available"] + 1e-9).all()
        parts = (out["fte_days_lost_short_term"] + out["fte_days_lost_long_term"])
        np.testing.assert_allclose(parts, out["fte_days_lost"], atol=1e-9)
        assert (out["fte_days_lost_s10"] <= out["fte_days_lost"] + 1e-9).all()
        for col in ("absence_rate_pct", "absence_rate_12m_pct", "stability_index_strategy_pct",
                    "stability_index_classical_pct"):
            rates = out[col].dropna()
            assert ((rates >= 0) & (rates <= 100 + 1e-9)).all(), col
        for col in ("turnover_12m_pct", "turnover_voluntary_12m_pct"):
            assert (out[col].dropna() >= 0).all()
        assert (out["leavers_voluntary"] <= out["leavers"]).all()
        assert (out["leavers_early"] <= out["leavers"]).all()


SUMMED = ("headcount", "fte", "fte_days_available", "fte_days_lost", "fte_days_lost_short_term",
          "fte_days_lost_long_term", "fte_days_lost_s10", "starters", "leavers",
          "leavers_voluntary", "leavers_early")


@PROPS
@given(services())
def test_group_sums_equal_service_totals(service):
    s, e, extract = service
    total = run(s, e, extract)
    for by in ("team", "staff_group"):
        out = monthly_indicators(s, e, extract_date=extract, by=by)
        # every group appears in every month
        assert len(out) == out[by].nunique() * len(total)
        sums = out.groupby("month")[list(SUMMED)].sum()
        for col in SUMMED:
            np.testing.assert_allclose(sums[col].to_numpy(dtype=float),
                                       total[col].to_numpy(dtype=float), atol=1e-9,
                                       err_msg=f"{by}: {col}")
        # internal moves balance: every move out of one group is a move into another
        # (out in the old spell's last month, in in the new spell's first month)
        assert out["moves_in"].sum() == out["moves_out"].sum()


# ---------------------------------------------------------------------------
# window_summary: the breakdown the baseline report shows over its window
# ---------------------------------------------------------------------------
def test_window_summary_over_12_months_equals_the_rolling_columns(tmp_path):
    """For a 12-month window ending m, the window's absence rate and turnover are the
    monthly table's absence_rate_12m_pct and turnover_12m_pct at m (the same definitions
    computed two ways), and team rows add up to the service's counts."""
    from wellbeing_analysis.demo import generate_demo
    from wellbeing_analysis.loading import load_service
    from wellbeing_analysis.workforce import service_monthly_indicators, window_summary

    service = load_service(generate_demo(tmp_path, seed=5))
    monthly = service_monthly_indicators(service)
    by_team = service_monthly_indicators(service, by="team")
    rows = monthly.set_index("month")
    for end in monthly["month"].iloc[12::7]:  # every 7th month with 12 months of history
        start = str(pd.Period(end, freq="M") - 11)
        row = rows.loc[end]
        whole = window_summary(monthly, start=start, end=end)
        assert len(whole) == 1
        assert whole["absence_rate_pct"].iloc[0] == pytest.approx(row["absence_rate_12m_pct"])
        assert whole["turnover_pct"].iloc[0] == pytest.approx(row["turnover_12m_pct"]), end
        assert whole["headcount"].iloc[0] == row["headcount"]
        teams = window_summary(by_team, start=start, end=end, by="team")
        assert list(teams.columns)[0] == "team"
        assert teams["leavers"].sum() == whole["leavers"].iloc[0]
        assert teams["headcount"].sum() == whole["headcount"].iloc[0]


def test_length_of_service_bands_use_the_early_leaver_yardstick():
    """A leaver in post 1 January to 31 December 2022 completed a year (not an early
    leaver) and is in the '1 to 2 years' band; one leaving a day sooner is in both 'under 1
    year' and the early leavers (the two leaver tables can never disagree)."""
    from wellbeing_analysis.workforce import leavers_by_length_of_service, leavers_in_window

    spells = pd.DataFrame({
        "staff_id": ["A", "B", "C"], "team": "T", "staff_group": "Counsellor", "fte": 1.0,
        "start_date": pd.to_datetime(["2022-01-01", "2022-01-01", "2020-02-29"]),
        "end_date": pd.to_datetime(["2022-12-31", "2022-12-30", "2022-02-27"]),
        "leaving_reason": "Voluntary Resignation - Relocation"})
    lv = leavers_in_window(spells, extract_date="2023-06-30", start="2022-01", end="2022-12")
    by_id = dict(zip(["A", "B", "C"], lv["length_of_service"].astype(str), strict=True))
    # a 29 February start completes its years on 28 February, as DateOffset counts them
    assert by_id == {"A": "1 to 2 years", "B": "under 1 year", "C": "2 to 5 years"}
    assert lv["early"].tolist() == [False, True, False]
    bands = leavers_by_length_of_service(lv).set_index("length_of_service")["leavers"]
    assert bands["under 1 year"] == lv["early"].sum()


def test_data_start_blanks_look_back_figures_until_their_window_is_covered():
    """One member of staff since 2018; the extract's absence begins January 2023 (10 days).
    From data_start 2023-01, January's rolling absence rate would count 2022 as free of
    sickness (10 / 365 = 2.74%): it is blank until December 2023."""
    from wellbeing_analysis.workforce import from_data_start

    spells = pd.DataFrame({"staff_id": ["A"], "team": ["T"], "staff_group": ["Counsellor"],
                           "fte": [1.0], "start_date": pd.to_datetime(["2018-01-01"]),
                           "end_date": pd.NaT, "leaving_reason": [None]})
    episodes = pd.DataFrame({"staff_id": ["A"], "start_date": pd.to_datetime(["2023-01-02"]),
                             "end_date": pd.to_datetime(["2023-01-11"]), "reason_code": ["S13"],
                             "related_reason": [None]})
    m = monthly_indicators(spells, episodes, extract_date="2024-03-31")
    raw = m.set_index("month")
    assert raw.loc["2023-01", "absence_rate_12m_pct"] == pytest.approx(100 * 10 / 365)
    cut = from_data_start(m, "2023-01").set_index("month")
    assert cut.index[0] == "2023-01"
    assert cut.loc["2023-01":"2023-11", "absence_rate_12m_pct"].isna().all()
    assert cut.loc["2023-12", "absence_rate_12m_pct"] == pytest.approx(100 * 10 / 365)
    assert cut.loc["2023-12", "stability_index_classical_pct"] != cut.loc[
        "2023-12", "stability_index_classical_pct"]  # blank until 2024-01
    assert cut.loc["2024-01", "stability_index_classical_pct"] == 100
    assert (cut["absence_rate_pct"] == raw.loc["2023-01":, "absence_rate_pct"]).all()


@pytest.mark.parametrize("seed", range(5))
def test_continuous_periods_on_arrays_match_employment_periods(seed):
    """The array form of the rule gives the periods of ``employment_periods``: spells the
    day after, overlapping or inside another join its period; a gap, another staff member
    or a spell ending before it starts begins a new one; ties in start in file order."""
    from wellbeing_analysis.workforce.rules import ONE_DAY, continuous_periods, employment_periods

    rng = np.random.default_rng(seed)
    n = 400
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    end = start + pd.to_timedelta(rng.integers(-5, 60, n), unit="D")
    spells = pd.DataFrame({"staff_id": rng.integers(0, 40, n), "start_date": start,
                           "end_date": pd.Series(end).where(rng.random(n) > 0.2)})
    extract = pd.Timestamp("2021-06-30")
    expected = employment_periods(spells, extract)[
        ["staff_id", "period_start", "period_end"]].drop_duplicates().astype(
        {"period_start": "datetime64[ns]", "period_end": "datetime64[ns]"})
    s = spells.sort_values(["staff_id", "start_date"], kind="stable")
    s_start = s["start_date"].to_numpy(dtype="datetime64[ns]")
    s_end = s["end_date"].fillna(extract).to_numpy(dtype="datetime64[ns]")
    for unit, one_day in ((lambda a: a, np.timedelta64(1, "D")),
                          (lambda a: a.view("i8"), ONE_DAY.value)):
        heads, period_end = continuous_periods(s["staff_id"].to_numpy(), unit(s_start),
                                               unit(s_end), one_day)
        got = pd.DataFrame({"staff_id": s["staff_id"].to_numpy()[heads],
                            "period_start": s_start[heads],
                            "period_end": np.asarray(period_end).view("datetime64[ns]")})
        key = ["staff_id", "period_start", "period_end"]
        pd.testing.assert_frame_equal(got.drop_duplicates().sort_values(key, ignore_index=True),
                                      expected.sort_values(key, ignore_index=True))
