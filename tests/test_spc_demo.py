"""The demo service read the honest way: its winter absence swing is flagged as seasonal,
and its PDSA cycles are judged on the groups they were tested on (C3, whose intervention
has no effect in the synthetic truth, is no longer 'agrees')."""

import json

import pytest

from wellbeing_analysis.reporting.baseline import BaselineReport
from wellbeing_analysis.reporting.context import ReportContext
from wellbeing_analysis.reporting.pdsa import PDSAReport
from wellbeing_analysis.spc import CANNOT_TELL
from wellbeing_analysis.spc.pdsa import AGREES


@pytest.fixture(scope="module")
def ctx(shared_demo_data, make_demo_params, tmp_path_factory) -> ReportContext:
    root = tmp_path_factory.mktemp("spc-demo")
    params = make_demo_params(root / "params.yaml", shared_demo_data, root / "reports")
    return ReportContext.from_params(params)


@pytest.fixture(scope="module")
def pdsa(ctx) -> PDSAReport:
    return PDSAReport(ctx)


def cycle_row(report: PDSAReport, cycle_id: str):
    table = next(r.table for r in report.reviews.values() if cycle_id in set(r.table.cycle_id))
    return table.set_index("cycle_id").loc[cycle_id]


def test_c3_is_judged_on_step_2_and_no_longer_agrees(pdsa, shared_demo_data):
    truth = json.loads((shared_demo_data / "truth.json").read_text())
    int2 = next(i for i in truth["story"]["interventions"] if i["intervention_id"] == "INT2")
    assert int2["leaving_rate_ratio"] == 1.0  # the truth: stay conversations change nothing
    row = cycle_row(pdsa, "C3")
    assert row["population"] == "teams North Step 2 and South Step 2"
    assert row["agreement"] != AGREES
    # INT1 took effect in June 2024, ten months before C3: too few step 2 quarters since
    assert row["agreement"] == CANNOT_TELL
    assert "after INT1 (Protected reflective practice time) took effect" in row["chart_shows"]
    assert "intervention INT1" in row["caveats"]


def test_int1_roll_out_agrees_on_the_service_with_limits_from_before_it(pdsa):
    row = cycle_row(pdsa, "C2")  # INT1 cut new sickness episodes by 20% in the truth
    assert row["population"] == "the whole service"
    assert row["agreement"] == AGREES
    assert row["baseline"] == "Apr 2022 to Mar 2024 (24 months)"
    chart = pdsa.reviews["absence_rate_pct"].charts["C2"].spc
    assert chart.options.fix_after_n_points == 24


def test_the_pilot_is_judged_on_its_own_team(pdsa):
    row = cycle_row(pdsa, "C1")
    assert row["population"] == "team North Step 2"
    assert row["points_since_start"] == 3  # Oct to Dec 2023


def test_the_pdsa_report_says_who_and_what_period_it_judged(ctx, pdsa):
    log = pdsa.log().html
    assert "judged on" in log and "teams North Step 2 and South Step 2" in log
    assert "cannot tell" in log


def test_winter_absence_is_flagged_as_seasonal_with_a_same_month_last_year_chart(ctx):
    report = BaselineReport(ctx)
    html = report.absence().html
    assert "strongly seasonal" in html and "may be the season" in html
    assert "change on the same month last year" in html
    # the chart type is named in words beside the chart
    assert "Laney U′ chart" in html
    s10 = report.seasonal_view("s10_absence_rate_pct", report.spc_results["s10_absence_rate_pct"])
    assert s10 == []  # S10 absence has no strong season in the demo
