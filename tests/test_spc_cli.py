"""`wellbeing spc`: the JSON contract, the text summary and clear errors (exit 1, no traceback)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from wellbeing_analysis.cli import main


@pytest.fixture
def ae_csv(reference_dir):
    return str(reference_dir / "spc" / "ptd" / "ae_rrk_type1_breaches.csv")


def run_json(capsys, *args) -> dict:
    assert main(["spc", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_contract_reproduces_the_rebased_ae_reference(capsys, ae_csv, reference_dir):
    out = run_json(capsys, "--csv", ae_csv, "--x", "period", "--y", "breaches",
                   "--direction", "decrease", "--rebase", "2018-07-01", "--target", "2000")
    expected = pd.read_csv(reference_dir / "spc" / "ptd" / "ae_rrk_rebase_2018-07-01_expected.csv")
    assert out["chart"] == "xmr"
    points = pd.DataFrame(out["points"])
    assert list(points.columns) == ["x", "y", "centre", "lower", "upper", "special_cause",
                                    "point_type"]
    assert points["x"].tolist() == expected["x"].tolist()
    assert points["upper"].tolist() == pytest.approx(expected["upl"].tolist(), rel=1e-12)
    assert points["centre"].tolist() == pytest.approx(expected["mean"].tolist(), rel=1e-12)
    assert points["point_type"].tolist() == expected["point_type"].tolist()
    assert points["special_cause"].tolist() == (expected["point_type"] != "common_cause").tolist()
    assert out["variation_icon"] == "special_cause_concern"
    assert out["assurance_icon"] == "consistent_fail"
    assert any("fewer than 13" in w for w in out["warnings"])


def test_json_no_screen_and_fix_after(capsys, reference_dir):
    csv = str(reference_dir / "spc" / "ptd" / "deviation_vignette_unscreened.csv")
    out = run_json(capsys, "--csv", csv, "--x", "x", "--y", "y", "--no-screen")
    assert out["points"][0]["upper"] == pytest.approx(6.951503267973856)
    out = run_json(capsys, "--csv", csv, "--x", "x", "--y", "y", "--fix-after", "12")
    assert out["points"][0]["centre"] == pytest.approx(26 / 12)  # mean of the first 12 values
    assert out["assurance_icon"] is None


def test_json_p_and_pprime_charts(capsys, reference_dir, tmp_path):
    df = pd.read_csv(reference_dir / "spc" / "nhs_accidents_p_pprime.csv")
    csv = tmp_path / "acc.csv"
    df.assign(prop=df["r"] / df["n"]).to_csv(csv, index=False)
    p = run_json(capsys, "--csv", str(csv), "--x", "i", "--y", "prop", "--n", "n",
                 "--chart", "p")
    assert sum(pt["special_cause"] for pt in p["points"]) >= 16
    assert p["points"][0]["lower"] == pytest.approx(df["p_lcl"][0], rel=1e-12)
    assert any("Laney" in w for w in p["warnings"])
    pp = run_json(capsys, "--csv", str(csv), "--x", "i", "--y", "prop", "--n", "n")
    assert pp["chart"] == "pprime"
    assert pp["points"][0]["lower"] == pytest.approx(df["pp_lcl"][0], rel=1e-12)


def test_json_run_chart_rules(capsys, ae_csv):
    out = run_json(capsys, "--csv", ae_csv, "--x", "period", "--y", "breaches", "--chart", "run",
                   "--rules", "ihi")
    assert out["chart"] == "run" and out["rules"] == "ihi"
    assert all(p["lower"] is None for p in out["points"])
    assert out["assurance_icon"] is None


def test_text_summary(capsys, ae_csv):
    assert main(["spc", "--csv", ae_csv, "--x", "period", "--y", "breaches",
                 "--direction", "decrease", "--rebase", "2018-07-01"]) == 0
    captured = capsys.readouterr()
    assert "xmr chart, mdc rules: 36 points" in captured.out
    assert "stayed below the mean for 8 months" in captured.out
    assert "Special cause variation - concern" in captured.out
    assert "warning: the group starting 2018-07-01" in captured.err


@pytest.mark.parametrize(("content", "args", "message"), [
    ("m,v\n2024-01-01,1\n", [], "too few points"),
    ("m,v\n2024-01-01,1\n2024-02-01,abc\n2024-03-01,2\n", [], "'abc' at x = 2024-02-01"),
    ("m,v\n2024-01-01,1\n2024-01-01,2\n2024-03-01,2\n", [], "duplicated"),
    ("m,v,n\n2024-01-01,0.1,10\n2024-02-01,0.2,0\n2024-03-01,0.1,5\n", ["--n", "n"],
     "greater than 0"),
    ("m,v\n2024-01-01,1\n2024-02-01,2\n", ["--y", "w"], "unknown column"),
    ("m,v\n2024-01-01,1\n2024-02-01,2\n", ["--fix-after", "3"], "at least 12"),
    ("m,v\n2024-01-01,1\n2024-02-01,2\n", ["--chart", "run", "--rules", "mdc"], "process limits"),
])
def test_bad_input_exits_1_with_a_message(capsys, tmp_path, content, args, message):
    csv = tmp_path / "in.csv"
    csv.write_text(content)
    base = ["spc", "--csv", str(csv), "--x", "m", "--y", "v"]
    if "--y" in args:
        base = base[:-2]
    assert main(base + args) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unsorted_rows_warn_in_json(capsys, tmp_path):
    csv = tmp_path / "in.csv"
    csv.write_text("m,v\n2024-03-01,3\n2024-01-01,1\n2024-02-01,2\n")
    out = run_json(capsys, "--csv", str(csv), "--x", "m", "--y", "v")
    assert [p["x"] for p in out["points"]] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert any("sorted" in w for w in out["warnings"])


def test_missing_file_and_bad_choice(capsys, tmp_path):
    assert main(["spc", "--csv", str(tmp_path / "none.csv"), "--x", "m", "--y", "v"]) == 1
    assert "file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["spc", "--csv", "x.csv", "--x", "m", "--y", "v", "--chart", "xbar"])
    assert exc.value.code == 2
