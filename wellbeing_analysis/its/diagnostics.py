"""Residual diagnostics of an ITS fit and advice on handling autocorrelation.

Residuals are examined series by series (statistics pool the series of a controlled ITS):

- autocorrelation ``r_j = sum_t e_t e_(t+j) / sum_t e_t^2`` of demeaned residuals (Box &
  Jenkins 1976), with Bartlett's band ``z sqrt((1 + 2 sum_(i<j) r_i^2) / N)`` (the test of
  "MA(j - 1)" against correlation at lag j, as Stata's ``actest`` and ACF plots use);
- partial autocorrelation by the Durbin-Levinson recursion, band ``z / sqrt(N)``;
- Ljung-Box ``Q(m) = N (N + 2) sum_(j<=m) r_j^2 / (N - j)``, chi-squared on ``m - p`` df
  after an AR(p) error model (Ljung & Box 1978);
- Breusch-Godfrey LM test of order m for least-squares fits (Breusch 1978; Godfrey 1978;
  statsmodels ``acorr_breusch_godfrey``), on the whitened data for GLS;
- Durbin-Watson ``sum (e_t - e_(t-1))^2 / sum e_t^2`` (Durbin & Watson 1950);
- overdispersion of counts: Pearson ``X2 / (n - k)``, with the upper-tail chi-squared(n - k)
  p-value of ``X2``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.diagnostic import acorr_breusch_godfrey
from statsmodels.tsa.stattools import levinson_durbin

from wellbeing_analysis.constants import (
    CONFIDENCE_LEVEL,
    ITS_DIAGNOSTIC_MAX_LAG,
    ITS_DIAGNOSTIC_MAX_LAG_FRACTION,
    ITS_LJUNG_BOX_LAG,
    ITS_LJUNG_BOX_LAG_FRACTION,
    ITS_MAX_SUGGESTED_AR_ORDER,
    ITS_MIN_POINTS_EACH_SIDE,
    ITS_NEWEY_WEST_MIN_POINTS,
)

_Z = stats.norm.ppf(0.5 + CONFIDENCE_LEVEL / 2)
_ALPHA = 1 - CONFIDENCE_LEVEL


def max_lag_for(n: int) -> int:
    """Lags examined: ITS_DIAGNOSTIC_MAX_LAG, at most a quarter of the series, at least 1."""
    return max(1, min(ITS_DIAGNOSTIC_MAX_LAG, int(n * ITS_DIAGNOSTIC_MAX_LAG_FRACTION)))


def autocorrelation_table(blocks: np.ndarray, max_lag: int, model_df: int = 0) -> pd.DataFrame:
    """ACF, PACF, their bands and Ljung-Box tests of residual series (rows of ``blocks``)."""
    e = blocks - blocks.mean(axis=1, keepdims=True)
    n_series, m = e.shape
    N = n_series * m
    denom = (e**2).sum()
    r = np.array([(e[:, j:] * e[:, : m - j]).sum() / denom for j in range(1, max_lag + 1)])
    pacf = levinson_durbin(np.r_[1.0, r], nlags=max_lag, isacov=True)[2][1:]
    lags = np.arange(1, max_lag + 1)
    q = N * (N + 2) * np.cumsum(r**2 / (N - lags))
    dof = lags - model_df
    q_p = np.where(dof > 0, stats.chi2.sf(q, np.maximum(dof, 1)), np.nan)
    band = _Z * np.sqrt((1 + 2 * np.r_[0.0, np.cumsum(r**2)[:-1]]) / N)
    return pd.DataFrame({"lag": lags, "acf": r, "acf_band": band, "pacf": pacf,
                         "pacf_band": _Z / np.sqrt(N), "ljung_box": q, "ljung_box_p": q_p})


def durbin_watson(blocks: np.ndarray) -> float:
    """Durbin-Watson statistic pooled over series (2 = no lag-1 autocorrelation)."""
    return float((np.diff(blocks, axis=1) ** 2).sum() / (blocks**2).sum())


@dataclass(frozen=True)
class Suggestion:
    """A suggested setting (HAC lags or AR order) with the reason in plain English."""

    value: int
    reason: str


@dataclass(frozen=True)
class Diagnostics:
    """Residual checks of one ITS fit (formulas in the module docstring)."""

    table: pd.DataFrame  # per lag: acf, pacf, bands, Ljung-Box, Breusch-Godfrey
    durbin_watson: float
    ljung_box_lag: int
    ljung_box_p: float
    dispersion: float
    dispersion_p: float | None
    nb_alpha: float | None
    segments: pd.DataFrame  # change, n_before, n_after
    residuals: str  # which residuals were examined
    warnings: tuple[str, ...]

    def to_dict(self) -> dict:
        def clean(v):
            return None if v is None or (isinstance(v, float) and not np.isfinite(v)) else v
        lag_rows = [{k: clean(float(v)) if k != "lag" else int(v) for k, v in row.items()}
                    for row in self.table.to_dict("records")]
        return {
            "residuals": self.residuals,
            "durbin_watson": clean(self.durbin_watson),
            "ljung_box_lag": self.ljung_box_lag,
            "ljung_box_p": clean(self.ljung_box_p),
            "autocorrelation": lag_rows,
            "dispersion": clean(self.dispersion),
            "dispersion_p": clean(self.dispersion_p),
            "negbin_alpha": clean(self.nb_alpha),
            "points": [{"change": r["change"], "n_before": int(r["n_before"]),
                        "n_after": int(r["n_after"])} for r in self.segments.to_dict("records")],
            "warnings": list(self.warnings),
        }


def compute_diagnostics(fit, design, *, period: int | None, hac_lags: int | None) -> Diagnostics:
    """Diagnostics of ``fit`` (a ModelFit) on ``design``; warnings say what to change."""
    with warnings.catch_warnings():  # a perfect fit (zero residuals) gives NaNs, not noise
        warnings.simplefilter("ignore")
        return _compute_diagnostics(fit, design, period=period, hac_lags=hac_lags)


def _compute_diagnostics(fit, design, *, period: int | None, hac_lags: int | None) -> Diagnostics:
    blocks = fit.resid.reshape(fit.n_series, -1)
    m = blocks.shape[1]
    max_lag = max_lag_for(m)
    model_df = 0 if fit.ar is None else len(fit.ar)
    table = autocorrelation_table(blocks, max_lag, model_df)
    if fit.ols_results is not None and fit.n_series == 1:
        bg = [acorr_breusch_godfrey(fit.ols_results, nlags=int(j), result_object=True)
              for j in table["lag"]]  # one auxiliary regression per lag (at most 12)
        table["breusch_godfrey"] = [b.lm for b in bg]
        table["breusch_godfrey_p"] = [b.lmpval for b in bg]
    else:  # defined for least squares on a single series only
        table["breusch_godfrey"] = table["breusch_godfrey_p"] = np.nan
    lb_lag = ITS_LJUNG_BOX_LAG if period is None else 2 * period
    lb_lag = int(max(1 + model_df, min(lb_lag, int(m * ITS_LJUNG_BOX_LAG_FRACTION))))
    lb_full = autocorrelation_table(blocks, lb_lag, model_df) if lb_lag > max_lag else table
    lb_p = float(lb_full["ljung_box_p"].iloc[lb_lag - 1])
    count = fit.link == "log"
    disp_p = float(stats.chi2.sf(fit.pearson_chi2, fit.df_resid)) if count else None
    residuals = {"ols": "OLS residuals", "glsar": "whitened GLS residuals (what the AR model "
                 "leaves)", "quasipoisson_ar": "whitened Pearson residuals (what the AR model "
                 "leaves)"}.get(fit.family, "Pearson residuals")

    warns = []
    for r in design.segments.to_dict("records"):
        for side in ("before", "after"):
            if r[f"n_{side}"] < ITS_MIN_POINTS_EACH_SIDE:
                warns.append(f"only {r[f'n_{side}']} fitted points {side} the change at "
                             f"{r['change']}; {ITS_MIN_POINTS_EACH_SIDE} or more on each side are "
                             "recommended (Penfold & Zhang 2013)")
    lag1 = table.iloc[0]
    autocorrelated = (abs(lag1["acf"]) > lag1["acf_band"]) or (lb_p < _ALPHA)
    if autocorrelated:
        detail = (f"lag-1 autocorrelation {lag1['acf']:.2f}, Ljung-Box p = {lb_p:.3g} at lag "
                  f"{lb_lag}")
        if fit.ar is not None:
            warns.append(f"the residuals are still autocorrelated after the AR({model_df}) "
                         f"model ({detail}); try a higher AR order")
        elif fit.family == "ols" and hac_lags is None:
            warns.append(f"the residuals are autocorrelated ({detail}); classical standard "
                         "errors assume independent errors and are likely too small: use "
                         "family 'glsar' (recommended) or HAC lags")
        elif fit.link == "log":
            warns.append(f"the residuals are autocorrelated ({detail}); the count model "
                         "assumes independent errors, so its intervals may be too narrow: "
                         "use family 'quasipoisson_ar' (quasi-Poisson with AR errors)")
    if fit.family == "ols" and hac_lags is not None:
        if m < ITS_NEWEY_WEST_MIN_POINTS:
            warns.append(f"Newey-West standard errors on a series of {m} points: below "
                         f"{ITS_NEWEY_WEST_MIN_POINTS} points their 95% intervals cover the "
                         "truth too rarely (84-90% in our simulation of 24-60 points with "
                         "independent errors, benchmarks/bench_evaluation_sim.py); use family "
                         "'glsar' (GLS with AR errors, REML)")
        advice = suggest_hac_lags(table, period=period, what="OLS residuals")
        if advice.value > hac_lags:
            warns.append(f"{hac_lags} HAC lag(s) may be too few: {advice.reason}")
    if fit.family == "poisson" and disp_p is not None and disp_p < _ALPHA:
        warns.append(f"the counts are overdispersed (Pearson X2/df = {fit.dispersion:.2f}, "
                     f"p = {disp_p:.2g}): Poisson standard errors are too small; use "
                     "'quasipoisson' or 'negbin'")
    warns.extend(fit.warnings)
    return Diagnostics(
        table=table, durbin_watson=durbin_watson(blocks), ljung_box_lag=lb_lag,
        ljung_box_p=lb_p, dispersion=float(fit.dispersion), dispersion_p=disp_p,
        nb_alpha=fit.nb_alpha, segments=design.segments, residuals=residuals,
        warnings=tuple(warns),
    )


def _lags(values) -> str:
    return ", ".join(str(int(v)) for v in values)


def suggest_hac_lags(table: pd.DataFrame, *, period: int | None, what: str) -> Suggestion:
    """Newey-West lags: the longest lag whose autocorrelation is outside Bartlett's band.

    Like reading Stata's ``actest`` (Cumby-Huizinga) lag by lag: HAC standard errors must
    span the longest lag of dependence. ``table`` comes from :func:`autocorrelation_table`.
    """
    sig = table.loc[table["acf"].abs() > table["acf_band"], "lag"]
    last = int(table["lag"].max())
    if sig.empty:
        return Suggestion(0, f"No autocorrelation of the {what} is significant at lags 1-{last}: "
                             "0 lags (White's heteroskedasticity-robust errors) suffice.")
    value = int(sig.max())
    reason = (f"The {what} are autocorrelated at lag(s) {_lags(sig)} (outside Bartlett's "
              f"{CONFIDENCE_LEVEL:.0%} band, lags 1-{last}), so Newey-West standard errors "
              f"need {value} lag(s).")
    if period is not None and (sig == period).any():
        reason += f" Lag {period} is the seasonal period: consider seasonal terms instead."
    return Suggestion(value, reason)


def suggest_ar_order(table: pd.DataFrame, *, what: str) -> Suggestion:
    """AR order: the last lag (up to ITS_MAX_SUGGESTED_AR_ORDER) with a significant PACF.

    An AR(p) process has partial autocorrelations that cut off after lag p (Box & Jenkins).
    """
    top = min(ITS_MAX_SUGGESTED_AR_ORDER, int(table["lag"].max()))
    head = table[table["lag"] <= top]
    sig = head.loc[head["pacf"].abs() > head["pacf_band"], "lag"]
    if sig.empty:
        return Suggestion(0, f"No partial autocorrelation of the {what} is significant at lags "
                             f"1-{top}: an AR error model is not needed (order 0).")
    value = int(sig.max())
    return Suggestion(value, f"The partial autocorrelation of the {what} is significant at "
                             f"lag(s) {_lags(sig)} (of 1-{top}), so model the errors as "
                             f"AR({value}) (family 'glsar', ar_order={value}).")
