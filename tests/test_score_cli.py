"""``wellbeing score INSTRUMENT --csv FILE [--coding NAME] [--json]``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from wellbeing_analysis.cli import main


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_json(capsys, *argv) -> list[dict]:
    assert main(["score", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def header(prefix: str, n: int) -> str:
    return ",".join(f"{prefix}_{i}" for i in range(1, n + 1))


def test_psafe_json_one_object_per_response_in_file_order(tmp_path, capsys):
    # other columns may be present; blank lines are skipped
    f = write(tmp_path, "s.csv", "team,response_id," + header("psafe", 7) + "\n"
              "A,R9,2,6,3,5,1,4,6\n\nB,R2,7,1,7,1,7,1,1\nA,R5,4,5,,6,2,,3\n")
    out = run_json(capsys, "psafe", "--csv", str(f))
    assert [r["response_id"] for r in out] == ["R9", "R2", "R5"]
    assert all(set(r) == {"response_id", "psafe"} for r in out)
    assert out[0]["psafe"] == pytest.approx(39 / 7)  # see test_instruments_scoring
    assert out[1]["psafe"] == 1.0
    assert out[2]["psafe"] is None  # 5 of 7 items: not scored


def test_keys_per_instrument(tmp_path, capsys):
    cases = {
        "bpns": (header("bpns", 21), 21, 4, ["autonomy", "competence", "relatedness"]),
        "olbi": (header("olbi", 16), 16, 2, ["exhaustion", "disengagement"]),
        "wrqol": (header("wrqol", 23), 23, 3, ["gwb", "hwi", "jcs", "caw", "wcs", "saw",
                                               "wrqol"]),
        "swemwbs": (header("swemwbs", 7), 7, 3, ["raw", "metric"]),
        "wemwbs": (header("wemwbs", 14), 14, 3, ["wemwbs"]),
        "nss_engagement": ("nss_q2a,nss_q2b,nss_q2c,nss_q3c,nss_q3d,nss_q3f,nss_q25a,nss_q25c,"
                           "nss_q25d", 9, 4, ["motivation", "involvement", "advocacy",
                                              "engagement"]),
    }
    for name, (head, n, value, keys) in cases.items():
        f = write(tmp_path, f"{name}.csv", "response_id," + head + "\n" + "R1," +
                  ",".join([str(value)] * n) + "\n")
        extra = ["--coding", "agree_1"] if name == "olbi" else []
        out = run_json(capsys, name, "--csv", str(f), *extra)
        assert list(out[0]) == ["response_id", *keys], name
    # SWEMWBS all answers 3: raw 21 -> metric 19.25
    f = write(tmp_path, "sw.csv", "response_id," + header("swemwbs", 7) + "\nR1,3,3,3,3,3,3,3\n")
    assert run_json(capsys, "swemwbs", "--csv", str(f))[0] == {
        "response_id": "R1", "raw": 21.0, "metric": 19.25}


def test_swemwbs_every_raw_total_through_the_command(tmp_path, capsys, reference_dir):
    table = pd.read_csv(reference_dir / "instruments" / "swemwbs_conversion.csv")
    lines = []
    for raw in table["raw"]:
        extra = raw - 7
        answers = [1 + min(4, max(0, extra - 4 * i)) for i in range(7)]
        lines.append(f"T{raw}," + ",".join(map(str, answers)))
    f = write(tmp_path, "sw.csv", "response_id," + header("swemwbs", 7) + "\n" +
              "\n".join(lines) + "\n")
    out = run_json(capsys, "swemwbs", "--csv", str(f))
    assert [r["raw"] for r in out] == table["raw"].tolist()
    assert [r["metric"] for r in out] == pytest.approx(table["metric"].tolist())


def test_olbi_coding_option_and_column(tmp_path, capsys):
    answers = "2,1,3,2,3,2,2,1,3,3,2,1,4,3,2,3"
    f = write(tmp_path, "o.csv", "response_id," + header("olbi", 16) + "\nR1," + answers + "\n")
    agree = run_json(capsys, "olbi", "--csv", str(f), "--coding", "agree_1")
    disagree = run_json(capsys, "olbi", "--csv", str(f), "--coding", "disagree_1")
    assert (agree[0]["exhaustion"], agree[0]["disengagement"]) == (3.375, 2.5)
    assert (disagree[0]["exhaustion"], disagree[0]["disengagement"]) == (1.625, 2.5)
    g = write(tmp_path, "o2.csv", "response_id,olbi_coding," + header("olbi", 16) +
              "\nR1,agree_1," + answers + "\nR2,disagree_1," + answers + "\n")
    both = run_json(capsys, "olbi", "--csv", str(g))
    assert [r["exhaustion"] for r in both] == [3.375, 1.625]


def test_text_output(tmp_path, capsys):
    f = write(tmp_path, "s.csv", "response_id," + header("psafe", 7) + "\nR1,1,7,1,7,1,7,7\n"
              "R2,4,5,,6,2,,3\n")
    assert main(["score", "psafe", "--csv", str(f)]) == 0
    out = capsys.readouterr().out
    assert "status V" in out and "80%" in out
    assert "R1" in out and "7.00" in out and "(not scored)" in out


def error_of(capsys, *argv) -> str:
    assert main(["score", *argv]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and "Traceback" not in captured.err
    return captured.err


def test_out_of_range_code_names_file_row_column(tmp_path, capsys):
    f = write(tmp_path, "bad.csv", "response_id," + header("psafe", 7) + "\nR1,4,4,4,4,4,4,4\n"
              "R2,4,9,4,4,4,4,4\n")
    err = error_of(capsys, "psafe", "--csv", str(f))
    assert "bad.csv, row 3, column 'psafe_2'" in err and "'9'" in err


def test_undeclared_coding_names_the_column(tmp_path, capsys):
    f = write(tmp_path, "o.csv", "response_id," + header("olbi", 16) + "\nR1," +
              ",".join(["2"] * 16) + "\n")
    err = error_of(capsys, "olbi", "--csv", str(f))
    assert "o.csv, row 1, column 'olbi_coding'" in err and "agree_1" in err
    err = error_of(capsys, "olbi", "--csv", str(f), "--coding", "strongly")
    assert "unknown coding 'strongly'" in err
    g = write(tmp_path, "o2.csv", "response_id,olbi_coding," + header("olbi", 16) +
              "\nR1,agree_1," + ",".join(["2"] * 16) + "\nR2,," + ",".join(["2"] * 16) + "\n")
    err = error_of(capsys, "olbi", "--csv", str(g))
    assert "o2.csv, row 3, column 'olbi_coding'" in err


def test_unknown_item_column_and_missing_columns(tmp_path, capsys):
    f = write(tmp_path, "p.csv", "response_id," + header("psafe", 8) + "\nR1,4,4,4,4,4,4,4,4\n")
    err = error_of(capsys, "psafe", "--csv", str(f))
    assert "p.csv, row 1, column 'psafe_8': unknown item column" in err
    g = write(tmp_path, "q.csv", "id," + header("psafe", 7) + "\nR1,4,4,4,4,4,4,4\n")
    assert "'response_id' is missing" in error_of(capsys, "psafe", "--csv", str(g))
    assert "file not found" in error_of(capsys, "psafe", "--csv", str(tmp_path / "none.csv"))
    only_psafe = write(tmp_path, "ps.csv",
                       "response_id," + header("psafe", 7) + "\nR1,4,4,4,4,4,4,4\n")
    err = error_of(capsys, "olbi", "--csv", str(only_psafe), "--coding", "agree_1")
    assert "no olbi item columns (expected olbi_1 to olbi_16)" in err
    h = write(tmp_path, "empty.csv", "")
    assert "empty" in error_of(capsys, "psafe", "--csv", str(h))


def test_unknown_instrument_is_a_usage_error(tmp_path, capsys):
    f = write(tmp_path, "s.csv", "response_id\nR1\n")
    with pytest.raises(SystemExit) as exc:
        main(["score", "phq9", "--csv", str(f)])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_installed_command_runs(tmp_path):
    f = write(tmp_path, "s.csv", "response_id," + header("psafe", 7) + "\nR1,1,7,1,7,1,7,7\n")
    out = subprocess.run([sys.executable, "-m", "wellbeing_analysis", "score", "psafe", "--csv",
                          str(f), "--json"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [{"response_id": "R1", "psafe": 7.0}]
