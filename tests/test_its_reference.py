"""Published ITS results reproduced (values from docs/its.md; data provenance in
tests/reference/README.md).

Sicily smoking ban: Lopez Bernal, Cummins & Gasparrini, IJE 2017 (models 1-4 of the authors'
code, 5 significant figures). California Proposition 99: Linden, Stata Journal 2015, ``itsa``
with ``newey, lag(1)`` (4 significant figures).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from wellbeing_analysis.its import fit_its


def assert_sig(actual: float, expected: float, digits: int) -> None:
    """``actual`` equals ``expected`` to ``digits`` significant figures."""
    scale = 10 ** (math.floor(math.log10(abs(expected))) - digits + 1)
    assert abs(actual - expected) <= 0.5 * scale, (actual, expected, digits)


@pytest.fixture
def sicily(reference_dir) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "its" / "sicily.csv")


@pytest.fixture
def cigsales(reference_dir) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "its" / "cigsales_single.csv")


def _sicily(data, family, **kw):
    return fit_its(data, time="time", outcome="aces", interruptions=37, family=family,
                   offset="stdpop", **kw)


def test_sicily_poisson(sicily):
    r = _sicily(sicily, "poisson", slope_change=False)
    lc = r.level_change
    assert_sig(lc.estimate, -0.11162844, 5)
    assert_sig(lc.std_error, 0.01722478, 5)
    assert_sig(lc.ratio, 0.894377, 5)
    assert_sig(lc.ratio_ci_lower, 0.864686, 5)
    assert_sig(lc.ratio_ci_upper, 0.925086, 5)


def test_sicily_quasipoisson(sicily):
    r = _sicily(sicily, "quasipoisson", slope_change=False)
    assert_sig(r.dispersion, 3.559187, 5)
    assert_sig(r.level_change.ratio, 0.894377, 5)
    assert_sig(r.level_change.ratio_ci_lower, 0.839189, 5)
    assert_sig(r.level_change.ratio_ci_upper, 0.953193, 5)


def test_sicily_quasipoisson_two_harmonic_pairs(sicily):
    r = _sicily(sicily, "quasipoisson", slope_change=False, season_col="month", period=12,
                harmonics=2)
    assert {"sin1", "cos1", "sin2", "cos2"} <= set(r.coefficients["term"])
    assert_sig(r.dispersion, 2.262183, 5)
    assert_sig(r.level_change.std_error, 0.02703110, 5)
    assert_sig(r.level_change.ratio, 0.885072, 5)
    assert_sig(r.level_change.ratio_ci_lower, 0.839401, 5)
    assert_sig(r.level_change.ratio_ci_upper, 0.933227, 5)


def test_sicily_slope_change_centred_at_time_36(sicily):
    # The authors' corrected code centres the slope term at time 36, the last pre-ban month:
    # I(time - 36):smokban, i.e. level_at="last_pre".
    r = _sicily(sicily, "quasipoisson", season_col="month", period=12, harmonics=2,
                level_at="last_pre")
    lc, sc = r.level_change, r.slope_change
    assert_sig(lc.ratio, 0.876464, 5)
    assert_sig(lc.ratio_ci_lower, 0.826753, 5)
    assert_sig(lc.ratio_ci_upper, 0.929165, 5)
    assert_sig(sc.ratio, 1.001483, 5)
    assert_sig(sc.ratio_ci_lower, 0.997850, 5)
    assert_sig(sc.ratio_ci_upper, 1.005130, 5)


LINDEN = {  # term: (coefficient, Newey-West SE with lag 1, plain OLS SE)
    "intercept": (132.2258, 4.253054, 2.2866),
    "time": (-1.779474, 0.383419, 0.2170),
    "level_change": (-20.0581, 4.724395, 3.7471),
    "slope_change": (-1.494652, 0.436820, 0.4846),
}


def test_linden_newey_west(cigsales):
    r = fit_its(cigsales, time="year", outcome="cigsale", interruptions=1989, hac_lags=1, family="ols")
    coef = r.coefficients.set_index("term")
    for term, (b, se, _) in LINDEN.items():
        assert_sig(coef.loc[term, "estimate"], b, 4)
        assert_sig(coef.loc[term, "std_error"], se, 4)
    assert_sig(r.post_trend.estimate, -3.274126, 4)
    assert_sig(r.post_trend.std_error, 0.268804, 4)
    # t(n - k) inference, as Stata: 31 years, 4 coefficients
    assert (coef["df"] == 27).all()


def test_linden_plain_ols(cigsales):
    r = fit_its(cigsales, time="year", outcome="cigsale", interruptions=1989, family="ols")
    coef = r.coefficients.set_index("term")
    for term, (b, _, se) in LINDEN.items():
        assert_sig(coef.loc[term, "estimate"], b, 4)
        assert_sig(coef.loc[term, "std_error"], se, 4)


def test_uncentred_slope_would_miss_the_published_level_change(cigsales):
    """The pitfall Lopez Bernal et al. corrected: with ``t * post`` instead of
    ``(t - T0) * post``, the 'level change' is the gap extrapolated to t = 0."""
    t = (cigsales["year"] - 1970).to_numpy(float)
    post = (cigsales["year"] >= 1989).to_numpy(float)
    X = np.column_stack([np.ones_like(t), t, post, t * post])
    wrong = sm.OLS(cigsales["cigsale"].to_numpy(), X).fit().params[2]
    assert abs(wrong - (-20.0581)) > 20  # the uncentred model reports something else entirely
    ours = fit_its(cigsales, time="year", outcome="cigsale", interruptions=1989, family="ols").level_change
    assert_sig(ours.estimate, -20.0581, 4)
