"""Input checks: every user mistake is an InputError that names what to fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its import fit_its


def monthly(n: int = 24) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "month": pd.period_range("2021-01", periods=n, freq="M").astype(str),
        "rate": 4 + rng.normal(size=n),
        "days_lost": rng.poisson(300, n).astype(float),
        "days_available": np.full(n, 6000.0),
    })


def fit(data, **kw):
    return fit_its(data, **{"time": "month", "outcome": "rate", "interruptions": "2022-01", **kw})


def test_good_input_fits():
    assert fit(monthly()).n_obs == 24


@pytest.mark.parametrize("value, fmt", [("2022-01", "YYYY-MM"), ("2022-01-01", "ISO"),
                                        ("01/01/2022", "UK"), (pd.Timestamp("2022-01-15"), "ts")])
def test_dates_in_every_accepted_form(value, fmt):
    data = monthly()
    if fmt == "ISO":
        data["month"] = data["month"] + "-01"
    elif fmt == "UK":
        data["month"] = "01/" + data["month"].str[5:] + "/" + data["month"].str[:4]
    elif fmt == "ts":
        data["month"] = pd.to_datetime(data["month"])
    r = fit(data, interruptions=value)
    assert r.design.labels == ("2022-01",) and r.design.segments.iloc[0]["n_before"] == 12


def test_quarterly_dates_are_regular():
    data = monthly(24).iloc[::3].reset_index(drop=True)
    r = fit(data, interruptions="2022-04")
    assert r._prepared.axis.step == 3 and r.n_obs == 8


def test_non_numeric_outcome():
    data = monthly().astype({"rate": object})
    data.loc[4, "rate"] = "n/a"
    with pytest.raises(InputError, match=r"outcome column 'rate' must be numeric; row 6 \('n/a'\)"):
        fit(data)


def test_missing_outcome():
    data = monthly()
    data.loc[[3, 7], "rate"] = np.nan
    with pytest.raises(InputError, match="'rate' has missing values at rows 5, 9"):
        fit(data)


def test_missing_time():
    data = monthly()
    data.loc[2, "month"] = None
    with pytest.raises(InputError, match="time column 'month' has missing values at row 4"):
        fit(data)


def test_unreadable_time():
    data = monthly()
    data.loc[2, "month"] = "March"
    with pytest.raises(InputError, match=r"row 4 \('March'\) cannot be read as dates"):
        fit(data)


def test_duplicated_times():
    data = monthly()
    data.loc[5, "month"] = data.loc[4, "month"]
    with pytest.raises(InputError, match="duplicated times: 2021-05"):
        fit(data)


def test_unsorted_times():
    data = monthly().iloc[[0, 1, 3, 2, *range(4, 24)]].reset_index(drop=True)
    with pytest.raises(InputError, match="not in increasing order: 2021-03 .* comes after 2021-04"):
        fit(data)


def test_irregular_spacing():
    data = monthly().drop(index=6).reset_index(drop=True)
    with pytest.raises(InputError, match="irregularly spaced: 2021-06 to 2021-08"):
        fit(data)


@pytest.mark.parametrize("value, message", [
    ("2023-06", "outside the data: the time column runs from 2021-01 to 2022-12"),
    ("2020-06", "outside the data"),
    ("2021-01", "is the first time point"),
    ("March", "is not a date"),
])
def test_interruption_outside_the_data(value, message):
    with pytest.raises(InputError, match=message):
        fit(monthly(), interruptions=value)


def test_interruption_between_time_points():
    years = pd.DataFrame({"year": np.arange(2000, 2020, 2), "y": np.arange(10.0)})
    with pytest.raises(InputError, match="not one of the times in the data.*2008 and 2010"):
        fit_its(years, time="year", outcome="y", interruptions=2009)


def test_numeric_time_needs_a_numeric_interruption():
    years = pd.DataFrame({"year": np.arange(2000, 2020), "y": np.arange(20.0)})
    with pytest.raises(InputError, match="'2010-01' is not a number"):
        fit_its(years, time="year", outcome="y", interruptions="2010-01")


def test_too_few_points():
    with pytest.raises(InputError, match="too few points around the change at 2022-11: 22 before "
                                         "and 2 after"):
        fit(monthly(), interruptions="2022-11")


def test_too_few_points_for_the_model():
    with pytest.raises(InputError, match="too few points: 7 fitted observations"):
        fit(monthly(7), interruptions="2021-04", harmonics=2)


@pytest.mark.parametrize("bad", [0.0, -5.0])
def test_zero_or_negative_exposure(bad):
    data = monthly()
    data.loc[3, "days_available"] = bad
    with pytest.raises(InputError, match="exposure column 'days_available' must be positive"):
        fit(data, outcome="days_lost", family="quasipoisson", offset="days_available")


@pytest.mark.parametrize("kw, name", [
    ({"time": "when"}, "'when'"), ({"outcome": "absence"}, "'absence'"),
    ({"offset": "fte", "family": "poisson"}, "'fte'"),
    ({"covariates": ["staffing"]}, "'staffing'"),
])
def test_unknown_columns(kw, name):
    with pytest.raises(InputError, match=f"unknown column.*{name}.*the file has: month, rate"):
        fit(monthly(), **kw)


def test_negative_counts():
    data = monthly()
    data.loc[1, "days_lost"] = -1
    with pytest.raises(InputError, match="negative values at row 3"):
        fit(data, outcome="days_lost", family="poisson")


@pytest.mark.parametrize("kw, message", [
    ({"family": "logistic"}, "unknown family 'logistic'"),
    ({"offset": "days_available"}, "needs a log-link family"),
    ({"family": "glsar", "hac_lags": 2}, "HAC lags apply to family 'ols' only"),
    ({"family": "ols", "ar_order": 2},
     "AR order applies to families glsar and quasipoisson_ar only"),
    ({"family": "ols", "hac_lags": -1}, "whole number of at least 0"),
    ({"harmonics": 7}, "need a period of at least 14"),
    ({"season_col": "month"}, "without a model for it"),
    ({"harmonics": 1, "season_indicators": True}, "not both"),
    ({"group": "month"}, "both the group column and the treated"),
    ({"level_at": "middle"}, "level_at must be one of"),
    ({"interruptions": ["2022-01", "2021-06"]}, "distinct and in time order"),
    ({"end": "2021-10"}, "must come after the last interruption"),
    ({"interruptions": ["2021-06", "2021-10"], "phase_in": 5}, "runs past the next change"),
    ({"interruptions": []}, "at least one interruption"),
])
def test_bad_options(kw, message):
    with pytest.raises(InputError, match=message):
        fit(monthly(), **kw)


def test_harmonics_without_a_season_on_numeric_time():
    years = pd.DataFrame({"year": np.arange(2000, 2030), "y": np.arange(30.0)})
    with pytest.raises(InputError, match="seasonality needs a season column"):
        fit_its(years, time="year", outcome="y", interruptions=2015, harmonics=1)


def test_not_a_dataframe_and_empty():
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        fit([1, 2, 3])
    with pytest.raises(InputError, match="no rows"):
        fit(monthly().iloc[:0])


def controlled(n=24) -> pd.DataFrame:
    a, b = monthly(n).assign(unit=3), monthly(n).assign(unit=4)
    return pd.concat([a, b], ignore_index=True)


def test_treated_value_is_matched_as_text_or_number():
    for treated in (3, "3", 3.0, " 3 "):
        r = fit(controlled(), group="unit", treated=treated)
        assert r._prepared.treated.sum() == 24


def test_unknown_treated_value():
    with pytest.raises(InputError, match="treated group '9' is not in group column 'unit'.*3, 4"):
        fit(controlled(), group="unit", treated="9")


def test_only_the_treated_series():
    with pytest.raises(InputError, match="needs a comparison series"):
        fit(monthly().assign(unit=3), group="unit", treated=3)


def test_series_covering_different_periods():
    data = controlled().drop(index=[24, 25]).reset_index(drop=True)  # comparison starts late
    with pytest.raises(InputError, match="series 4 .* covers different periods"):
        fit(data, group="unit", treated=3)


def test_duplicated_time_within_a_series_of_a_panel():
    data = controlled()
    data.loc[30, "month"] = data.loc[29, "month"]
    with pytest.raises(InputError, match="keep one row per period and series"):
        fit(data, group="unit", treated=3)
