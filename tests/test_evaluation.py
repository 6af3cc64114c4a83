"""Intervention evaluation (wellbeing_analysis.evaluation) and its comparison series
(loading.load_comparison): the ITS frame, the comparison CSV's checks, the demo service's
injected effects recovered inside the confidence intervals, and the verdict's caution
when autocorrelation makes the evidence only suggestive."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.evaluation import (
    ABSENCE,
    LEAVERS,
    OutcomeEvaluation,
    Period,
    evaluate_outcome,
    its_frame,
    verdict,
)
from wellbeing_analysis.loading import load_comparison, load_service
from wellbeing_analysis.workforce import monthly_indicators

COVID = Period("2020-03", "2021-03", "COVID-19 pandemic")


# ---------------------------------------------------------------------------
# its_frame
# ---------------------------------------------------------------------------
@pytest.fixture
def monthly() -> pd.DataFrame:
    months = pd.period_range("2019-07", "2021-12", freq="M").astype(str)
    n = len(months)
    return pd.DataFrame({"month": months, "fte_days_lost": np.arange(n) + 50.0,
                         "fte_days_available": np.full(n, 1000.0),
                         "leavers": np.arange(n) % 4, "headcount": np.full(n, 200)})


def test_its_frame_columns_and_window(monthly):
    f = its_frame(monthly, start="2020-01", end="2021-06", adjust_for=(COVID,))
    assert f["month"].iloc[0] == "2020-01" and f["month"].iloc[-1] == "2021-06"
    assert len(f) == 18 and f.index.tolist() == list(range(18))
    assert (f["date"] == pd.PeriodIndex(f["month"], freq="M").to_timestamp()).all()
    assert f["date"].dt.day.eq(1).all()
    assert f["calendar_month"].tolist() == [*range(1, 13), *range(1, 7)]
    np.testing.assert_allclose(f["absence_rate"], 100 * f["fte_days_lost"] / 1000)
    np.testing.assert_allclose(f["leavers_rate"], 100 * f["leavers"] / 200)
    for column in monthly.columns:  # the monthly table's own columns are kept
        assert column in f.columns


def test_its_frame_adjustment_dummy_covers_the_period_inclusively(monthly):
    f = its_frame(monthly, start=None, end="2021-12", adjust_for=(COVID,))
    assert COVID.column == "adjust_covid_19_pandemic"
    on = f.loc[f[COVID.column] == 1, "month"].tolist()
    assert on == pd.period_range("2020-03", "2021-03", freq="M").astype(str).tolist()
    assert set(f[COVID.column]) == {0.0, 1.0}
    assert f["month"].iloc[0] == "2019-07"  # no start: from the first month


def test_its_frame_one_dummy_per_period_and_none_without(monthly):
    other = Period("2021-06", "2021-08", "IT outage")
    f = its_frame(monthly, start=None, end="2021-12", adjust_for=(COVID, other))
    assert f[other.column].sum() == 3 and f[COVID.column].sum() == 13
    plain = its_frame(monthly, start=None, end="2021-12")
    assert not [c for c in plain.columns if c.startswith("adjust_")]


def test_its_frame_does_not_change_its_input(monthly):
    before = monthly.copy()
    its_frame(monthly, start=None, end="2021-12", adjust_for=(COVID,))
    pd.testing.assert_frame_equal(monthly, before)


# ---------------------------------------------------------------------------
# load_comparison
# ---------------------------------------------------------------------------
HEADER = "DATE,ORG_CODE,ORG_NAME,FTE_DAYS_LOST,FTE_DAYS_AVAILABLE,SICKNESS_ABSENCE_RATE_PERCENT\n"


def comparison_file(tmp_path, rows: str, name="sickness.csv"):
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


GOOD = ("31/05/2024,RAA,Trust A,50,1000,5.0\n"
        "30/04/2024,RAA,Trust A,40,1000,4.0\n"
        "30/04/2024,RBB,Trust B,30,500,6.0\n"
        "31/05/2024,RBB,Trust B,20,500,4.0\n")


def test_load_comparison_sums_every_organisation_by_month(tmp_path):
    out = load_comparison(comparison_file(tmp_path, GOOD))
    assert out.columns.tolist() == ["month", "fte_days_lost", "fte_days_available"]
    assert out["month"].tolist() == ["2024-04", "2024-05"]  # sorted
    assert out["fte_days_lost"].tolist() == [70, 70]
    assert out["fte_days_available"].tolist() == [1500, 1500]


def test_load_comparison_keeps_one_organisation(tmp_path):
    out = load_comparison(comparison_file(tmp_path, GOOD), org_code="RBB")
    assert out["fte_days_lost"].tolist() == [30, 20]
    assert out["fte_days_available"].tolist() == [500, 500]


def test_load_comparison_unknown_organisation(tmp_path):
    path = comparison_file(tmp_path, GOOD)
    with pytest.raises(InputError, match=r"sickness\.csv: no rows for ORG_CODE 'RZZ'"):
        load_comparison(path, org_code="RZZ")


def test_load_comparison_names_every_bad_value_by_file_row_and_column(tmp_path):
    path = comparison_file(tmp_path, "31/05/2024,RAA,A,50,1000,5\n"
                                     "2024-06-30,RAA,A,50,1000,5\n"
                                     "31/07/2024,RAA,A,lots,1000,5\n"
                                     "31/08/2024,RAA,A,-3,1000,5\n"
                                     "30/09/2024,RAA,A,50,0,5\n")
    with pytest.raises(InputError) as exc:
        load_comparison(path)
    message = str(exc.value)
    assert message.startswith("4 problem(s) in the comparison series")
    for expected in ("sickness.csv, row 3, column 'DATE': not valid ('2024-06-30')",
                     "sickness.csv, row 4, column 'FTE_DAYS_LOST': not valid ('lots')",
                     "sickness.csv, row 5, column 'FTE_DAYS_LOST': not valid ('-3')",
                     "sickness.csv, row 6, column 'FTE_DAYS_AVAILABLE': not valid ('0')"):
        assert expected in message
    assert "row 2" not in message


def test_load_comparison_row_numbers_survive_the_org_filter(tmp_path):
    path = comparison_file(tmp_path, "31/05/2024,RAA,A,50,1000,5\n"
                                     "31/05/2024,RBB,B,x,1000,5\n")
    with pytest.raises(InputError, match=r"row 3, column 'FTE_DAYS_LOST'"):
        load_comparison(path, org_code="RBB")


def test_load_comparison_missing_columns_and_file(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("DATE,ORG_CODE\n31/05/2024,RAA\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"short\.csv: unknown column\(s\) 'FTE_DAYS_LOST'"):
        load_comparison(path)
    with pytest.raises(InputError, match="file not found"):
        load_comparison(tmp_path / "absent.csv")


def test_the_demo_comparison_series_loads(shared_demo_data):
    out = load_comparison(shared_demo_data / "comparison_sickness_absence.csv")
    assert out["month"].is_monotonic_increasing and out["month"].is_unique
    rate = 100 * out["fte_days_lost"] / out["fte_days_available"]
    assert rate.between(2, 9).all()


# ---------------------------------------------------------------------------
# The demo service's injected effects are recovered (truth.json)
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(shared_demo_data):
    truth = json.loads((shared_demo_data / "truth.json").read_text())
    service = load_service(shared_demo_data, extract_date="2026-09-30",
                           pseudonym_key="0123456789abcdef")
    monthly = monthly_indicators(service.staff_spells, service.absence_episodes,
                                 extract_date=service.extract_date)
    iv = service.table("interventions").set_index("intervention_id").loc["INT1"]
    comparison = load_comparison(shared_demo_data / "comparison_sickness_absence.csv")
    kwargs = dict(intervention_start=iv["start_date"], phase_in=int(iv["phase_in_months"]),
                  analysis_start="2019-07", end="2026-09", adjust_for=(COVID,),
                  comparison=comparison, comparison_name="comparison trust")
    injected = next(i for i in truth["story"]["interventions"] if i["intervention_id"] == "INT1")
    return SimpleNamespace(
        absence=evaluate_outcome(monthly, ABSENCE, **kwargs),
        leavers=evaluate_outcome(monthly, LEAVERS, **kwargs),
        absence_ratio=injected["absence_episode_rate_ratio"],
        leaving_ratio=injected["leaving_rate_ratio"])


def test_demo_truth_is_what_the_issue_says(demo):
    assert (demo.absence_ratio, demo.leaving_ratio) == (0.80, 0.70)


def test_injected_absence_effect_is_inside_the_level_change_ci(demo):
    lc = demo.absence.primary.level_change
    assert lc.ratio_ci_lower <= demo.absence_ratio <= lc.ratio_ci_upper, lc
    assert lc.ratio_ci_upper < 1  # and the fall is detected


def test_injected_absence_effect_is_inside_the_cumulative_ci(demo):
    c = demo.absence.cumulative
    assert c.relative_ci_lower <= demo.absence_ratio - 1 <= c.relative_ci_upper, c
    assert c.relative < 0


def test_injected_leaving_effect_is_inside_its_cis(demo):
    lc = demo.leavers.primary.level_change
    assert lc.ratio_ci_lower <= demo.leaving_ratio <= lc.ratio_ci_upper, lc
    c = demo.leavers.cumulative
    assert c.relative_ci_lower <= demo.leaving_ratio - 1 <= c.relative_ci_upper, c


def test_demo_evaluation_has_its_parts(demo):
    ev = demo.absence
    assert ev.months_after == 28  # 2024-06 (after 2 months' phase-in) to 2026-09
    models = ev.sensitivity["model"].tolist()
    assert models[0] == "Primary: quasipoisson"
    assert any(m.startswith("GLS with AR(") for m in models)
    assert "controlled ITS against the comparison trust" in models
    assert "phase-in months included" in models
    assert "no adjustment for COVID-19 pandemic" in models
    assert ev.placebo is not None and ev.power is not None
    assert ev.effects["horizon"].tolist() == [6, 12]
    # the comparison series is of absence only
    assert not any("controlled" in m for m in demo.leavers.sensitivity["model"])


# ---------------------------------------------------------------------------
# verdict
# ---------------------------------------------------------------------------
def fake_evaluation(primary_ci, adjusted_ci=None, *, months=18, estimate=None):
    def result(ci):
        lo, hi = ci
        effect = SimpleNamespace(relative=estimate if estimate is not None else (lo + hi) / 2,
                                 relative_ci_lower=lo, relative_ci_upper=hi)
        return SimpleNamespace(cumulative_effect=lambda: effect)

    primary = result(primary_ci)
    adjusted = primary if adjusted_ci is None else result(adjusted_ci)
    return OutcomeEvaluation(ABSENCE, primary, adjusted, "reason", pd.DataFrame(), None,
                             None, (6, 12), months)


def test_verdict_caution_when_the_autocorrelation_adjusted_interval_includes_no_change():
    kind, text = verdict(fake_evaluation((-0.35, -0.05), (-0.5, 0.25)))
    assert kind == "caution"
    assert text.startswith("The intervention was followed by a real fall")
    assert text.endswith("allowing for month-to-month autocorrelation the interval includes "
                         "no change, so treat this as suggestive rather than conclusive.")


def test_verdict_good_when_both_intervals_exclude_no_change():
    kind, text = verdict(fake_evaluation((-0.35, -0.05), (-0.4, -0.01)))
    assert kind == "good" and "suggestive" not in text


def test_verdict_concern_for_a_clear_rise():
    kind, text = verdict(fake_evaluation((0.05, 0.35), (0.01, 0.4)))
    assert kind == "concern" and "rose after the intervention" in text


def test_verdict_caution_when_the_primary_interval_spans_no_change():
    kind, text = verdict(fake_evaluation((-0.3, 0.1), (-0.05, -0.01)))
    assert kind == "caution" and text.startswith("The data cannot tell")
    assert "suggestive" not in text  # the adjusted model is only a check on a clear result


def test_verdict_caution_when_too_early():
    kind, text = verdict(fake_evaluation((-0.35, -0.05), months=4))
    assert kind == "caution" and text.startswith("Too early to tell")


def test_verdict_without_a_separate_adjusted_model():
    kind, _ = verdict(fake_evaluation((-0.35, -0.05)))  # adjusted is the primary (glsar)
    assert kind == "good"
