"""Run-chart rule sets, each named: Anhøj (qicharts2) and IHI (Perla, Provost & Murray 2011).

Both read a series against its centre line (the median on a run chart). Per-point rules
return signed flags (+1 above / rising, -1 below / falling, 0 not flagged); rules about a
whole group (too few crossings, too few or too many runs) are *chart-level* signals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats

from wellbeing_analysis.constants import (
    ANHOEJ_CROSSINGS_QUANTILE,
    ANHOEJ_RUN_OFFSET,
    IHI_MIN_USEFUL_POINTS,
    IHI_RUNS_ALPHA,
    IHI_SHIFT_POINTS,
    IHI_TREND_POINTS,
)
from wellbeing_analysis.spc.labels import (
    FEW_CROSSINGS,
    LONG_RUN,
    OUTSIDE,
    SHIFT,
    TOO_FEW_RUNS,
    TOO_MANY_RUNS,
    TREND,
)
from wellbeing_analysis.spc.rules import outside_limits, relative_to_centre, run_lengths
from wellbeing_analysis.spc.rules import shift as _shift
from wellbeing_analysis.spc.rules import trend as _trend


@dataclass(frozen=True)
class ChartSignal:
    """A signal about a whole group of points: which rule, what was seen, the limit it broke."""

    rule: str
    observed: int
    limit: int
    description: str


@dataclass
class RuleOutcome:
    """What a rule set found in one group: per-point signed flags (in order of precedence),
    chart-level signals, and notes (reasons a rule could not be applied)."""

    points: dict[str, np.ndarray]
    chart: list[ChartSignal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _useful(rtm: np.ndarray) -> np.ndarray:
    """The useful observations: signs of the points not exactly on the centre line."""
    rtm = np.asarray(rtm, dtype=float)
    return rtm[rtm != 0]


def _scatter_back(rtm: np.ndarray, flags_useful: np.ndarray) -> np.ndarray:
    """Put flags computed on the useful points back in place (points on the centre line: 0)."""
    out = np.zeros(np.asarray(rtm).size, dtype=np.int8)
    out[np.asarray(rtm) != 0] = flags_useful
    return out


def longest_run(rtm: np.ndarray) -> int:
    """Length of the longest run of useful points on one side of the centre line."""
    u = _useful(rtm)
    return int(run_lengths(u).max()) if u.size else 0


def n_crossings(rtm: np.ndarray) -> int:
    """Number of times the series crosses the centre line (points on it are skipped)."""
    u = _useful(rtm)
    return int(np.count_nonzero(u[1:] != u[:-1]))


# ---------------------------------------------------------------------------
# Anhøj rules (Anhøj & Olesen 2014; qicharts2)
# ---------------------------------------------------------------------------
def anhoej_longest_run_limit(n_useful: int | np.ndarray) -> np.ndarray | int:
    """Longest run expected by chance: ``round(log2(n)) + 3`` for n useful points
    (qicharts2 ``longest.run.max``; numpy and R both round half to even)."""
    n = np.asarray(n_useful, dtype=float)
    with np.errstate(divide="ignore"):
        limit = np.round(np.log2(np.maximum(n, 1))) + ANHOEJ_RUN_OFFSET
    return limit.astype(int) if limit.ndim else int(limit)


def anhoej_crossings_limit(n_useful: int | np.ndarray) -> np.ndarray | int:
    """Fewest crossings expected by chance: the 5% quantile of Binomial(n - 1, 0.5)
    (qicharts2 ``n.crossings.min = qbinom(0.05, n - 1, 0.5)``)."""
    n = np.asarray(n_useful, dtype=float)
    q = stats.binom.ppf(ANHOEJ_CROSSINGS_QUANTILE, np.maximum(n - 1, 0), 0.5)
    q = np.asarray(q).astype(int)
    return q if q.ndim else int(q)


def long_runs(rtm: np.ndarray, limit: int) -> np.ndarray:
    """Points in a run (points on the centre line skipped) longer than ``limit``, signed by side."""
    u = _useful(rtm)
    flags = np.where(run_lengths(u) > limit, np.sign(u), 0).astype(np.int8)
    return _scatter_back(rtm, flags)


def anhoej_rules(
    y: np.ndarray,
    centre: np.ndarray | float,
    lower: np.ndarray | float | None = None,
    upper: np.ndarray | float | None = None,
) -> RuleOutcome:
    """The Anhøj rule set: an unusually long run (longer than ``round(log2(n)) + 3``) or too
    few crossings (fewer than the 5% quantile of Binomial(n - 1, 0.5)), n = points not on the
    centre line; on a control chart also points outside the limits (qicharts2 semantics:
    ``sigma.signal`` and ``runs.signal``)."""
    rtm = relative_to_centre(y, centre)
    n_useful = int(np.count_nonzero(rtm))
    points: dict[str, np.ndarray] = {}
    if lower is not None and upper is not None:
        points[OUTSIDE] = outside_limits(y, lower, upper)
    outcome = RuleOutcome(points)
    if n_useful == 0:
        points[LONG_RUN] = np.zeros(rtm.size, dtype=np.int8)
        outcome.notes.append("every point lies on the centre line: no runs analysis")
        return outcome
    run_limit = anhoej_longest_run_limit(n_useful)
    points[LONG_RUN] = long_runs(rtm, run_limit)
    crossings, crossings_min = n_crossings(rtm), anhoej_crossings_limit(n_useful)
    if crossings < crossings_min:
        outcome.chart.append(ChartSignal(
            FEW_CROSSINGS, crossings, crossings_min,
            f"the line crosses the centre only {crossings} time(s); at least {crossings_min} "
            f"are expected by chance with {n_useful} points",
        ))
    return outcome


# ---------------------------------------------------------------------------
# IHI rules (Perla, Provost & Murray 2011, BMJ Qual Saf 20:46-51)
# ---------------------------------------------------------------------------
def ihi_shift(rtm: np.ndarray, n_points: int = IHI_SHIFT_POINTS) -> np.ndarray:
    """IHI shift: ``n_points`` (6) or more consecutive points on one side of the median;
    points on the median are skipped - they neither break nor add to the shift."""
    u = _useful(rtm)
    return _scatter_back(rtm, _shift(u, n_points))


def ihi_trend(y: np.ndarray, n_points: int = IHI_TREND_POINTS) -> np.ndarray:
    """IHI trend: ``n_points`` (5) or more points all going up or all going down; consecutive
    equal values count once (a tie neither breaks nor adds to the trend)."""
    y = np.asarray(y, dtype=float)
    if y.size == 0:
        return np.zeros(0, dtype=np.int8)
    new_value = np.r_[True, y[1:] != y[:-1]]
    block = np.cumsum(new_value) - 1
    return _trend(y[new_value], n_points)[block]


def runs_acceptance_range(n1: int, n2: int, alpha: float = IHI_RUNS_ALPHA) -> tuple[int, int]:
    """Fewest and most runs expected by chance with n1 points above and n2 below the median.

    Exact distribution of the number of runs R (Swed & Eisenhart 1943):
    P(R = 2k) = 2 C(n1-1, k-1) C(n2-1, k-1) / C(n, n1),
    P(R = 2k+1) = [C(n1-1, k) C(n2-1, k-1) + C(n1-1, k-1) C(n2-1, k)] / C(n, n1).
    Returns (smallest r with P(R <= r) > alpha/2, largest r with P(R >= r) > alpha/2): fewer
    runs than the first, or more than the second, is a signal (two-sided, alpha = 5%).
    """
    if n1 < 1 or n2 < 1:
        raise ValueError("runs_acceptance_range needs at least one point on each side")
    r = np.arange(2, n1 + n2 + 1)
    k = r // 2
    p_even = 2 * special.comb(n1 - 1, k - 1) * special.comb(n2 - 1, k - 1)
    p_odd = (special.comb(n1 - 1, k) * special.comb(n2 - 1, k - 1)
             + special.comb(n1 - 1, k - 1) * special.comb(n2 - 1, k))
    p = np.where(r % 2 == 0, p_even, p_odd) / special.comb(n1 + n2, n1)
    cdf = np.cumsum(p)
    sf = np.cumsum(p[::-1])[::-1]
    return int(r[np.argmax(cdf > alpha / 2)]), int(r[np.flatnonzero(sf > alpha / 2)[-1]])


def ihi_runs_range(n_useful: int, alpha: float = IHI_RUNS_ALPHA) -> tuple[int, int]:
    """IHI's runs table, indexed by the number of useful points alone (Perla 2011, table 1):
    the Swed-Eisenhart range for an even split, n1 = floor(n/2), n2 = ceil(n/2)."""
    return runs_acceptance_range(n_useful // 2, n_useful - n_useful // 2, alpha)


def ihi_rules(y: np.ndarray, centre: np.ndarray | float) -> RuleOutcome:
    """The IHI rule set: shift (6+ points on one side of the median), trend (5+ points going
    one way), too few or too many runs (two-sided 5% Swed-Eisenhart table; needs at least 10
    points not on the median). An 'astronomical point' is a judgement, not a rule: not applied.
    """
    rtm = relative_to_centre(y, centre)
    outcome = RuleOutcome({SHIFT: ihi_shift(rtm), TREND: ihi_trend(y)})
    n_useful = int(np.count_nonzero(rtm))
    if n_useful < IHI_MIN_USEFUL_POINTS:
        outcome.notes.append(
            f"only {n_useful} point(s) are off the median; the IHI runs rule needs at least "
            f"{IHI_MIN_USEFUL_POINTS}, so it was not applied"
        )
        return outcome
    runs = n_crossings(rtm) + 1
    low, high = ihi_runs_range(n_useful)
    if runs < low:
        outcome.chart.append(ChartSignal(
            TOO_FEW_RUNS, runs, low,
            f"only {runs} run(s); at least {low} are expected by chance with {n_useful} points",
        ))
    elif runs > high:
        outcome.chart.append(ChartSignal(
            TOO_MANY_RUNS, runs, high,
            f"{runs} runs; at most {high} are expected by chance with {n_useful} points",
        ))
    return outcome
