"""The synthetic demo service: it validates, it is realistic (demo/service.py's list), and the
effects it injects (truth.json) are there to be found."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.demo import DEFAULT_SEED, STORY, generate_demo
from wellbeing_analysis.loading import load_service
from wellbeing_analysis.validation import validate_folder
from wellbeing_analysis.workforce import service_monthly_indicators

NAMED_GROUPS = ("Psychological Wellbeing Practitioner", "High Intensity Therapist", "Counsellor",
                "Employment Adviser", "Admin and Clerical", "Manager")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("demo") / "service", seed=DEFAULT_SEED)


@pytest.fixture(scope="session")
def service(demo_dir):
    return load_service(demo_dir, pseudonym_key="0123456789abcdef")


@pytest.fixture(scope="session")
def monthly(service) -> pd.DataFrame:
    m = service_monthly_indicators(service)
    m["calendar_month"] = pd.PeriodIndex(m["month"], freq="M").month
    return m


@pytest.fixture(scope="session")
def truth(demo_dir) -> dict:
    return json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))


def rate(m: pd.DataFrame) -> float:
    """Absence rate of a set of months: days summed first, then divided."""
    return 100 * m["fte_days_lost"].sum() / m["fte_days_available"].sum()


def between(m: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    return m[(m["month"] >= first) & (m["month"] <= last)]


# ---------------------------------------------------------------------------
# It validates, in the template layout
# ---------------------------------------------------------------------------
def test_demo_validates_without_any_problem_in_the_hr_tables(demo_dir):
    report = validate_folder(demo_dir)
    assert report.ok, report.format()
    core = report.problems[report.problems["file"].isin(
        ["staff_spells.csv", "absence_episodes.csv", "interventions.csv", "pdsa_cycles.csv"])]
    assert core.empty, core.to_string()
    assert report.extract_date == pd.Timestamp(STORY["extract_date"])


def test_demo_uses_both_date_formats(demo_dir):
    spells = (demo_dir / "staff_spells.csv").read_text().splitlines()[1]
    interventions = (demo_dir / "interventions.csv").read_text().splitlines()[1]
    assert "/" in spells.split(",")[5]             # DD/MM/YYYY as ESR exports
    assert "-" in interventions.split(",")[3]      # ISO


def test_demo_has_no_ongoing_episode_for_a_leaver(service):
    # (validation would warn) -- and every ongoing episode belongs to someone in post
    assert service.warnings.empty, service.warnings.to_string()


# ---------------------------------------------------------------------------
# Realism
# ---------------------------------------------------------------------------
def test_150_to_300_staff_in_post_every_month(monthly):
    assert monthly["headcount"].between(150, 300).all(), monthly["headcount"].describe()


def test_at_least_six_years_of_months(monthly):
    assert len(monthly) >= 72
    months = pd.PeriodIndex(monthly["month"], freq="M")
    assert (np.diff(months.asi8) == 1).all()  # every month, no gaps


def test_several_teams_and_every_named_staff_group(service):
    s = service.staff_spells
    assert s["team"].nunique() >= 4
    assert set(NAMED_GROUPS) <= set(s["staff_group"])
    # every named group is in post at the extract date
    open_spells = s[s["end_date"].isna()]
    assert set(NAMED_GROUPS) <= set(open_spells["staff_group"])


def test_pwp_turnover_is_the_highest(service):
    by = service_monthly_indicators(service, by="staff_group")
    years = by["month"].nunique() / 12
    annual = by.groupby("staff_group").apply(
        lambda g: g["leavers"].sum() / g["headcount"].mean() / years, include_groups=False)
    assert annual.idxmax() == "Psychological Wellbeing Practitioner", annual.to_dict()
    # and in the published range for PWPs (about a quarter a year; 2015 census 25%)
    assert 0.18 <= annual["Psychological Wellbeing Practitioner"] <= 0.35
    others = annual.drop(["Psychological Wellbeing Practitioner",
                          "Trainee Psychological Wellbeing Practitioner"])
    assert (others < 0.18).all(), others.to_dict()


def test_part_time_ftes(service, monthly):
    s = service.staff_spells
    assert s["fte"].between(0, 1.5).all()
    share = (s["fte"] < 1).mean()
    assert 0.15 <= share <= 0.6, share
    # mean FTE per head in post well below 1
    ratio = (monthly["fte"] / monthly["headcount"]).mean()
    assert 0.75 <= ratio <= 0.95, ratio


def test_absence_rate_plausible(monthly):
    # mental health trusts about 4.8-5.0% a year; England 4-5.6%
    assert 3.5 <= rate(monthly) <= 6.5, rate(monthly)


def test_winter_absence_above_summer(monthly):
    winter = monthly[monthly["calendar_month"].isin([12, 1, 2])]
    summer = monthly[monthly["calendar_month"].isin([6, 7, 8])]
    assert rate(winter) > 1.2 * rate(summer), (rate(winter), rate(summer))
    # and on average over the years, month by month
    assert winter["absence_rate_pct"].mean() > summer["absence_rate_pct"].mean()


def test_s10_about_a_quarter_of_days_lost(monthly):
    share = monthly["fte_days_lost_s10"].sum() / monthly["fte_days_lost"].sum()
    assert 0.18 <= share <= 0.32, share


def test_long_term_episodes_present(service, monthly):
    e = service.absence_episodes
    length = (e["end_date"].fillna(service.extract_date) - e["start_date"]).dt.days + 1
    assert (length >= 28).sum() >= 50
    assert (length < 28).sum() > 10 * (length >= 28).sum()
    share = monthly["fte_days_lost_long_term"].sum() / monthly["fte_days_lost"].sum()
    assert 0.2 <= share <= 0.8, share
    assert e["end_date"].isna().any()  # some ongoing at the extract date


def test_pandemic_disturbance(monthly, service):
    p = STORY["pandemic"]
    pandemic = between(monthly, p["start"][:7], p["end"][:7])
    before = between(monthly, "2019-04", "2020-02")
    after = between(monthly, "2021-04", "2022-03")
    assert rate(pandemic) > rate(before) and rate(pandemic) > rate(after)
    assert pandemic["fte_days_lost_covid"].sum() > 0
    # COVID-19 related episodes start only in the pandemic months
    e = service.absence_episodes
    covid = e[e["related_reason"].fillna("").str.contains("COVID")]
    assert len(covid) > 20
    assert covid["start_date"].between(pd.Timestamp(p["start"]), pd.Timestamp(p["end"])).all()


# ---------------------------------------------------------------------------
# The truth
# ---------------------------------------------------------------------------
def test_truth_json_describes_interventions_and_effects(truth, service):
    assert truth["seed"] == DEFAULT_SEED
    story = truth["story"]
    ivs = {iv["intervention_id"]: iv for iv in story["interventions"]}
    assert ivs["INT1"]["start"] == "2024-04-01" and ivs["INT1"]["phase_in_months"] == 2
    assert ivs["INT1"]["absence_episode_rate_ratio"] == 0.80
    assert ivs["INT1"]["leaving_rate_ratio"] == 0.70
    assert ivs["INT2"]["absence_episode_rate_ratio"] == 1.0
    assert ivs["INT2"]["leaving_rate_ratio"] == 1.0
    assert "pandemic" in story
    # the interventions table says the same
    table = service.table("interventions").set_index("intervention_id")
    for iv_id, iv in ivs.items():
        assert table.loc[iv_id, "start_date"] == pd.Timestamp(iv["start"])
        assert table.loc[iv_id, "phase_in_months"] == iv["phase_in_months"]
    cycles = service.table("pdsa_cycles")
    assert set(cycles["intervention_id"].dropna()) <= set(ivs)
    assert len(cycles) >= 2


def _its_design(m: pd.DataFrame, effective: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Trend, one Fourier harmonic, a pandemic indicator and a step from ``effective``;
    phase-in months (from the start to ``effective``) are left out of the fit."""
    cal = m["calendar_month"].to_numpy()
    p = STORY["pandemic"]
    X = pd.DataFrame({
        "const": 1.0,
        "trend": np.arange(len(m)) / 12,
        "sin": np.sin(2 * np.pi * cal / 12), "cos": np.cos(2 * np.pi * cal / 12),
        "pandemic": ((m["month"] >= p["start"][:7]) & (m["month"] <= p["end"][:7])).to_numpy(
            dtype=float),
        "post": (m["month"] >= effective).to_numpy(dtype=float),
    })
    return X, ~m["month"].isin(["2024-04", "2024-05"]).to_numpy()


def test_int1_effect_on_absence_recovered_by_a_poisson_its(monthly, truth, service):
    sm = pytest.importorskip("statsmodels.api")
    iv = next(i for i in truth["story"]["interventions"] if i["intervention_id"] == "INT1")
    effective = (pd.Period(iv["start"], freq="M") + iv["phase_in_months"]).strftime("%Y-%m")
    assert effective == "2024-06"
    X, keep = _its_design(monthly, effective)
    y = monthly["fte_days_lost"].to_numpy()
    offset = np.log(monthly["fte_days_available"].to_numpy())
    # Days lost are overdispersed (long-term episodes; Pearson scale about 11), so the CI is
    # Pearson-scaled (quasi-Poisson): a plain Poisson CI (default seed: 0.86-0.95) is far too
    # narrow and excludes the truth. Over seeds 1-9 the estimate averages about 0.80 but
    # scatters (0.56-0.97): the truth is recovered on average, not precisely in one service.
    fit = sm.GLM(y[keep], X[keep], family=sm.families.Poisson(), offset=offset[keep]).fit(
        scale="X2")
    ratio = float(np.exp(fit.params["post"]))
    lo, hi = np.exp(fit.conf_int().loc["post"])
    truth_ratio = iv["absence_episode_rate_ratio"]
    assert lo <= truth_ratio <= hi, (ratio, lo, hi)
    assert ratio < 1
    # new episodes (the quantity the intervention acts on) per FTE day available
    e_month = service.absence_episodes["start_date"].dt.to_period("M").value_counts()
    counts = e_month.reindex(pd.PeriodIndex(monthly["month"], freq="M"), fill_value=0)
    counts = counts.to_numpy(dtype=float)
    fit = sm.GLM(counts[keep], X[keep], family=sm.families.Poisson(), offset=offset[keep]).fit(
        scale="X2")
    lo, hi = np.exp(fit.conf_int().loc["post"])
    assert lo <= truth_ratio <= hi < 1, (lo, hi)


def test_int1_effect_on_leaving_recovered(monthly, truth):
    sm = pytest.importorskip("statsmodels.api")
    iv = next(i for i in truth["story"]["interventions"] if i["intervention_id"] == "INT1")
    m = monthly[monthly["month"] > STORY["service_start"][:7]]  # the transfer month aside
    periods = STORY["leaving_multiplier_by_period"]
    X = pd.DataFrame({
        "const": 1.0, "trend": np.arange(len(m)) / 12,
        **{f"period{i}": ((m["month"] >= p["start"][:7]) & (m["month"] <= p["end"][:7]))
           .to_numpy(dtype=float) for i, p in enumerate(periods)},
        "post": (m["month"] >= "2024-06").to_numpy(dtype=float),
    })
    keep = ~m["month"].isin(["2024-04", "2024-05"]).to_numpy()
    fit = sm.GLM(m["leavers"].to_numpy()[keep], X[keep], family=sm.families.Poisson(),
                 offset=np.log(m["headcount"].to_numpy()[keep])).fit()
    lo, hi = np.exp(fit.conf_int().loc["post"])
    assert lo <= iv["leaving_rate_ratio"] <= hi, (lo, hi)


def test_validate_names_faults_planted_in_a_copy_of_the_demo(demo_dir, tmp_path, capsys):
    import shutil

    from wellbeing_analysis.cli import main

    copy = tmp_path / "copy"
    shutil.copytree(demo_dir, copy)
    spells = pd.read_csv(copy / "staff_spells.csv", dtype=str, keep_default_na=False)
    spells.loc[8, "fte"] = "0"                  # spreadsheet row 10
    spells.loc[30, "end_date"] = "31/06/2022"   # row 32: no 31 June
    spells.to_csv(copy / "staff_spells.csv", index=False)
    episodes = pd.read_csv(copy / "absence_episodes.csv", dtype=str, keep_default_na=False)
    episodes.loc[18, "reason_code"] = "S100"   # row 20
    episodes = pd.concat([episodes, episodes.iloc[[5]]])  # last row duplicates row 7
    episodes.to_csv(copy / "absence_episodes.csv", index=False)
    assert main(["validate", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "staff_spells.csv, row 10, column 'fte'" in out
    assert "staff_spells.csv, row 32, column 'end_date'" in out
    assert "absence_episodes.csv, row 20, column 'reason_code'" in out
    assert f"absence_episodes.csv, row {len(episodes) + 1}: duplicate row: identical to row 7" \
        in out
    assert main(["validate", str(demo_dir)]) == 0
