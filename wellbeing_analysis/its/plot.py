"""Charts of an ITS fit (NHS colours from :mod:`wellbeing_analysis.style`).

Each function takes the result first, draws on ``ax`` (a new figure if None) and returns the
Axes; nothing is shown or saved here. :func:`plot_its_panels` draws the evaluation's three
panels (``docs/its.md``): observed against the counterfactual, the effect in each period
with its band, and the cumulative effect with its band. Every chart shades and names its
time windows: the interruption, the phase-in and any periods adjusted for (``windows``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from wellbeing_analysis.constants import CONFIDENCE_LEVEL
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.style import (
    CATEGORICAL,
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    NHS_ORANGE,
    NHS_PALE_GREY,
    WINDOW_SHADES,
)

#: A time window to shade on a chart: (first period, last period, name), e.g.
#: ('2020-03', '2021-06', 'pandemic (adjusted for)').
Window = tuple[object, object, str]


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_its(result, ax=None, *, per_exposure: float | None = None,
             y_label: str | None = None, windows: tuple[Window, ...] | list[Window] = ()):
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
    mark_windows(result, ax, windows)
    ax.set_title(_title(result))
    ax.set_ylabel(y_label or result.options.outcome)
    ax.set_xlabel(result.options.time)
    ax.legend(loc="best", fontsize=8)
    return ax


def mark_windows(result, ax, windows: tuple[Window, ...] | list[Window] = ()) -> None:
    """Shade and name the chart's time windows: the phase-in (left out of the fit), any
    ``windows`` given (e.g. a pandemic adjusted for), and a line at each interruption,
    each named in text at the top of the chart as well as in the legend."""
    axis, p = result._prepared.axis, result._prepared
    seg = result.design.period
    t = p.t[p.treated] if result.design.controlled else p.t
    seg = seg[p.treated] if result.design.controlled else seg
    x = axis.x(t)
    for start, end, name in windows:
        a, b = pd.Timestamp(str(start)), pd.Timestamp(str(end)) + pd.offsets.MonthEnd(0)
        ax.axvspan(a, b, color=WINDOW_SHADES["adjusted"], zorder=0, label=name)
        ax.annotate(name, xy=(a, 0.98), xycoords=("data", "axes fraction"), fontsize=8,
                    color=NHS_DARK_GREY, ha="left", va="top")
    phase = (seg == "phase-in")
    if phase.any():
        ax.axvspan(x[phase].min(), x[phase].max(), color=NHS_PALE_GREY, zorder=0,
                   label="phase-in (not fitted)")
        ax.annotate("phase-in", xy=(x[phase].min(), 0.88), xycoords=("data", "axes fraction"),
                    fontsize=8, color=NHS_DARK_GREY, ha="left", va="top")
    changes = p.interruption_t + (() if p.end_t is None else (p.end_t,))
    for i, xc in enumerate(axis.x(np.array(changes))):
        ax.axvline(xc, color=NHS_DARK_GREY, ls=":", lw=1.2,
                   label="interruption" if i == 0 else None)
        ax.annotate(f"change: {result.design.labels[min(i, len(result.design.labels) - 1)]}",
                    xy=(xc, 0.98), xycoords=("data", "axes fraction"), fontsize=8,
                    color=NHS_DARK_GREY, ha="right", va="top", rotation=90)


def plot_effect(result, ax=None, *, per_exposure: float | None = None,
                y_label: str | None = None, windows: tuple[Window, ...] | list[Window] = ()):
    """The effect in each period since the interruption (observed model minus
    counterfactual, ``mu - mu_cf``) with its 95% band, and a line at no effect. With
    ``per_exposure`` the effect is a rate per that many units of exposure."""
    ax = _axes(ax)
    table = result.counterfactual()
    post = table["effect"].notna().to_numpy()
    x = result._prepared.axis.x(table["t"].to_numpy())[post]
    scale = 1.0 if per_exposure is None else (per_exposure / table["exposure"][post])
    _effect_panel(result, ax, x, table["effect"][post] * scale,
                  table["effect_lower"][post] * scale, table["effect_upper"][post] * scale,
                  colour=NHS_BLUE, alpha=0.2, line=dict(marker="o", ms=3),
                  label="effect each period", windows=windows,
                  title="Effect in each period: what happened minus what was expected",
                  y_label=y_label or f"difference in {result.options.outcome}")
    return ax


def _effect_panel(result, ax, x, mid, lower, upper, *, colour, alpha: float, line: dict,
                  label: str, windows, title: str, y_label: str) -> None:
    """An effect with its 95% band, a line at no effect and the windows named: the shared
    drawing of :func:`plot_effect` and :func:`plot_cumulative_effect`."""
    ax.fill_between(x, lower, upper, color=colour, alpha=alpha, lw=0,
                    label=f"{CONFIDENCE_LEVEL:.0%} band")
    ax.plot(x, mid, color=colour, lw=2, label=label, **line)
    ax.axhline(0, color=NHS_DARK_GREY, lw=1, label="no effect")
    mark_windows(result, ax, windows)
    ax.set_xlim(*_xlim(result))
    ax.set_title(title)
    ax.set_ylabel(y_label)
    ax.set_xlabel("")
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[:3], names[:3], loc="lower left", fontsize=8)  # windows: named on the chart


def plot_cumulative_effect(result, ax=None, *, y_label: str | None = None,
                           windows: tuple[Window, ...] | list[Window] = ()):
    """The running total of the effect since the interruption (phase-in left out) with its
    95% band: its last point is :meth:`~wellbeing_analysis.its.ITSResult.cumulative_effect`."""
    ax = _axes(ax)
    path = result.cumulative_effects()
    x = result._prepared.axis.x(path["t"].to_numpy())
    _effect_panel(result, ax, x, path["cumulative_effect"], path["cumulative_lower"],
                  path["cumulative_upper"], colour=CATEGORICAL[2], alpha=0.25, line={},
                  label="cumulative effect", windows=windows,
                  title="Cumulative effect since the change",
                  y_label=y_label or f"total difference in {result.options.outcome}")
    return ax


def plot_its_panels(result, *, per_exposure: float | None = None, y_label: str | None = None,
                    effect_label: str | None = None, cumulative_label: str | None = None,
                    windows: tuple[Window, ...] | list[Window] = (), figsize=(8.0, 10.0)):
    """The three panels on one figure, sharing the time axis: observed and fitted against
    the counterfactual (:func:`plot_its`), the effect each period (:func:`plot_effect`) and
    the cumulative effect (:func:`plot_cumulative_effect`). Returns the figure."""
    fig, axes = plt.subplots(3, 1, figsize=figsize, sharex=True, layout="constrained")
    plot_its(result, ax=axes[0], per_exposure=per_exposure, y_label=y_label, windows=windows)
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.04), ncol=3, fontsize=8)
    axes[0].set_xlabel("")
    plot_effect(result, ax=axes[1], per_exposure=per_exposure, y_label=effect_label,
                windows=windows)
    plot_cumulative_effect(result, ax=axes[2], y_label=cumulative_label, windows=windows)
    return fig


def _xlim(result) -> tuple:
    x = result._prepared.axis.x(np.unique(result._prepared.t))
    return x.min(), x.max()


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
    # categorical colours, each 3:1 or more on white (a pale blue ramp was not)
    colours = [CATEGORICAL[i % len(CATEGORICAL)] for i in range(len(effects))]
    for colour, eff in zip(colours, effects, strict=True):
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
