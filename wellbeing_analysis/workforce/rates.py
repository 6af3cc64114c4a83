"""Rates over months from a groups × months grid of monthly sums: the one definition of the
absence rates, rolling turnover and stability indices, shared by the row-level engine
(:mod:`.monthly`) and the aggregate tier (:mod:`.aggregate`); docs/metrics.md."""

from __future__ import annotations

import numpy as np

from wellbeing_analysis.constants import ROLLING_WINDOW_MONTHS, STABILITY_LOOKBACK_MONTHS
from wellbeing_analysis.workforce._common import percent


def rolling_sum(x: np.ndarray, window: int) -> np.ndarray:
    """Sum over the last ``window`` months (blank until that many months exist)."""
    out = np.full(x.shape, np.nan)
    if x.shape[1] >= window:
        out[:, window - 1:] = np.lib.stride_tricks.sliding_window_view(
            x.astype(float), window, axis=1).sum(axis=2)
    return out


def lagged(x: np.ndarray, k: int) -> np.ndarray:
    """Value ``k`` months earlier (blank for the first k months)."""
    out = np.full(x.shape, np.nan)
    if x.shape[1] > k:
        out[:, k:] = x[:, :-k]
    return out


def monthly_rates(c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Absence rates, rolling turnover and stability indices from the monthly sums.

    - absence_rate_pct = 100 × fte_days_lost ÷ fte_days_available;
    - absence_rate_12m_pct = 100 × Σ12 fte_days_lost ÷ Σ12 fte_days_available;
    - turnover_12m_pct = 100 × Σ12 leavers ÷ mean(headcount at m − 12, headcount at m);
      turnover_voluntary_12m_pct likewise with voluntary leavers;
    - stability_index_strategy_pct = 100 × long_serving ÷ headcount;
    - stability_index_classical_pct = 100 × stayers ÷ headcount 12 months earlier.

    A sum missing from ``c`` (figures without staff-level detail) gives a blank (NaN) rate.
    """
    w = ROLLING_WINDOW_MONTHS
    blank = np.full(np.shape(c["headcount"]), np.nan)
    mean_hc = (lagged(c["headcount"], w) + c["headcount"]) / 2.0
    leavers_12m = rolling_sum(c["leavers"], w)
    return {
        "absence_rate_pct": percent(c["fte_days_lost"], c["fte_days_available"]),
        "absence_rate_12m_pct": percent(rolling_sum(c["fte_days_lost"], w),
                                        rolling_sum(c["fte_days_available"], w)),
        "turnover_12m_pct": percent(leavers_12m, mean_hc),
        "turnover_voluntary_12m_pct": percent(
            rolling_sum(c.get("leavers_voluntary", blank), w), mean_hc),
        "stability_index_strategy_pct": percent(c.get("long_serving", blank), c["headcount"]),
        "stability_index_classical_pct": percent(
            c.get("stayers", blank), lagged(c["headcount"], STABILITY_LOOKBACK_MONTHS)),
    }
