"""The SPC result object: data, summary per facet/rebase group, JSON, icons and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.spc import SPCResult, spc


@pytest.fixture
def monthly() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    y = np.r_[rng.normal(5.0, 0.3, 18), rng.normal(3.5, 0.3, 12)]
    return pd.DataFrame({"month": pd.date_range("2021-04-01", periods=30, freq="MS"),
                         "absence_rate_pct": y})


def test_result_carries_its_options_and_tidy_data(monthly):
    r = spc(monthly, x="month", y="absence_rate_pct", improvement_direction="decrease")
    assert isinstance(r, SPCResult)
    assert r.options.improvement_direction == "decrease" and r.options.screen_outliers
    assert (r.chart, r.rules) == ("xmr", "mdc")
    d = r.data
    assert len(d) == 30 and "facet" not in d and "n" not in d
    for col in ("x", "y", "rebase_group", "centre", "lpl", "upl", "special_cause",
                "special_cause_type", "point_type", "short_group_warning", "signal_shift"):
        assert col in d
    assert d["special_cause"].tolist() == (d["point_type"] != "common_cause").tolist()
    # The drop to 3.5 is a real shift below the mean, good news when lower is better.
    assert r.variation_icon == "special_cause_improvement"
    shifts = r.signals[r.signals["rule"] == "shift"]
    assert (shifts["direction"] == "down").any()
    assert "months in a row" in shifts["description"].iloc[-1]


def test_summary_has_one_row_per_facet_and_rebase_group(monthly):
    two = pd.concat([monthly.assign(team="North"), monthly.assign(team="South")])
    r = spc(two, x="month", y="absence_rate_pct", facet="team",
            rebase={"North": {"2022-10-01": "new rota"}}, target={"North": 4.0, "South": 9.0},
            improvement_direction="decrease")
    s = r.summary()
    assert s[["facet", "rebase_group"]].values.tolist() == [["North", 0], ["North", 1],
                                                           ["South", 0]]
    assert s["n_points"].tolist() == [18, 12, 30]
    assert s["rebase_reason"].tolist() == [None, "new rota", None]
    assert s["assurance_icon"].iloc[0] is None  # only the last group of a facet has one
    assert s["assurance_icon"].iloc[2] == "consistent_pass"  # 9 is far above South's limits
    assert set(r.variation_icon) == {"North", "South"}
    assert r.assurance_icon["South"] == "consistent_pass"
    assert r.data["facet"].tolist() == ["North"] * 30 + ["South"] * 30
    # Facets are computed separately: South is not rebased, so its limits are constant.
    assert r.data.loc[r.data["facet"] == "South", "upl"].nunique() == 1
    assert len(r.icons()) == 2


def test_to_dict_is_the_json_contract(monthly):
    r = spc(monthly, x="month", y="absence_rate_pct", target=4.0,
            improvement_direction="decrease")
    out = json.loads(json.dumps(r.to_dict()))  # strictly serialisable (no NaN, no Timestamps)
    assert {"chart", "points", "variation_icon", "assurance_icon", "warnings"} <= set(out)
    assert out["chart"] == "xmr"
    p = out["points"][0]
    assert set(p) == {"x", "y", "centre", "lower", "upper", "special_cause", "point_type"}
    assert p["x"] == "2021-04-01" and isinstance(p["special_cause"], bool)
    assert out["assurance_icon"] in ("consistent_pass", "consistent_fail", "inconsistent")
    run = json.loads(json.dumps(spc(monthly, x="month", y="absence_rate_pct",
                                    chart="run").to_dict()))
    assert run["points"][0]["lower"] is None and run["assurance_icon"] is None


def test_icon_text_explains_both_icons(monthly):
    r = spc(monthly, x="month", y="absence_rate_pct", target=4.0,
            improvement_direction="decrease")
    assert "improvement" in r.icon_text and "target (4)" in r.icon_text
    none = spc(monthly, x="month", y="absence_rate_pct")
    assert "no target was given" in none.icon_text


def test_neutral_direction_has_no_assurance(monthly):
    r = spc(monthly, x="month", y="absence_rate_pct", improvement_direction="neutral", target=4)
    assert r.assurance_icon is None
    assert r.variation_icon == "special_cause_neutral_low"
    assert "neutral" in r.icon_text


def test_numeric_x_and_rebase(monthly):
    df = monthly.assign(t=np.arange(30))
    r = spc(df, x="t", y="absence_rate_pct", rebase=[18])
    assert r.data["rebase_group"].tolist() == [0] * 18 + [1] * 12


# ---------------------------------------------------------------------------
# Bad input: clear errors or warnings, never a traceback from deep inside
# ---------------------------------------------------------------------------
def test_too_few_points():
    with pytest.raises(InputError, match="too few points"):
        spc(pd.DataFrame({"x": [1], "y": [2.0]}), x="x", y="y")
    with pytest.raises(InputError, match="no rows"):
        spc(pd.DataFrame({"x": [], "y": []}), x="x", y="y")
    with pytest.raises(InputError, match="blank on every row"):
        spc(pd.DataFrame({"x": [1, 2, 3], "y": [np.nan] * 3}), x="x", y="y")
    with pytest.raises(InputError, match="too few points: facet"):
        spc(pd.DataFrame({"x": [1, 2, 1], "g": ["a", "a", "b"], "y": [1.0, 2, 3]}),
            x="x", y="y", facet="g")


def test_short_series_warns(monthly):
    r = spc(monthly.head(8), x="month", y="absence_rate_pct")
    assert r.data["short_group_warning"].all()
    assert any("only 8 points" in w for w in r.warnings)


def test_non_numeric_values_are_named(monthly):
    df = monthly.astype({"absence_rate_pct": object})
    df.loc[4, "absence_rate_pct"] = "n/a"
    df.loc[6, "absence_rate_pct"] = "*"
    with pytest.raises(InputError, match=r"'n/a' at x = 2021-08-01, '\*' at x = 2021-10-01"):
        spc(df, x="month", y="absence_rate_pct")


def test_blank_values_are_dropped_with_a_warning(monthly):
    df = monthly.copy()
    df.loc[3, "absence_rate_pct"] = np.nan
    r = spc(df, x="month", y="absence_rate_pct")
    assert len(r.data) == 29
    assert any("blank" in w and "2021-07-01" in w for w in r.warnings)


def test_duplicated_x_is_an_error(monthly):
    df = pd.concat([monthly, monthly.iloc[[5]]])
    with pytest.raises(InputError, match="duplicated values.*2021-09-01"):
        spc(df, x="month", y="absence_rate_pct")


def test_unsorted_x_is_sorted_with_a_warning(monthly):
    shuffled = monthly.sample(frac=1, random_state=3)
    r = spc(shuffled, x="month", y="absence_rate_pct")
    assert r.data["x"].is_monotonic_increasing
    assert any("sorted" in w for w in r.warnings)
    expected = spc(monthly, x="month", y="absence_rate_pct").data
    np.testing.assert_allclose(r.data["upl"], expected["upl"])


def test_text_dates_in_both_accepted_layouts(monthly):
    uk = monthly.assign(month=monthly["month"].dt.strftime("%d/%m/%Y"))
    r = spc(uk, x="month", y="absence_rate_pct", rebase=["01/10/2022"])
    assert r.x_is_date and r.data["rebase_group"].max() == 1
    bad = monthly.assign(month=monthly["month"].dt.strftime("%b-%y"))
    with pytest.raises(InputError, match="must hold dates"):
        spc(bad, x="month", y="absence_rate_pct")


def test_unknown_columns_and_bad_options(monthly):
    with pytest.raises(InputError, match="unknown column"):
        spc(monthly, x="month", y="rate")
    with pytest.raises(InputError, match="chart must be one of"):
        spc(monthly, x="month", y="absence_rate_pct", chart="xbar")
    with pytest.raises(InputError, match="at least 12"):
        spc(monthly, x="month", y="absence_rate_pct", fix_after_n_points=6)
    with pytest.raises(InputError, match="improvement_direction"):
        spc(monthly, x="month", y="absence_rate_pct", improvement_direction="up")
    with pytest.raises(InputError, match="target"):
        spc(monthly, x="month", y="absence_rate_pct", target="high")
    with pytest.raises(InputError, match="DataFrame"):
        spc([1, 2, 3], x="month", y="absence_rate_pct")


def test_rebase_problems(monthly):
    r = spc(monthly, x="month", y="absence_rate_pct", rebase=["2019-01-01", "2030-01-01"])
    assert r.data["rebase_group"].max() == 0
    assert sum("ignored" in w for w in r.warnings) == 2
    with pytest.raises(InputError, match="fewer than 2 points"):
        spc(monthly, x="month", y="absence_rate_pct", rebase=["2023-09-01"])  # last point alone
    with pytest.raises(InputError, match="rebase values must be dates"):
        spc(monthly, x="month", y="absence_rate_pct", rebase=["soon"])


def test_rebase_between_points_starts_at_the_next_point(monthly):
    r = spc(monthly, x="month", y="absence_rate_pct", rebase=["2022-09-15"])
    first = r.data.loc[r.data["rebase_group"] == 1, "x"].iloc[0]
    assert first == pd.Timestamp("2022-10-01")
