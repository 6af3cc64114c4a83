"""Choosing the chart from the data: thin counts get a run chart, over-dispersed rates a
Laney chart, the others a P/U chart; the reason is kept on the result."""

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.spc import spc
from wellbeing_analysis.spc.fit import choose_chart, longer_periods_fit

MONTHS = pd.date_range("2024-01-01", periods=18, freq="MS")
#: A small service: about 37 staff in post each month.
HEADCOUNT = np.array([36, 36, 37, 37, 38, 38, 38, 39, 39, 38, 38, 37, 37, 37, 36, 36, 37, 37.0])


@pytest.fixture
def four_leavers() -> pd.DataFrame:
    """4 leavers in 18 months, one a month from September to December 2024; the rate is per
    100 staff, so n = headcount / 100 makes rate × n the number of leavers."""
    leavers = np.zeros(18)
    leavers[[8, 9, 10, 11]] = 1
    return pd.DataFrame({"month": MONTHS, "rate": 100 * leavers / HEADCOUNT,
                         "n": HEADCOUNT / 100})


def test_thin_counts_get_a_run_chart_with_no_spurious_signals(four_leavers):
    # A Laney U′ chart of this series is absurd: the moving ranges of z are almost all tiny
    # (runs of zeros), the two large ones are screened out, so the limits collapse around
    # the mean and every month is a special cause.
    forced = spc(four_leavers, x="month", y="rate", n="n", chart="uprime",
                 improvement_direction="decrease")
    assert forced.data["special_cause"].all()
    assert forced.data["upl"].max() - forced.data["lpl"].min() < 0.1
    chosen = spc(four_leavers, x="month", y="rate", n="n", improvement_direction="decrease")
    assert chosen.chart == "run"
    assert not chosen.data["special_cause"].any()
    assert chosen.signals.empty
    # mean count 4 / 18 = 0.2 a month; 14 of the 18 months have none
    assert "average count of 0.2 a month" in chosen.chart_reason
    assert "14 of 18 months with none" in chosen.chart_reason
    assert chosen.to_dict()["chart_reason"] == chosen.chart_reason


def test_many_zero_months_are_thin_even_with_a_large_mean():
    # mean 6 a month but 5 of 12 months with none: more than 20% zeros
    events = np.array([0, 0, 0, 0, 0, 10, 10, 10, 10, 10, 11, 11.0])
    choice = choose_chart(events / 100, np.full(12, 100.0), proportion=True, unit="month")
    assert choice.chart == "run" and choice.thin
    assert choice.mean_events == pytest.approx(6.0)


def test_overdispersed_rates_get_laney_and_poisson_like_rates_a_u_chart():
    n = np.full(24, 1000.0)
    # counts alternating 50 and 150: sigma of a U chart at ū = 0.1, n = 1000 is 0.01, and
    # the z moving ranges are all 10, so σ_z = 10 / 1.128 = 8.87 > 1: Laney U′
    wide = np.tile([0.05, 0.15], 12)
    choice = choose_chart(wide, n, proportion=False)
    assert choice.chart == "uprime"
    assert choice.sigma_z == pytest.approx(10 / 1.128)
    # counts 98 / 102: z = ±0.2 / sqrt(10)... moving ranges 4 / sqrt(100) = 0.4, σ_z = 0.35
    narrow = np.tile([0.098, 0.102], 12)
    choice = choose_chart(narrow, n, proportion=False)
    assert choice.chart == "u"
    assert choice.sigma_z == pytest.approx(0.4 / 1.128)
    # the same series as proportions: the P family
    assert choose_chart(wide, n, proportion=True).chart == "pprime"


def test_quarters_are_used_only_when_they_fit_and_are_enough():
    thin = choose_chart(np.full(36, 0.02), np.full(36, 100.0), proportion=False)  # 2 a month
    fat = choose_chart(np.full(12, 0.06), np.full(12, 100.0), proportion=False)  # 6 a quarter
    assert thin.thin and not fat.thin
    assert longer_periods_fit(thin, fat, 12)
    assert not longer_periods_fit(thin, fat, 11)  # too few quarters to set limits
    assert not longer_periods_fit(fat, fat, 12)  # months were fine


def test_a_chart_asked_for_is_kept_and_said_so(four_leavers):
    r = spc(four_leavers, x="month", y="rate", n="n", chart="uprime")
    assert r.chart_reason == "Laney U′ chart, as asked"
    xmr = spc(four_leavers, x="month", y="rate")
    assert xmr.chart == "xmr" and xmr.chart_reason.startswith("XmR chart")


def test_making_data_count_rules_give_way_to_anhoej_on_a_chosen_run_chart(four_leavers):
    r = spc(four_leavers, x="month", y="rate", n="n", rules="mdc")
    assert r.chart == "run" and r.rules == "anhoej"
    assert any("run chart" in w for w in r.warnings)
