"""`wellbeing funnel`: the JSON object, the text summary, the PNG and clear errors (exit 1,
no traceback). The numbers are the FunnelPlotR case of tests/test_funnel.py."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_funnel import FPR_PR_WINSOR, FPR_PR_Z, PR_DEN, PR_NUM

from wellbeing_analysis.cli import main
from wellbeing_analysis.funnel import funnel


@pytest.fixture
def units_csv(tmp_path):
    path = tmp_path / "units.csv"
    pd.DataFrame({"service": [f"S{i:02d}" for i in range(len(PR_NUM))], "lost": PR_NUM,
                  "available": PR_DEN}).to_csv(path, index=False)
    return str(path)


BASE = ["--numerator", "lost", "--denominator", "available", "--group", "service"]


def run_json(capsys, *args) -> dict:
    assert main(["funnel", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_reproduces_the_funnelplotr_case(capsys, units_csv):
    out = run_json(capsys, "--csv", units_csv, *BASE)
    assert out["phi"] == pytest.approx(FPR_PR_WINSOR["phi"], rel=1e-6)
    assert out["tau2"] == pytest.approx(FPR_PR_WINSOR["tau2"], rel=1e-6)
    assert out["adjustment"] == "additive" and out["data_type"] == "PR"
    units = out["units"]
    assert [u["group"] for u in units] == [f"S{i:02d}" for i in range(len(PR_NUM))]
    assert [u["z"] for u in units] == pytest.approx(FPR_PR_Z, rel=1e-6)
    assert [u["limits"]["95"]["lower"] for u in units] == pytest.approx(
        FPR_PR_WINSOR["odll95"], rel=1e-6)
    assert units[5]["assessment"] == "below the expected range (95%)"
    assert "DerSimonian-Laird" in out["method"]


def test_json_options_reach_the_library(capsys, units_csv):
    out = run_json(capsys, "--csv", units_csv, *BASE, "--od-adjust", "multiplicative",
                   "--trim-method", "trim", "--trim", "0.2", "--limits", "90", "99",
                   "--multiplier", "100")
    data = pd.read_csv(units_csv, dtype={"service": str})
    lib = funnel(data, numerator="lost", denominator="available", group="service",
                 od_adjust="multiplicative", trim_method="trim", trim=0.2, limits=(90, 99),
                 multiplier=100).to_dict()
    assert out == json.loads(json.dumps(lib))
    assert out["limits"] == [90.0, 99.0] and out["multiplier"] == 100.0


def test_text_summary_has_method_and_verdicts_without_ranks(capsys, units_csv):
    assert main(["funnel", "--csv", units_csv, *BASE]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Funnel plot of a proportion")
    assert "10 units; target 0.09792" in out
    lines = out.splitlines()
    body = lines[lines.index("") + 2:]
    assert [line.split()[0] for line in body] == [f"S{i:02d}" for i in range(len(PR_NUM))]
    assert "below the expected range (95%)" in out
    assert "rank" not in out.lower()


def test_png_is_written(capsys, units_csv, tmp_path):
    png = tmp_path / "funnel.png"
    assert main(["funnel", "--csv", units_csv, *BASE, "--png", str(png), "--highlight", "S03",
                 "--log-x"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_group_names_keep_leading_zeros(capsys, tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("code,lost,available\n001,5,100\n002,9,120\n010,4,90\n", encoding="utf-8")
    assert main(["funnel", "--csv", str(path), "--numerator", "lost", "--denominator",
                 "available", "--group", "code", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert [u["group"] for u in out["units"]] == ["001", "002", "010"]
    assert any("too few" in w for w in out["warnings"])
    assert "warning: overdispersion not estimated" in captured.err


@pytest.mark.parametrize(("content", "args", "message"), [
    ("service,lost,available\nA,1,10\nB,2,0\nC,3,30\n", [],
     "error: column 'available' (denominator) must be greater than 0"),
    ("service,lost,available\nA,1,10\nA,2,20\n", [], "names a unit more than once: 'A'"),
    ("service,lost,available\nA,1,10\nB,,20\n", [], "(numerator) is missing for unit(s) 'B'"),
    ("service,days,available\nA,1,10\n", [], "unknown column(s) 'lost'"),
    ("service,lost,available\nA,1,10\nB,2,20\n", ["--png", "/no/such/folder/x.png"],
     "--png: folder '/no/such/folder' does not exist"),
    ("service,lost,available\nA,1,10\nB,2,20\n", ["--trim", "0.7"], "trim must be a fraction"),
])
def test_errors_exit_1_without_traceback(capsys, tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    assert main(["funnel", "--csv", str(path), *BASE, *args]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_missing_file_and_usage_errors(capsys, tmp_path):
    assert main(["funnel", "--csv", str(tmp_path / "none.csv"), *BASE]) == 1
    assert "file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["funnel", "--csv", "x.csv", *BASE, "--data-type", "XX"])
    assert exc.value.code == 2
