"""Placebo interruptions in the pre-period."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its import fit_its


@pytest.fixture
def data() -> pd.DataFrame:
    rng = np.random.default_rng(61)
    n = 60
    t = np.arange(n)
    y = 5 + 0.02 * t - 1.5 * (t >= 36) + rng.normal(0, 0.4, n)
    return pd.DataFrame({"t": t, "y": y})


def test_each_placebo_is_the_same_model_on_the_pre_period(data):
    r = fit_its(data, time="t", outcome="y", interruptions=36, family="glsar")
    placebo = r.placebo()
    # 36 pre-period points, 8 either side: placebo times 8..28
    assert placebo.table["time"].tolist() == [str(v) for v in range(8, 29)]
    row = placebo.table.set_index("time").loc["20"]
    direct = fit_its(data[data.t < 36], time="t", outcome="y", interruptions=20,
                     family="glsar").level_change
    assert row["estimate"] == pytest.approx(direct.estimate, rel=1e-6)
    assert row["std_error"] == pytest.approx(direct.std_error, rel=1e-6)


def test_no_change_in_the_pre_period_gives_few_significant_placebos(data):
    r = fit_its(data, time="t", outcome="y", interruptions=36, family="ols")
    placebo = r.placebo()
    assert placebo.share_significant <= 0.15
    assert placebo.n_exceeding == 0  # the real change (-1.5 on noise SD 0.4) stands out
    assert "placebo interruptions" in placebo.text


def test_placebo_times_and_too_short_pre_periods(data):
    r = fit_its(data, time="t", outcome="y", interruptions=36, family="ols")
    assert r.placebo(times=[10, 20]).table["time"].tolist() == ["10", "20"]
    short = fit_its(data, time="t", outcome="y", interruptions=12, family="ols")
    with pytest.raises(InputError, match="pre-period has 12 periods; placebo interruptions need "
                                         "at least 16"):
        short.placebo()
    assert len(short.placebo(min_points=4).table) == 5


def test_placebo_for_counts_reports_ratios():
    rng = np.random.default_rng(62)
    n = 48
    data = pd.DataFrame({"t": np.arange(n), "lost": rng.poisson(300, n).astype(float),
                         "avail": np.full(n, 6000.0)})
    r = fit_its(data, time="t", outcome="lost", interruptions=30, family="quasipoisson",
                offset="avail")
    table = r.placebo().table
    assert {"ratio", "ratio_ci_lower", "ratio_ci_upper"} <= set(table.columns)
    assert r.placebo().to_dict()["placebos"][0]["time"] == "8"
