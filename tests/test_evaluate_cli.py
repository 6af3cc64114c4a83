"""``wellbeing evaluate``: the evaluation's results as JSON (or a short summary) on the demo
service, whose truth is a 20% fall in absence and a 30% fall in leaving; the same numbers as
the evaluation report (one code path)."""

from __future__ import annotations

import json

import pytest

from wellbeing_analysis.cli import main
from wellbeing_analysis.evaluation import VERDICTS

ABSENCE_TRUTH, LEAVING_TRUTH = -0.20, -0.30


@pytest.fixture(scope="module")
def demo_params(shared_demo_data, tmp_path_factory):
    from conftest import demo_params_dict, write_yaml

    root = tmp_path_factory.mktemp("evaluate")
    raw = demo_params_dict(shared_demo_data, root / "out")
    raw["evaluation"]["planner_simulations"] = 100  # the fewest allowed: a faster planner
    return write_yaml(root / "demo.yaml", raw)


@pytest.fixture(scope="module")
def demo_json(demo_params):
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["evaluate", str(demo_params), "--json"])
    assert code == 0
    return json.loads(buf.getvalue())


def test_json_contract(demo_json):
    d = demo_json
    assert d["service"] == "Demo Talking Therapies Service" and d["intervention"] == "INT1"
    assert d["status"] == "ok"
    assert [o["name"] for o in d["outcomes"]] == ["absence", "leaving"]
    for o in d["outcomes"]:
        assert o["verdict"] in VERDICTS
        assert set(o["relative_effect"]) == {"estimate", "ci_lower", "ci_upper"}
        assert o["model"].startswith("quasi-Poisson regression with AR(1) errors")
        assert o["checks"] and all({"name", "passed", "detail"} <= set(c) for c in o["checks"])
        assert all(isinstance(c["passed"], bool) for c in o["checks"])


@pytest.mark.parametrize("index, truth", [(0, ABSENCE_TRUTH), (1, LEAVING_TRUTH)])
def test_intervals_and_verdicts_are_consistent_with_the_truth(demo_json, index, truth):
    o = demo_json["outcomes"][index]
    rel = o["relative_effect"]
    assert rel["ci_lower"] < rel["estimate"] < rel["ci_upper"]
    assert rel["ci_lower"] <= truth <= rel["ci_upper"]  # the truth is inside the 95% CI
    assert -1 < rel["ci_lower"] and rel["estimate"] < 0  # proportions; a fall
    # the truth is a fall: never 'worsened'; 'improved' only with an interval below zero
    assert o["verdict"] in ("improved", "no clear change")
    if o["verdict"] == "improved":
        assert rel["ci_upper"] < 0 and o["p_value_holm"] < 0.05
    else:
        assert o["p_value_holm"] >= 0.05
        assert o["summary"].startswith("The data do not show a clear change")


def test_the_report_renders_what_the_command_computes(demo_params, demo_json):
    from wellbeing_analysis.reporting.evaluation import EvaluationReport

    report = EvaluationReport.from_params(str(demo_params))
    assert report.status() == demo_json["status"]
    for o in demo_json["outcomes"]:
        ev = report.evaluation[o["name"]]
        assert ev.headline.relative == pytest.approx(o["relative_effect"]["estimate"])
        assert ev.verdict == o["verdict"]
    html = report.overview().html
    ca = report.absence_ev.cumulative
    # signed whole per cent with a true minus sign (U+2212), as formatting.change writes it
    assert f"{100 * ca.relative:+.0f}%".replace("-", "\u2212") in html


def test_plain_text_summary_and_several_params_files(demo_params, capsys):
    assert main(["evaluate", str(demo_params)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Demo Talking Therapies Service: intervention INT1 (status: ok)")
    assert "- absence:" in out and "- leaving:" in out and "Holm" in out
    assert main(["evaluate", str(demo_params), str(demo_params), "--json"]) == 0
    both = json.loads(capsys.readouterr().out)
    assert isinstance(both, list) and len(both) == 2


def test_a_params_file_without_an_evaluation_is_a_clear_error(demo_params, tmp_path, capsys):
    import yaml

    raw = yaml.safe_load(demo_params.read_text())
    del raw["evaluation"]
    path = tmp_path / "no_eval.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert main(["evaluate", str(path), "--json"]) == 1
    err = capsys.readouterr().err
    assert "no 'evaluation' section" in err and "Traceback" not in err


def test_thin_data_give_no_effect_figure_in_the_json_or_the_report(demo_params, tmp_path,
                                                                 capsys):
    """An analysis that starts 3 months before the intervention: not enough data. The JSON
    has null effects and says which check failed; the report shows no card value, no days
    avoided and no percentage, only what data would be needed."""
    import yaml

    from wellbeing_analysis.reporting.evaluation import EvaluationReport

    raw = yaml.safe_load(demo_params.read_text())
    raw["evaluation"]["analysis_start"] = "2024-01"
    path = tmp_path / "thin.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert main(["evaluate", str(path), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["status"] == "not enough data"
    for o in d["outcomes"]:
        assert o["verdict"] == "not enough data"
        assert o["relative_effect"] == {"estimate": None, "ci_lower": None, "ci_upper": None}
        failed = [c for c in o["checks"] if not c["passed"]]
        assert any(c["name"] == "points_before" for c in failed)
        assert all(c["needed"] for c in failed)
    report = EvaluationReport.from_params(str(path))
    assert report.status() == "not enough data"
    summary = report.overview().html
    assert summary.count("not shown") == 2 and "avoided" not in summary
    callouts = summary[summary.index("Sickness absence</"):]
    assert "%" not in callouts.split("Expected")[0]
    assert "Needed:" in summary
    section = report.absence().html
    assert "no model is shown" in section and "%" not in section.split("alt=")[0]
    assert "no sensitivity analyses" in report.sensitivity().html
