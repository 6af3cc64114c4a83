"""Network figures: what each service contributes to the funnels, the disclosure rule on
them, the common window, the judgement of limits, and a service placed among the
organisations of its kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scenarios import small_service

from wellbeing_analysis.demo.publication import DEMO_TRUSTS, generate_publication
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.funnel import funnel
from wellbeing_analysis.loading import load_service
from wellbeing_analysis.network import (
    NETWORK_INDICATORS,
    common_window,
    indicator_funnel,
    judged,
    network_table,
    place_among_organisations,
    service_figures,
)
from wellbeing_analysis.workforce import monthly_indicators, window_summary


@pytest.fixture(scope="module")
def demo(shared_demo_data):
    s = load_service(shared_demo_data, extract_date="2026-09-30")
    m = monthly_indicators(s.staff_spells, s.absence_episodes, extract_date=s.extract_date)
    return s, m


def test_common_window_ends_at_the_latest_month_every_service_has():
    assert common_window(["2026-09", "2026-06", "2026-08"]) == ("2025-07", "2026-06")
    with pytest.raises(InputError):
        common_window([])


def test_figures_are_the_window_sums_divided(demo):
    s, m = demo
    f = service_figures(s, m, start="2025-10", end="2026-09").set_index("indicator")
    w = m[(m["month"] >= "2025-10") & (m["month"] <= "2026-09")]
    assert f.loc["absence_rate", "numerator"] == pytest.approx(w["fte_days_lost"].sum())
    assert f.loc["absence_rate", "denominator"] == pytest.approx(w["fte_days_available"].sum())
    summary = window_summary(m, start="2025-10", end="2026-09").iloc[0]
    assert f.loc["absence_rate", "value"] == pytest.approx(summary["absence_rate_pct"])
    assert f.loc["turnover", "value"] == pytest.approx(summary["turnover_pct"])
    assert f.loc["stability", "value"] == pytest.approx(summary["stability_index_strategy_pct"])
    assert f["shown"].all()
    assert set(f.index) == set(NETWORK_INDICATORS)


def test_a_small_service_shows_no_figure_made_of_a_small_count(tmp_path):
    folder = small_service(tmp_path / "small", staff=40, months=18, monthly_hazard=0.006,
                           seed=1)
    s = load_service(folder, extract_date="2026-06-30")
    m = monthly_indicators(s.staff_spells, s.absence_episodes, extract_date=s.extract_date)
    f = service_figures(s, m, start="2025-07", end="2026-06").set_index("indicator")
    leavers = f.loc["turnover", "numerator"]
    assert 0 < leavers < 5  # the scenario: a couple of leavers in the year
    assert not f.loc["turnover", "shown"] and "too few to publish" in f.loc["turnover", "reason"]
    assert not f.loc["burnout", "shown"]  # no survey at all: said, not guessed
    for key, row in f.iterrows():
        if row["shown"] and key in ("turnover", "stability", "burnout"):
            k, n = row["numerator"], row["denominator"]
            assert not (0 < k < 5 or 0 < n - k < 5)


def test_a_service_without_the_window_is_not_shown(demo):
    s, m = demo
    f = service_figures(s, m[m["month"] >= "2026-01"], start="2025-10", end="2026-09")
    assert not f["shown"].any() and f["reason"].str.contains("do not cover").all()


def test_absence_limits_without_an_adjustment_do_not_judge_services():
    table = network_table({name: pd.DataFrame({
        "indicator": ["absence_rate", "turnover"], "numerator": [lost, leavers],
        "denominator": [days, 200.0], "value": [100 * lost / days, 100 * leavers / 200],
        "shown": [True, True], "reason": ["", ""]}) for name, lost, days, leavers in (
        ("A", 2000.0, 50000.0, 20), ("B", 2600.0, 52000.0, 26), ("C", 1700.0, 48000.0, 25))})
    absence = indicator_funnel(table, "absence_rate")
    ok, why = judged("absence_rate", absence)
    assert not absence.adjusted and not ok and "not independent" in why
    ok, _ = judged("turnover", indicator_funnel(table, "turnover"))
    assert ok  # people: limits without the adjustment still mean something
    assert judged("turnover", None) == (False, "fewer than two services show this figure")


def test_publication_is_deterministic_and_holds_the_demo_trusts():
    a, b = generate_publication(), generate_publication()
    pd.testing.assert_frame_equal(a, b)
    assert set(DEMO_TRUSTS) <= set(a["ORG_CODE"])
    rate = 100 * a["FTE_DAYS_LOST"] / a["FTE_DAYS_AVAILABLE"]
    assert np.allclose(rate.round(2), a["SICKNESS_ABSENCE_RATE_PERCENT"], atol=0.011)


def test_placement_uses_the_trust_when_it_is_in_the_publication_else_the_service():
    pub = generate_publication()
    months = ("2025-10", "2026-09")
    units = pd.DataFrame([
        {"service": "Demo", "org_code": "RX1", "fte_days_lost": 1.0, "fte_days_available": 2.0},
        {"service": "Small", "org_code": None, "fte_days_lost": 2000.0,
         "fte_days_available": 70000.0}])
    p = place_among_organisations(pub, units, org_type="Mental Health and Learning Disability",
                                  months=months)
    t = p.units.set_index("service")
    trust = p.funnel.table.set_index("group").loc[DEMO_TRUSTS["RX1"][0]]
    assert t.loc["Demo", "label"] == DEMO_TRUSTS["RX1"][0]
    assert t.loc["Demo", "assessment"] == trust["assessment"]
    assert t.loc["Demo", "value"] == pytest.approx(trust["indicator"])
    # the service itself, at its own size, against the organisations' limits
    assert t.loc["Small", "label"] == "Small (service)"
    limits = p.funnel.limits_curve([70000.0]).iloc[0]
    value = 100 * 2000 / 70000
    inside = limits["lower_99_8"] <= value <= limits["upper_99_8"]
    assert (t.loc["Small", "assessment"] != "within the expected range") == (
        not (limits["lower_95"] <= value <= limits["upper_95"]))
    assert inside or "99.8%" in t.loc["Small", "assessment"]
    # the population funnel is the same whichever services are placed in it
    alone = funnel(p.funnel.table.rename(columns={"group": "org"}), numerator="numerator",
                   denominator="denominator", group="org", data_type="PR", multiplier=100)
    assert alone.tau2 == pytest.approx(p.funnel.tau2)
