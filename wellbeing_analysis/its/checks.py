"""Guardrails of an ITS: whether there are enough data for the model, and whether its fit can
be trusted, checked before any effect is shown.

Each :class:`Check` has a name, whether it passed, a plain-English detail and, when it failed,
what data would be needed. There are three kinds:

- ``data``: before fitting. Points before and after each change (at least
  ITS_MIN_POINTS_EACH_SIDE, Penfold & Zhang 2013, and before the first change at least
  ITS_MIN_POINTS_PER_PRE_PARAMETER per coefficient the pre-period alone estimates);
  residual degrees of freedom (ITS_MIN_RESIDUAL_DF); full seasonal cycles before the first
  change (K Fourier pairs need K + ITS_SEASON_EXTRA_CYCLES, season indicators
  ITS_MIN_CYCLES_SEASON_INDICATORS); and for counts the events before the first change
  (ITS_MIN_EVENTS_BEFORE) and after each change (ITS_MIN_EVENTS_AFTER; none at all is
  separation: the rate after the change is zero and its ratio to the rate before is not
  estimable). A failure means *not enough data*.
- ``fit``: after fitting. Convergence; finite estimates and standard errors; level-change
  standard errors that are not absurd (ITS_MAX_LOG_SE on the log scale,
  ITS_MAX_SE_OUTCOME_SD outcome SDs on the identity link); no separation (fitted counts
  driven below ITS_SEPARATION_FRACTION of the mean); a counterfactual that stays within
  ITS_MAX_EXTRAPOLATION_FACTOR of the rates seen before the change (no overflow); no
  perfect fit (ITS_PERFECT_FIT_TOLERANCE). A failure means *model not trusted*.
- ``diagnostic``: residual autocorrelation left by the model, overdispersion, Newey-West on
  a short series, an AR estimate at its bound. Shown with the results; they do not stop
  them.

The thresholds are our choices (constants.py says why); the simulation in
benchmarks/bench_evaluation_sim.py measures the intervals they protect.

Why one module of this length: every guardrail sits in one list a reviewer can read end to
end against docs/its.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    CONFIDENCE_LEVEL,
    ITS_MAX_EXTRAPOLATION_FACTOR,
    ITS_MAX_LOG_SE,
    ITS_MAX_SE_OUTCOME_SD,
    ITS_MIN_CYCLES_SEASON_INDICATORS,
    ITS_MIN_EVENTS_AFTER,
    ITS_MIN_EVENTS_BEFORE,
    ITS_MIN_POINTS_EACH_SIDE,
    ITS_MIN_POINTS_PER_PRE_PARAMETER,
    ITS_MIN_RESIDUAL_DF,
    ITS_NEWEY_WEST_MIN_POINTS,
    ITS_PERFECT_FIT_TOLERANCE,
    ITS_SEASON_EXTRA_CYCLES,
    ITS_SEPARATION_FRACTION,
)

#: Kinds of check, and the status a failure of each gives.
KINDS = ("data", "fit", "diagnostic")
STATUS_OK = "ok"
STATUS_NOT_ENOUGH_DATA = "not enough data"
STATUS_NOT_TRUSTED = "model not trusted"
STATUSES = (STATUS_OK, STATUS_NOT_ENOUGH_DATA, STATUS_NOT_TRUSTED)


@dataclass(frozen=True)
class Check:
    """One guardrail or diagnostic: what was checked, whether it passed, and in plain English
    what was found and (if it failed) what data would be needed."""

    name: str
    passed: bool
    detail: str
    needed: str | None = None
    kind: str = "data"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Checks:
    """An ordered collection of checks with the status they give."""

    items: tuple[Check, ...] = ()

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __add__(self, other: Checks) -> Checks:
        return Checks(self.items + tuple(other))

    def __getitem__(self, name: str) -> Check:
        for c in self.items:
            if c.name == name:
                return c
        raise KeyError(name)

    def names(self) -> list[str]:
        return [c.name for c in self.items]

    @property
    def failed(self) -> list[Check]:
        """Guardrails (data and fit checks) that failed; diagnostics never stop results."""
        return [c for c in self.items if not c.passed and c.kind != "diagnostic"]

    @property
    def warnings(self) -> list[Check]:
        """Diagnostics that failed (shown beside the results)."""
        return [c for c in self.items if not c.passed and c.kind == "diagnostic"]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def status(self) -> str:
        """'ok', 'not enough data' (a data check failed) or 'model not trusted' (a fit
        check failed)."""
        kinds = {c.kind for c in self.failed}
        if "data" in kinds:
            return STATUS_NOT_ENOUGH_DATA
        return STATUS_NOT_TRUSTED if "fit" in kinds else STATUS_OK

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([c.to_dict() for c in self.items],
                            columns=["name", "kind", "passed", "detail", "needed"])

    def to_dict(self) -> list[dict]:
        return [c.to_dict() for c in self.items]

    @property
    def text(self) -> str:
        """The failed guardrails in plain English ('' when all passed)."""
        return " ".join(c.detail + (f" {c.needed}" if c.needed else "") for c in self.failed)


# --------------------------------------------------------------------------- data checks
def harmonics_allowed(n_before: int, period: int) -> int:
    """Fourier pairs the period before the first change supports: full cycles minus
    ITS_SEASON_EXTRA_CYCLES (never negative)."""
    return max(0, n_before // period - ITS_SEASON_EXTRA_CYCLES)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def data_checks(prepared, design, options, *, unit: str = "period",
                suppress_below: int | None = None) -> Checks:
    """Checks of the data against the model, before fitting (see the module docstring).

    Event totals from 1 to ``suppress_below - 1`` are written 'fewer than N' (small counts of
    people are not shown; see :mod:`wellbeing_analysis.disclosure`)."""
    seg = design.segments
    n_season = sum(n.startswith(("sin", "cos", "season_")) for n in design.names)
    p_pre = 2 + n_season + len(options.covariates)
    first_min = max(ITS_MIN_POINTS_EACH_SIDE, ITS_MIN_POINTS_PER_PRE_PARAMETER * p_pre)
    items = []
    for i, r in enumerate(seg.to_dict("records")):
        sfx = "" if i == 0 else f"_{i + 1}"
        need = first_min if i == 0 else ITS_MIN_POINTS_EACH_SIDE
        why = (f"(at least {ITS_MIN_POINTS_EACH_SIDE}, and {ITS_MIN_POINTS_PER_PRE_PARAMETER} "
               f"for each of the {p_pre} coefficients estimated from the period before)"
               if i == 0 else f"(at least {ITS_MIN_POINTS_EACH_SIDE})")
        ok = r["n_before"] >= need
        items.append(Check(
            f"points_before{sfx}", bool(ok),
            f"{_plural(int(r['n_before']), unit)} before the change at {r['change']}; the "
            f"model needs {need} {why}.",
            None if ok else f"Needed: {need - int(r['n_before'])} more {unit}(s) of data "
                            f"before {r['change']}, or a simpler model.", "data"))
        ok = r["n_after"] >= ITS_MIN_POINTS_EACH_SIDE
        items.append(Check(
            f"points_after{sfx}", bool(ok),
            f"{_plural(int(r['n_after']), unit)} analysed after the change at {r['change']}; "
            f"at least {ITS_MIN_POINTS_EACH_SIDE} are needed (Penfold & Zhang 2013).",
            None if ok else f"Needed: {ITS_MIN_POINTS_EACH_SIDE - int(r['n_after'])} more "
                            f"{unit}(s) of data after the change.", "data"))
    n_used, k = int(design.used.sum()), len(design.names)
    ok = n_used - k >= ITS_MIN_RESIDUAL_DF
    items.append(Check(
        "residual_df", bool(ok),
        f"{n_used} fitted points for {k} coefficients leave {n_used - k} residual degrees of "
        f"freedom; at least {ITS_MIN_RESIDUAL_DF} are needed.",
        None if ok else f"Needed: {ITS_MIN_RESIDUAL_DF - (n_used - k)} more points, or fewer "
                        "terms (seasonal terms, covariates).", "data"))
    items.append(_season_check(prepared, design, options, unit))
    if options.link == "log":
        items += _event_checks(prepared, design, suppress_below)
    return Checks(tuple(items))


def _season_check(prepared, design, options, unit: str) -> Check:
    if prepared.season is None:
        return Check("seasonal_cycles", True, "No seasonal terms in the model.", None, "data")
    n_before = int(design.segments["n_before"].iloc[0])
    if options.season_indicators:
        period = options.period or len(pd.unique(pd.Series(prepared.season, dtype=object)))
        need, what = ITS_MIN_CYCLES_SEASON_INDICATORS, "one indicator per season"
    else:
        period = options.period
        need = options.harmonics + ITS_SEASON_EXTRA_CYCLES
        what = f"{_plural(options.harmonics, 'Fourier pair')}"
    cycles = n_before / period
    ok = n_before >= need * period
    detail = (f"{what} need {need} full seasonal cycles ({need * period} {unit}s) before the "
              f"first change; there are {cycles:.2g}.")
    needed = None
    if not ok:
        allowed = harmonics_allowed(n_before, period)
        simpler = ("no seasonal terms" if allowed == 0 else
                   f"at most {_plural(allowed, 'Fourier pair')}")
        needed = (f"Needed: {need * period - n_before} more {unit}(s) before the change, or "
                  f"{simpler}.")
    return Check("seasonal_cycles", bool(ok), detail, needed, "data")


def _count(value: float, suppress_below: int | None) -> str:
    if suppress_below is not None and 0 < value < suppress_below:
        return f"fewer than {suppress_below}"
    return f"{value:,.0f}"


def _event_checks(prepared, design, suppress_below: int | None = None) -> list[Check]:
    """Events before the first change and after each change, per series."""
    y, t = prepared.y, prepared.t
    used = design.used
    starts, stops = design.starts, list(design.starts[1:]) + [prepared.n_periods]
    first_stop = prepared.interruption_t[0]
    series = pd.unique(pd.Series(prepared.series, dtype=object))
    before_ok, after_ok = True, True
    before_detail, after_detail, needed = [], [], []
    for s in series:  # the treated series, and any comparison series (a handful)
        rows = (prepared.series == s) if prepared.n_series > 1 else np.ones(len(y), bool)
        name = f"series {s!r}: " if prepared.n_series > 1 else ""
        total = float(y[rows & used].sum())
        before = float(y[rows & used & (t < first_stop)].sum())
        if total == 0:
            before_ok = after_ok = False
            before_detail.append(f"{name}no events at all: every period is zero")
            needed.append("Needed: a series with events (a larger group, or longer periods).")
            continue
        if before < ITS_MIN_EVENTS_BEFORE:
            before_ok = False
            needed.append(f"Needed: at least {ITS_MIN_EVENTS_BEFORE} events before the "
                          "change (more months, or a larger group).")
        before_detail.append(f"{name}{_count(before, suppress_below)} before the change")
        for s0, s1, label in zip(starts, stops, design.labels):
            after = float(y[rows & used & (t >= s0) & (t < s1)].sum())
            if after == 0:
                after_ok = False
                after_detail.append(f"{name}none after the change at {label}: the rate after "
                                    "it is zero, so its ratio to the rate before cannot be "
                                    "estimated (separation)")
                needed.append("Needed: more months after the change, until events occur.")
            elif after < ITS_MIN_EVENTS_AFTER:
                after_ok = False
                after_detail.append(f"{name}{_count(after, suppress_below)} after the change at "
                                    f"{label}")
                needed.append(f"Needed: at least {ITS_MIN_EVENTS_AFTER} events after the "
                              "change (more months after it).")
            else:
                after_detail.append(f"{name}{_count(after, suppress_below)} after the change "
                                    f"at {label}")
    out = [Check("events_before", before_ok,
                 "Events (the counted outcome): " + "; ".join(before_detail) + f" (at least "
                 f"{ITS_MIN_EVENTS_BEFORE} are needed).",
                 None if before_ok else " ".join(dict.fromkeys(needed)), "data")]
    out.append(Check("events_after", after_ok,
                     "Events after the change: " + ("; ".join(after_detail) or
                                                     "none (no events at all)")
                     + f" (at least {ITS_MIN_EVENTS_AFTER} are needed).",
                     None if after_ok else " ".join(dict.fromkeys(needed)), "data"))
    return out


# --------------------------------------------------------------------------- fit checks
def fit_checks(result) -> Checks:
    """Checks of a fitted :class:`~wellbeing_analysis.its.ITSResult` (module docstring)."""
    m, d, p = result.model, result.design, result._prepared
    items = []
    ok = bool(m.converged) and not any("converge" in w for w in m.warnings)
    items.append(Check("converged", ok, "The fitting algorithm converged." if ok else
                       "The fitting algorithm did not converge: " + "; ".join(m.warnings),
                       None if ok else "Needed: more data, or fewer terms.", "fit"))
    finite = bool(np.isfinite(m.params).all() and np.isfinite(m.cov).all()
                  and (np.diag(m.cov) >= 0).all())
    items.append(Check("finite_estimates", finite,
                       "Every estimate and standard error is a finite number." if finite else
                       "Some estimates or standard errors are not finite numbers.",
                       None if finite else "Needed: more data, or fewer terms.", "fit"))
    rows = p.treated & d.used
    y = p.y[rows]
    cols = [d.names.index(n) for n in d.names if n.startswith("level_change")]
    se = np.sqrt(np.abs(np.diag(m.cov)[cols])) if finite else np.array([np.inf])
    log = m.link == "log"
    limit = ITS_MAX_LOG_SE if log else ITS_MAX_SE_OUTCOME_SD * float(np.std(y, ddof=1) or 1.0)
    ok = bool(np.isfinite(se).all() and (se <= limit).all())
    scale = "on the log scale" if log else "in outcome units"
    items.append(Check(
        "standard_errors", ok,
        f"Largest standard error of a level change {float(np.max(se)):.3g} {scale} (at most "
        f"{limit:.3g} is plausible).", None if ok else
        "Needed: more data around the change; the estimate is too unstable to report.", "fit"))
    eta = d.X @ m.params + (0.0 if d.offset is None else d.offset)
    eta_cf = d.X_counterfactual @ m.params + (0.0 if d.offset is None else d.offset)
    if log:
        with np.errstate(over="ignore"):
            mu = np.exp(eta[rows])
        mean_y = float(np.mean(y)) if len(y) else 0.0
        ok = bool(finite and np.isfinite(mu).all() and mean_y > 0
                  and mu.min() >= ITS_SEPARATION_FRACTION * mean_y)
        items.append(Check(
            "separation", ok,
            "No segment's fitted rate is driven to zero." if ok else
            "The fitted rate of some periods is driven towards zero (separation: a segment "
            "with no or almost no events).", None if ok else
            "Needed: events in every segment (more months, or a larger group).", "fit"))
    items.append(_counterfactual_check(result, eta_cf, log, finite))
    if log:
        ok = bool(m.pearson_chi2 / max(m.df_resid, 1) > ITS_PERFECT_FIT_TOLERANCE)
        fit_what = "Pearson X2 / df"
        value = m.pearson_chi2 / max(m.df_resid, 1)
    else:
        var_y = float(np.var(y)) or 1.0
        value = float(m.dispersion) / var_y
        ok = bool(value > ITS_PERFECT_FIT_TOLERANCE)
        fit_what = "residual variance / outcome variance"
    items.append(Check(
        "perfect_fit", ok,
        f"The model does not fit the data exactly ({fit_what} = {value:.3g})." if ok else
        f"The model fits the data exactly ({fit_what} = {value:.3g}): it has as many terms as "
        "the data can support, so its intervals mean nothing.",
        None if ok else "Needed: more data, or fewer terms (seasonal terms, covariates).",
        "fit"))
    return Checks(tuple(items))


def _counterfactual_check(result, eta_cf, log: bool, finite: bool) -> Check:
    """The counterfactual after the first change stays near the values seen before it."""
    d, p = result.design, result._prepared
    rows = p.treated & (p.t >= d.starts[0]) & d.used
    pre = p.treated & d.used & (p.t < p.interruption_t[0])
    F = ITS_MAX_EXTRAPOLATION_FACTOR
    if log:
        expo = np.ones(len(p.y)) if p.exposure is None else p.exposure
        off = np.zeros(len(p.y)) if d.offset is None else d.offset
        with np.errstate(over="ignore"):
            cf_rate = np.exp(eta_cf[rows] - off[rows])
        obs = p.y[pre] / expo[pre]
        lo, hi = float(obs.mean()) / F, float(obs.max()) * F
        what = "rate"
    else:
        cf_rate = eta_cf[rows]
        obs = p.y[pre]
        spread = float(obs.max() - obs.min()) or float(abs(obs.mean())) or 1.0
        lo, hi = float(obs.min()) - F * spread, float(obs.max()) + F * spread
        what = "value"
    ok = bool(finite and len(cf_rate) and np.isfinite(cf_rate).all()
              and cf_rate.min() >= lo and cf_rate.max() <= hi)
    if not len(cf_rate):
        ok = False
    detail = (f"The expected {what} had nothing changed stays within the plausible range "
              f"({lo:.3g} to {hi:.3g}, from the values before the change)." if ok else
              f"The expected {what} had nothing changed leaves the plausible range ({lo:.3g} to "
              f"{hi:.3g}): the trend before the change has been extrapolated into nonsense "
              "(overflow).")
    return Check("counterfactual", ok, detail, None if ok else
                 "Needed: a longer, steadier period before the change, or a model without a "
                 "trend term.", "fit")


# --------------------------------------------------------------------------- diagnostics
def diagnostic_checks(result) -> Checks:
    """Diagnostics shown beside the results (residual autocorrelation, overdispersion, HAC
    lags on a short series, an AR estimate at its bound)."""
    m, diag = result.model, result.diagnostics()
    items = []
    lag1 = diag.table.iloc[0]
    autocorrelated = bool(abs(lag1["acf"]) > lag1["acf_band"]
                          or (np.isfinite(diag.ljung_box_p)
                              and diag.ljung_box_p < 1 - CONFIDENCE_LEVEL))
    allowed = m.ar is not None or result.options.hac_lags is not None
    stats_ = (f"lag-1 autocorrelation {lag1['acf']:.2f}, Durbin-Watson "
              f"{diag.durbin_watson:.2f}, Ljung-Box p = {diag.ljung_box_p:.2g}")
    if not autocorrelated:
        detail = f"No residual autocorrelation left ({diag.residuals}: {stats_})."
    elif allowed:
        detail = (f"Some autocorrelation is left after the model's error structure "
                  f"({diag.residuals}: {stats_}).")
    else:
        detail = (f"The residuals are autocorrelated ({stats_}) but the model assumes "
                  "independent months: its intervals are likely too narrow.")
    items.append(Check("autocorrelation", not autocorrelated, detail, None, "diagnostic"))
    if m.link == "log":
        disp = float(m.dispersion)
        if m.family == "poisson":
            ok = diag.dispersion_p is None or diag.dispersion_p >= 1 - CONFIDENCE_LEVEL
            detail = (f"Pearson X2/df = {disp:.2f}" + ("" if ok else
                      ": overdispersed, so Poisson intervals are too narrow") + ".")
        else:
            ok = True
            used = f"; intervals use {m.scale:.2f}" if m.scale is not None else ""
            detail = f"Dispersion {disp:.2f}{used} (allowed for by the model)."
        items.append(Check("overdispersion", bool(ok), detail, None, "diagnostic"))
    L = result.options.hac_lags
    if L is not None:
        n_per = m.nobs // max(m.n_series, 1)
        ok = n_per >= ITS_NEWEY_WEST_MIN_POINTS
        items.append(Check(
            "newey_west_length", bool(ok),
            f"Newey-West standard errors on {n_per} points per series" + (
                "." if ok else f": fewer than {ITS_NEWEY_WEST_MIN_POINTS}, where their 95% "
                "intervals cover the truth too rarely (benchmarks/bench_evaluation_sim.py); "
                "use family 'glsar'."), None, "diagnostic"))
    if m.ar is not None:
        at_bound = any("reached the bound" in w for w in m.warnings)
        items.append(Check("ar_bound", not at_bound,
                           f"AR coefficient(s) {np.round(m.ar, 2).tolist()}" + (
                               ": at the bound of stationarity; degrees of freedom fall back "
                               "to n - k." if at_bound else "."), None, "diagnostic"))
    return Checks(tuple(items))
