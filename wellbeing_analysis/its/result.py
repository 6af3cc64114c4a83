"""``fit_its`` and the :class:`ITSResult` it returns: validate, fit, then report.

Why one module of this length: it is the one result object of an ITS fit (summary, effects,
counterfactual, checks, plots, to_dict), as statsmodels keeps a fit's results in one class.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    CONFIDENCE_LEVEL,
    ITS_DEFAULT_HORIZONS,
    ITS_MIN_POINTS_EACH_SIDE,
)
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its import diagnostics as diag
from wellbeing_analysis.its.checks import Checks, data_checks, diagnostic_checks, fit_checks
from wellbeing_analysis.its.design import Design, build_design
from wellbeing_analysis.its.effects import (
    Estimate,
    contrasts,
    counterfactual_table,
    cumulative,
    estimate,
)
from wellbeing_analysis.its.inputs import Prepared, prepare
from wellbeing_analysis.its.models import ModelFit, fit_model
from wellbeing_analysis.its.options import DEFAULT_FAMILY, ITSOptions


def fit_its(
    data: pd.DataFrame,
    *,
    time: str,
    outcome: str,
    interruptions,
    family: str = DEFAULT_FAMILY,
    offset: str | None = None,
    season_col: str | None = None,
    period: int | None = None,
    harmonics: int | None = None,
    season_indicators: bool = False,
    covariates=(),
    hac_lags: int | None = None,
    ar_order: int | None = None,
    slope_change: bool = True,
    phase_in: int = 0,
    end=None,
    group: str | None = None,
    treated=None,
    level_at: str = "first_post",
) -> ITSResult:
    """Fit an interrupted time-series (segmented regression) model; see :mod:`.design`.

    ``data`` holds one row per period (per series for a controlled ITS). ``time`` is numeric
    or monthly dates ('2024-04', '2024-04-01', '01/04/2024'), regularly spaced;
    ``interruptions`` are time values of the first post-interruption period (one or a list).
    ``family``: 'glsar' (the default: AR(``ar_order``) errors by REML, Satterthwaite df;
    recommended for continuous outcomes), 'ols' (classical standard errors, or Newey-West with
    ``hac_lags``; not recommended below ITS_NEWEY_WEST_MIN_POINTS points), 'poisson',
    'quasipoisson', 'quasipoisson_ar' (quasi-Poisson with AR(``ar_order``) errors; recommended
    for monthly counts) or 'negbin' (``offset`` names an exposure column; the model uses its
    log). Seasonality:
    ``harmonics`` Fourier pairs of ``season_col`` with ``period`` (default 12; the calendar
    month when time holds dates and no season column is given), or ``season_indicators``.
    ``phase_in`` periods after each interruption are left out; ``end`` is the first period
    after the intervention stopped; ``group``/``treated`` name the series column and the
    treated series for a controlled ITS. ``level_at`` ('first_post' or 'last_pre') is where
    the level change is measured. Bad input raises :class:`~wellbeing_analysis.errors.InputError`.
    The result's :meth:`~ITSResult.checks` say whether there are enough data for the model and
    whether its fit can be trusted (:func:`check_its` runs the data checks without fitting).
    """
    options = ITSOptions(
        time=time, outcome=outcome, interruptions=interruptions, family=family, offset=offset,
        season_col=season_col, period=period, harmonics=harmonics,
        season_indicators=season_indicators, covariates=covariates, hac_lags=hac_lags,
        ar_order=ar_order, slope_change=slope_change, phase_in=phase_in, end=end, group=group,
        treated=treated, level_at=level_at,
    )
    if not options.interruptions or options.interruptions == (None,):
        raise InputError("give at least one interruption (the first period after the change)")
    return ITSResult(prepare(data, options), options)


def check_its(data: pd.DataFrame, *, suppress_below: int | None = None, **kwargs) -> Checks:
    """The data checks of :func:`fit_its` with the same arguments, without fitting: whether
    there are enough points, seasonal cycles and events for the model (see :mod:`.checks`).

    A table that cannot be analysed at all still raises
    :class:`~wellbeing_analysis.errors.InputError`.
    """
    options = ITSOptions(**{"family": DEFAULT_FAMILY, **kwargs})
    if not options.interruptions or options.interruptions == (None,):
        raise InputError("give at least one interruption (the first period after the change)")
    prepared = prepare(data, options)
    return data_checks(prepared, build_design(prepared, options), options,
                       unit=prepared.axis.unit, suppress_below=suppress_below)


@dataclass(frozen=True)
class CumulativeEffect:
    """The summed effect over a window of post-interruption periods, with its interval."""

    start: str
    stop: str
    n_periods: int
    observed_total: float
    fitted_total: float
    counterfactual_total: float
    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    p_value: float
    relative: float
    relative_ci_lower: float
    relative_ci_upper: float
    relative_p_value: float = float("nan")  # test of the log of sum(fitted) / sum(expected)
    relative_df: float = float("inf")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["relative_df"] = None if not np.isfinite(self.relative_df) else self.relative_df
        return d


def _fmt(x: float) -> str:
    return f"{x:.3g}"


class ITSResult:
    """A fitted ITS: coefficients, effects, counterfactual, diagnostics, plots, JSON.

    Built by :func:`fit_its`; the constructor fits. Never prints and never shows a figure.
    """

    def __init__(self, prepared: Prepared, options: ITSOptions):
        self.options = options
        self._prepared = prepared
        self.design: Design = build_design(prepared, options)
        self.model: ModelFit = fit_model(self.design, prepared, options)

    # ------------------------------------------------------------------ basic facts
    @property
    def family(self) -> str:
        return self.options.family

    @property
    def n_obs(self) -> int:
        return self.model.nobs

    @property
    def dispersion(self) -> float:
        """Pearson X2 / (n - k) of the fit (see :mod:`.models`)."""
        return float(self.model.dispersion)

    @property
    def data(self) -> pd.DataFrame:
        """The input as analysed: time, period index, series, outcome, exposure, segment."""
        p = self._prepared
        out = pd.DataFrame({"time": p.axis.column(p.t), "t": p.t, "period": self.design.period,
                            "fitted_in_model": self.design.used, "observed": p.y})
        if p.exposure is not None:
            out["exposure"] = p.exposure
        if self.design.controlled:
            out.insert(2, "series", p.series)
            out.insert(3, "treated", p.treated)
        return out

    @cached_property
    def coefficients(self) -> pd.DataFrame:
        """One row per model term: estimate, standard error, df, CI, p-value (and ratios)."""
        table = contrasts(self.model, np.eye(len(self.design.names)))
        table.insert(0, "term", self.design.names)
        return table

    def _estimate(self, *names: str) -> Estimate:
        return estimate(self.model, self.design.vector(*names))

    @property
    def level_change(self) -> Estimate:
        """Level change at the first interruption (treated minus comparison if controlled)."""
        return self._estimate("level_change")

    @property
    def slope_change(self) -> Estimate | None:
        """Slope change at the first interruption (None without a slope change term)."""
        return self._estimate("slope_change") if self.options.slope_change else None

    @property
    def pre_trend(self) -> Estimate:
        """Trend per period before the first interruption (of the treated series)."""
        return self._estimate(*self.design.trend_terms(-1))

    @property
    def post_trend(self) -> Estimate:
        """Trend per period after the first interruption (of the treated series)."""
        return self._estimate(*self.design.trend_terms(0))

    # ------------------------------------------------------------------ effects
    @cached_property
    def _effect_table(self) -> pd.DataFrame:
        d, p = self.design, self._prepared
        rows = self._prepared.treated
        offset = None if d.offset is None else d.offset[rows]
        table = counterfactual_table(self.model, d.X[rows], d.X_counterfactual[rows], offset)
        before = p.t[rows] < p.interruption_t[0]
        table.loc[before, [c for c in table.columns if c != "fitted"]] = np.nan
        phase = ~d.used[rows]
        table.loc[phase, [c for c in table.columns if not c.startswith("counterfactual")]] = np.nan
        front = pd.DataFrame({"time": p.axis.column(p.t[rows]), "t": p.t[rows],
                              "period": d.period[rows], "observed": p.y[rows]})
        if p.exposure is not None:
            front["exposure"] = p.exposure[rows]
        return pd.concat([front, table], axis=1)

    def counterfactual(self) -> pd.DataFrame:
        """Per period of the treated series: observed, fitted, counterfactual with its band,
        and the absolute and relative effect with intervals (formulas in :mod:`.effects`).

        Counterfactual and effect are empty before the first interruption; fitted values and
        effects are empty in phase-in periods (left out of the fit).
        """
        return self._effect_table.copy()

    def effects(self, horizons=ITS_DEFAULT_HORIZONS) -> pd.DataFrame:
        """Absolute and relative effect ``h`` periods after the first interruption.

        Horizons count from the intervention's start (the interruption), not from the end of
        any phase-in: horizon 0 is the interruption's own period, 6 the sixth period after it.
        A horizon inside the phase-in has no effect (those periods are not fitted). On the log
        link with an offset the absolute effect uses that period's exposure (e.g. days lost
        avoided).
        """
        table = self._effect_table
        start = self._prepared.interruption_t[0]
        last = int(table["t"].max())
        rows = []
        for h in horizons:  # a handful of horizons
            if isinstance(h, bool) or not float(h).is_integer() or h < 0:
                raise InputError(f"horizons must be whole numbers of periods >= 0, not {h!r}")
            if start + h > last:
                raise InputError(f"horizon {h} lies beyond the data: the last period is "
                                 f"{last - start} periods after {self.design.labels[0]}")
            rows.append(int(np.flatnonzero(table["t"].to_numpy() == start + h)[0]))
        out = table.iloc[rows].drop(columns=["period"]).reset_index(drop=True)
        out.insert(0, "horizon", [int(h) for h in horizons])
        return out

    def cumulative_effect(self, periods: int | None = None) -> CumulativeEffect:
        """Summed effect from the first interruption's start over ``periods`` fitted periods
        (all post-interruption periods if None), with its interval (see :mod:`.effects`)."""
        d, p = self.design, self._prepared
        rows = self._prepared.treated & d.used & (p.t >= d.starts[0])
        available = int(rows.sum())
        if periods is not None:
            if isinstance(periods, bool) or not float(periods).is_integer() or periods < 1:
                raise InputError(f"periods must be a whole number >= 1, not {periods!r}")
            if periods > available:
                raise InputError(f"periods={periods} exceeds the {available} fitted periods "
                                 f"after {d.labels[0]}")
            rows &= p.t < d.starts[0] + periods
        offset = None if d.offset is None else d.offset[rows]
        res = cumulative(self.model, d.X[rows], d.X_counterfactual[rows], offset, p.y[rows])
        t = p.t[rows]
        return CumulativeEffect(start=p.axis.label(int(t.min())), stop=p.axis.label(int(t.max())),
                                **res)

    # ------------------------------------------------------------------ diagnostics
    @cached_property
    def _diagnostics(self) -> diag.Diagnostics:
        return diag.compute_diagnostics(self.model, self.design, period=self._season_period,
                                        hac_lags=self.options.hac_lags)

    @property
    def _season_period(self) -> int | None:
        return self.options.period if self._prepared.season is not None else None

    def diagnostics(self) -> diag.Diagnostics:
        """Residual autocorrelation (ACF, PACF, Durbin-Watson, Ljung-Box, Breusch-Godfrey),
        overdispersion and points either side of each change, with warnings."""
        return self._diagnostics

    @property
    def warnings(self) -> list[str]:
        """Everything a reader should know before trusting the numbers (plain English)."""
        return list(self._diagnostics.warnings)

    @cached_property
    def _checks(self) -> Checks:
        p = self._prepared
        return (data_checks(p, self.design, self.options, unit=p.axis.unit)
                + fit_checks(self) + diagnostic_checks(self))

    def checks(self, *, suppress_below: int | None = None) -> Checks:
        """Guardrails and diagnostics (see :mod:`.checks`): ``.status`` is 'ok', 'not enough
        data' or 'model not trusted'; ``.failed`` lists what failed and what data would be
        needed. When a guardrail fails, the effects should not be reported. Event totals below
        ``suppress_below`` are written 'fewer than N'."""
        if suppress_below is None:
            return self._checks
        p = self._prepared
        return (data_checks(p, self.design, self.options, unit=p.axis.unit,
                            suppress_below=suppress_below)
                + fit_checks(self) + diagnostic_checks(self))

    def _mean_model_acf(self) -> tuple[pd.DataFrame, str]:
        """ACF table of the residuals of the mean model without an error model."""
        m = self.model
        if m.family == "glsar":
            X, y = self.design.X[self.design.used], self._prepared.y[self.design.used]
            resid, what = y - X @ np.linalg.lstsq(X, y, rcond=None)[0], "OLS residuals"
        elif m.family == "quasipoisson_ar":  # Pearson residuals of the fitted mean
            d, used = self.design, self.design.used
            eta = d.X[used] @ m.params + (0.0 if d.offset is None else d.offset[used])
            mu = np.exp(eta)
            resid, what = (self._prepared.y[used] - mu) / np.sqrt(mu), "Pearson residuals"
        else:
            resid = m.resid
            what = "OLS residuals" if m.family == "ols" else "Pearson residuals"
        blocks = resid.reshape(m.n_series, -1)
        return diag.autocorrelation_table(blocks, diag.max_lag_for(blocks.shape[1])), what

    def suggest_hac_lags(self) -> diag.Suggestion:
        """Newey-West lags suggested by the residual ACF of the mean model (with the reason)."""
        table, what = self._mean_model_acf()
        return diag.suggest_hac_lags(table, period=self._season_period, what=what)

    def suggest_ar_order(self) -> diag.Suggestion:
        """AR order suggested by the residual PACF of the mean model (with the reason)."""
        table, what = self._mean_model_acf()
        return diag.suggest_ar_order(table, what=what)

    def placebo(self, *, min_points: int = ITS_MIN_POINTS_EACH_SIDE, times=None):
        """Placebo interruptions in the pre-period (see :mod:`.placebo`)."""
        from wellbeing_analysis.its.placebo import run_placebo
        return run_placebo(self, min_points=min_points, times=times)

    # ------------------------------------------------------------------ output
    def plot(self, ax=None, *, per_exposure: float | None = None, y_label: str | None = None):
        """Observed points, fitted line, counterfactual with its band, interruption lines
        (as rates per ``per_exposure`` units of exposure when given; see ``plot_its``)."""
        from wellbeing_analysis.its.plot import plot_its
        return plot_its(self, ax=ax, per_exposure=per_exposure, y_label=y_label)

    def plot_acf(self, ax=None):
        """Residual autocorrelation by lag with its significance band."""
        from wellbeing_analysis.its.plot import plot_residual_acf
        return plot_residual_acf(self, ax=ax)

    def summary(self) -> pd.DataFrame:
        """One row per reported quantity: trends, and each change's level and slope."""
        d = self.design
        rows = {"trend before": d.vector(*d.trend_terms(-1))}
        for i, (sfx, label) in enumerate(zip(d.suffixes, d.labels)):
            what = "end of intervention" if sfx == "_end" else "change"
            if d.controlled:
                rows[f"comparison level {what} at {label}"] = d.vector(
                    f"comparison_level_change{sfx}")
            rows[f"level {what} at {label}"] = d.vector(f"level_change{sfx}")
            if d.slope_change:
                if d.controlled:
                    rows[f"comparison slope {what} at {label}"] = d.vector(
                        f"comparison_slope_change{sfx}")
                rows[f"slope {what} at {label}"] = d.vector(f"slope_change{sfx}")
            rows[f"trend after {label}"] = d.vector(*d.trend_terms(i))
        table = contrasts(self.model, np.array(list(rows.values())))
        table.insert(0, "quantity", list(rows))
        return table

    @property
    def text(self) -> str:
        """The headline result in plain English."""
        d, unit = self.design, self._prepared.axis.unit
        lc, post = self.level_change, self.post_trend
        ci = f"{CONFIDENCE_LEVEL:.0%} CI"
        rel = " relative to the comparison series" if d.controlled else ""
        out = self.options.outcome
        if self.model.link == "log":
            s = (f"At {d.labels[0]} the rate of {out} changed by {lc.ratio - 1:+.1%}{rel} "
                 f"(rate ratio {_fmt(lc.ratio)}, {ci} {_fmt(lc.ratio_ci_lower)} to "
                 f"{_fmt(lc.ratio_ci_upper)}; p = {lc.p_value:.2g}).")
            if self.slope_change is not None:
                sc = self.slope_change
                s += (f" Its trend changed by a factor of {_fmt(sc.ratio)} per {unit} "
                      f"({ci} {_fmt(sc.ratio_ci_lower)} to {_fmt(sc.ratio_ci_upper)}).")
        else:
            s = (f"At {d.labels[0]} the level of {out} changed by {lc.estimate:+.3g}{rel} "
                 f"({ci} {_fmt(lc.ci_lower)} to {_fmt(lc.ci_upper)}; p = {lc.p_value:.2g}).")
            if self.slope_change is not None:
                sc = self.slope_change
                s += (f" Its trend changed by {sc.estimate:+.3g} per {unit} ({ci} "
                      f"{_fmt(sc.ci_lower)} to {_fmt(sc.ci_upper)}), to {post.estimate:+.3g} "
                      f"per {unit} afterwards.")
        s += f" Model: {self.model.method}."
        checks = self.checks()
        if not checks.ok:
            s = (f"Not to be relied on ({checks.status}): {checks.text} " + s)
        return s

    def to_dict(self) -> dict:
        """The JSON contract of ``wellbeing its --json`` (NaN becomes null)."""
        coef = {
            r["term"]: {k: _num(r[k]) for k in ("estimate", "std_error", "ci_lower", "ci_upper",
                                                  "p_value")}
            for r in self.coefficients.to_dict("records")
        }
        sc = self.slope_change
        return {
            "family": self.family,
            "method": self.model.method,
            "n_obs": self.n_obs,
            "n_series": self._prepared.n_series,
            "interruptions": list(self.design.labels),
            "dispersion": _num(self.dispersion),
            "scale": None if self.model.scale is None else _num(self.model.scale),
            "dispersion_by_series": None if self.model.dispersion_by_series is None else [
                _num(v) for v in self.model.dispersion_by_series],
            "hac_lags": self.options.hac_lags,
            "ar_coefficients": None if self.model.ar is None else [float(a) for a in
                                                                    self.model.ar],
            "coefficients": coef,
            "level_change": _clean(self.level_change.to_dict()),
            "slope_change": None if sc is None else _clean(sc.to_dict()),
            "post_trend": _clean(self.post_trend.to_dict()),
            "diagnostics": self._diagnostics.to_dict(),
            "warnings": self.warnings,
            "status": self.checks().status,
            "checks": self.checks().to_dict(),
            "summary": self.text,
        }


def _num(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def _clean(d: dict) -> dict:
    return {k: (None if v is None else _num(v)) for k, v in d.items()}
