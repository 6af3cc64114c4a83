"""Evaluating an intervention on a service's monthly absence and leaving: the interrupted
time-series analyses behind the intervention-evaluation report and ``wellbeing evaluate``.

For one outcome (sickness absence: FTE days lost with FTE days available as exposure;
leaving: leavers with headcount as exposure) :func:`evaluate_outcome`

1. checks the data first (:mod:`wellbeing_analysis.its.checks`): points before and after the
   change for the number of coefficients, full seasonal cycles before it (with too few, fewer
   Fourier pairs are used, or none, and the notes say so), events before and after. If a check
   fails the status is ``'not enough data'`` and no effect is estimated;
2. fits **one primary model**, chosen by the data: monthly counts with an exposure get
   quasi-Poisson regression with AR(1) errors (family ``quasipoisson_ar``: log link,
   ``log(exposure)`` offset, overdispersion floored at 1, month-to-month autocorrelation by
   REML, t tests with Satterthwaite df; :mod:`wellbeing_analysis.its.glmar`), continuous
   outcomes GLS with AR(1) errors (``glsar``). Our simulation (benchmarks/
   bench_evaluation_sim.py, 400 services per cell) chose it: on service-sized series (36 + 24
   months, AR(1) coefficient 0 to 0.6) its 95% intervals cover the truth in 93.6-96.2% of
   series where quasi-Poisson with independent months covered 70.1-94.9%. Segmented
   regression with a level and a slope change, Fourier seasonality, a term for each
   disturbance to adjust for, the phase-in months left out (docs/its.md; Lopez Bernal et
   al. 2017). If a fit check fails (separation, overflow, absurd
   standard errors, a perfect fit, no convergence) the status is ``'model not trusted'`` and no
   effect is shown;
3. reports the **headline**: the cumulative relative effect over all months since the change
   (``sum(fitted) / sum(expected) - 1``) with its 95% interval and the test of its log, and
   the FTE days (or leavers) avoided, all from the primary model;
4. adds **descriptive sensitivity analyses** (other families, no slope change, phase-in
   months included, no adjustment for disturbances, a controlled ITS against a comparison
   series; :mod:`wellbeing_analysis.robustness`): not separate tests, and never the verdict;
5. runs **placebo interruptions** in the settled pre-period, and (on demand) the **power
   planner**, which simulates this same decision rule with the same guardrails.

:func:`evaluate_intervention` evaluates both outcomes and judges them together with Holm's
(1979) step-down method at a familywise 5%: the smaller headline p-value must be below 2.5%,
the larger below 5%. The verdict of an outcome is ``'improved'`` or ``'worsened'`` only when
it passes that test, ``'no clear change'`` otherwise, and ``'not enough data'`` when the
status is not ``'ok'``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    CONFIDENCE_LEVEL,
    EVALUATION_FAMILYWISE_ALPHA,
    MONTHS_PER_YEAR,
)
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its.options import AUTO_FAMILY as AUTO
from wellbeing_analysis.robustness import (
    FIT_ERRORS,
    empty_sensitivity,
    placebo_tests,
    power_arguments,
    run_power,
    sensitivity_table,
)

#: The verdicts an outcome can get, and the statuses of an evaluation.
VERDICTS = ("improved", "worsened", "no clear change", "not enough data")
STATUS_OK, STATUS_NOT_ENOUGH_DATA, STATUS_NOT_TRUSTED = ("ok", "not enough data",
                                                         "model not trusted")
#: A fit that breaks down numerically (a singular design, a failed factorisation) on data
#: that passed the checks is reported as 'model not trusted', not as a crash.


@dataclass(frozen=True)
class Outcome:
    """A monthly count outcome with its exposure."""

    key: str
    name: str  # the name in ``wellbeing evaluate --json``
    label: str  # plain English, e.g. 'sickness absence'
    count: str  # monthly-table column of the count
    exposure: str  # monthly-table column of the exposure
    count_label: str  # what one unit of the count is, e.g. 'FTE days lost'
    exposure_label: str
    rate_label: str
    people: bool  # the count is of people (small totals are not shown)

    def rate(self, frame: pd.DataFrame) -> pd.Series:
        return 100.0 * frame[self.count] / frame[self.exposure]


ABSENCE = Outcome("absence", "absence", "sickness absence", "fte_days_lost",
                  "fte_days_available", "FTE days lost", "FTE days available",
                  "sickness absence rate (%)", people=False)
LEAVERS = Outcome("leavers", "leaving", "leaving", "leavers", "headcount", "leavers",
                  "headcount", "leavers per 100 staff (%)", people=True)

#: Shown with the sensitivity table.
SENSITIVITY_CAVEAT = ("These are descriptive: the same data analysed in other reasonable ways, "
                      "not separate tests. Only the primary model decides the verdict.")


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


def primary_family(family: str, outcome: Outcome) -> str:
    """The primary model's family: the data's choice for ``'auto'`` (counts with an exposure:
    ``quasipoisson_ar``), otherwise the family asked for."""
    del outcome  # both outcomes are counts with an exposure
    return "quasipoisson_ar" if family == AUTO else family


#: Each family in words (``ols`` is named by its standard errors in :func:`describe_model`).
FAMILY_WORDS = {
    "quasipoisson_ar": "quasi-Poisson regression with AR({p}) errors",
    "quasipoisson": "quasi-Poisson regression, months independent",
    "poisson": "Poisson regression, months independent",
    "negbin": "negative binomial regression, months independent",
    "glsar": "linear regression with AR({p}) errors (GLS, REML)",
    "ols": "linear regression",
}


def describe_model(result, outcome: Outcome) -> str:
    """The primary model in words: family, what is modelled, error structure, seasonality."""
    m, o = result.model, result.options
    if m.link == "log":
        what = f"{outcome.count_label} with {outcome.exposure_label} as exposure"
    else:
        what = f"the monthly {outcome.rate_label}"
    family = (FAMILY_WORDS[m.family].format(p=o.ar_order) if m.family != "ols" else
              "linear regression, " + ("Newey–West standard errors" if o.hac_lags is not None
                                       else "classical standard errors"))
    extras = []
    if m.ar is not None:
        extras.append("AR coefficient " + ", ".join(f"{a:.2f}" for a in m.ar))
    if m.link == "log" and m.family != "poisson":
        extras.append(f"dispersion {m.dispersion:.2f}"
                      + (" (floored at 1)" if m.scale is not None and m.dispersion < 1 else ""))
    if m.df_of is not None and m.family != "ols":
        extras.append("t tests with Satterthwaite degrees of freedom")
    season = ("no seasonal terms" if o.harmonics is None and not o.season_indicators else
              f"{o.harmonics} Fourier pair(s) for the seasons" if o.harmonics else
              "an indicator per calendar month")
    return f"{family}, of {what}; {'; '.join(extras + [season])}"


@dataclass(frozen=True)
class Headline:
    """The primary model's change since the intervention, over all months after it."""

    relative: float
    ci_lower: float
    ci_upper: float
    p_value: float
    cumulative: object  # CumulativeEffect (absolute totals: days or leavers avoided)


@dataclass
class OutcomeEvaluation:
    """Everything the report and ``wellbeing evaluate`` show for one outcome."""

    outcome: Outcome
    status: str
    checks: object  # its.Checks
    primary: object | None  # ITSResult of the primary model (None when not fitted)
    family: str
    harmonics: int
    sensitivity: pd.DataFrame
    placebo: object | None  # PlaceboResult
    horizons: tuple[int, ...]
    months_before: int
    months_after: int
    notes: list[str] = field(default_factory=list)
    #: set by :func:`judge` (Holm across outcomes); None until judged
    p_adjusted: float | None = None
    significant: bool | None = None
    n_judged: int = 1
    alpha: float = EVALUATION_FAMILYWISE_ALPHA
    _power_args: dict | None = None

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    @property
    def model(self) -> str:
        """The primary model in words (or what it would have been)."""
        if self.primary is not None:
            return describe_model(self.primary, self.outcome)
        return f"{FAMILY_WORDS[self.family].format(p=1)} (not fitted: {self.status})"

    @cached_property
    def headline(self) -> Headline | None:
        """The primary model's headline; None when the status is not 'ok'."""
        if not self.ok:
            return None
        c = self.primary.cumulative_effect()
        return Headline(c.relative, c.relative_ci_lower, c.relative_ci_upper,
                        c.relative_p_value, c)

    @property
    def cumulative(self):
        return None if self.headline is None else self.headline.cumulative

    @property
    def effects(self) -> pd.DataFrame:
        """Effects at the horizons (months from the intervention's start) within the data."""
        if not self.ok:
            return pd.DataFrame()
        last = self.primary.counterfactual()["t"].max() - self.primary._prepared.interruption_t[0]
        horizons = [h for h in self.horizons if h <= last]
        return self.primary.effects(horizons) if horizons else pd.DataFrame()

    @property
    def verdict(self) -> str:
        """'improved', 'worsened', 'no clear change' or 'not enough data'."""
        if not self.ok:
            return "not enough data"
        significant = self.significant
        if significant is None:  # not judged with other outcomes: its own test
            significant = self.headline.p_value < self.alpha
        if not significant:
            return "no clear change"
        # fewer days lost / fewer leavers is better
        return "improved" if self.headline.relative < 0 else "worsened"

    @cached_property
    def power(self):
        """The power planner for this outcome (simulated on first use; None if it cannot be
        calibrated)."""
        if self._power_args is None:
            return None
        return run_power(**self._power_args, notes=self.notes)

    @property
    def detectable_now(self) -> float | None:
        plan = self.power
        if plan is None or self.months_after not in set(plan.table["n_post"]):
            return None
        return plan.detectable_effect(self.months_after)

    def sentence(self, *, with_power: bool = True) -> str:
        """The verdict in plain English (:func:`~wellbeing_analysis.narrative.its_verdict`)."""
        from wellbeing_analysis.narrative import its_verdict

        h = self.headline
        plan = self.power if with_power and self.ok and self.verdict == "no clear change" else None
        return its_verdict(
            verdict=self.verdict, status=self.status, outcome=self.outcome.label,
            relative=None if h is None else h.relative,
            ci_lower=None if h is None else h.ci_lower,
            ci_upper=None if h is None else h.ci_upper,
            p_adjusted=self.p_adjusted, n_judged=self.n_judged,
            failed=self.checks.failed, mde_ratio=None if plan is None else self.detectable_now,
            largest_planned=None if plan is None else float(plan.table["effect"].min()),
            diagnostics=self.checks.warnings if self.ok else ())

    def to_dict(self, *, with_power: bool = False) -> dict:
        """One outcome of the ``wellbeing evaluate --json`` contract."""
        h = self.headline
        rel = {"estimate": None, "ci_lower": None, "ci_upper": None}
        days = None
        if h is not None:
            rel = {"estimate": _num(h.relative), "ci_lower": _num(h.ci_lower),
                   "ci_upper": _num(h.ci_upper)}
            c = h.cumulative
            if not self.outcome.people:  # days avoided; never small counts of people
                days = {"estimate": _num(-c.estimate), "ci_lower": _num(-c.ci_upper),
                        "ci_upper": _num(-c.ci_lower), "months": c.n_periods}
        out = {
            "name": self.outcome.name,
            "status": self.status,
            "verdict": self.verdict,
            "relative_effect": rel,
            "p_value": None if h is None else _num(h.p_value),
            "p_value_holm": None if self.p_adjusted is None else _num(self.p_adjusted),
            "model": self.model,
            "months_before": self.months_before,
            "months_after": self.months_after,
            "checks": [{"name": c.name, "kind": c.kind, "passed": bool(c.passed),
                        "detail": c.detail, "needed": c.needed} for c in self.checks],
            "summary": self.sentence(with_power=with_power),
        }
        if days is not None:
            out["fte_days_avoided"] = days
        if with_power and self.power is not None:
            out["power"] = self.power.to_dict()
        return out


def _num(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def _json_safe(obj):
    """``obj`` with every non-finite float (NaN, inf) replaced by None, numpy scalars as
    Python numbers: strict JSON."""
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return _num(obj)
    return obj


def judge(evaluations: list[OutcomeEvaluation], *,
          alpha: float = EVALUATION_FAMILYWISE_ALPHA) -> None:
    """Holm's step-down method over the outcomes' headline tests (in place).

    With ``m`` outcomes and p-values sorted ``p_(1) <= ... <= p_(m)``, the adjusted p-values
    are ``max_(j<=i) min(1, (m - j + 1) p_(j))`` and an outcome shows a change when its
    adjusted p-value is below ``alpha`` (Holm 1979). An outcome that cannot be judged (status
    not 'ok') counts with p = 1: the family of outcomes is fixed in advance.
    """
    m = len(evaluations)
    p = np.array([ev.headline.p_value if ev.ok and np.isfinite(ev.headline.p_value) else 1.0
                  for ev in evaluations])
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):  # a handful of outcomes
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    for ev, q in zip(evaluations, adjusted):
        ev.n_judged, ev.alpha = m, alpha
        ev.p_adjusted = float(q) if ev.ok else None
        ev.significant = bool(ev.ok and q < alpha)


def evaluate_outcome(
    monthly: pd.DataFrame,
    outcome: Outcome,
    *,
    intervention_start: pd.Timestamp,
    phase_in: int = 0,
    analysis_start: str | None = None,
    end: str,
    family: str = AUTO,
    harmonics: int = 2,
    adjust_for: tuple[Period, ...] = (),
    horizons: tuple[int, ...] = (6, 12),
    comparison: pd.DataFrame | None = None,
    comparison_name: str = "comparison series",
    planner_effects: tuple[float, ...] = (0.9, 0.8, 0.7),
    planner_simulations: int = 400,
    seed: int = 20240401,
    suppress_below: int | None = None,
    n_outcomes: int = 2,
    describe: bool = True,
) -> OutcomeEvaluation:
    """Check, fit and describe one outcome (steps 1-5 of the module docstring).

    ``family`` is ``'auto'`` (the data choose: see :func:`primary_family`) or a family of
    :func:`~wellbeing_analysis.its.fit_its`. ``suppress_below`` writes small event totals of
    people as 'fewer than N'. ``n_outcomes`` is how many outcomes are judged together (the
    planner simulates Holm's first step, ``alpha / n_outcomes``). ``describe=False`` skips the
    descriptive extras (sensitivity analyses, placebo tests), which never change the verdict
    (the simulation benchmark uses it).
    """
    from wellbeing_analysis.its import check_its, fit_its
    from wellbeing_analysis.its.checks import Check, Checks, harmonics_allowed

    family = primary_family(family, outcome)
    start_month = pd.Timestamp(intervention_start).to_period("M")
    if start_month > pd.Period(end, freq="M"):
        raise InputError(f"the intervention starts after the last complete month ({end})")
    frame = its_frame(monthly, start=analysis_start, end=end, adjust_for=adjust_for)
    interruption = start_month.to_timestamp()
    notes: list[str] = []
    # a disturbance wholly outside the analysed months has no column to estimate
    active = tuple(p for p in adjust_for if frame[p.column].nunique() > 1)
    for p in adjust_for:
        if p not in active:
            notes.append(f"No adjustment for {p.reason}: it does not vary within the analysed "
                         "months.")
    months_before = int((frame["date"] < interruption).sum())
    months_after = int((frame["date"] >= interruption + pd.DateOffset(months=phase_in)).sum())
    used_harmonics = min(harmonics, harmonics_allowed(months_before, MONTHS_PER_YEAR))
    if used_harmonics < harmonics:
        notes.append(f"{months_before} months before the change are "
                     f"{months_before / MONTHS_PER_YEAR:.1f} seasonal cycles: "
                     + (f"{used_harmonics} Fourier pair(s) are used instead of {harmonics}."
                        if used_harmonics else f"too few for seasonal terms, so none are used "
                        f"({harmonics} Fourier pair(s) were asked for)."))
    season = dict(season_col="calendar_month", period=MONTHS_PER_YEAR,
                  harmonics=used_harmonics) if used_harmonics else {}
    covariates = tuple(p.column for p in active)
    count_kwargs = dict(time="date", outcome=outcome.count, interruptions=[interruption],
                        offset=outcome.exposure, covariates=covariates, phase_in=phase_in,
                        **season)
    rate_kwargs = dict(time="date", outcome=f"{outcome.key}_rate", interruptions=[interruption],
                       covariates=covariates, phase_in=phase_in, **season)
    gaussian = family in ("ols", "glsar")
    base = rate_kwargs if gaussian else count_kwargs
    suppress = suppress_below if outcome.people else None
    common = dict(outcome=outcome, family=family, harmonics=used_harmonics,
                  horizons=tuple(horizons), months_before=months_before,
                  months_after=months_after, notes=notes)

    # 1. the data
    try:
        checks = check_its(frame, family=family, suppress_below=suppress, **base)
    except InputError as exc:
        checks = Checks((Check("model_design", False, f"The model cannot be set up: {exc}.",
                               "Needed: more months of data around the change.", "data"),))
    if not checks.ok:
        return OutcomeEvaluation(status=STATUS_NOT_ENOUGH_DATA, checks=checks, primary=None,
                                 sensitivity=empty_sensitivity(), placebo=None, **common)
    # 2. the primary model
    try:
        primary = fit_its(frame, family=family, **base)
    except FIT_ERRORS as exc:
        fail = Check("model_fitted", False, f"The model could not be fitted: {exc}.",
                     "Needed: more data (events in every segment).", "fit")
        return OutcomeEvaluation(status=STATUS_NOT_TRUSTED, checks=checks + Checks((fail,)),
                                 primary=None, sensitivity=empty_sensitivity(),
                                 placebo=None, **common)
    checks = primary.checks(suppress_below=suppress)
    status = checks.status
    power_args = power_arguments(frame, outcome, interruption, active, season,
                                  planner_effects, planner_simulations, seed, months_after,
                                  EVALUATION_FAMILYWISE_ALPHA / n_outcomes, notes)
    if status != STATUS_OK:
        return OutcomeEvaluation(status=status, checks=checks, primary=primary,
                                 sensitivity=empty_sensitivity(), placebo=None,
                                 _power_args=power_args, **common)
    if not describe:
        return OutcomeEvaluation(status=STATUS_OK, checks=checks, primary=primary,
                                 sensitivity=empty_sensitivity(), placebo=None,
                                 _power_args=power_args, **common)
    # 4. descriptive sensitivity analyses
    sensitivity = sensitivity_table(
        frame, outcome, family, primary, base, count_kwargs, rate_kwargs, phase_in, active,
        comparison if outcome is ABSENCE else None,  # the publication is of absence only
        comparison_name, interruption, season, notes,
        primary_label="Primary: " + describe_model(primary, outcome).split(",")[0])
    # 5. placebo interruptions
    placebo = placebo_tests(primary, frame, interruption, active, notes)
    return OutcomeEvaluation(status=STATUS_OK, checks=checks, primary=primary,
                             sensitivity=sensitivity, placebo=placebo, _power_args=power_args,
                             **common)


@dataclass
class Evaluation:
    """Both outcomes of an intervention, judged together (Holm), with an overall status."""

    outcomes: list[OutcomeEvaluation]
    service: str | None = None
    intervention: str | None = None
    alpha: float = EVALUATION_FAMILYWISE_ALPHA

    def __getitem__(self, name: str) -> OutcomeEvaluation:
        for ev in self.outcomes:
            if name in (ev.outcome.name, ev.outcome.key):
                return ev
        raise KeyError(name)

    @property
    def status(self) -> str:
        """'ok' when every outcome could be judged; otherwise the most serious problem:
        'model not trusted', then 'not enough data'."""
        statuses = {ev.status for ev in self.outcomes}
        for s in (STATUS_NOT_TRUSTED, STATUS_NOT_ENOUGH_DATA):
            if s in statuses:
                return s
        return STATUS_OK

    @property
    def multiplicity(self) -> str:
        return (f"{len(self.outcomes)} outcomes judged together with Holm's method at a "
                f"familywise {self.alpha:.0%}; intervals are {CONFIDENCE_LEVEL:.0%} and not "
                "adjusted")

    def to_dict(self, *, with_power: bool = False) -> dict:
        """The ``wellbeing evaluate --json`` contract (NaN becomes null)."""
        return _json_safe({
            "service": self.service, "intervention": self.intervention,
            "status": self.status, "multiplicity": self.multiplicity,
            "outcomes": [ev.to_dict(with_power=with_power) for ev in self.outcomes]})

    @property
    def text(self) -> str:
        """A short plain-text summary (``wellbeing evaluate`` without --json)."""
        lines = [f"{self.service or 'Service'}: intervention {self.intervention} "
                 f"(status: {self.status})"]
        for ev in self.outcomes:
            h = ev.headline
            est = ("no estimate" if h is None else
                   f"{h.relative:+.0%} (95% CI {h.ci_lower:+.0%} to {h.ci_upper:+.0%})")
            lines.append(f"- {ev.outcome.name}: {ev.verdict}; {est}; model: {ev.model}")
            for c in ev.checks.failed:
                lines.append(f"    failed check {c.name}: {c.detail}"
                             + (f" {c.needed}" if c.needed else ""))
        lines.append(f"({self.multiplicity}.)")
        return "\n".join(lines)


def evaluate_intervention(monthly: pd.DataFrame, *, service: str | None = None,
                          intervention: str | None = None, absence_family: str = AUTO,
                          leavers_family: str = AUTO,
                          alpha: float = EVALUATION_FAMILYWISE_ALPHA,
                          **kwargs) -> Evaluation:
    """Evaluate absence and leaving (:func:`evaluate_outcome` with ``kwargs``) and judge them
    together (:func:`judge`)."""
    evs = [evaluate_outcome(monthly, o, family=f, n_outcomes=2, **kwargs)
           for o, f in ((ABSENCE, absence_family), (LEAVERS, leavers_family))]
    judge(evs, alpha=alpha)
    return Evaluation(outcomes=evs, service=service, intervention=intervention, alpha=alpha)


def verdict(ev: OutcomeEvaluation) -> tuple[str, str]:
    """(kind, sentence) for a callout: kind is 'good' (improved), 'concern' (worsened) or
    'caution' (no clear change, not enough data)."""
    kind = {"improved": "good", "worsened": "concern"}.get(ev.verdict, "caution")
    return kind, ev.sentence()
