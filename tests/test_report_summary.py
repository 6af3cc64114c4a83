"""The answer first: the Making Data Count summary rows and table, the evaluation's one
sentence, the links between a service's pages, and the index built from run.json."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd

from wellbeing_analysis.reporting import index as idx
from wellbeing_analysis.reporting import summary as s
from wellbeing_analysis.spc import spc


def _absence_chart(last: float):
    """36 months around 4.3% with a last month of ``last`` (hand-made series)."""
    rng = np.random.default_rng(5)
    y = np.r_[4.3 + rng.normal(0, 0.15, 35), last]
    data = pd.DataFrame({"month": pd.date_range("2023-10-01", periods=36, freq="MS"), "y": y})
    return spc(data, x="month", y="y", improvement_direction="decrease", target=4.5)


def test_a_row_reads_the_latest_point_and_its_icons():
    chart = _absence_chart(4.31)
    row = s.indicator_row("absence_rate_pct", chart, target=4.5)
    assert row["latest"] == "4.31%" and row["month"] == "Sep 2026"
    assert row["variation"] == chart.variation_icon == "common_cause"
    assert row["assurance"] == chart.assurance_icon
    assert row["target"] == "4.50%"
    assert row["words"].startswith("No signal (everyday variation)")
    json.dumps(row)  # recorded in run.json


def test_a_low_outlier_of_a_decrease_measure_is_an_improvement_marked_l():
    row = s.indicator_row("absence_rate_pct", _absence_chart(2.0), target=None)
    assert row["variation"] == "special_cause_improvement" and row["side"] == "lower"
    html = s.summary_table([row], caption="At a glance").html
    assert '<span class="mdc-icon mdc-improvement" aria-hidden="true">L</span> improving' in html
    assert 'data-indicator="absence_rate_pct"' in html and "no target set" in html
    assert 'role="region"' in html  # scrolls on a phone, reachable by keyboard


def _outcome(label, verdict, relative=None, lo=None, hi=None, status="ok"):
    headline = None if relative is None else SimpleNamespace(relative=relative, ci_lower=lo,
                                                             ci_upper=hi)
    return SimpleNamespace(outcome=SimpleNamespace(label=label), verdict=verdict,
                           headline=headline, status=status)


def test_the_evaluation_answer_names_its_comparison_in_one_sentence():
    ev = SimpleNamespace(outcomes=[
        _outcome("sickness absence", "improved", -0.2213, -0.35, -0.08),
        _outcome("leaving", "not enough data", status="not enough data")])
    assert s.evaluation_answer(ev) == (
        "Sickness absence: improved — 22% lower than expected without the change (95% CI "
        "−35% to −8%); leaving: not enough data to judge (not enough data).")


def test_each_report_links_the_index_and_its_siblings():
    html = s.report_nav("pdsa").html
    assert 'href="index.html"' in html and 'href="baseline.html"' in html
    assert 'href="evaluation.html"' in html and 'href="pdsa.html"' not in html
    assert '<span aria-current="page">PDSA cycle report</span>' in html


def test_the_index_shows_the_answer_and_table_from_run_json(tmp_path):
    row = s.indicator_row("absence_rate_pct", _absence_chart(4.31), target=4.5)
    folder = tmp_path / "a#b%c"
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps({
        "service": {"name": "Service A", "extract_date": "2026-09-30"},
        "reports": {"baseline": {"ok": True, "summary": {"indicators": [row], "answer": None}},
                    "evaluation": {"ok": True, "summary": {"indicators": [row],
                                                           "answer": "Leaving: no clear "
                                                                     "change."}}}}))
    page = idx.service_index(folder)
    assert '<html lang="en-GB">' in page and 'href="#main-content"' in page
    assert page.count('data-indicator="absence_rate_pct"') == 1  # one table per service
    assert "Leaving: no clear change." in page and 'href="evaluation.html"' in page
    # from the reports root the links go into the folder, its name escaped for a URL
    assert 'href="a%23b%25c/evaluation.html"' in idx._answer_first(
        json.loads((folder / "run.json").read_text()), prefix="a%23b%25c/")
