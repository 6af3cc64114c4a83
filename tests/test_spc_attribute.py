"""P, U, C and Laney P′/U′ charts: nhs_accidents reference limits and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.spc import spc
from wellbeing_analysis.spc.attribute import c_limits, laney_limits, p_limits, u_limits


@pytest.fixture
def accidents(reference_dir) -> pd.DataFrame:
    """Weekly proportions; r is the numerator, n the denominator."""
    df = pd.read_csv(reference_dir / "spc" / "nhs_accidents_p_pprime.csv")
    return df.assign(prop=df["r"] / df["n"])


def test_accidents_p_chart_limits_per_row(accidents):
    r = spc(accidents, x="i", y="prop", n="n", chart="p")
    np.testing.assert_allclose(r.data["centre"], accidents["cl"], rtol=1e-12)
    np.testing.assert_allclose(r.data["lpl"], accidents["p_lcl"], rtol=1e-12)
    np.testing.assert_allclose(r.data["upl"], accidents["p_ucl"], rtol=1e-12)
    assert int(r.data["outside"].sum()) == 16  # docs/spc.md: 16 of 20 outside on a plain P chart
    assert any("Laney" in w and "16 of 20" in w for w in r.warnings)


@pytest.mark.parametrize(("chart", "lo", "hi"), [("pprime", "pp_lcl", "pp_ucl"),
                                                 ("uprime", "up_lcl", "up_ucl")])
def test_accidents_laney_limits_per_row(accidents, chart, lo, hi):
    r = spc(accidents, x="i", y="prop", n="n", chart=chart)
    np.testing.assert_allclose(r.data["lpl"], accidents[lo], rtol=1e-12)
    np.testing.assert_allclose(r.data["upl"], accidents[hi], rtol=1e-12)
    assert not r.data["outside"].any()  # P′ puts none outside
    assert r.data["lpl"].min() == pytest.approx(0.940, abs=5e-4)  # limits ≈ 94.0–96.6%
    assert r.data["upl"].max() == pytest.approx(0.966, abs=5e-4)
    assert r.warnings == []


def test_accidents_pprime_matches_powerbi_spc(accidents):
    """PowerBI-SPC's 99% (3σ) and 95% (2σ) P′ limits, in percent to 4 decimals, are our
    process and near limits."""
    d = spc(accidents, x="i", y="prop", n="n", chart="pprime").data
    np.testing.assert_allclose(d["upl"] * 100, accidents["powerbi_pp_ul99_pct"], atol=6e-5)
    np.testing.assert_allclose(d["lpl"] * 100, accidents["powerbi_pp_ll99_pct"], atol=6e-5)
    np.testing.assert_allclose(d["near_upl"] * 100, accidents["powerbi_pp_ul95_pct"], atol=6e-5)
    np.testing.assert_allclose(d["near_lpl"] * 100, accidents["powerbi_pp_ll95_pct"], atol=6e-5)


def test_pprime_and_uprime_give_identical_limits_and_scale_with_the_unit(accidents):
    p = laney_limits(accidents["prop"], accidents["n"], kind="p")
    u = laney_limits(accidents["prop"], accidents["n"], kind="u")
    np.testing.assert_allclose(p.lower, u.lower, rtol=1e-12)
    # The same rate in percent: U′ limits are 100 × the proportion limits.
    pct = laney_limits(accidents["prop"] * 100, accidents["n"], kind="u")
    np.testing.assert_allclose(pct.upper, u.upper * 100, rtol=1e-10)


def test_default_chart_with_a_denominator_is_laney(accidents):
    assert spc(accidents, x="i", y="prop", n="n").chart == "pprime"
    pct = accidents.assign(pct=accidents["prop"] * 100)
    assert spc(pct, x="i", y="pct", n="n").chart == "uprime"
    assert spc(accidents, x="i", y="prop").chart == "xmr"


def test_hand_computed_p_u_c_limits():
    p = p_limits(np.array([0.1, 0.3]), np.array([100, 100]))
    assert p.centre == pytest.approx(0.2)
    assert p.upper == pytest.approx(0.2 + 3 * np.sqrt(0.2 * 0.8 / 100))
    clamped = p_limits(np.array([0.0, 0.02]), np.array([10, 10]))
    assert clamped.lower.tolist() == [0.0, 0.0]
    u = u_limits(np.array([2.0, 4.0]), np.array([1.0, 3.0]))  # 2 + 12 events over 4 units
    assert u.centre == pytest.approx(3.5)
    np.testing.assert_allclose(u.upper, 3.5 + 3 * np.sqrt(3.5 / np.array([1.0, 3.0])))
    c = c_limits(np.array([2.0, 4.0, 6.0]))
    assert c.centre == 4.0
    np.testing.assert_allclose(c.upper, 4 + 3 * 2.0)
    np.testing.assert_allclose(c.lower, 0.0)  # 4 - 6 clamped at zero


def test_c_chart_through_spc_flags_a_spike():
    df = pd.DataFrame({"m": pd.date_range("2023-01-01", periods=14, freq="MS"),
                       "incidents": [3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 5, 4, 3, 20]})
    r = spc(df, x="m", y="incidents", chart="c", improvement_direction="decrease")
    assert r.data["special_cause_type"].iloc[-1] == "Above UCL"
    assert r.variation_icon == "special_cause_concern"


def test_attribute_charts_reject_impossible_values(accidents):
    with pytest.raises(InputError, match="proportions between 0 and 1"):
        spc(accidents, x="i", y="r", n="n", chart="p")
    neg = accidents.assign(prop=accidents["prop"] - 1)
    with pytest.raises(InputError, match="0 or more"):
        spc(neg, x="i", y="prop", n="n", chart="u")
    with pytest.raises(InputError, match="denominator"):
        spc(accidents, x="i", y="prop", chart="p")
    with pytest.raises(InputError, match="does not use a denominator"):
        spc(accidents, x="i", y="prop", n="n", chart="c")


@pytest.mark.parametrize("bad", [0, -5])
def test_zero_or_negative_denominators(accidents, bad):
    df = accidents.copy()
    df.loc[3, "n"] = bad
    with pytest.raises(InputError, match="greater than 0.*x = 4"):
        spc(df, x="i", y="prop", n="n")


def test_blank_denominator_is_an_error(accidents):
    df = accidents.astype({"n": float})
    df.loc[5, "n"] = np.nan
    with pytest.raises(InputError, match="blank at x = 6"):
        spc(df, x="i", y="prop", n="n")
