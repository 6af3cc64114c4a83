"""Funnel plots: FunnelPlotR's outputs reproduced, hand-computed cases, seeded simulations with
known truth, edge cases, the plot and the national-publication population.

Where the FunnelPlotR values come from
--------------------------------------
FunnelPlotR's documentation and tests print no numbers to compare with: its tests
(tests/testthat/test-funnel_plot.R, test-build_limits_lookup.R) check shapes and orderings
only, and its vignette's medpar example (COUNT package) prints no phi or tau². The package
itself cannot be installed here (CRAN is unreachable). So the ``FPR_*`` values below were
computed by running FunnelPlotR 0.5.0's own internal functions - ``transformed_zscore``,
``winsorisation``, ``truncation``, ``phi_func``, ``tau_func``, ``calculate_limits`` and
``build_limits_lookup``, copied unchanged from cran/FunnelPlotR R/od_adjustment.R,
R/calculate_limits.R and R/build_limits_lookup.R (0.6.0 changed only the drawing) - in
R 4.2.2 (Debian r-base-core), chained as ``funnel_plot()`` chains them, on the small cases
below, printed to 17 significant digits. Independently of both, ``_hand_*`` recompute the
same quantities from the published formulas with plain numpy (type-7 quantiles written
out), so each case is checked two ways.

The ratio-of-counts curve at the expected counts is checked against the values printed in
PowerBI-Funnels' tests (AUS-DOH-Safety-and-Quality/PowerBI-Funnels,
test/Chart Types/ratioCounts.test.ts, 'calculated with Python Decimal at 50-digit precision').
"""

from __future__ import annotations

import json
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.constants import (
    FUNNEL_MIN_UNITS_FOR_ADJUSTMENT,
    FUNNEL_TRIM_FRACTION,
)
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.funnel import FunnelResult, funnel, methods, population_from_publication

REL = 1e-6

# ---------------------------------------------------------------------------
# The cases and FunnelPlotR 0.5.0's outputs on them (see the module docstring)
# ---------------------------------------------------------------------------
PR_NUM = [14, 35, 8, 62, 18, 3, 90, 11, 40, 25]
PR_DEN = [150, 420, 110, 500, 310, 95, 720, 240, 380, 200]
RC_NUM = [12, 40, 7, 55, 23, 0, 31, 18, 66]  # one zero numerator
RC_DEN = [20, 35, 15, 60, 40, 10, 25, 30, 50]
SR_OBS = [15, 40, 72, 28, 50, 66, 75, 9]  # FunnelPlotR vignette's observed/expected + one
SR_EXP = [13, 32, 75, 33, 54, 60, 72, 14]
SR_OD_OBS = [5, 40, 95, 28, 50, 80, 75, 30]  # an over-dispersed variant
SR_OD_EXP = SR_EXP

FPR_PR_Z = [-0.19103317913607790, -1.04211137080126259, -0.94827085214941242,
            1.85973671786998884, -2.63774189303284778, -2.72158156608005308,
            2.31295856166341629, -3.17616882220625607, 0.47388766394801590,
            1.21903619807390129]
FPR_PR_WINSOR = {
    "target": 0.097919999999999993, "phi": 3.2841396735748085, "tau2": 0.0022071181997847153,
    "wz": [-0.19103317913607790, -1.04211137080126259, -0.94827085214941242,
           1.85973671786998884, -2.63774189303284778, -2.72158156608005308,
           1.90505890224933139, -2.76704029169267374, 0.47388766394801590,
           1.21903619807390129],
    "odll95": [0.038033642085892133, 0.045314120913607668, 0.034594004739243109,
               0.046056739964125286, 0.043730578770534295, 0.032735364424807130,
               0.047288308323774397, 0.042061015068552567, 0.044835494987967045,
               0.040656770079423532],
    "odul95": [0.18162126200345782, 0.16777762407740204, 0.18876539622508282,
               0.16645073829968035, 0.17065640920733516, 0.19281476775879727,
               0.16428161020148502, 0.17376757571832877, 0.16864055807604417,
               0.17644794149885876],
    "odll998": [0.015775325442748858, 0.023735446992473853, 0.012366082859133333,
                0.024596542396735983, 0.021927613786729590, 0.010634803059167265,
                0.026042563327095234, 0.020065359136394199, 0.023184902629223222,
                0.018535830093298646],
    "odul998": [0.23883096138142543, 0.21476254839636849, 0.25130296319992051,
                0.21246423732059461, 0.21975462481861435, 0.25838370459700927,
                0.20871084938062062, 0.22515789378866527, 0.21625815085209518,
                0.22981928778410815],
}
FPR_PR_UNADJUSTED = {
    "ll95": [0.055698285478086383, 0.071376916394031736, 0.049702560387841613,
             0.073446114616597391, 0.067392395100255159, 0.046659274354900741,
             0.077302430100370509, 0.063632686476305225, 0.070118609550041830,
             0.060717033324141127],
    "ul95": [0.15041691623555428, 0.12813783808367815, 0.16013820328153730,
             0.12548105565826276, 0.13342495793584605, 0.16538468402221579,
             0.12068185763722669, 0.13863445798930552, 0.12978263528549164,
             0.14283348223755563],
    "ll998": [0.036454266421042228, 0.057836892022075641, 0.028939209324194252,
              0.060810443534761151, 0.052200840011464994, 0.025301236506944630,
              0.066430987056851243, 0.047000364513136828, 0.056043904195189745,
              0.043053345288067139],
    "ul998": [0.18484806099758949, 0.14712788618047284, 0.20155514243576564,
              0.14269669498180695, 0.15599345004833182, 0.21061897395758247,
              0.13473600537636260, 0.16478530961551988, 0.14987936489247400,
              0.17190876913322062],
}
FPR_PR_TRIM = {
    "phi": 2.6944544173572473, "tau2": 0.0020012288533941829,
    "trimmed": [6, 7],  # the largest and the smallest z-score
    "odll95": [0.039300702324328696, 0.046943571260468386, 0.035717423545185922,
               0.047728749981870211, 0.045273149043076638, 0.033786897540403787,
               0.049033661070419121, 0.043517235197903160, 0.046438144277711556,
               0.042044150625025235],
    "odul998": [0.23442699509544052, 0.20975428688203421, 0.24714272943839599,
                0.20738575408277249, 0.21489013407233404, 0.25434666964776859,
                0.20351164378369571, 0.22043692047480348, 0.21129417777697398,
                0.22521323096036577],
}
FPR_RC_Z = [-1.05371693697074087, 1.11579834065783667, -1.39459443039862552,
            0.19885070657138279, -1.63925387433310799, -9.70039886393521300,
            1.26661466823464464, -1.29394126395264153, 2.14336862067160316]
FPR_RC_WINSOR = {
    "target": 0.88421052631578945, "phi": 2.5507684198494127, "tau2": 0.12148755618622503,
    "wz": [-1.05371693697074087, 1.11579834065783667, -1.39459443039862552,
           0.19885070657138279, -1.63925387433310799, -3.25148287225352872,
           1.26661466823464464, -1.29394126395264153, 1.44196545872203563],
    "odll95": [0.43149843086282874, 0.43779575254870995, 0.42674820074266018,
               0.44139150814594680, 0.43886699108906085, 0.41760858133786438,
               0.43440986036774365, 0.43637724187362803, 0.44037746912962333],
    "odul998": [2.7403839268993839, 2.6784925620247280, 2.7886327632662482,
                2.6441702035937102, 2.6681915277317154, 2.8854642635676417,
                2.7114824429425730, 2.6922333182201128, 2.6537763705618942],
    "ll95": [0.71021273317865863, 0.74923148525476935, 0.68654029642919501,
             0.77913166848913062, 0.75729011791044853, 0.64858798398878570,
             0.72683448726226185, 0.73935321516096519, 0.76978003306886134],
    "ul998": [1.2491188067976584, 1.1481043368583121, 1.3176991440279950,
              1.0794088445379992, 1.1289005536305829, 1.4413043297476964,
              1.2043778267392233, 1.1723827343199977, 1.1001563515833386],
}
FPR_RC_TRIM = {
    # n = 9: floor(rank * 10 / 10) is 0 for no unit, so only the top z-score is truncated
    "phi": 13.050406080671848, "tau2": 1.0098597196551664, "trimmed": [8],
    "odll95": [0.12186820819333867, 0.12250345043355991, 0.12137755134593234,
               0.12285851949195237, 0.12260980868346485, 0.12040510450057759,
               0.12216403599700203, 0.12236185541977514, 0.12275894404868323],
    "odul998": [20.116276717440947, 19.952054721176420, 20.244638490493763,
                19.861214963952289, 19.924773240777366, 20.503032852847522,
                20.039525943856404, 19.988469475463486, 19.886621734108598],
}
FPR_SR = {  # sr_method = "CQC"; phi < 1, so FunnelPlotR draws exact Poisson limits
    "phi": 0.53265135827403931, "tau2": 0.0,
    "z": [0.53486414148685457, 1.33540214168875759, -0.34994532721163313,
          -0.90612004881769515, -0.55480283296811839, 0.75614342444225457,
          0.34994532721163329, -1.48331477354788244],
    "ll95": [0.53245788392336935, 0.68399925972764253, 0.78656343601935264,
             0.68835398705241924, 0.75123077726934739, 0.76310534916678774,
             0.78243841236372691, 0.54670930545004282],
    "ul95": [1.7100304552429906, 1.4117016274818894, 1.2535086593177704,
             1.4043717960354327, 1.3047830813650128, 1.2871982234440558,
             1.2593345006202492, 1.6778300801311128],
    "ll998": [0.35469718554474344, 0.54113492478827396, 0.68075566049396163,
              0.54685785892950278, 0.63154761072130228, 0.64795950354424259,
              0.67495297022603429, 0.37110282556520835],
    "ul998": [2.1881648228212924, 1.6759043714823534, 1.4108003110578566,
              1.6635044919797231, 1.4961179613803868, 1.4667872242429556,
              1.4204621238499207, 2.1322522965867834],
}
FPR_SR_OD = {  # sr_method = "CQC" on the over-dispersed variant
    "phi": 2.8766612207026259, "tau2": 0.013483701522966757,
    "z": [-2.73896659592839908, 1.33540214168875759, 2.17308061392915652,
          -0.90612004881769515, -0.55480283296811839, 2.39661043516864947,
          0.34994532721163329, 3.47113637655543972],
    # FunnelPlotR's CQC limits stay on the square-root scale (its open issue #33)
    "odll95_sqrt_scale": [0.64549852719087708, 0.71397817831803456, 0.74583086751968020,
                          0.71557242364692475, 0.73621672375604075, 0.73960959380151559,
                          0.74478345692033610, 0.65302080034779042],
}


def _frame(num, den) -> pd.DataFrame:
    return pd.DataFrame({"unit": [f"u{i}" for i in range(len(num))], "num": num, "den": den})


def _run(num, den, **kw) -> FunnelResult:
    return funnel(_frame(num, den), numerator="num", denominator="den", group="unit", **kw)


def _approx(values) -> object:
    return pytest.approx(values, rel=REL)


# ---------------------------------------------------------------------------
# Independent hand computation (plain numpy, the published formulas)
# ---------------------------------------------------------------------------
def _quantile_type7(values: np.ndarray, p: float) -> float:
    """Hyndman & Fan type 7 (R's default): x[h] interpolated at h = (n - 1) p."""
    x = np.sort(values)
    h = (len(x) - 1) * p
    lo = math.floor(h)
    return float(x[lo] + (h - lo) * (x[min(lo + 1, len(x) - 1)] - x[lo]))


def _hand_pr(num, den, *, z_level: float, winsor: float | None = 0.1,
             adjust: str = "additive") -> dict:
    """Spiegelhalter (2005) for proportions, written out."""
    r, n = np.asarray(num, float), np.asarray(den, float)
    p0 = r.sum() / n.sum()
    theta = math.asin(math.sqrt(p0))
    y = np.arcsin(np.sqrt(r / n))
    s = 1 / (2 * np.sqrt(n))
    z = (y - theta) / s
    if winsor is None:
        wz = z
    else:
        lo, hi = _quantile_type7(z, winsor), _quantile_type7(z, 1 - winsor)
        wz = np.minimum(np.maximum(z, lo), hi)
    k = len(z)
    phi = float(np.mean(wz**2))
    w = 1 / s**2
    tau2 = max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    if adjust == "additive":
        sd = np.sqrt(s**2 + tau2)
    elif adjust == "multiplicative":
        sd = math.sqrt(phi) * s
    else:
        sd = s
    lower = np.sin(np.clip(theta - z_level * sd, 0, math.pi / 2)) ** 2
    upper = np.sin(np.clip(theta + z_level * sd, 0, math.pi / 2)) ** 2
    return {"target": p0, "z": z, "wz": wz, "phi": phi, "tau2": tau2, "lower": lower,
            "upper": upper, "y": y, "s": s, "theta": theta}


# ---------------------------------------------------------------------------
# (a) FunnelPlotR reproduced
# ---------------------------------------------------------------------------
def test_pr_winsorised_additive_reproduces_funnelplotr():
    res = _run(PR_NUM, PR_DEN)
    t = res.table
    ref = FPR_PR_WINSOR
    assert res.target == _approx(ref["target"])
    assert res.phi == _approx(ref["phi"])
    assert res.tau2 == _approx(ref["tau2"])
    assert t["z"].tolist() == _approx(FPR_PR_Z)
    assert t["z_used"].tolist() == _approx(ref["wz"])
    assert t["lower_95"].tolist() == _approx(ref["odll95"])
    assert t["upper_95"].tolist() == _approx(ref["odul95"])
    assert t["lower_99_8"].tolist() == _approx(ref["odll998"])
    assert t["upper_99_8"].tolist() == _approx(ref["odul998"])
    assert res.adjustment == "additive" and res.adjusted
    hand95 = _hand_pr(PR_NUM, PR_DEN, z_level=1.959963984540054)
    assert hand95["phi"] == _approx(ref["phi"]) and hand95["tau2"] == _approx(ref["tau2"])
    assert hand95["lower"].tolist() == _approx(ref["odll95"])
    hand998 = _hand_pr(PR_NUM, PR_DEN, z_level=3.090232306167813)
    assert hand998["upper"].tolist() == _approx(ref["odul998"])


def test_pr_unadjusted_limits_reproduce_funnelplotr():
    res = _run(PR_NUM, PR_DEN, od_adjust="none")
    t = res.table
    assert t["lower_95"].tolist() == _approx(FPR_PR_UNADJUSTED["ll95"])
    assert t["upper_95"].tolist() == _approx(FPR_PR_UNADJUSTED["ul95"])
    assert t["lower_99_8"].tolist() == _approx(FPR_PR_UNADJUSTED["ll998"])
    assert t["upper_99_8"].tolist() == _approx(FPR_PR_UNADJUSTED["ul998"])
    assert t["z_adjusted"].tolist() == _approx(FPR_PR_Z)
    assert res.tau2 == 0 and not res.adjusted
    # the same limits from the adjusted result's unadjusted curve (FunnelPlotR draw_unadjusted)
    curve = _run(PR_NUM, PR_DEN).limits_curve(PR_DEN, adjusted=False)
    assert curve["upper_99_8"].tolist() == _approx(FPR_PR_UNADJUSTED["ul998"])


def test_pr_trimmed_reproduces_funnelplotr_truncation():
    res = _run(PR_NUM, PR_DEN, trim_method="trim")
    t = res.table
    assert res.phi == _approx(FPR_PR_TRIM["phi"])
    assert res.tau2 == _approx(FPR_PR_TRIM["tau2"])
    assert np.flatnonzero(t["z_used"].isna()).tolist() == FPR_PR_TRIM["trimmed"]
    assert res.n_used == len(PR_NUM) - len(FPR_PR_TRIM["trimmed"])
    assert t["lower_95"].tolist() == _approx(FPR_PR_TRIM["odll95"])
    assert t["upper_99_8"].tolist() == _approx(FPR_PR_TRIM["odul998"])
    assert "trimmed by 10% at each end" in res.method


def test_rc_winsorised_reproduces_funnelplotr():
    res = _run(RC_NUM, RC_DEN, data_type="RC", rc_limit_se="funnelplotr")
    t = res.table
    ref = FPR_RC_WINSOR
    assert res.target == _approx(ref["target"])
    assert res.phi == _approx(ref["phi"])
    assert res.tau2 == _approx(ref["tau2"])
    assert t["z"].tolist() == _approx(FPR_RC_Z)
    assert t["z_used"].tolist() == _approx(ref["wz"])
    assert t["lower_95"].tolist() == _approx(ref["odll95"])
    assert t["upper_99_8"].tolist() == _approx(ref["odul998"])
    plain = res.limits_curve(RC_DEN, adjusted=False)
    assert plain["lower_95"].tolist() == _approx(ref["ll95"])
    assert plain["upper_99_8"].tolist() == _approx(ref["ul998"])
    # the unit with no events is far below, as its z-score says
    assert t.loc[5, "assessment"] == "below the expected range (99.8%)"


def test_rc_trimmed_reproduces_funnelplotr_truncation():
    res = _run(RC_NUM, RC_DEN, data_type="RC", trim_method="trim", rc_limit_se="funnelplotr")
    assert res.phi == _approx(FPR_RC_TRIM["phi"])
    assert res.tau2 == _approx(FPR_RC_TRIM["tau2"])
    assert np.flatnonzero(res.table["z_used"].isna()).tolist() == FPR_RC_TRIM["trimmed"]
    assert res.table["lower_95"].tolist() == _approx(FPR_RC_TRIM["odll95"])
    assert res.table["upper_99_8"].tolist() == _approx(FPR_RC_TRIM["odul998"])


def test_rc_default_curve_uses_expected_counts_and_matches_powerbi_funnels():
    """PowerBI-Funnels: numerators (4, 16), denominators (10, 90), target 0.2; standard
    errors at plotting denominators 25, 100, 225 and unadjusted 95% limits at 90."""
    se = methods.curve_se("RC", np.array([25.0, 100.0, 225.0]), 0.2, "expected")
    assert se.tolist() == pytest.approx([0.451371252349844, 0.23977377846774803,
                                         0.16174443502044555], rel=1e-12)
    res = _run([4, 16], [10, 90], data_type="RC", od_adjust="none")
    assert res.target == pytest.approx(0.2, rel=1e-15)
    at90 = res.limits_curve(90).iloc[0]
    assert at90["lower_95"] == pytest.approx(0.12201011476061706, rel=1e-12)
    assert at90["upper_95"] == pytest.approx(0.327841671803028, rel=1e-12)
    # z, phi and tau² do not depend on the curve's standard error
    a = _run(RC_NUM, RC_DEN, data_type="RC")
    assert a.phi == _approx(FPR_RC_WINSOR["phi"]) and a.tau2 == _approx(FPR_RC_WINSOR["tau2"])
    # hand: exp(log(target) ± z sqrt(s(x)² + tau²)) with s at O = target·x, D = x
    x = np.asarray(RC_DEN, float)
    o = a.target * x
    s = np.sqrt(o / (o + 0.5) ** 2 + x / (x + 0.5) ** 2)
    hand = np.exp(math.log(a.target) - 1.959963984540054 * np.sqrt(s**2 + a.tau2))
    assert a.table["lower_95"].tolist() == _approx(hand.tolist())


def test_sr_unadjusted_exact_poisson_limits_reproduce_funnelplotr():
    res = _run(SR_OBS, SR_EXP, data_type="SR")
    t = res.table
    assert res.phi == _approx(FPR_SR["phi"])
    assert res.target == 1.0 and res.adjustment == "none"
    assert "none was found" in res.method and "exact Poisson" in res.method
    assert t["z"].tolist() == _approx(FPR_SR["z"])
    for ours, theirs in (("lower_95", "ll95"), ("upper_95", "ul95"),
                         ("lower_99_8", "ll998"), ("upper_99_8", "ul998")):
        assert t[ours].tolist() == _approx(FPR_SR[theirs])


def test_sr_overdispersed_reproduces_funnelplotr_z_phi_tau2_and_squares_its_limits():
    res = _run(SR_OD_OBS, SR_OD_EXP, data_type="SR")
    assert res.phi == _approx(FPR_SR_OD["phi"])
    assert res.tau2 == _approx(FPR_SR_OD["tau2"])
    assert res.table["z"].tolist() == _approx(FPR_SR_OD["z"])
    # documented deviation: our limits are squared back from the square-root scale
    squared = (np.asarray(FPR_SR_OD["odll95_sqrt_scale"]) ** 2).tolist()
    assert res.table["lower_95"].tolist() == _approx(squared)


def test_dispersion_helpers_at_their_edges():
    # trimming 10% of 5 units keeps them all (no rank band is 0 or 9); of 20 it drops 2 + 2
    assert not np.isnan(methods.trim(np.arange(5.0), 0.1)).any()
    assert np.flatnonzero(np.isnan(methods.trim(np.arange(20.0), 0.1))).tolist() == [0, 1, 18, 19]
    assert math.isnan(methods.dispersion_ratio(np.array([np.nan, np.nan])))
    assert methods.tau2_dersimonian_laird(5.0, 1, np.array([0.1])) == 0.0
    # n·phi < n - 1: no between-unit variance (FunnelPlotR tau_func)
    assert methods.tau2_dersimonian_laird(0.85, 10, np.full(10, 0.1)) == 0.0
    assert methods.tau2_dersimonian_laird(0.95, 10, np.full(10, 0.1)) == pytest.approx(
        (9.5 - 9) / (1000 - 100_000 / 1000))


def test_normal_quantiles_match_funnelplotr_constants():
    assert methods.z_for_level(95) == pytest.approx(1.959964, abs=1e-6)
    assert methods.z_for_level(99.8) == pytest.approx(3.090232, abs=1e-6)


# ---------------------------------------------------------------------------
# Hand-computed methods FunnelPlotR does not have
# ---------------------------------------------------------------------------
def test_multiplicative_adjustment_hand_computed():
    res = _run(PR_NUM, PR_DEN, od_adjust="multiplicative")
    hand = _hand_pr(PR_NUM, PR_DEN, z_level=1.959963984540054, adjust="multiplicative")
    assert res.phi == _approx(FPR_PR_WINSOR["phi"])
    assert res.tau2 == 0.0
    assert res.table["lower_95"].tolist() == _approx(hand["lower"].tolist())
    assert res.table["upper_95"].tolist() == _approx(hand["upper"].tolist())
    assert res.table["z_adjusted"].tolist() == _approx(
        (np.asarray(FPR_PR_Z) / math.sqrt(hand["phi"])).tolist())
    assert "widened by √φ" in res.method


def test_additive_adjusted_z_scores_hand_computed():
    res = _run(PR_NUM, PR_DEN)
    h = _hand_pr(PR_NUM, PR_DEN, z_level=1.96)
    expected = (h["y"] - h["theta"]) / np.sqrt(h["s"] ** 2 + h["tau2"])
    assert res.table["z_adjusted"].tolist() == _approx(expected.tolist())
    # the additive 95% limit and the adjusted z-score agree for proportions
    outside = res.table["outside_level"].notna()
    assert ((res.table["z_adjusted"].abs() > 1.959963984540054) == outside).all()


def test_no_trimming_uses_all_z_scores():
    res = _run(PR_NUM, PR_DEN, trim_method="none")
    h = _hand_pr(PR_NUM, PR_DEN, z_level=1.96, winsor=None)
    assert res.phi == _approx(h["phi"]) and res.tau2 == _approx(h["tau2"])
    assert res.n_used == len(PR_NUM)
    assert "all z-scores" in res.method


def test_multiplier_scales_indicator_target_and_limits_only():
    a, b = _run(PR_NUM, PR_DEN), _run(PR_NUM, PR_DEN, multiplier=100)
    assert b.target == pytest.approx(100 * a.target)
    for col in ("indicator", "lower_95", "upper_99_8"):
        assert b.table[col].tolist() == pytest.approx((100 * a.table[col]).tolist())
    assert b.table["z"].tolist() == a.table["z"].tolist()
    assert b.table["assessment"].tolist() == a.table["assessment"].tolist()


def test_assessment_words_follow_the_widest_limit_crossed():
    num = [50, 50, 50, 50, 50, 50, 50, 50, 85, 66, 34, 15]
    den = [1000] * 12
    res = _run(num, den, od_adjust="none")
    t = res.table.set_index("group")
    p = np.asarray(num) / 1000
    assert t.loc["u8", "assessment"] == "above the expected range (99.8%)"
    assert t.loc["u11", "assessment"] == "below the expected range (99.8%)"
    for unit, value in zip(t.index, p, strict=True):
        row = t.loc[unit]
        if value > row["upper_99_8"]:
            want = "above the expected range (99.8%)"
        elif value > row["upper_95"]:
            want = "above the expected range (95%)"
        elif value < row["lower_99_8"]:
            want = "below the expected range (99.8%)"
        elif value < row["lower_95"]:
            want = "below the expected range (95%)"
        else:
            want = "within the expected range"
        assert row["assessment"] == want
    assert set(t["assessment"]) >= {"within the expected range",
                                    "above the expected range (95%)",
                                    "below the expected range (95%)"}
    summary = res.summary().iloc[0]
    assert summary["above_99_8"] == 1 and summary["below_99_8"] == 1
    assert summary["above_95"] == (t["direction"] == "above").sum()


def test_custom_limit_levels_name_their_columns():
    res = _run(PR_NUM, PR_DEN, limits=(99, 90))
    assert res.levels == (90.0, 99.0)
    assert {"lower_90", "upper_90", "lower_99", "upper_99"} <= set(res.table.columns)
    assert "90% and 99% limits" in res.method


def test_proportion_limits_stay_within_zero_and_one():
    res = _run([0, 2, 1, 30, 5, 0, 3], [5, 10, 4, 40, 12, 3, 6])
    curve = res.limits_curve(np.geomspace(0.5, 100, 300))
    for col in [c for c in curve.columns if c.startswith(("lower", "upper"))]:
        assert curve[col].between(0, 1).all()
    # lower limits never fall and upper limits never rise as the denominator grows
    assert (np.diff(curve["lower_99_8"]) >= -1e-15).all()
    assert (np.diff(curve["upper_99_8"]) <= 1e-15).all()


def test_to_dict_is_json_safe_and_complete():
    res = _run(PR_NUM, PR_DEN)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["phi"] == pytest.approx(FPR_PR_WINSOR["phi"])
    assert d["tau2"] == pytest.approx(FPR_PR_WINSOR["tau2"])
    assert d["adjustment"] == "additive" and d["limits"] == [95.0, 99.8]
    assert len(d["units"]) == len(PR_NUM)
    unit = d["units"][0]
    assert unit["group"] == "u0"
    assert unit["limits"]["99.8"]["upper"] == pytest.approx(FPR_PR_WINSOR["odul998"][0])
    assert unit["assessment"] == "within the expected range"
    trimmed = json.loads(json.dumps(_run(PR_NUM, PR_DEN, trim_method="trim").to_dict()))
    assert trimmed["units"][7]["z_used"] is None
    numeric = pd.DataFrame({"unit": [101, 102, 103], "num": [1, 2, 3], "den": [10, 10, 10]})
    res = funnel(numeric, numerator="num", denominator="den", group="unit")
    assert json.loads(json.dumps(res.to_dict()))["units"][0]["group"] == 101


def test_summary_is_one_row():
    s = _run(PR_NUM, PR_DEN).summary()
    assert len(s) == 1
    assert s.loc[0, "phi"] == pytest.approx(FPR_PR_WINSOR["phi"])
    assert s.loc[0, "method"].startswith("Funnel plot of a proportion")


# ---------------------------------------------------------------------------
# (b) Seeded simulations with known truth
# ---------------------------------------------------------------------------
SIM_SEED = 20240415
SIM_UNITS = 100
SIM_REPS = 30


def _simulate(rng, *, tau: float = 0.0, phi: float = 1.0) -> pd.DataFrame:
    """Units around a 5% rate whose denominators span two orders of magnitude (like FTE
    days of small and large organisations). On the arcsine scale each unit's true value
    is theta0 + N(0, tau²) (the additive model); with ``phi`` > 1 the observed value is
    instead drawn with variance phi·s² directly (the multiplicative model)."""
    den = np.round(np.exp(rng.uniform(np.log(2e3), np.log(2e5), SIM_UNITS)))
    theta0 = math.asin(math.sqrt(0.05))
    if phi == 1.0:
        p = np.sin(theta0 + rng.normal(0, tau, SIM_UNITS)) ** 2
        num = rng.binomial(den.astype(int), p).astype(float)
    else:
        y = theta0 + rng.normal(0, 1, SIM_UNITS) * math.sqrt(phi) / (2 * np.sqrt(den))
        num = np.round(den * np.sin(y) ** 2)
    return _frame(num, den)


def _flag_rate(frames, **kw) -> float:
    flagged = total = 0
    for df in frames:
        res = funnel(df, numerator="num", denominator="den", group="unit", **kw)
        flagged += int(res.table["outside_level"].notna().sum())
        total += len(df)
    return flagged / total


@pytest.mark.slow
def test_simulation_additive_limits_flag_about_5_percent_unadjusted_far_more():
    rng = np.random.default_rng(SIM_SEED)
    frames = [_simulate(rng, tau=0.01) for _ in range(SIM_REPS)]
    # DerSimonian-Laird on all z-scores: calibrated under the random-effects model
    assert 0.035 <= _flag_rate(frames, trim_method="none") <= 0.065
    # without adjustment most units look 'special' (the reason for the adjustment)
    assert _flag_rate(frames, od_adjust="none") > 0.40
    # Winsorising the z-scores (the published default) shrinks phi, so tau² is under-
    # estimated when no unit is a real outlier: more than 5% flagged, far fewer than
    # without adjustment (docs/funnel.md, 'Winsorisation')
    winsorised = _flag_rate(frames)
    assert 0.08 <= winsorised <= 0.30


@pytest.mark.slow
def test_simulation_multiplicative_limits_flag_about_5_percent_under_their_model():
    rng = np.random.default_rng(SIM_SEED + 1)
    frames = [_simulate(rng, phi=20.0) for _ in range(SIM_REPS)]
    assert 0.035 <= _flag_rate(frames, od_adjust="multiplicative", trim_method="none") <= 0.065
    assert _flag_rate(frames, od_adjust="none") > 0.40


def test_simulation_without_overdispersion_is_left_unadjusted_and_calibrated():
    rng = np.random.default_rng(SIM_SEED + 2)
    frames = [_simulate(rng, tau=0.0) for _ in range(SIM_REPS)]
    results = [funnel(df, numerator="num", denominator="den", group="unit") for df in frames]
    # binomial data: phi (Winsorised) is below 1 nearly always, so no adjustment is made
    assert np.mean([not r.adjusted for r in results]) > 0.9
    assert 0.03 <= _flag_rate(frames, od_adjust="none") <= 0.07


# ---------------------------------------------------------------------------
# (c) Edge cases
# ---------------------------------------------------------------------------
def test_zero_numerators_are_fine_for_proportions_and_ratios():
    res = _run([0, 3, 0, 12, 5, 7], [40, 50, 30, 90, 60, 70])
    assert res.table.loc[0, "indicator"] == 0
    assert res.table.loc[0, "lower_95"] >= 0
    assert res.table["assessment"].notna().all()
    rc = _run([0, 3, 0, 12, 5, 7], [40, 50, 30, 90, 60, 70], data_type="RC")
    assert np.isfinite(rc.table["z"]).all()


def test_all_zero_numerators():
    res = _run([0, 0, 0, 0, 0], [10, 20, 30, 40, 50])
    assert res.target == 0 and res.phi == 0 and not res.adjusted
    assert (res.table["assessment"] == "within the expected range").all()
    with pytest.raises(InputError, match="ratio-of-counts funnel needs some events"):
        _run([0, 0, 0], [10, 20, 30], data_type="RC")


def test_zero_denominator_is_a_clear_error():
    with pytest.raises(InputError, match=r"greater than 0; unit\(s\) 'u2' have 0"):
        _run([1, 2, 0, 4], [10, 20, 0, 40])


def test_fewer_units_than_needed_for_adjustment_are_left_unadjusted_with_the_reason():
    n = FUNNEL_MIN_UNITS_FOR_ADJUSTMENT - 1
    res = _run([5, 40, 9, 60][:n], [100, 400, 300, 500][:n])
    assert not res.adjusted and res.tau2 == 0
    assert f"{n} units are too few to estimate it" in res.method
    assert any("too few" in w for w in res.warnings)
    assert res.to_dict()["warnings"] == res.warnings
    enough = _run([5, 40, 9, 60, 30], [100, 400, 300, 500, 200])
    assert enough.adjusted


def test_one_unit_is_not_a_funnel():
    with pytest.raises(InputError, match="at least 2"):
        _run([5], [100])


def test_duplicated_group_names_are_an_error():
    df = pd.DataFrame({"unit": ["a", "b", "a"], "num": [1, 2, 3], "den": [10, 20, 30]})
    with pytest.raises(InputError, match=r"more than once: 'a'.*sum its numerators"):
        funnel(df, numerator="num", denominator="den", group="unit")


@pytest.mark.parametrize(("num", "den", "match"), [
    ([1, np.nan, 3], [10, 20, 30], r"'num' \(numerator\) is missing for unit\(s\) 'u1'"),
    ([1, 2, 3], [10, None, 30], r"'den' \(denominator\) is missing for unit\(s\) 'u1'"),
    ([1, "two", 3], [10, 20, 30], r"not a number for unit\(s\) 'u1' \(values: 'two'\)"),
    ([1, -2, 3], [10, 20, 30], r"cannot be negative: unit\(s\) 'u1'"),
    ([1, 25, 3], [10, 20, 30], r"cannot exceed its denominator: unit\(s\) 'u1'"),
    ([1, 2, 3], [10, -20, 30], r"greater than 0"),
    ([1, np.inf, 3], [10, 20, 30], r"infinite"),
])
def test_bad_values_are_clear_errors(num, den, match):
    with pytest.raises(InputError, match=match):
        _run(num, den)


def test_blank_group_names_and_missing_columns():
    df = pd.DataFrame({"unit": ["a", None], "num": [1, 2], "den": [10, 20]})
    with pytest.raises(InputError, match="blank group name"):
        funnel(df, numerator="num", denominator="den", group="unit")
    with pytest.raises(InputError, match=r"unknown column\(s\) 'lost'; the data have"):
        funnel(df, numerator="lost", denominator="den", group="unit")
    with pytest.raises(InputError, match="three different columns"):
        funnel(df, numerator="num", denominator="num", group="unit")
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        funnel([1, 2], numerator="a", denominator="b", group="c")


@pytest.mark.parametrize(("options", "match"), [
    ({"data_type": "XX"}, "data_type must be one of 'PR', 'RC', 'SR'"),
    ({"od_adjust": "both"}, "od_adjust must be one of"),
    ({"tau2_method": "REML"}, "tau2_method must be one of 'DL'"),
    ({"trim_method": "cut"}, "trim_method must be one of"),
    ({"trim": 0.6}, "trim must be a fraction between 0 and 0.5"),
    ({"trim": 0}, "trim must be a fraction"),
    ({"limits": (95, 120)}, "limits must be distinct percentages"),
    ({"limits": (95, 95)}, "limits must be distinct percentages"),
    ({"limits": "wide"}, "limits must be"),
    ({"multiplier": 0}, "multiplier must be a positive number"),
    ({"rc_limit_se": "x"}, "rc_limit_se must be one of"),
])
def test_bad_options_are_clear_errors(options, match):
    with pytest.raises(InputError, match=match):
        _run(PR_NUM, PR_DEN, **options)


def test_no_overdispersion_means_no_adjustment_as_funnelplotr():
    res = _run([10, 20, 30, 40, 50, 60], [100, 200, 300, 400, 500, 600])  # all exactly 10%
    assert res.phi == pytest.approx(0, abs=1e-20) and not res.adjusted
    assert "none was found" in res.method
    assert res.summary().loc[0, "adjustment"] == "none"
    assert res.summary().loc[0, "od_adjust"] == "additive"


def test_trim_default_is_ten_percent():
    assert FUNNEL_TRIM_FRACTION == 0.10
    assert "Winsorised at 10%" in _run(PR_NUM, PR_DEN).method


# ---------------------------------------------------------------------------
# The plot
# ---------------------------------------------------------------------------
def _gids(ax) -> set[str]:
    return {a.get_gid() for a in ax.get_children() if a.get_gid()}


def test_plot_draws_limits_points_and_method(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plot must not call show"))
    res = _run(PR_NUM, PR_DEN)
    ax = res.plot(highlight="u3", show_unadjusted=True)
    gids = _gids(ax)
    assert {"funnel-target", "funnel-limit-95", "funnel-limit-99_8", "funnel-points-within",
            "funnel-highlight", "funnel-unadjusted-95", "funnel-method"} <= gids
    method = next(a for a in ax.get_children() if a.get_gid() == "funnel-method")
    assert "DerSimonian-Laird" in method.get_text().replace("\n", " ")
    texts = [t.get_text() for t in ax.texts]
    assert "u3" in texts
    upper = [line for line in ax.get_lines() if line.get_gid() == "funnel-limit-99_8"]
    assert len(upper) == 2  # lower and upper curves
    y = upper[1].get_ydata()
    assert len(y) > 100 and (np.diff(y) <= 1e-12).all()  # smooth and narrowing


def test_plot_on_given_axes_with_log_scale_and_outside_labels():
    _, ax = plt.subplots()
    res = _run([50] * 8 + [85, 64, 36, 15], [1000] * 12, od_adjust="none")
    out = res.plot(ax=ax, xscale="log", label_outside=True, title="Absence")
    assert out is ax and ax.get_xscale() == "log" and ax.get_title(loc="left") == "Absence"
    assert "funnel-points-outside-99_8" in _gids(ax)
    assert {"u8", "u11"} <= {t.get_text() for t in ax.texts}


def test_plot_errors():
    res = _run(PR_NUM, PR_DEN)
    with pytest.raises(InputError, match="no unit called 'zz'"):
        res.plot(highlight=["zz"])
    with pytest.raises(InputError, match="xscale"):
        res.plot(xscale="sqrt")
    with pytest.raises(InputError, match="denominators must be positive"):
        res.limits_curve([10, 0])


# ---------------------------------------------------------------------------
# The national publication as a comparison population
# ---------------------------------------------------------------------------
def _publication(months: int = 14) -> pd.DataFrame:
    ends = pd.date_range("2023-01-31", periods=months, freq="ME")
    orgs = [("RAA", "Alpha Trust", "Mental Health", 30000.0, 0.05),
            ("RBB", "Beta Trust", "Mental Health", 60000.0, 0.04),
            ("RCC", "Gamma Trust", "Mental Health", 12000.0, 0.06),
            ("RDD", "Delta Trust", "Acute", 90000.0, 0.045)]
    rows = []
    for i, end in enumerate(ends):
        for code, name, kind, available, rate in orgs:
            a = available + 100 * i
            rows.append({"DATE": end.strftime("%d/%m/%Y"), "ORG_CODE": code,
                         "ORG_NAME": name, "ORG_TYPE": kind,
                         "FTE_DAYS_LOST": round(a * (rate + 0.001 * (i % 3)), 2),
                         "FTE_DAYS_AVAILABLE": a, "EXTRA": "x"})
    return pd.DataFrame(rows)


def test_population_sums_days_then_divides_over_the_last_twelve_months():
    pub = _publication()
    out = population_from_publication(pub, org_type="mental health ")
    assert out["org_code"].tolist() == ["RAA", "RBB", "RCC"]
    assert out.attrs["months"] == ("2023-03", "2024-02")
    window = pub[pd.to_datetime(pub["DATE"], format="%d/%m/%Y") >= "2023-03-01"]
    raa = window[window["ORG_CODE"] == "RAA"]
    assert out.loc[0, "fte_days_lost"] == pytest.approx(raa["FTE_DAYS_LOST"].sum())
    assert out.loc[0, "fte_days_available"] == pytest.approx(raa["FTE_DAYS_AVAILABLE"].sum())
    assert out.loc[0, "absence_rate"] == pytest.approx(
        raa["FTE_DAYS_LOST"].sum() / raa["FTE_DAYS_AVAILABLE"].sum())
    assert out.loc[0, "absence_rate"] != pytest.approx(
        (raa["FTE_DAYS_LOST"] / raa["FTE_DAYS_AVAILABLE"]).mean(), rel=1e-9)
    assert (out["months"] == 12).all()
    assert out.attrs["excluded"] == []


def test_population_window_iso_dates_and_incomplete_organisations():
    pub = _publication()
    pub["DATE"] = pd.to_datetime(pub["DATE"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d")
    # the publication blanks small months: Gamma has no figures for one month
    gap = (pub["ORG_CODE"] == "RCC") & (pub["DATE"] == "2023-06-30")
    pub.loc[gap, ["FTE_DAYS_LOST", "FTE_DAYS_AVAILABLE"]] = np.nan
    out = population_from_publication(pub, months=("2023-02", "2024-01"))
    assert out["org_code"].tolist() == ["RAA", "RBB", "RDD"]
    assert out.attrs["excluded"] == ["RCC"]
    kept = population_from_publication(pub, months=("2023-02", "2024-01"), complete_only=False)
    assert kept.set_index("org_code").loc["RCC", "months"] == 11


def test_population_feeds_a_heavily_overdispersed_proportion_funnel():
    rng = np.random.default_rng(7)
    n_orgs = 40
    ends = pd.date_range("2023-04-30", periods=12, freq="ME")
    size = rng.uniform(2e3, 2e5, n_orgs)
    rate = np.clip(rng.normal(0.05, 0.008, n_orgs), 0.01, None)
    pub = pd.DataFrame([{"DATE": e.strftime("%d/%m/%Y"), "ORG_CODE": f"R{i:02d}",
                         "ORG_NAME": f"Trust {i}", "ORG_TYPE": "Mental Health",
                         "FTE_DAYS_AVAILABLE": size[i],
                         "FTE_DAYS_LOST": size[i] * rate[i] * rng.uniform(0.8, 1.2)}
                        for e in ends for i in range(n_orgs)])
    pop = population_from_publication(pub, org_type="Mental Health")
    res = funnel(pop, numerator="fte_days_lost", denominator="fte_days_available",
                 group="org_name", data_type="PR", multiplier=100)
    assert res.phi > 50 and res.adjusted
    plain = funnel(pop, numerator="fte_days_lost", denominator="fte_days_available",
                   group="org_name", od_adjust="none")
    assert plain.table["outside_level"].notna().mean() > 0.5
    assert res.table["outside_level"].notna().mean() < 0.35


@pytest.mark.parametrize(("mutate", "kwargs", "match"), [
    (lambda p: p.drop(columns="ORG_TYPE"), {}, r"lacks column\(s\) 'ORG_TYPE'"),
    (lambda p: p, {"org_type": "Ambulance"}, (r"no organisations of ORG_TYPE 'Ambulance'; "
                                              r"the file has: 'Acute', 'Mental Health'")),
    (lambda p: p.assign(DATE=p["DATE"].where(p.index != 3, "March")), {},
     r"row 5, column 'DATE': not a DD/MM/YYYY or YYYY-MM-DD date \(value: 'March'\)"),
    (lambda p: p.assign(FTE_DAYS_LOST=p["FTE_DAYS_LOST"].astype(object).where(
        p.index != 0, "lots")), {},
     r"row 2, column 'FTE_DAYS_LOST': not a number of days at least 0 \(value: 'lots'\)"),
    (lambda p: p.assign(FTE_DAYS_LOST=p["FTE_DAYS_AVAILABLE"] + 1), {},
     "column 'FTE_DAYS_LOST': more than FTE_DAYS_AVAILABLE"),
    (lambda p: pd.concat([p, p.iloc[-1:]]), {},
     r"row 58, column 'ORG_CODE': organisation given twice for one month"),
    (lambda p: p, {"months": ("2024-02", "2023-03")}, "is after the last"),
    (lambda p: p, {"months": ("2020-01", "2020-12")}, "no rows between 2020-01 and 2020-12"),
    (lambda p: p, {"months": "2023"}, "must be a pair"),
    (lambda p: p, {"months": ("soon", "2024-01")}, "is not a month"),
    (lambda p: p.assign(ORG_CODE=p["ORG_CODE"].where(p.index != 1, " ")), {},
     r"row 3, column 'ORG_CODE': blank"),
])
def test_population_errors(mutate, kwargs, match):
    with pytest.raises(InputError, match=match):
        population_from_publication(mutate(_publication()), **kwargs)
