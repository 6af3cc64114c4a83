"""XmR charts with Making Data Count semantics against NHSRplotthedots / nhspy reference values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wellbeing_analysis.constants import MR_SCREEN_FACTOR, XMR_LIMIT_FACTOR
from wellbeing_analysis.spc import spc
from wellbeing_analysis.spc.labels import CONCERN, IMPROVEMENT
from wellbeing_analysis.spc.xmr import mean_moving_range, moving_ranges, xmr_limits

PTD_DIR = Path(__file__).parent / "reference" / "spc" / "ptd"
PTD_CASES = [
    ("rnorm20_seed123.csv", {}),
    ("rnorm20_seed123_y15eq10_screened.csv", {}),
    ("rnorm20_seed123_y15eq10_unscreened.csv", {"screen_outliers": False}),
    ("deviation_vignette_screened.csv", {}),
    ("deviation_vignette_unscreened.csv", {"screen_outliers": False}),
    ("ae_rrk_stable_decrease_expected.csv", {"improvement_direction": "decrease"}),
    ("ae_rrk_rebase_2018-07-01_expected.csv",
     {"improvement_direction": "decrease", "rebase": ["2018-07-01"]}),
]


@pytest.fixture
def ptd(reference_dir):
    return reference_dir / "spc" / "ptd"


@pytest.mark.parametrize(("name", "kwargs"), PTD_CASES, ids=[c[0] for c in PTD_CASES])
def test_ptd_expected_files(ptd, name, kwargs):
    """Every column of NHSRplotthedots' output: limits, flags, labels, point types, warnings."""
    expected = pd.read_csv(ptd / name, parse_dates=["x"])
    got = spc(expected[["x", "y"]], x="x", y="y", **kwargs).data
    assert len(got) == len(expected)
    np.testing.assert_allclose(got["centre"], expected["mean"], rtol=1e-12)
    np.testing.assert_allclose(got["lpl"], expected["lpl"], rtol=1e-12)
    np.testing.assert_allclose(got["upl"], expected["upl"], rtol=1e-12)
    np.testing.assert_array_equal(got["rtm"], expected["rtm"])
    for col in ("rebase_group", "outside", "close", "special_cause_type", "point_type",
                "short_group_warning"):
        assert got[col].tolist() == expected[col].tolist(), col


def test_spec_headline_values(ptd):
    """The numbers docs/spc.md quotes for the rnorm20 and deviation vignette series."""
    base = pd.read_csv(ptd / "rnorm20_seed123.csv")[["x", "y"]]
    r = spc(base, x="x", y="y").summary().iloc[0]
    assert (r["centre"], r["lpl"], r["upl"]) == pytest.approx((0.1416238, -3.01138, 3.294627),
                                                              abs=1e-6)
    assert r["common_cause"] == 20
    spike = base.assign(y=base["y"].where(base.index != 14, 10.0))  # y[15] = 10 (1-based)
    on = spc(spike, x="x", y="y")
    assert on.summary().iloc[0][["centre", "lpl", "upl"]].tolist() == pytest.approx(
        [0.6694159, -2.383666, 3.722497], abs=1e-6)
    assert on.data["outside"].tolist() == [i == 14 for i in range(20)]
    off = spc(spike, x="x", y="y", screen_outliers=False).summary().iloc[0]
    assert (off["lpl"], off["upl"]) == pytest.approx((-4.596625, 5.935457), abs=1e-6)
    dev = pd.read_csv(ptd / "deviation_vignette_screened.csv")[["x", "y"]]
    s = spc(dev, x="x", y="y").summary().iloc[0]
    assert (s["upl"], s["centre"], s["lpl"]) == pytest.approx((4.60, 1.94, -0.72), abs=0.005)
    u = spc(dev, x="x", y="y", screen_outliers=False).summary().iloc[0]
    assert (u["upl"], u["centre"], u["lpl"]) == pytest.approx((6.95, 1.94, -3.06), abs=0.005)


def test_ae_series_rebased_from_raw_file(ptd):
    """The real A&E file (period, breaches) rebased in July 2018 gives the expected groups."""
    raw = pd.read_csv(ptd / "ae_rrk_type1_breaches.csv")
    expected = pd.read_csv(ptd / "ae_rrk_rebase_2018-07-01_expected.csv")
    r = spc(raw, x="period", y="breaches", improvement_direction="decrease",
            rebase={"2018-07-01": "new department opened"})
    np.testing.assert_allclose(r.data["upl"], expected["upl"], rtol=1e-12)
    assert r.data["point_type"].tolist() == expected["point_type"].tolist()
    summary = r.summary()
    assert summary["rebase_group"].tolist() == [0, 1]
    assert summary["n_points"].tolist() == [27, 9]
    assert summary["rebase_reason"].tolist() == [None, "new department opened"]
    assert summary["short_group_warning"].tolist() == [False, True]
    assert any("fewer than 13" in w for w in r.warnings)
    # Moving ranges never cross the rebase: group 1's limits are those of its points alone.
    alone = xmr_limits(raw["breaches"].to_numpy()[27:])
    assert r.data["upl"].iloc[-1] == pytest.approx(alone.upper)


def _nhspy_cases(reference_dir_path):
    return json.loads((reference_dir_path / "nhspy_limits_cases.json").read_text())["cases"]


@pytest.mark.parametrize("case", ["inc_1_10", "no_trend", "small", "range20", "seven", "mixed",
                                  "all_equal_then_jump"])
def test_nhspy_limit_cases(ptd, case):
    c = _nhspy_cases(ptd)[case]
    lim = xmr_limits(np.array(c["values"], dtype=float))
    assert [lim.centre, lim.lower, lim.upper, lim.near_lower, lim.near_upper] == pytest.approx(
        [c["mean"], c["lpl"], c["upl"], c["near_lpl"], c["near_upl"]], abs=1e-12)
    # The same through the public entry point.
    df = pd.DataFrame({"i": range(len(c["values"])), "v": c["values"]})
    got = spc(df, x="i", y="v").data
    assert got["lpl"].iloc[0] == pytest.approx(c["lpl"], abs=1e-12)
    assert got["near_upl"].iloc[0] == pytest.approx(c["near_upl"], abs=1e-12)


def test_degenerate_case_warns_no_variation(ptd):
    """[1, 1, 1, 1, 2]: the one non-zero moving range is screened, limits collapse to the mean."""
    r = spc(pd.DataFrame({"i": range(5), "v": [1, 1, 1, 1, 2]}), x="i", y="v")
    assert r.data["upl"].iloc[0] == r.data["lpl"].iloc[0] == pytest.approx(1.2)
    assert r.data["outside"].tolist() == [True] * 5  # every point is off a zero-width band
    assert any("no variation" in w for w in r.warnings)


@pytest.mark.parametrize("row", pd.read_csv(PTD_DIR / "icons_expected.csv").to_dict("records"),
    ids=lambda r: f"{r['case']}-{r['direction']}-{r['target']}")
def test_icons_expected(ptd, row):
    data = pd.read_csv(ptd / f"icons_rnorm24_{row['case']}.csv")
    target = None if pd.isna(row["target"]) else row["target"]
    r = spc(data, x="x", y="y", improvement_direction=row["direction"], target=target)
    assert r.variation_icon == row["variation"]
    expected = None if pd.isna(row["assurance"]) else row["assurance"]
    assert r.assurance_icon == expected
    assert r.icon_text  # a text alternative always exists


def test_screening_rule_drops_ranges_at_or_above_threshold():
    """MR >= 3.267 x mean(MR) is dropped; smaller ones are kept (hand computed)."""
    y = np.array([0.0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 20])
    mr = moving_ranges(y)
    assert mr.tolist() == [1] * 9 + [19]
    assert mean_moving_range(y, screen_outliers=False) == pytest.approx(2.8)
    assert 19 >= MR_SCREEN_FACTOR * 2.8
    assert mean_moving_range(y) == pytest.approx(1.0)
    lim = xmr_limits(y)
    assert lim.upper - lim.centre == pytest.approx(XMR_LIMIT_FACTOR * 1.0)


def test_fix_after_n_points_freezes_the_baseline():
    rng = np.random.default_rng(7)
    y = np.r_[rng.normal(10, 1, 12), rng.normal(30, 5, 12)]
    df = pd.DataFrame({"m": pd.date_range("2022-01-01", periods=24, freq="MS"), "y": y})
    r = spc(df, x="m", y="y", fix_after_n_points=12)
    base = xmr_limits(y[:12])
    assert r.data["centre"].iloc[-1] == pytest.approx(y[:12].mean())
    assert r.data["upl"].iloc[-1] == pytest.approx(base.upper)
    assert r.data["outside"].iloc[12:].all()  # the new level is far above the frozen limits
    # Adding points after the baseline never moves the limits.
    shorter = spc(df.iloc[:18], x="m", y="y", fix_after_n_points=12)
    assert shorter.data["upl"].iloc[0] == pytest.approx(r.data["upl"].iloc[0])


# ---------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------
series = st.lists(st.integers(-1000, 1000), min_size=2, max_size=40).map(
    lambda v: np.array(v, dtype=float))


def _far_from_screen_threshold(y: np.ndarray) -> bool:
    mr = moving_ranges(y)
    amr = mr.mean()
    return amr == 0 or np.min(np.abs(mr / amr - MR_SCREEN_FACTOR)) > 1e-6


@settings(max_examples=200, deadline=None)
@given(y=series, shift=st.integers(-10**6, 10**6))
def test_limits_move_with_an_added_constant(y, shift):
    a, b = xmr_limits(y), xmr_limits(y + shift)
    scale = 1 + abs(shift)
    for f in ("centre", "lower", "upper", "near_lower", "near_upper"):
        assert getattr(b, f) == pytest.approx(getattr(a, f) + shift, abs=1e-9 * scale)


@settings(max_examples=200, deadline=None)
@given(y=series, factor=st.floats(1e-3, 1e3))
def test_limits_scale_with_a_positive_factor(y, factor):
    assume(_far_from_screen_threshold(y))
    a, b = xmr_limits(y), xmr_limits(y * factor)
    for f in ("centre", "lower", "upper"):
        assert getattr(b, f) == pytest.approx(getattr(a, f) * factor, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(y=st.lists(st.floats(-100, 100, allow_nan=False), min_size=2, max_size=40))
def test_reversing_direction_swaps_improvement_and_concern(y):
    df = pd.DataFrame({"i": range(len(y)), "y": y})
    up = spc(df, x="i", y="y", improvement_direction="increase").data["point_type"]
    down = spc(df, x="i", y="y", improvement_direction="decrease").data["point_type"]
    swap = {IMPROVEMENT: CONCERN, CONCERN: IMPROVEMENT}
    assert down.tolist() == [swap.get(t, t) for t in up]


def test_reversal_on_a_series_with_both_kinds_of_signal(ptd):
    """The property above on a case known to have improvement and concern points."""
    data = pd.read_csv(ptd / "ae_rrk_type1_breaches.csv")
    up = spc(data, x="period", y="breaches").data["point_type"].value_counts()
    down = spc(data, x="period", y="breaches",
               improvement_direction="decrease").data["point_type"].value_counts()
    assert up[IMPROVEMENT] == down[CONCERN] > 0
    assert up[CONCERN] == down[IMPROVEMENT] > 0
