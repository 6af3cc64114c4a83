"""Charts of an ITS fit (NHS colours from :mod:`wellbeing_analysis.style`).

Each function takes the result first, draws on ``ax`` (a new figure if None) and returns the
Axes; nothing is shown or saved here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from wellbeing_analysis.constants import CONFIDENCE_LEVEL
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.style import (
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    NHS_ORANGE,
    NHS_PALE_GREY,
)


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_its(result, ax=None, *, per_exposure: float | None = None,
             y_label: str | None = None):
    """Observed points, fitted line per segment, counterfactual (dashed) with its band,
    vertical lines at each change, phase-in shaded; comparison series in grey.

    ``per_exposure`` (models with an exposure offset): draw rates, ``per_exposure ×
    count ÷ exposure`` (e.g. 100 for leavers per 100 staff), instead of counts — small
    monthly counts can identify people, rates of a whole service do not.
    """
    ax = _axes(ax)
    axis, d = result._prepared.axis, result.design
    table = result.counterfactual()
    x = axis.x(table["t"].to_numpy())
    p = result._prepared
    if per_exposure is not None:
        if "exposure" not in table:
            raise InputError("per_exposure needs a model with an exposure (offset) column")
        if d.controlled:
            raise InputError("per_exposure is not available for a controlled ITS chart")
        rate = per_exposure / table["exposure"]
        for col in ("observed", "fitted", "counterfactual", "counterfactual_lower",
                    "counterfactual_upper"):
            table[col] = table[col] * rate
    if d.controlled:  # comparison series (mean of them): grey points and fitted line
        comp = ~p.treated
        fitted = d.X[comp] @ result.model.params + (0 if d.offset is None else d.offset[comp])
        fitted = np.exp(fitted) if result.model.link == "log" else fitted
        mean_obs = _by_period(p.t[comp], p.y[comp])
        mean_fit = _by_period(p.t[comp], fitted)
        xc = axis.x(mean_obs.index.to_numpy())
        ax.scatter(xc, mean_obs.to_numpy(), s=12, color=NHS_MID_GREY, marker="s",
                   label="comparison (observed)", zorder=2)
        ax.plot(xc, mean_fit.to_numpy(), color=NHS_MID_GREY, lw=1.5, label="comparison (fitted)")
    ax.scatter(x, table["observed"], s=16, color=NHS_DARK_GREY, label="observed", zorder=3)
    # fitted line, broken at each change so segments are not joined across a step
    seg = table["period"].to_numpy()
    for i, name in enumerate(dict.fromkeys(seg)):
        m = (seg == name) & table["fitted"].notna().to_numpy()
        ax.plot(x[m], table["fitted"][m], color=NHS_BLUE, lw=2,
                label="fitted" if i == 0 else None, zorder=4)
    post = table["counterfactual"].notna().to_numpy()
    ax.plot(x[post], table["counterfactual"][post], color=NHS_ORANGE, lw=2, ls="--",
            label="counterfactual (no change)", zorder=4)
    ax.fill_between(x[post], table["counterfactual_lower"][post],
                    table["counterfactual_upper"][post], color=NHS_ORANGE, alpha=0.2, lw=0,
                    label=f"{CONFIDENCE_LEVEL:.0%} CI of the counterfactual")
    phase = (seg == "phase-in")
    if phase.any():
        ax.axvspan(x[phase].min(), x[phase].max(), color=NHS_PALE_GREY, zorder=0,
                   label="phase-in (not fitted)")
    changes = p.interruption_t + (() if p.end_t is None else (p.end_t,))
    for i, xc in enumerate(axis.x(np.array(changes))):
        ax.axvline(xc, color=NHS_DARK_GREY, ls=":", lw=1.2,
                   label="interruption" if i == 0 else None)
    ax.set_title(_title(result))
    ax.set_ylabel(y_label or result.options.outcome)
    ax.set_xlabel(result.options.time)
    ax.legend(loc="best", fontsize=8)
    return ax


def _by_period(t: np.ndarray, v: np.ndarray) -> pd.Series:
    return pd.Series(v).groupby(t).mean()


def _title(result) -> str:
    """A plain-English title stating the level change at the first interruption."""
    lc, label = result.level_change, result.design.labels[0]
    vs = " vs comparison" if result.design.controlled else ""
    if result.model.link == "log":
        return (f"{result.options.outcome}: rate {lc.ratio - 1:+.1%} at {label}{vs} "
                f"(rate ratio {lc.ratio:.3g}, {CONFIDENCE_LEVEL:.0%} CI "
                f"{lc.ratio_ci_lower:.3g} to {lc.ratio_ci_upper:.3g})")
    return (f"{result.options.outcome}: level change {lc.estimate:+.3g} at {label}{vs} "
            f"({CONFIDENCE_LEVEL:.0%} CI {lc.ci_lower:.3g} to {lc.ci_upper:.3g})")


def plot_residual_acf(result, ax=None):
    """Residual autocorrelation by lag (stems) with Bartlett's significance band."""
    ax = _axes(ax)
    diag = result.diagnostics()
    t = diag.table
    ax.vlines(t["lag"], 0, t["acf"], color=NHS_BLUE, lw=2)
    ax.scatter(t["lag"], t["acf"], color=NHS_BLUE, s=20, zorder=3, label="autocorrelation")
    ax.fill_between(t["lag"], -t["acf_band"], t["acf_band"], color=NHS_PALE_GREY, step="mid",
                    label=f"{CONFIDENCE_LEVEL:.0%} band (no autocorrelation)")
    ax.axhline(0, color=NHS_DARK_GREY, lw=0.8)
    ax.set_xlabel("lag (periods)")
    ax.set_ylabel("autocorrelation")
    ax.set_title(f"Residual autocorrelation ({diag.residuals}); "
                 f"Durbin-Watson {diag.durbin_watson:.2f}")
    ax.legend(loc="upper right", fontsize=8)
    return ax


def plot_power(plan, ax=None):
    """Power against post-interruption months, one line per effect size, target dashed."""
    ax = _axes(ax)
    table = plan.table
    effects = [e for e in dict.fromkeys(table["effect"]) if e != plan.null_effect]
    colours = plt.get_cmap("Blues")(np.linspace(0.35, 1.0, max(len(effects), 1)))
    for colour, eff in zip(colours, effects):
        sub = table[table["effect"] == eff]
        ax.plot(sub["n_post"], sub["power"], marker="o", color=colour,
                label=f"{plan.effect_label} {eff:.3g}")
    ax.axhline(plan.target_power, color=NHS_ORANGE, ls="--", lw=1.2,
               label=f"target power {plan.target_power:.0%}")
    ax.set_ylim(0, 1)
    ax.set_xlabel("months after the interruption")
    ax.set_ylabel("power")
    ax.set_title(f"Power to detect a {plan.effect_type} change in {plan.outcome}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7)
    return ax
