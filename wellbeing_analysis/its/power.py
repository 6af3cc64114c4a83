"""Power and minimum detectable effect of an ITS, by simulation calibrated on the pre-period.

Calibration (on the periods before the interruption, or the whole series when planning
ahead): the pre-period model ``trend + seasonality`` is fitted with the analysis family:

- continuous outcomes (``family='glsar'``): GLS with AR(1) errors by REML gives the trend,
  the marginal error variance ``s2`` and the AR(1) coefficient ``rho``;
- counts (``family='quasipoisson_ar'``): quasi-Poisson with AR(1) errors (:mod:`.glmar`)
  gives the log-rate trend, the dispersion ``phi`` (at least 1) and ``rho_P``, the REML AR(1)
  coefficient of the Pearson residuals; the latent AR(1) coefficient is
  ``rho_z = rho_P phi / (phi - 1)`` (clipped), since only the extra-Poisson part of the
  variance carries the correlation.

Simulation, for each post-period length: continuous series are ``effect x step (or ramp) +
AR(1) noise`` and are analysed as :func:`fit_its` would with ``family='glsar'`` (REML over a
grid of rho refined by parabolic interpolation, Satterthwaite df); the test is of the level
(or slope) change. GLS estimates are equivariant: adding ``effect x`` a design column to
``y`` shifts that coefficient by the effect and leaves residuals, rho and standard errors
unchanged, so each noise series is fitted once and every effect size is tested on it.

Counts are Poisson with a log-normal AR(1) frailty, ``y_t ~ Poisson(mu_t exp(s_t z_t -
s_t^2 / 2))`` with ``s_t^2 = log(1 + (phi - 1) / mu_t)`` so that ``Var(y_t) = phi mu_t``, and
are judged by **the intervention evaluation's decision rule**: the same guardrails
(:mod:`.checks`: points, seasonal cycles and events before and after; convergence, finite
and plausible estimates, no separation or overflow), then the ``quasipoisson_ar`` fit
(:mod:`.glmar_many`, vectorised) and the two-sided test, at level ``alpha``, of its headline:
the cumulative relative effect over all post months. A series that fails a guardrail (e.g.
all zeros) gets no decision: it counts as not detected, and the share of such series is
reported. Power is the share of simulated series in which the rule declares a change in the
simulated direction; the row with no effect gives the rule's size (a change declared in
either direction).

Why one module of this length: calibration, simulation and the decision rule are read
together to check that the planner simulates the rule the report applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import signal, stats

from wellbeing_analysis.constants import (
    CONFIDENCE_LEVEL,
    ITS_MAX_EXTRAPOLATION_FACTOR,
    ITS_MAX_LOG_SE,
    ITS_MIN_EVENTS_AFTER,
    ITS_MIN_EVENTS_BEFORE,
    ITS_PERFECT_FIT_TOLERANCE,
    ITS_SEPARATION_FRACTION,
    PLANNER_EFFECT_MULTIPLES,
    PLANNER_EXPOSURE_MONTHS,
    PLANNER_MAX_LATENT_RHO,
    PLANNER_N_POST,
    PLANNER_N_SIM,
    PLANNER_SEED,
    PLANNER_TARGET_POWER,
)
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its.checks import data_checks
from wellbeing_analysis.its.design import build_design
from wellbeing_analysis.its.glmar_many import glmar_headline_many
from wellbeing_analysis.its.gls_many import reml_ar1_many
from wellbeing_analysis.its.inputs import Prepared, prepare
from wellbeing_analysis.its.models import fit_model
from wellbeing_analysis.its.options import ITSOptions

PLANNER_FAMILIES = ("glsar", "quasipoisson_ar")
_ALPHA = 1 - CONFIDENCE_LEVEL


# --------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class PowerPlan:
    """Simulated power by post-period length and effect size, with the calibration used."""

    table: pd.DataFrame  # n_post, effect, power, no_decision, mc_se
    calibration: dict
    outcome: str
    family: str
    effect_type: str  # 'level' or 'slope'
    target_power: float
    n_sim: int
    seed: int
    warnings: list[str] = field(default_factory=list)
    #: two-sided level of the simulated decision rule
    alpha: float = _ALPHA

    @property
    def counts(self) -> bool:
        return self.family != "glsar"

    @property
    def null_effect(self) -> float:
        return 1.0 if self.counts else 0.0

    def _decidable(self) -> pd.DataFrame:
        """Rows of post lengths the rule can judge at all (enough months for its checks)."""
        t = self.table
        if "no_decision" not in t:
            return t
        whole = t.groupby("n_post")["no_decision"].transform("min") >= 1.0
        return t[~whole]

    @property
    def too_short(self) -> list[int]:
        """Post lengths too short for the rule's checks (nothing can be decided)."""
        t = self.table
        if "no_decision" not in t:
            return []
        low = t.groupby("n_post")["no_decision"].min()
        return [int(n) for n in low.index[low >= 1.0]]

    @property
    def no_decision(self) -> float:
        """Share of simulated series the guardrails left undecided (e.g. all zeros), over the
        post lengths long enough to judge."""
        t = self._decidable()
        return float(t["no_decision"].mean()) if "no_decision" in t and len(t) else 0.0

    @property
    def effect_label(self) -> str:
        return ("rate ratio" if self.counts else "change") + (
            " per month" if self.effect_type == "slope" else "")

    def _power_at(self, effect: float) -> pd.Series:
        """Power for ``effect`` at each post length, interpolating between simulated effects."""
        null = self.null_effect
        effects = np.array(sorted(set(self.table["effect"])))
        side = effects[np.sign(effects - null) == np.sign(effect - null)]
        grid = np.sort(np.r_[null, side]) if null in effects else side
        if np.sign(effect - null) == 0:
            grid = np.array([null])
        if grid.size == 0 or not (min(grid) <= effect <= max(grid)):
            raise InputError(f"effect {effect:g} is outside the simulated effects "
                             f"({', '.join(f'{e:g}' for e in effects)}); plan again with it")
        out = {}
        for n_post, sub in self.table.groupby("n_post"):  # a handful of post lengths
            s = sub.set_index("effect")["power"]
            out[n_post] = float(np.interp(effect, grid, s.loc[grid].to_numpy())) if len(
                grid) > 1 else float(s.loc[grid[0]])
        return pd.Series(out)

    def months_needed(self, effect: float, power: float | None = None) -> int | None:
        """Fewest simulated post months with power >= ``power`` for ``effect`` (None: more
        than the longest simulated)."""
        target = self.target_power if power is None else power
        by_n = self._power_at(effect)
        reached = by_n[by_n >= target]
        return None if reached.empty else int(reached.index.min())

    def detectable_effect(self, n_post: int, power: float | None = None) -> float | None:
        """Smallest effect (away from no change, in the simulated direction) detected with
        ``power`` after ``n_post`` months, by linear interpolation (None: not reached)."""
        target = self.target_power if power is None else power
        sub = self.table[self.table["n_post"] == n_post]
        if sub.empty:
            raise InputError(f"n_post={n_post} was not simulated; choose one of "
                             f"{sorted(set(self.table['n_post']))}")
        sub = sub.assign(dist=(sub["effect"] - self.null_effect).abs()).sort_values("dist")
        e, p = sub["effect"].to_numpy(), sub["power"].to_numpy()
        above = np.flatnonzero((p >= target) & (sub["dist"].to_numpy() > 0))
        if above.size == 0:
            return None
        i = int(above[0])
        if i == 0 or p[i - 1] >= target:
            return float(e[i])
        return float(e[i - 1] + (target - p[i - 1]) * (e[i] - e[i - 1]) / (p[i] - p[i - 1]))

    @property
    def size(self) -> float:
        """Simulated rate of declared changes with no effect (nominal ``alpha``), over the post
        lengths long enough to judge."""
        t = self._decidable()
        rows = t[t["effect"] == self.null_effect]
        return float(rows["power"].mean()) if not rows.empty else float("nan")

    @property
    def text(self) -> str:
        """The plan in plain English."""
        c = self.calibration
        if self.family == "glsar":
            cal = (f"residual SD {np.sqrt(c['sigma2']):.3g} and AR(1) coefficient "
                   f"{c['rho']:.2f}")
            rule = (f"two-sided {self.alpha:.1%} test of the {self.effect_type} change (GLS "
                    "with AR(1) errors)")
        else:
            cal = (f"dispersion {c['dispersion']:.3g} and latent AR(1) coefficient "
                   f"{c['rho']:.2f}")
            rule = ("the evaluation's own rule: its checks, then a two-sided "
                    f"{self.alpha:.1%} test of the change since the intervention "
                    "(quasi-Poisson with AR(1) errors)")
        parts = []
        short = self.too_short
        for n_post in sorted(set(self.table["n_post"])):  # a handful of post lengths
            if n_post in short:
                parts.append(f"{n_post} months: too few months to judge")
                continue
            mde = self.detectable_effect(n_post)
            parts.append(f"{n_post} months: " + ("not reached" if mde is None else f"{mde:.3g}"))
        s = (f"Calibrated on {c['n_pre']} pre-period points of {self.outcome} ({cal}); "
             f"{self.n_sim} simulated series per scenario, each judged by {rule}. Smallest "
             f"{self.effect_type} change ({self.effect_label}) detected with "
             f"{self.target_power:.0%} power after " + "; ".join(parts) + ".")
        if np.isfinite(self.size):
            s += (f" With no change the rule declared one in {self.size:.1%} of simulations "
                  f"(nominal {self.alpha:.1%}).")
        if self.no_decision > 0:
            share = (f"{self.no_decision:.1%}" if self.no_decision >= 0.001 else
                     "Under 0.1%")
            s += (f" {share} of simulated series could not be judged (a check failed, e.g. too "
                  "few events) and count as not detected.")
        return s

    def plot(self, ax=None):
        """Power curves by post months, one per effect size (returns the Axes)."""
        from wellbeing_analysis.its.plot import plot_power
        return plot_power(self, ax=ax)

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "family": self.family, "effect_type": self.effect_type,
                "target_power": self.target_power, "n_sim": self.n_sim, "seed": self.seed,
                "alpha": self.alpha, "size": self.size, "no_decision": self.no_decision,
                "calibration": self.calibration, "table": self.table.to_dict("records"),
                "warnings": self.warnings, "text": self.text}


def _future_season(pre: Prepared, period: int | None, n: int) -> np.ndarray | None:
    """Season values for periods 0..n-1, continuing the pre-period's cycle one step a period."""
    if pre.season is None:
        return None
    try:
        s = pre.season.astype(float)
    except (TypeError, ValueError):
        raise InputError("the planner needs a numeric season column (e.g. month 1-12)") from None
    lo = s.min()
    period = period or len(np.unique(s))  # season indicators: one level per season
    if not np.allclose((s - s[0] - pre.t) % period, 0):
        raise InputError(f"the planner continues the season one step per period, but the "
                         f"season column does not step by one each period (modulo {period})")
    return lo + (s[0] - lo + np.arange(n)) % period


def plan_power(
    data: pd.DataFrame,
    *,
    time: str,
    outcome: str,
    interruption=None,
    family: str = "glsar",
    offset: str | None = None,
    season_col: str | None = None,
    period: int | None = None,
    harmonics: int | None = None,
    season_indicators: bool = False,
    slope_change: bool = True,
    effect_type: str = "level",
    effects=None,
    n_post=PLANNER_N_POST,
    n_sim: int = PLANNER_N_SIM,
    power: float = PLANNER_TARGET_POWER,
    seed: int = PLANNER_SEED,
    alpha: float = _ALPHA,
) -> PowerPlan:
    """Simulate the power of an ITS to detect a level (or slope) change (see module docstring).

    The pre-period is the data before ``interruption`` (all the data if None: planning ahead).
    ``effects`` are changes in outcome units (``glsar``) or rate ratios (``quasipoisson_ar``);
    by default a grid around the approximate minimum detectable effect (increases for
    ``glsar``, falls for counts); no change is always simulated too (the rule's size).
    ``n_post`` lists post-period lengths in periods; ``alpha`` is the two-sided level of the
    decision rule (the intervention evaluation passes its Holm first-step level).
    Deterministic for a given ``seed``.
    """
    if family not in PLANNER_FAMILIES:
        raise InputError(f"the planner simulates the recommended analyses {PLANNER_FAMILIES}, "
                         f"not {family!r}: use 'glsar' for continuous outcomes and "
                         "'quasipoisson_ar' for counts")
    if not 0 < alpha < 1:
        raise InputError(f"alpha must lie between 0 and 1, not {alpha!r}")
    if effect_type not in ("level", "slope"):
        raise InputError(f"effect_type must be 'level' or 'slope', not {effect_type!r}")
    if effect_type == "slope" and not slope_change:
        raise InputError("a slope effect needs slope_change=True")
    n_post = sorted({int(v) for v in np.atleast_1d(n_post)})
    if isinstance(n_sim, bool) or int(n_sim) < 10:
        raise InputError(f"n_sim must be at least 10, not {n_sim!r}")
    options = ITSOptions(
        time=time, outcome=outcome, interruptions=() if interruption is None else (interruption,),
        family=family, offset=offset, season_col=season_col, period=period,
        harmonics=harmonics, season_indicators=season_indicators, slope_change=slope_change)
    prepared = prepare(data, options)
    if prepared.n_series != 1:
        raise InputError("the planner works on a single series")
    n_pre = prepared.interruption_t[0] if interruption is not None else prepared.n_periods
    pre = prepared.subset(prepared.t < n_pre, interruption_t=(), n_periods=n_pre)
    cal_options = options.but(interruptions=())
    cal_design = build_design(pre, cal_options)
    cal = fit_model(cal_design, pre, cal_options)
    warnings = list(cal.warnings)

    exposure_future = None
    if pre.exposure is not None:
        exposure_future = float(pre.exposure[-PLANNER_EXPOSURE_MONTHS:].mean())
    n_max = n_pre + n_post[-1]
    season = _future_season(pre, options.period, n_max)
    exposure = np.r_[pre.exposure, np.full(n_post[-1], exposure_future)] if (
        pre.exposure is not None) else None

    def scenario(n: int):
        """Design of the analysis model for n periods with the interruption at n_pre."""
        synth = Prepared(
            axis=pre.axis, t=np.arange(n), y=np.zeros(n),
            exposure=None if exposure is None else exposure[:n],
            season=None if season is None else season[:n], covariates=np.empty((n, 0)),
            treated=np.ones(n, dtype=bool), series=np.full(n, None, dtype=object),
            source_row=np.arange(n), interruption_t=(n_pre,), end_t=None, n_periods=n,
            n_series=1)
        return build_design(synth, options.but(interruptions=(pre.axis.label(n_pre),))), synth

    rng = np.random.default_rng(seed)
    j_name = "level_change" if effect_type == "level" else "slope_change"
    if family == "glsar":
        rho, sigma2 = float(cal.ar[0]), float(cal.dispersion)
        calibration = {"n_pre": n_pre, "sigma2": sigma2, "rho": rho,
                       "trend": float(cal.params[1])}
        u = rng.standard_normal((n_max, n_sim))
        u[1:] *= np.sqrt(1 - rho**2)  # stationary AR(1) with marginal variance s2
        noise = np.sqrt(sigma2) * signal.lfilter([1.0], [1.0, -rho], u, axis=0)
        mid, _ = scenario(n_pre + n_post[len(n_post) // 2])
        if effects is None:
            se0 = _gls_se(mid, rho, sigma2, j_name)
            mde = (stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * se0
            effects = [float(f"{m * mde:.3g}") for m in PLANNER_EFFECT_MULTIPLES]
        effects = list(dict.fromkeys([0.0, *map(float, effects)]))
        rows = []
        for n_p in n_post:  # a handful of post lengths, all series at once
            design, _ = scenario(n_pre + n_p)
            j = design.names.index(j_name)
            b, se, df, _ = reml_ar1_many(design.X, noise[: n_pre + n_p], j)
            crit = stats.t.ppf(1 - alpha / 2, df)
            for eff in effects:
                reject = np.abs(b + eff) / se > crit
                rows.append((n_p, float(eff), reject.mean(), 0.0))
    else:
        phi = max(float(cal.dispersion), 1.0)
        rho_p = float(cal.ar[0])
        rho = float(np.clip(rho_p * phi / (phi - 1), -PLANNER_MAX_LATENT_RHO,
                            PLANNER_MAX_LATENT_RHO)) if phi > 1 else 0.0
        calibration = {"n_pre": n_pre, "dispersion": phi, "rho": rho,
                       "pearson_ar1": rho_p, "trend_log": float(cal.params[1]),
                       "exposure_future": exposure_future}
        z_latent = signal.lfilter([1.0], [1.0, -rho], rng.standard_normal((n_max, n_sim)) * (
            np.r_[1.0, np.full(n_max - 1, np.sqrt(1 - rho**2))][:, None]), axis=0)
        mid, _ = scenario(n_pre + n_post[len(n_post) // 2])
        base_mid = _count_mean(mid, cal_design, cal.params)
        if effects is None:
            se0 = _qp_se(mid, base_mid, phi, j_name)
            mde = (stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * se0
            effects = [float(f"{np.exp(-m * mde):.3g}") for m in PLANNER_EFFECT_MULTIPLES]
        if any(e <= 0 for e in effects):
            raise InputError("count effects are rate ratios and must be positive")
        effects = list(dict.fromkeys([1.0, *map(float, effects)]))
        rows = []
        for n_p in n_post:  # a handful of post lengths
            design, synth = scenario(n_pre + n_p)
            j = design.names.index(j_name)
            base = _count_mean(design, cal_design, cal.params)
            col = design.X[:, j]
            mus = np.stack([base * eff**col for eff in effects], axis=1)  # n x E
            s2 = np.log1p((phi - 1) / mus)
            lam = mus[:, :, None] * np.exp(np.sqrt(s2)[:, :, None] * z_latent[: len(base), None, :]
                                           - s2[:, :, None] / 2)
            Y = rng.poisson(lam).reshape(len(base), -1).astype(float)  # E x S columns
            declared, undecided = _decide_counts(
                design, synth, Y, options, n_pre, alpha,
                _align(design, cal_design, cal.params))
            declared = declared.reshape(len(effects), n_sim)
            undecided = undecided.reshape(len(effects), n_sim)
            for eff, dec, und in zip(effects, declared, undecided):
                hit = dec != 0 if eff == 1.0 else dec == np.sign(np.log(eff))
                rows.append((n_p, float(eff), hit.mean(), und.mean()))
    table = pd.DataFrame(rows, columns=["n_post", "effect", "power", "no_decision"])
    table["mc_se"] = np.sqrt(table["power"] * (1 - table["power"]) / n_sim)
    plan = PowerPlan(table=table, calibration=calibration, outcome=outcome, family=family,
                     effect_type=effect_type, target_power=power, n_sim=int(n_sim),
                     seed=int(seed), warnings=warnings, alpha=float(alpha))
    size_limit = alpha + 2 * np.sqrt(alpha * (1 - alpha) / n_sim)
    if np.isfinite(plan.size) and plan.size > size_limit:
        warnings.append(f"with no change the simulated rule declared one in {plan.size:.1%} of "
                        f"series (nominal {alpha:.1%}): these powers are optimistic")
    return plan


def _decide_counts(design, synth: Prepared, Y: np.ndarray, options, n_pre: int, alpha: float,
                   start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The evaluation's decision for every simulated count series (columns of ``Y``):
    +1 (a rise declared), -1 (a fall declared) or 0, and whether a guardrail left the series
    undecided. Guardrails are those of :mod:`.checks`, with the same thresholds."""
    n, S = Y.shape
    exposure = synth.exposure
    undecided = np.zeros(S, dtype=bool)
    # the checks that depend on the design only (points, residual df, seasonal cycles)
    structural = [c for c in data_checks(synth, design, options)
                  if not c.name.startswith("events")]
    if not all(c.passed for c in structural):
        return np.zeros(S, dtype=int), np.ones(S, dtype=bool)
    pre = np.arange(n) < n_pre
    before, after = Y[pre].sum(0), Y[~pre].sum(0)
    undecided |= (before < ITS_MIN_EVENTS_BEFORE) | (after < ITS_MIN_EVENTS_AFTER)
    decision = np.zeros(S, dtype=int)
    keep = np.flatnonzero(~undecided)
    if keep.size == 0:
        return decision, undecided
    off = np.log(exposure) if exposure is not None else np.zeros(n)
    post = ~pre
    level = design.names.index("level_change")
    h = glmar_headline_many(design.X, design.X_counterfactual, Y[:, keep], off, post, level,
                            start)
    rate_pre = Y[pre][:, keep] / np.exp(off[pre])[:, None]
    F = ITS_MAX_EXTRAPOLATION_FACTOR
    trusted = (h.finite & h.converged & (h.level_se <= ITS_MAX_LOG_SE)
               & (h.mu_min_fraction >= ITS_SEPARATION_FRACTION)
               & (h.cf_rate[0] >= rate_pre.mean(0) / F) & (h.cf_rate[1] <= rate_pre.max(0) * F)
               & (h.dispersion > ITS_PERFECT_FIT_TOLERANCE))
    with np.errstate(divide="ignore", invalid="ignore"):
        t_stat = h.log_ratio / h.std_error
    crit = stats.t.ppf(1 - alpha / 2, h.df)
    significant = trusted & (np.abs(t_stat) > crit)
    decision[keep] = np.where(significant, np.sign(h.log_ratio), 0).astype(int)
    undecided[keep] = ~trusted
    return decision, undecided


def _align(design, cal_design, params: np.ndarray) -> np.ndarray:
    """Calibration coefficients placed on the matching columns of ``design`` (others 0)."""
    out = np.zeros(len(design.names))
    for name, value in zip(cal_design.names, params):
        out[design.names.index(name)] = value
    return out


def _count_mean(design, cal_design, params: np.ndarray) -> np.ndarray:
    """The calibrated mean count per period with no intervention (trend and season go on)."""
    beta = _align(design, cal_design, params)
    off = 0.0 if design.offset is None else design.offset
    return np.exp(design.X @ beta + off)


def _gls_se(design, rho: float, sigma2: float, name: str) -> float:
    """SE of coefficient ``name`` under GLS with known AR(1) errors (for the effect grid)."""
    t = np.arange(design.X.shape[0])
    R = rho ** np.abs(t[:, None] - t[None, :])
    M = np.linalg.inv(design.X.T @ np.linalg.solve(R, design.X))
    j = design.names.index(name)
    return float(np.sqrt(sigma2 * M[j, j]))


def _qp_se(design, mu: np.ndarray, phi: float, name: str) -> float:
    """SE of coefficient ``name`` in a quasi-Poisson model with means ``mu`` (for the grid)."""
    M = np.linalg.inv(design.X.T @ (mu[:, None] * design.X))
    j = design.names.index(name)
    return float(np.sqrt(phi * M[j, j]))
