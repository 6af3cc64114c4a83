"""``wellbeing its``: the JSON contract, the table, and clear errors for bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.cli import main


def run(capsys, *args):
    code = main(["its", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def sicily_csv(reference_dir):
    return reference_dir / "its" / "sicily.csv"


def test_json_output_reproduces_the_sicily_model(capsys, sicily_csv):
    code, out, err = run(capsys, "--csv", sicily_csv, "--time", "time", "--outcome", "aces",
                         "--interruption", 37, "--family", "quasipoisson", "--offset", "stdpop",
                         "--season-col", "month", "--period", 12, "--harmonics", 2,
                         "--no-slope-change", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["family"] == "quasipoisson" and d["n_obs"] == 59
    assert math.isclose(d["dispersion"], 2.262183, rel_tol=5e-6)
    lc = d["level_change"]
    assert math.isclose(lc["ratio"], 0.885072, rel_tol=5e-6)
    assert math.isclose(lc["ratio_ci_lower"], 0.839401, rel_tol=5e-6)
    assert d["slope_change"] is None
    assert {"estimate", "std_error", "ci_lower", "ci_upper", "p_value"} == set(
        d["coefficients"]["level_change"])
    assert {"estimate", "std_error", "ci_lower", "ci_upper"} <= set(d["post_trend"])
    assert "diagnostics" in d


def test_json_controlled_its(capsys, reference_dir):
    code, out, err = run(capsys, "--csv", reference_dir / "its" / "cigsales.csv", "--time",
                         "year", "--outcome", "cigsale", "--interruption", 1989, "--group",
                         "state", "--treated", 3, "--hac-lags", 1, "--json")
    assert code == 0, err
    d = json.loads(out)
    coef = d["coefficients"]
    assert d["n_series"] == 39 and d["n_obs"] == 39 * 31
    assert d["level_change"]["estimate"] == pytest.approx(coef["level_change"]["estimate"])
    assert "comparison_level_change" in coef


def test_readable_table(capsys, reference_dir):
    code, out, _ = run(capsys, "--csv", reference_dir / "its" / "cigsales_single.csv",
                       "--time", "year", "--outcome", "cigsale", "--interruption", 1989,
                       "--hac-lags", 1)
    assert code == 0
    assert "Coefficients" in out and "level change at 1989" in out
    assert "-20.0581" in out and "4.7244" in out


def test_glsar_with_dates_and_several_interruptions(capsys, tmp_path):
    rng = np.random.default_rng(91)
    n = 48
    path = tmp_path / "absence.csv"
    pd.DataFrame({"month": pd.period_range("2021-04", periods=n, freq="M").astype(str),
                  "rate": 4 + rng.normal(0, 0.2, n)}).to_csv(path, index=False)
    code, out, err = run(capsys, "--csv", path, "--time", "month", "--outcome", "rate",
                         "--interruption", "2022-04", "--interruption", "2023-04",
                         "--family", "glsar", "--ar-order", 1, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["interruptions"] == ["2022-04", "2023-04"] and "level_change_2" in d["coefficients"]


def write(tmp_path, frame: pd.DataFrame):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def base(n=24) -> pd.DataFrame:
    rng = np.random.default_rng(92)
    return pd.DataFrame({"month": pd.period_range("2021-01", periods=n, freq="M").astype(str),
                         "rate": 4 + rng.normal(size=n), "lost": rng.poisson(300, n),
                         "avail": np.full(n, 6000.0)})


BAD = {
    "non-numeric outcome": (lambda d: d.astype({"rate": object}).assign(
        rate=lambda x: x["rate"].where(x.index != 3, "abc")), [], "must be numeric; row 5"),
    "missing values": (lambda d: d.assign(rate=d["rate"].where(d.index != 3)), [],
                       "missing values at row 5"),
    "duplicated times": (lambda d: d.assign(month=d["month"].where(d.index != 4, "2021-04")), [],
                         "duplicated times"),
    "unsorted times": (lambda d: d.iloc[[1, 0, *range(2, 24)]], [], "not in increasing order"),
    "irregular spacing": (lambda d: d.drop(index=5), [], "irregularly spaced"),
    "interruption outside": (lambda d: d, ["--interruption", "2025-01"], "outside the data"),
    "too few points": (lambda d: d, ["--interruption", "2022-12"], "too few points"),
    "zero exposure": (lambda d: d.assign(avail=d["avail"].where(d.index != 2, 0)),
                      ["--outcome", "lost", "--family", "poisson", "--offset", "avail"],
                      "must be positive"),
    "unknown column": (lambda d: d, ["--outcome", "absence"], "unknown column(s) 'absence'"),
}


def test_unknown_family_is_a_usage_error_listing_the_families(capsys, tmp_path):
    path = write(tmp_path, base())
    args = ["--csv", path, "--time", "month", "--outcome", "rate", "--interruption", "2022-01",
            "--family", "gamma"]
    with pytest.raises(SystemExit) as exit_info:
        run(capsys, *args)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "invalid choice: 'gamma'" in err and "quasipoisson" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_a_clear_error_without_traceback(capsys, tmp_path, case):
    change, extra, message = BAD[case]
    path = write(tmp_path, change(base()))
    args = ["--csv", path, "--time", "month", "--outcome", "rate", "--interruption", "2022-01"]
    code, out, err = run(capsys, *args, *extra)
    assert code == 1
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err and out == ""


def test_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "--csv", tmp_path / "nope.csv", "--time", "t", "--outcome", "y",
                       "--interruption", 1)
    assert code == 1 and "file not found" in err
