"""Seasonal monthly measures: a month-of-year test, and the same-month-last-year view.

Making Data Count guidance: a strongly seasonal measure (winter sickness absence) puts
winter peaks and summer troughs outside the limits or into runs, so an SPC chart of it
'signals' the seasons. The reader is told so, and offered the change on the same month last
year, which takes the season out (docs/spc.md, 'Seasonal measures').

The test: ordinary least squares of y on a linear trend, with and without month-of-year
indicators (11 of them), on at least ``SPC_SEASONAL_MIN_YEARS`` full years of monthly
points. Month of year matters when the F test of the indicators has p <
``SPC_SEASONAL_ALPHA``; it is *strong* when it also explains at least
``SPC_SEASONAL_MIN_PARTIAL_R2`` of the variation the trend leaves
(partial R² = (SSR_trend − SSR_trend+month) / SSR_trend).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from wellbeing_analysis.constants import (
    SPC_SEASONAL_ALPHA,
    SPC_SEASONAL_MIN_PARTIAL_R2,
    SPC_SEASONAL_MIN_YEARS,
    SPC_YEAR_ON_YEAR_LAG,
)
from wellbeing_analysis.spc.describe import period_unit


@dataclass(frozen=True)
class Seasonality:
    """The month-of-year test of one monthly series; ``reason`` says what was found."""

    tested: bool
    seasonal: bool
    reason: str
    p_value: float | None = None
    partial_r2: float | None = None
    peak_month: str | None = None
    trough_month: str | None = None


def seasonality(x: pd.Series, y: pd.Series) -> Seasonality:
    """Whether monthly ``y`` (at dates ``x``) is strongly seasonal; see the module docstring."""
    x = pd.to_datetime(pd.Series(x)).reset_index(drop=True)
    y = pd.Series(y, dtype=float).reset_index(drop=True)
    keep = y.notna()
    x, y = x[keep], y[keep]
    need = SPC_SEASONAL_MIN_YEARS * 12
    if period_unit(x.to_numpy()) != "month":
        return Seasonality(False, False, "not tested for seasonality: the points are not months")
    months = x.dt.month
    if len(y) < need or months.value_counts().reindex(range(1, 13)).fillna(0).min() < \
            SPC_SEASONAL_MIN_YEARS:
        return Seasonality(False, False, (
            f"not tested for seasonality: that needs {SPC_SEASONAL_MIN_YEARS} full years of "
            f"months (there are {len(y)} months)"))
    trend = ((x - x.iloc[0]).dt.days / 365.25).to_numpy()
    reduced = add_constant(trend)
    dummies = pd.get_dummies(months, prefix="m", dtype=float).to_numpy()[:, 1:]  # January = 0
    full = np.column_stack([reduced, dummies])
    fit_r = OLS(y.to_numpy(), reduced).fit()
    fit_f = OLS(y.to_numpy(), full).fit()
    _, p_value, _ = fit_f.compare_f_test(fit_r)
    partial = float((fit_r.ssr - fit_f.ssr) / fit_r.ssr) if fit_r.ssr > 0 else 0.0
    effect = np.r_[0.0, fit_f.params[2:]]  # month of year against January, trend held
    peak = pd.Timestamp(2000, int(np.argmax(effect)) + 1, 1).strftime("%B")
    trough = pd.Timestamp(2000, int(np.argmin(effect)) + 1, 1).strftime("%B")
    p_text = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    share = (f"the month of the year explains {partial:.0%} of the variation left after the "
             f"trend ({p_text})")
    seasonal = bool(p_value < SPC_SEASONAL_ALPHA and partial >= SPC_SEASONAL_MIN_PARTIAL_R2)
    if seasonal:
        reason = f"strongly seasonal: {share}, highest in {peak} and lowest in {trough}"
    else:
        reason = (f"not strongly seasonal: {share}; the rule needs p < {SPC_SEASONAL_ALPHA:g} "
                  f"and at least {SPC_SEASONAL_MIN_PARTIAL_R2:.0%}")
    return Seasonality(True, seasonal, reason, float(p_value), partial, peak, trough)


def seasonal_sentence(check: Seasonality, measure: str) -> str:
    """What a seasonal measure means for its chart's signals, in words ('' when it is not)."""
    if not check.seasonal:
        return ""
    return (f"{measure[:1].upper()}{measure[1:]} is {check.reason}. Signals on the chart may "
            f"be the season rather than a change: a run of high winter months or low summer "
            f"months is expected every year. The change on the same month last year, below, "
            f"takes the season out.")


def year_on_year(data: pd.DataFrame, *, x: str, y: str, name: str) -> pd.DataFrame:
    """``x`` and ``name`` = y − y of the same month ``SPC_YEAR_ON_YEAR_LAG`` months earlier,
    for the months whose earlier month is in the data (a gap is never bridged)."""
    months = pd.to_datetime(data[x]).dt.to_period("M")
    values = pd.Series(data[y].to_numpy(dtype=float), index=months)
    earlier = values.reindex(months - SPC_YEAR_ON_YEAR_LAG).to_numpy()
    out = pd.DataFrame({x: pd.to_datetime(data[x]).to_numpy(),
                        name: values.to_numpy() - earlier})
    return out.dropna(subset=[name]).reset_index(drop=True)
