"""Drawing a funnel plot: the target, 95% and 99.8% limits as smooth curves, one point per
unit, and the method named under the title.

Limits are NHS blue, the inner pair dashed and the outer pair solid, so line style as well
as shade tells them apart. Units within the limits are grey circles; units outside are
purple (the Making Data Count 'neutral' colour: a funnel says 'different', not 'better' or
'worse'), triangles pointing up or down, hollow beyond the inner limit and filled beyond the
outer one, so colour is never the only carrier. Highlighted units (e.g. the service placed
among trusts) are labelled and drawn as black-edged diamonds. No ranks are drawn.

Artists carry a ``gid`` (``funnel-target``, ``funnel-limit-<level>``,
``funnel-unadjusted-<level>``, ``funnel-points-<within|outside-<level>>``,
``funnel-highlight``, ``funnel-method``) so tests and callers can find them.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.funnel.methods import level_key
from wellbeing_analysis.style import (
    FIGSIZE,
    NHS_BLACK,
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    SPC_COMMON_CAUSE,
    SPC_NEUTRAL,
    apply_style,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Default y-axis labels by data type (FunnelPlotR's defaults).
Y_LABELS = {"PR": "Proportion", "RC": "Ratio", "SR": "Standardised ratio"}
#: Characters per line of the method caption.
_CAPTION_WIDTH = 130
#: Font size (points) of the method caption.
_CAPTION_SIZE = 7.5


def _limit_styles(levels: tuple[float, ...]) -> dict[float, tuple[str, str, float]]:
    """Colour, line style and width per level: inner limits dashed, the outermost solid."""
    styles = {}
    for i, level in enumerate(levels):
        outer = i == len(levels) - 1
        styles[level] = (NHS_DARK_BLUE if outer else NHS_BLUE, "-" if outer else "--",
                         1.6 if outer else 1.3)
    return styles


def plot_funnel(result, ax: Axes | None = None, *, highlight=None,
                label_outside: bool = False, show_unadjusted: bool = False,
                xscale: str = "linear", x_label: str | None = None,
                y_label: str | None = None, title: str | None = None,
                caption: bool = True) -> Axes:
    """Draw ``result`` on ``ax`` (a new figure if None) and return the Axes.

    ``highlight``: unit names (values of the group column) to mark and label.
    ``label_outside``: label every unit outside the outermost limits too.
    ``show_unadjusted``: also draw the limits without overdispersion adjustment (thin,
    grey, dotted). ``xscale``: 'linear' (FunnelPlotR) or 'log' (for populations whose sizes
    span orders of magnitude, e.g. all NHS trusts). ``caption``: write the method under the
    title. Never calls ``plt.show()``.
    """
    if xscale not in ("linear", "log"):
        raise InputError(f"xscale must be 'linear' or 'log', not {xscale!r}")
    apply_style()
    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE)
    t = result.table
    highlight = [] if highlight is None else (
        [highlight] if isinstance(highlight, str) else list(highlight))
    unknown = [h for h in highlight if h not in set(t["group"])]
    if unknown:
        raise InputError(f"highlight: no unit called {', '.join(map(repr, unknown))}")

    curve = result.limits_curve()
    x = curve["denominator"].to_numpy()
    styles = _limit_styles(result.levels)
    ax.plot(x, curve["target"], color=NHS_DARK_GREY, linewidth=1.2, gid="funnel-target",
            label=f"Target {result.target:.3g}")
    if show_unadjusted and result.adjusted:
        plain = result.limits_curve(x, adjusted=False)
        for level in result.levels:
            key = level_key(level)
            for side in ("lower", "upper"):
                first = level == result.levels[0] and side == "lower"
                ax.plot(x, plain[f"{side}_{key}"], color=NHS_MID_GREY, linestyle=":",
                        linewidth=0.9, gid=f"funnel-unadjusted-{key}",
                        label="Limits without adjustment" if first else None)
    for level in result.levels:
        key = level_key(level)
        colour, style, width = styles[level]
        for side in ("lower", "upper"):
            ax.plot(x, curve[f"{side}_{key}"], color=colour, linestyle=style, linewidth=width,
                    gid=f"funnel-limit-{key}",
                    label=f"{level:g}% limits" if side == "lower" else None)

    value = t["indicator"].to_numpy()
    den = t["denominator"].to_numpy()
    within = t["outside_level"].isna().to_numpy()
    ax.scatter(den[within], value[within], s=28, marker="o", color=SPC_COMMON_CAUSE,
               edgecolor="white", linewidth=0.5, zorder=3, gid="funnel-points-within",
               label="Within the expected range")
    for level in result.levels:
        outer = level == result.levels[-1]
        at_level = (t["outside_level"] == level).to_numpy()
        for direction, marker in (("above", "^"), ("below", "v")):
            sel = at_level & (t["direction"] == direction).to_numpy()
            if not sel.any():
                continue
            ax.scatter(den[sel], value[sel], s=46, marker=marker, zorder=4,
                       facecolor=SPC_NEUTRAL if outer else "white", edgecolor=SPC_NEUTRAL,
                       linewidth=1.4, gid=f"funnel-points-outside-{level_key(level)}",
                       label=f"{direction.capitalize()} the {level:g}% limit")
    labelled = set(highlight)
    if label_outside:
        outermost = (t["outside_level"] == result.levels[-1]).to_numpy()
        labelled |= set(t.loc[outermost, "group"])
    if highlight:
        sel = t["group"].isin(highlight).to_numpy()
        ax.scatter(den[sel], value[sel], s=80, marker="D", facecolor="none",
                   edgecolor=NHS_BLACK, linewidth=1.6, zorder=5, gid="funnel-highlight",
                   label="Highlighted")
    for g, xv, yv in zip(t["group"], den, value, strict=True):
        if g in labelled:
            ax.annotate(str(g), (xv, yv), xytext=(5, 4), textcoords="offset points",
                        fontsize=8, color=NHS_BLACK)

    ax.set_xscale(xscale)
    _set_ylim(ax, result, curve, value)
    ax.set_xlabel(x_label or result.denominator)
    default_y = Y_LABELS[result.data_type]
    if result.multiplier != 1:
        default_y += f" (×{result.multiplier:g})"
    ax.set_ylabel(y_label or default_y)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    lines = textwrap.wrap(result.method, _CAPTION_WIDTH) if caption else []
    if lines:
        ax.text(0, 1.01, "\n".join(lines), transform=ax.transAxes, va="bottom", ha="left",
                fontsize=_CAPTION_SIZE, color=NHS_DARK_GREY, gid="funnel-method")
    # the title sits above the caption: pad by the caption's height in points
    ax.set_title(title or f"{result.numerator} / {result.denominator} by {result.group}",
                 pad=6 + len(lines) * _CAPTION_SIZE * 1.3)
    # below the axes: a funnel's corners are where the points are
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, ncol=4)
    return ax


def _set_ylim(ax: Axes, result, curve, value: np.ndarray) -> None:
    """Show every point and the limits from the smallest unit's size on, with a margin (the
    curves run off towards tiny denominators, where they would flatten the picture)."""
    den_min = result.table["denominator"].min()
    visible = curve[curve["denominator"] >= den_min]
    limit_cols = [c for c in curve.columns if c.startswith(("lower_", "upper_"))]
    lo = min(float(np.min(value)), float(visible[limit_cols].min().min()), result.target)
    hi = max(float(np.max(value)), float(visible[limit_cols].max().max()), result.target)
    pad = 0.06 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.1
    ax.set_ylim(lo - pad if lo - pad > 0 or lo < 0 else 0, hi + pad)
