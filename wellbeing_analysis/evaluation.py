"""Evaluating an intervention on a service's monthly absence and leaving: the interrupted
time-series analyses behind the intervention-evaluation report.

For one outcome (sickness absence: FTE days lost with FTE days available as exposure;
leaving: leavers with headcount as exposure) :func:`evaluate_outcome` fits

- the **primary model**: segmented regression with the params' family (quasi-Poisson by
  default: log link, ``log(exposure)`` offset, dispersion from Pearson X²), Fourier
  seasonality, a term for each disturbance to adjust for (e.g. the pandemic), the
  intervention's phase-in months left out (its.md; Lopez Bernal et al. 2017);
- an **autocorrelation-adjusted model**: GLS with AR(p) errors on the monthly rate, p from
  the primary model's residual partial autocorrelation (:meth:`ITSResult.suggest_ar_order`),
  because count models assume independent months and their intervals are too narrow when
  months are correlated;
- **sensitivity analyses**: other families, no slope change, phase-in months included, no
  adjustment for disturbances, and a controlled ITS against a comparison series if given;
- **placebo interruptions** in the settled pre-period; and the **power planner**,
  calibrated on the settled pre-period (after any disturbance), for how many months are
  needed to detect a given effect and what effect the months so far can detect.

The verdict (:func:`verdict`) claims an effect only when the primary model's interval and
the autocorrelation-adjusted model's interval both exclude no change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import ITS_MIN_POINTS_EACH_SIDE, MONTHS_PER_YEAR, PLANNER_N_POST
from wellbeing_analysis.errors import InputError


@dataclass(frozen=True)
class Outcome:
    """A monthly count outcome with its exposure."""

    key: str
    label: str  # plain English, e.g. 'sickness absence'
    count: str  # monthly-table column of the count
    exposure: str  # monthly-table column of the exposure
    count_label: str  # what one unit of the count is, e.g. 'FTE days lost'
    rate_label: str

    def rate(self, frame: pd.DataFrame) -> pd.Series:
        return 100.0 * frame[self.count] / frame[self.exposure]


ABSENCE = Outcome("absence", "sickness absence", "fte_days_lost", "fte_days_available",
                  "FTE days lost", "sickness absence rate (%)")
LEAVERS = Outcome("leavers", "leaving", "leavers", "headcount", "leavers",
                  "leavers per 100 staff (%)")

#: Columns of the sensitivity table.
SENSITIVITY_COLUMNS = ("model", "what it checks", "relative_effect", "relative_lower",
                       "relative_upper", "months_after")


@dataclass(frozen=True)
class Period:
    """A disturbance to adjust for (inclusive months) and why."""

    start: str
    end: str
    reason: str

    @property
    def column(self) -> str:
        return "adjust_" + "".join(ch if ch.isalnum() else "_" for ch in self.reason.lower())


def its_frame(monthly: pd.DataFrame, *, start: str | None, end: str,
              adjust_for: tuple[Period, ...] = ()) -> pd.DataFrame:
    """The monthly table ready for :func:`~wellbeing_analysis.its.fit_its`: ``date`` (first
    of the month), ``calendar_month`` (1–12, the season), the rates, and one 0/1 column per
    disturbance to adjust for."""
    m = monthly[(monthly["month"] <= end) & ((monthly["month"] >= start) if start else True)]
    out = m.copy().reset_index(drop=True)
    out["date"] = pd.PeriodIndex(out["month"], freq="M").to_timestamp()
    out["calendar_month"] = out["date"].dt.month
    for o in (ABSENCE, LEAVERS):
        out[f"{o.key}_rate"] = o.rate(out)
    for p in adjust_for:
        out[p.column] = ((out["month"] >= p.start) & (out["month"] <= p.end)).astype(float)
    return out


@dataclass
class OutcomeEvaluation:
    """Everything the report shows for one outcome."""

    outcome: Outcome
    primary: object  # ITSResult
    adjusted: object | None  # ITSResult of the autocorrelation-adjusted model
    adjusted_reason: str
    sensitivity: pd.DataFrame
    placebo: object | None  # PlaceboResult
    power: object | None  # PowerPlan
    horizons: tuple[int, ...]
    months_after: int
    notes: list[str] = field(default_factory=list)

    @property
    def effects(self) -> pd.DataFrame:
        horizons = [h for h in self.horizons if h < self.months_after]
        return self.primary.effects(horizons) if horizons else pd.DataFrame()

    @property
    def cumulative(self):
        return self.primary.cumulative_effect()

    @property
    def detectable_now(self) -> float | None:
        return None if self.power is None else self.power.detectable_effect(self.months_after)


def _relative_row(result, label: str, checks: str) -> dict:
    c = result.cumulative_effect()
    return {"model": label, "what it checks": checks, "relative_effect": c.relative,
            "relative_lower": c.relative_ci_lower, "relative_upper": c.relative_ci_upper,
            "months_after": c.n_periods}


def evaluate_outcome(
    monthly: pd.DataFrame,
    outcome: Outcome,
    *,
    intervention_start: pd.Timestamp,
    phase_in: int = 0,
    analysis_start: str | None = None,
    end: str,
    family: str = "quasipoisson",
    harmonics: int = 2,
    adjust_for: tuple[Period, ...] = (),
    horizons: tuple[int, ...] = (6, 12),
    comparison: pd.DataFrame | None = None,
    comparison_name: str = "comparison series",
    planner_effects: tuple[float, ...] = (0.9, 0.8, 0.7),
    planner_simulations: int = 400,
    seed: int = 20240401,
) -> OutcomeEvaluation:
    """Fit the primary, adjusted and sensitivity models for one outcome (module docstring)."""
    from wellbeing_analysis.its import fit_its

    frame = its_frame(monthly, start=analysis_start, end=end, adjust_for=adjust_for)
    start_month = pd.Timestamp(intervention_start).to_period("M")
    if start_month > pd.Period(end, freq="M"):
        raise InputError(f"the intervention starts after the last complete month ({end})")
    interruption = start_month.to_timestamp()
    season = dict(season_col="calendar_month", period=MONTHS_PER_YEAR,
                  harmonics=harmonics) if harmonics else {}
    covariates = tuple(p.column for p in adjust_for)
    count_kwargs = dict(time="date", outcome=outcome.count, interruptions=[interruption],
                        offset=outcome.exposure, covariates=covariates, phase_in=phase_in,
                        **season)
    rate_kwargs = dict(time="date", outcome=f"{outcome.key}_rate", interruptions=[interruption],
                       covariates=covariates, phase_in=phase_in, **season)
    # continuous families model the monthly rate; count families the count with its exposure
    base = rate_kwargs if family in ("ols", "glsar") else count_kwargs
    primary = fit_its(frame, family=family, **base)
    months_after = int((primary.counterfactual()["period"] == "after").sum())

    if family == "glsar":
        adjusted, reason = primary, "The primary model already allows for autocorrelation."
    else:
        suggestion = primary.suggest_ar_order()
        order = max(int(suggestion.value or 1), 1)
        adjusted = fit_its(frame, family="glsar", ar_order=order, **rate_kwargs)
        reason = suggestion.reason

    rows = [_relative_row(primary, f"Primary: {family}", "the main estimate")]
    if adjusted is not primary:
        rows.append(_relative_row(adjusted, f"GLS with AR({adjusted.options.ar_order}) errors "
                                  "on the monthly rate", "allows for autocorrelation"))
    for alt in ("poisson", "quasipoisson", "negbin"):
        if alt != family:
            res = fit_its(frame, family=alt, **count_kwargs)
            rows.append(_relative_row(res, f"{alt} model", "sensitivity to the count model"))
    rows.append(_relative_row(fit_its(frame, family=family, slope_change=False, **base),
                              "level change only (no slope change)",
                              "sensitivity to the trend assumption"))
    if phase_in:
        rows.append(_relative_row(fit_its(frame, family=family, **{**base, "phase_in": 0}),
                                  "phase-in months included", "sensitivity to the phase-in"))
    if covariates:
        rows.append(_relative_row(fit_its(frame, family=family, **{**base, "covariates": ()}),
                                  "no adjustment for " + ", ".join(p.reason for p in adjust_for),
                                  "sensitivity to the disturbance adjustment"))
    notes: list[str] = []
    if comparison is not None and outcome is ABSENCE:  # the publication is of absence only
        controlled = _controlled(frame, comparison, outcome, comparison_name, interruption,
                                 phase_in, covariates, season, family)
        if controlled is not None:
            rows.append(controlled)
        else:
            notes.append(f"The {comparison_name} does not cover the analysis months, so no "
                         "controlled comparison was made.")
    sensitivity = pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))

    placebo = _placebo(primary, frame, interruption, adjust_for, notes)
    power = _power(frame, outcome, interruption, adjust_for, season, planner_effects,
                   planner_simulations, seed, notes, months_after)
    return OutcomeEvaluation(outcome, primary, adjusted, reason, sensitivity, placebo, power,
                             tuple(horizons), months_after, notes)


def _settled_start(frame: pd.DataFrame, adjust_for: tuple[Period, ...]) -> pd.Timestamp:
    """First month after the last disturbance (the settled pre-period starts here)."""
    if not adjust_for:
        return frame["date"].iloc[0]
    last = max(pd.Period(p.end, freq="M") for p in adjust_for)
    return max((last + 1).to_timestamp(), frame["date"].iloc[0])


def _placebo(primary, frame, interruption, adjust_for, notes):
    settled = _settled_start(frame, adjust_for)
    k = ITS_MIN_POINTS_EACH_SIDE
    candidates = frame["date"][(frame["date"] >= settled + pd.DateOffset(months=k))
                               & (frame["date"] <= interruption - pd.DateOffset(months=k))]
    if candidates.empty:
        notes.append("Too few settled months before the intervention for placebo tests.")
        return None
    return primary.placebo(times=list(candidates))


def _power(frame, outcome, interruption, adjust_for, season, effects, n_sim, seed, notes,
           months_after):
    from wellbeing_analysis.its import plan_power

    settled = _settled_start(frame, adjust_for)
    pre = frame[(frame["date"] >= settled) & (frame["date"] < interruption)]
    if len(pre) < 2 * ITS_MIN_POINTS_EACH_SIDE:
        notes.append("Too few settled months before the intervention to calibrate the "
                     "power planner.")
        return None
    return plan_power(pre, time="date", outcome=outcome.count, family="quasipoisson",
                      offset=outcome.exposure, effects=list(effects), n_sim=n_sim, seed=seed,
                      n_post=sorted({*PLANNER_N_POST, max(months_after, 1)}), **season)


def _controlled(frame, comparison, outcome, name, interruption, phase_in, covariates, season,
                family):
    """Controlled ITS (difference in level and slope change against the comparison)."""
    from wellbeing_analysis.its import fit_its

    comp = comparison[comparison["month"].isin(frame["month"])]
    if len(comp) != len(frame):
        return None
    comp = comp.set_index("month").loc[frame["month"]].reset_index()
    treated = frame[["month", "date", "calendar_month", outcome.count, outcome.exposure,
                     *covariates]].assign(series="service")
    other = treated.copy()
    other[outcome.count] = comp["fte_days_lost"].to_numpy()
    other[outcome.exposure] = comp["fte_days_available"].to_numpy()
    other["series"] = "comparison"
    stacked = pd.concat([treated, other], ignore_index=True)
    fam = family if family not in ("ols", "glsar") else "quasipoisson"
    res = fit_its(stacked, family=fam, time="date", outcome=outcome.count,
                  interruptions=[interruption], offset=outcome.exposure, covariates=covariates,
                  phase_in=phase_in, group="series", treated="service", **season)
    lc = res.level_change
    ratio = lc.ratio if lc.ratio is not None else np.nan
    return {"model": f"controlled ITS against the {name}",
            "what it checks": "changes that also happened elsewhere (level change, ratio of "
                              "the service's change to the comparison's)",
            "relative_effect": ratio - 1, "relative_lower": lc.ratio_ci_lower - 1,
            "relative_upper": lc.ratio_ci_upper - 1,
            "months_after": int((res.counterfactual()["period"] == "after").sum())}


def verdict(ev: OutcomeEvaluation) -> tuple[str, str]:
    """(kind, sentence): kind is 'good', 'concern' or 'caution'; the sentence is honest about
    what the data can and cannot tell (its.md)."""
    from wellbeing_analysis.narrative import its_verdict

    c = ev.cumulative
    label = ev.outcome.label
    text = its_verdict(estimate_ratio=1 + c.relative, ci_lower=1 + c.relative_ci_lower,
                       ci_upper=1 + c.relative_ci_upper, outcome=label,
                       months_after=ev.months_after, min_points=ITS_MIN_POINTS_EACH_SIDE,
                       mde_ratio=ev.detectable_now,
                       largest_planned=None if ev.power is None else
                       float(ev.power.table["effect"].min()))
    primary_clear = c.relative_ci_upper < 0 or c.relative_ci_lower > 0
    if ev.adjusted is not None and ev.adjusted is not ev.primary and primary_clear:
        a = ev.adjusted.cumulative_effect()
        if a.relative_ci_lower <= 0 <= a.relative_ci_upper:
            text += (" But allowing for month-to-month autocorrelation the interval includes no "
                     "change, so treat this as suggestive rather than conclusive.")
            return "caution", text
    if ev.months_after < ITS_MIN_POINTS_EACH_SIDE or not primary_clear:
        return "caution", text
    improvement = c.relative < 0  # fewer days lost / fewer leavers is better
    return ("good" if improvement else "concern"), text
