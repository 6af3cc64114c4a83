"""Robustness analyses around an evaluation's primary model (docs/its.md, 'What the evaluation
reports'): the descriptive sensitivity table (other families, the rate instead of the counts,
no slope change, the phase-in included, no disturbance adjustment, a controlled ITS against a
comparison series), placebo interruptions in the settled pre-period, and the power planner's
calibration. None of them ever decides a verdict; :mod:`wellbeing_analysis.evaluation` uses
them after its primary model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import ITS_MIN_POINTS_EACH_SIDE, PLANNER_N_POST
from wellbeing_analysis.errors import InputError

#: Errors that mean a model could not be fitted (shown as such, never raised to the reader).
FIT_ERRORS = (InputError, np.linalg.LinAlgError, FloatingPointError)

#: Columns of the sensitivity table.
SENSITIVITY_COLUMNS = ("model", "what it checks", "relative_effect", "relative_lower",
                       "relative_upper", "months_after", "note")


def empty_sensitivity() -> pd.DataFrame:
    """A sensitivity table with no rows (when the primary model is not shown)."""
    return pd.DataFrame(columns=list(SENSITIVITY_COLUMNS))


def model_row(fit, label: str, checks_what: str) -> dict:
    """One sensitivity row: the model's headline, or why it is not shown."""
    try:
        result = fit()
    except FIT_ERRORS as exc:
        return {"model": label, "what it checks": checks_what, "relative_effect": np.nan,
                "relative_lower": np.nan, "relative_upper": np.nan, "months_after": np.nan,
                "note": f"could not be fitted: {exc}"}
    checks = result.checks()
    if not checks.ok:
        return {"model": label, "what it checks": checks_what, "relative_effect": np.nan,
                "relative_lower": np.nan, "relative_upper": np.nan, "months_after": np.nan,
                "note": f"not shown ({checks.status}): {checks.failed[0].detail}"}
    c = result.cumulative_effect()
    return {"model": label, "what it checks": checks_what, "relative_effect": c.relative,
            "relative_lower": c.relative_ci_lower, "relative_upper": c.relative_ci_upper,
            "months_after": c.n_periods, "note": ""}


_SENSITIVITY_FAMILIES = {
    "quasipoisson_ar": "quasi-Poisson with AR(1) errors",
    "quasipoisson": "quasi-Poisson, months independent",
    "poisson": "Poisson, months independent (no overdispersion)",
    "negbin": "negative binomial, months independent",
}


def sensitivity_table(frame, outcome, family, primary, base, count_kwargs, rate_kwargs,
                      phase_in, active, comparison, comparison_name, interruption, season,
                      notes, *, primary_label: str) -> pd.DataFrame:
    """The descriptive sensitivity table: the primary model's headline, then the same data
    analysed in other reasonable ways (other families, the rate instead of the counts, no slope
    change, the phase-in included, no disturbance adjustment, and a controlled ITS against
    ``comparison`` when given). Rows whose model fails its checks say why, with no number."""
    from wellbeing_analysis.its import fit_its

    c = primary.cumulative_effect()
    rows = [{"model": primary_label,
             "what it checks": "the main estimate (decides the verdict)",
             "relative_effect": c.relative, "relative_lower": c.relative_ci_lower,
             "relative_upper": c.relative_ci_upper, "months_after": c.n_periods, "note": ""}]
    for alt, label in _SENSITIVITY_FAMILIES.items():  # a few alternative families
        if alt != family:
            rows.append(model_row(lambda alt=alt: fit_its(frame, family=alt, **count_kwargs),
                             label, "sensitivity to the count model and its error structure"))
    if family != "glsar":
        rows.append(model_row(lambda: fit_its(frame, family="glsar", **rate_kwargs),
                         "GLS with AR(1) errors on the monthly rate",
                         "sensitivity to modelling the rate instead of the counts"))
    rows.append(model_row(lambda: fit_its(frame, family=family, slope_change=False, **base),
                     "level change only (no slope change)", "sensitivity to the trend assumption"))
    if phase_in:
        rows.append(model_row(lambda: fit_its(frame, family=family, **{**base, "phase_in": 0}),
                         "phase-in months included", "sensitivity to the phase-in"))
    if active:
        rows.append(model_row(lambda: fit_its(frame, family=family, **{**base, "covariates": ()}),
                         "no adjustment for " + ", ".join(p.reason for p in active),
                         "sensitivity to the disturbance adjustment"))
    if comparison is not None:
        row = controlled_row(frame, comparison, outcome, comparison_name, interruption,
                          base["phase_in"], tuple(p.column for p in active), season, family)
        if row is not None:
            rows.append(row)
        else:
            notes.append(f"The {comparison_name} does not cover the analysis months, so no "
                         "controlled comparison was made.")
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))


def settled_start(frame: pd.DataFrame, adjust_for: Sequence) -> pd.Timestamp:
    """First month after the last disturbance (the settled pre-period starts here)."""
    if not adjust_for:
        return frame["date"].iloc[0]
    last = max(pd.Period(p.end, freq="M") for p in adjust_for)
    return max((last + 1).to_timestamp(), frame["date"].iloc[0])


def placebo_tests(primary, frame, interruption, adjust_for, notes):
    """Placebo interruptions at every month of the settled pre-period that leaves enough
    months either side, or None (with a note)."""
    settled = settled_start(frame, adjust_for)
    k = ITS_MIN_POINTS_EACH_SIDE
    candidates = frame["date"][(frame["date"] >= settled + pd.DateOffset(months=k))
                               & (frame["date"] <= interruption - pd.DateOffset(months=k))]
    if candidates.empty:
        notes.append("Too few settled months before the intervention for placebo tests.")
        return None
    try:
        return primary.placebo(times=list(candidates))
    except (InputError, np.linalg.LinAlgError) as exc:
        notes.append(f"Placebo tests could not be run: {exc}")
        return None


def power_arguments(frame, outcome, interruption, adjust_for, season, effects, n_sim, seed,
                     months_after, alpha, notes) -> dict | None:
    """Arguments of the planner, or None (with a note) when it cannot be calibrated."""
    settled = settled_start(frame, adjust_for)
    pre = frame[(frame["date"] >= settled) & (frame["date"] < interruption)]
    if len(pre) < 2 * ITS_MIN_POINTS_EACH_SIDE:
        notes.append("Too few settled months before the intervention to calibrate the "
                     "power planner.")
        return None
    return dict(pre=pre, outcome=outcome, season=season, effects=tuple(effects), n_sim=n_sim,
                seed=seed, months_after=months_after, alpha=alpha)


def run_power(*, pre, outcome, season, effects, n_sim, seed, months_after, alpha, notes):
    """The planner, simulating the evaluation's own decision rule (see :mod:`.its.power`)."""
    from wellbeing_analysis.its import plan_power

    n_post = sorted({*PLANNER_N_POST, max(months_after, 1)})
    try:
        return plan_power(pre, time="date", outcome=outcome.count, family="quasipoisson_ar",
                          offset=outcome.exposure, effects=list(effects), n_sim=n_sim,
                          seed=seed, n_post=n_post, alpha=alpha, **season)
    except InputError as exc:
        notes.append(f"The power planner could not be calibrated: {exc}")
        return None


def controlled_row(frame, comparison, outcome, name, interruption, phase_in, covariates, season,
                family):
    """Controlled ITS: the service's change relative to the comparison's, one dispersion per
    series (descriptive)."""
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
    fam = family if family not in ("ols", "glsar") else "quasipoisson_ar"
    label = f"controlled ITS against the {name}"
    what = ("changes that also happened elsewhere (level change, ratio of the service's "
            "change to the comparison's; a dispersion per series)")
    try:
        res = fit_its(stacked, family=fam, time="date", outcome=outcome.count,
                      interruptions=[interruption], offset=outcome.exposure,
                      covariates=covariates, phase_in=phase_in, group="series",
                      treated="service", **season)
    except FIT_ERRORS as exc:
        return {"model": label, "what it checks": what, "relative_effect": np.nan,
                "relative_lower": np.nan, "relative_upper": np.nan, "months_after": np.nan,
                "note": f"could not be fitted: {exc}"}
    lc = res.level_change
    ratio = lc.ratio if lc.ratio is not None else np.nan
    return {"model": label, "what it checks": what,
            "relative_effect": ratio - 1, "relative_lower": lc.ratio_ci_lower - 1,
            "relative_upper": lc.ratio_ci_upper - 1,
            "months_after": int((res.counterfactual()["period"] == "after").sum()), "note": ""}
