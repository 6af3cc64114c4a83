"""End to end, the aggregate tier: a service with only its trust's monthly figures renders
all three reports (papermill) and ``wellbeing evaluate --json``; the absence rates they show
equal those computed by hand from monthly_workforce.csv; the baseline draws the national
publication as a benchmark; sections that need staff-level data say so in one line."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import build_once
from scenarios import aggregate_service, scenario_params

from wellbeing_analysis.cli import main

pytestmark = pytest.mark.slow

EXTRACT = "2026-06-30"
EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / \
    "nhs_sickness_absence_synthetic.csv"
BENCHMARK = "Mental health trusts (synthetic)"
MH = "Mental Health and Learning Disability"


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def build(root: Path) -> dict:
    data = aggregate_service(root / "data", months=30, extract=EXTRACT, intervention_month=18)
    params = scenario_params(
        root / "params" / "aggregate.yaml", name="Aggregate service", data_dir=data,
        output_dir=root / "reports" / "aggregate", extract=EXTRACT, edited=True,
        benchmark={"csv": str(EXAMPLE), "name": BENCHMARK, "org_type": MH})
    raw = json.loads(json.dumps(__import__("yaml").safe_load(params.read_text())))
    raw["evaluation"]["comparison"] = {"csv": str(EXAMPLE), "name": "two synthetic trusts",
                                       "org_code": ["SYN01", "SYN02"]}
    params.write_text(__import__("yaml").safe_dump(raw, sort_keys=False), encoding="utf-8")
    report = _run(["report", "all", str(params), "--jobs", "2", "--no-progress"])
    evaluate = _run(["evaluate", str(params), "--json"])
    metrics = _run(["metrics", str(data), "--out", str(root / "metrics.csv")])
    return {"data": str(data), "params": str(params), "out": str(root / "reports" / "aggregate"),
            "report": report, "evaluate": evaluate, "metrics": metrics}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root, result = build_once(tmp_path_factory, "aggregate-tier", build)
    figures = pd.read_csv(Path(result["data"]) / "monthly_workforce.csv")
    sums = figures.groupby("month")[["fte_days_lost", "fte_days_available"]].sum()
    return SimpleNamespace(root=root, sums=sums, **result)


def text_of(rendered, report: str) -> str:
    page = (Path(rendered.out) / f"{report}.html").read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_all_three_reports_render_and_record_the_data_tier(rendered):
    code, out, err = rendered.report
    assert code == 0, out + err
    record = json.loads((Path(rendered.out) / "run.json").read_text())
    assert set(record["reports"]) == {"baseline", "pdsa", "evaluation"}
    for entry in record["reports"].values():
        assert entry["ok"] is True and entry["error"] is None
        assert entry["status"].endswith("; aggregate data tier (monthly figures only)")
    for report in ("baseline", "pdsa", "evaluation"):
        text = text_of(rendered, report)
        assert "Traceback" not in text and "Error" not in text
        assert "Data tier: aggregate." in text


def test_baseline_absence_rates_equal_the_hand_computation(rendered):
    text = text_of(rendered, "baseline")
    now, before = rendered.sums.iloc[-12:], rendered.sums.iloc[-24:-12]
    rate_now = 100 * now["fte_days_lost"].sum() / now["fte_days_available"].sum()
    rate_before = 100 * before["fte_days_lost"].sum() / before["fte_days_available"].sum()
    shown = re.search(r"Sickness absence, last 12 months (\d+\.\d\d)% (?:before/after: )?\w+ "
                      r"from (\d+\.\d\d)% in the previous 12 months", text)
    assert shown is not None, text[:2000]
    assert float(shown.group(1)) == round(rate_now, 2)
    assert float(shown.group(2)) == round(rate_before, 2)


def test_metrics_csv_equals_the_hand_computation(rendered):
    code, out, err = rendered.metrics
    assert code == 0, err
    table = pd.read_csv(Path(rendered.root) / "metrics.csv").set_index("month")
    by_hand = 100 * rendered.sums["fte_days_lost"] / rendered.sums["fte_days_available"]
    assert table["absence_rate_pct"].to_numpy() == pytest.approx(by_hand.to_numpy(), abs=5e-5)
    last12 = rendered.sums.iloc[-12:]
    assert table["absence_rate_12m_pct"].iloc[-1] == pytest.approx(
        100 * last12["fte_days_lost"].sum() / last12["fte_days_available"].sum(), abs=5e-5)


def test_the_benchmark_line_is_drawn_named_and_its_rate_given(rendered):
    text = text_of(rendered, "baseline")
    pub = pd.read_csv(EXAMPLE)
    pub = pub[(pub["ORG_TYPE"] == MH)
              & pd.to_datetime(pub["DATE"], format="%d/%m/%Y").between("2025-07-01",
                                                                        "2026-06-30")]
    rate = 100 * pub["FTE_DAYS_LOST"].sum() / pub["FTE_DAYS_AVAILABLE"].sum()
    assert (f"The dashed grey line is the benchmark, {BENCHMARK} (NHS Digital sickness "
            "absence publication; days summed over its organisations). Its rate from July 2025 "
            f"to June 2026 was {rate:.2f}%.") in text
    page = (Path(rendered.out) / "baseline.html").read_text(encoding="utf-8")
    alts = re.findall(r'alt="([^"]*)"', page)
    # the alt text names the chart (its kind depends on the data) and the benchmark
    assert any(" of sickness absence rate" in a and BENCHMARK in a for a in alts)


def test_sections_needing_staff_level_data_say_what_they_need(rendered):
    text = text_of(rendered, "baseline")
    for line in ("Sickness absence by reason: not shown, because it needs absence_episodes.csv",
                 "Leavers by reason and by length of service, and early leavers: not shown, "
                 "because it needs staff_spells.csv",
                 "Figures by staff group: not shown, because it needs a staff_group column in "
                 "monthly_workforce.csv",
                 "stability index (strategy: 1+ year's service) (needs staff_spells.csv"):
        assert line in text
    assert "By team, July 2025 to June 2026" in text  # the file has a team column


def test_evaluation_observed_days_equal_the_figures(rendered):
    text = text_of(rendered, "evaluation")
    found = re.search(r"Over all (\d+) months since the change: ([\d,]+) FTE days lost", text)
    assert found is not None
    months = int(found.group(1))
    observed = rendered.sums["fte_days_lost"].iloc[-months:].sum()
    assert found.group(2) == f"{observed:,.0f}"


def test_evaluate_json_works_on_the_figures(rendered):
    code, out, err = rendered.evaluate
    assert code == 0, err
    result = json.loads(out)
    assert result["service"] == "Aggregate service" and result["intervention"] == "INT1"
    outcomes = {o["name"]: o for o in result["outcomes"]}
    assert set(outcomes) == {"absence", "leaving"}
    # 30 months, the change in month 18 with one month of phase-in: 17 before, 12 after
    for o in outcomes.values():
        assert (o["months_before"], o["months_after"]) == (17, 12)
    controlled = text_of(rendered, "evaluation")
    assert "controlled ITS against the two synthetic trusts" in controlled
