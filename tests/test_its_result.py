"""The result object: JSON contract, summary table, text, data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.its import ITSResult, fit_its

ESTIMATE_KEYS = {"estimate", "std_error", "ci_lower", "ci_upper"}
RATIO_KEYS = {"ratio", "ratio_ci_lower", "ratio_ci_upper"}


@pytest.fixture
def sicily(reference_dir) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "its" / "sicily.csv")


def test_to_dict_contract_for_a_log_link_family(sicily):
    r = fit_its(sicily, time="time", outcome="aces", interruptions=37, family="quasipoisson",
                offset="stdpop", season_col="month", harmonics=2)
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))  # valid JSON: no NaN
    assert d["family"] == "quasipoisson" and d["n_obs"] == 59
    assert d["dispersion"] == pytest.approx(r.dispersion)
    assert set(d["coefficients"]) == set(r.design.names)
    for coef in d["coefficients"].values():
        assert set(coef) == ESTIMATE_KEYS | {"p_value"}
    for key in ("level_change", "slope_change"):
        assert ESTIMATE_KEYS | RATIO_KEYS <= set(d[key])
    assert d["level_change"]["ratio"] == pytest.approx(np.exp(d["level_change"]["estimate"]))
    assert ESTIMATE_KEYS <= set(d["post_trend"])
    assert {"durbin_watson", "autocorrelation", "dispersion", "points",
            "warnings"} <= set(d["diagnostics"])


def test_to_dict_for_ols_has_no_ratios_and_null_slope_without_a_slope_term():
    rng = np.random.default_rng(71)
    data = pd.DataFrame({"t": np.arange(30), "y": rng.normal(size=30)})
    d = fit_its(data, time="t", outcome="y", interruptions=15, slope_change=False, family="ols").to_dict()
    assert not RATIO_KEYS & set(d["level_change"])
    assert d["slope_change"] is None
    assert d["level_change"]["df"] == 27


def test_summary_rows_and_text():
    rng = np.random.default_rng(72)
    n = 40
    t = np.arange(n)
    data = pd.DataFrame({"month": pd.period_range("2021-01", periods=n, freq="M").astype(str),
                         "y": 3 + 0.01 * t - 0.5 * (t >= 20) + rng.normal(0, 0.1, n)})
    r = fit_its(data, time="month", outcome="y", interruptions=["2022-09"], end="2023-09", family="ols")
    assert r.summary()["quantity"].tolist() == [
        "trend before", "level change at 2022-09", "slope change at 2022-09",
        "trend after 2022-09", "level end of intervention at 2023-09",
        "slope end of intervention at 2023-09", "trend after 2023-09"]
    assert r.text.startswith("At 2022-09 the level of y changed by -0.")
    assert "per month" in r.text
    assert isinstance(r, ITSResult)


def test_data_property_describes_each_row():
    rng = np.random.default_rng(73)
    data = pd.DataFrame({"t": np.arange(30), "y": rng.normal(size=30)})
    out = fit_its(data, time="t", outcome="y", interruptions=15, phase_in=2, family="ols").data
    assert out.columns.tolist() == ["time", "t", "period", "fitted_in_model", "observed"]
    assert (~out["fitted_in_model"]).sum() == 2
    np.testing.assert_allclose(out["observed"], data["y"])
