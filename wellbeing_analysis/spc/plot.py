"""Drawing SPC and run charts the NHS 'Making Data Count' way.

Centre line, process limits (dashed), points coloured by type - improvement blue, concern
orange, neutral purple, common cause grey - with a different marker per type so colour is
never the only carrier, rebase breaks, a target line, and the variation and assurance icons
drawn top right with their text alternative as the icon axes' label and as a caption.

Every artist has a ``gid`` (``spc-line``, ``spc-points-<type>``, ``spc-centre``,
``spc-limits``, ``spc-rebase``, ``spc-target``, ``spc-variation-icon``,
``spc-assurance-icon``, ``spc-icon-text``) so tests and callers can find it.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle
from matplotlib.ticker import PercentFormatter

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.spc import labels
from wellbeing_analysis.spc.describe import readable_name
from wellbeing_analysis.style import (
    FIGSIZE,
    LABEL_WRAP_CHARS,
    NHS_BLACK,
    NHS_DARK_GREY,
    NHS_DARK_RED,
    SPC_COMMON_CAUSE,
    SPC_CONCERN,
    SPC_IMPROVEMENT,
    SPC_NEUTRAL,
    apply_style,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Colour, marker and legend text of each point type (Making Data Count palette).
POINT_STYLE: dict[str, tuple[str, str, str]] = {
    labels.COMMON_CAUSE: (SPC_COMMON_CAUSE, "o", "Common cause"),
    labels.IMPROVEMENT: (SPC_IMPROVEMENT, "D", "Special cause: improvement"),
    labels.CONCERN: (SPC_CONCERN, "s", "Special cause: concern"),
    labels.NEUTRAL_HIGH: (SPC_NEUTRAL, "^", "Special cause: high"),
    labels.NEUTRAL_LOW: (SPC_NEUTRAL, "v", "Special cause: low"),
}
#: Colour and letter of each assurance icon (Making Data Count: P pass, F fail, ? hit and miss).
ASSURANCE_STYLE: dict[str, tuple[str, str]] = {
    labels.CONSISTENT_PASS: (SPC_IMPROVEMENT, "P"),
    labels.CONSISTENT_FAIL: (SPC_CONCERN, "F"),
    labels.INCONSISTENT: (SPC_COMMON_CAUSE, "?"),
}
#: Icon boxes in axes coordinates (left, bottom, width, height): right of the plot, at the top.
_VARIATION_BOX = (1.01, 0.80, 0.07, 0.2)
_ASSURANCE_BOX = (1.01, 0.56, 0.07, 0.2)
#: Caption characters per line at the default figure width.
_CAPTION_WIDTH = 130


def _chart_title(result, facet: Any) -> str:
    name = readable_name(result.options.y)
    title = (f"{name[:1].upper()}{name[1:]}: {labels.CHART_NAMES[result.chart]} "
             f"({labels.RULE_SET_NAMES[result.rules]})")
    return title if result.options.facet is None else f"{title} - {facet}"


def _draw_icon(ax: Axes, box, colour: str, letter: str | None, gid: str, text: str) -> Axes:
    """A round icon in its own small axes; its label carries the text alternative."""
    icon = ax.inset_axes(box)
    icon.set_xlim(-1.1, 1.1)
    icon.set_ylim(-1.1, 1.1)
    icon.set_aspect("equal", adjustable="box")
    icon.axis("off")
    icon.add_patch(Circle((0, 0), 1.0, facecolor="white", edgecolor=colour, linewidth=2.5))
    if letter is None:  # common cause: a grey wave, as on the Making Data Count icons
        t = np.linspace(-0.65, 0.65, 50)
        icon.plot(t, 0.18 * np.sin(t * 3 * np.pi), color=colour, linewidth=2)
    else:
        icon.text(0, 0, letter, ha="center", va="center", fontsize=13, fontweight="bold",
                  color=colour)
    icon.set_gid(gid)
    icon.set_label(text)
    return icon


def _variation_letter(point_type: str, improvement_direction: str) -> str | None:
    """'H' or 'L': which way the last point's special cause went (None for common cause)."""
    if point_type == labels.COMMON_CAUSE:
        return None
    if point_type in (labels.NEUTRAL_HIGH, labels.NEUTRAL_LOW):
        return "H" if point_type == labels.NEUTRAL_HIGH else "L"
    high_is_good = improvement_direction == "increase"
    went_high = (point_type == labels.IMPROVEMENT) == high_is_good
    return "H" if went_high else "L"


def draw_legend(ax: Axes) -> None:
    """The legend under the plot, several entries to a row (readable at report width)."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, fontsize=8)


def plot_spc(
    result,  # an SPCResult (not imported: the result imports this module)
    ax: Axes | None = None,
    *,
    facet: Any = None,
    title: str | None = None,
    y_label: str | None = None,
    x_label: str | None = None,
    show_icons: bool = True,
    caption: bool = True,
    legend: bool = True,
) -> Axes | np.ndarray:
    """Draw one facet of an SPC result on ``ax`` (a new figure when None) and return the Axes.

    With several facets and no ``facet``/``ax``, draws one panel per facet and returns the
    array of Axes. Never calls ``plt.show()``.
    """
    facets = result.facets
    if facet is None and len(facets) > 1:
        if ax is not None:
            raise InputError("this result has several facets: pass facet=... to draw one on ax")
        apply_style()
        fig, axes = plt.subplots(len(facets), 1, squeeze=False, layout="constrained",
                                 figsize=(FIGSIZE[0], FIGSIZE[1] * len(facets)))
        for a, f in zip(axes[:, 0], facets, strict=True):
            plot_spc(result, a, facet=f, y_label=y_label, x_label=x_label,
                     show_icons=show_icons, caption=caption, legend=legend)
        return axes[:, 0]
    facet = facets[0] if facet is None else facet
    if facet not in facets:
        raise InputError(f"no facet {facet!r}; the facets are {facets}")
    if ax is None:
        apply_style()
        _, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    points = result._points
    d = points[points["facet"] == facet]
    o = result.options
    stepped = result.chart not in ("xmr", "run")

    ax.plot(d["x"], d["y"], color=SPC_COMMON_CAUSE, linewidth=1.4, zorder=2, gid="spc-line",
            label="_nolegend_")
    for ptype, (colour, marker, text) in POINT_STYLE.items():
        sel = d["point_type"] == ptype
        if sel.any():
            ax.scatter(d.loc[sel, "x"], d.loc[sel, "y"], color=colour, marker=marker,
                       s=22 if ptype == labels.COMMON_CAUSE else 42, zorder=3, label=text,
                       gid=f"spc-points-{ptype}")
    centre_label = "Median" if result.chart == "run" else "Mean"
    for i, (_, g) in enumerate(d.groupby("rebase_group", sort=True)):
        style = {"drawstyle": "steps-mid"} if stepped else {}
        ax.plot(g["x"], g["centre"], color=NHS_BLACK, linewidth=1.2, zorder=1, gid="spc-centre",
                label=centre_label if i == 0 else "_nolegend_")
        if result.chart != "run":
            for j, col in enumerate(("lpl", "upl")):
                ax.plot(g["x"], g[col], color=NHS_DARK_GREY, linestyle="--", linewidth=1.0,
                        zorder=1, gid="spc-limits", **style,
                        label="Process limits" if i == 0 and j == 0 else "_nolegend_")
        if i > 0:
            start = g["x"].iloc[0]
            ax.axvline(start, color=NHS_DARK_GREY, linestyle=":", linewidth=1.2, gid="spc-rebase",
                       label="Rebased" if i == 1 else "_nolegend_")
            reason = result.rebase_reasons.get((facet, int(g["rebase_group"].iloc[0])))
            ax.annotate(reason or "rebased", xy=(start, 0.0), xycoords=("data", "axes fraction"),
                        xytext=(3, 3), textcoords="offset points", va="bottom", fontsize=8,
                        color=NHS_DARK_GREY, gid="spc-rebase-label")
    target = o.target_for(facet)
    if target is not None:
        ax.axhline(target, color=NHS_DARK_RED, linestyle="-.", linewidth=1.2, gid="spc-target",
                   label=f"Target ({target:g})")

    if title is not None and not caption and labels.CHART_NAMES[result.chart] not in title:
        title = f"{title} ({labels.CHART_NAMES[result.chart]})"  # the chart is always named
    ax.set_title(title if title is not None else _chart_title(result, facet), loc="left")
    ax.set_ylabel(textwrap.fill(y_label if y_label is not None else readable_name(o.y),
                                LABEL_WRAP_CHARS))
    ax.set_xlabel(x_label if x_label is not None else readable_name(o.x))
    if result.chart in ("p", "pprime"):
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    if result.x_is_date:
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if legend:
        draw_legend(ax)

    if show_icons or caption:
        icons = result.icons().set_index("facet").loc[facet]
    if show_icons:
        vtype = icons["variation_icon"]
        _draw_icon(ax, _VARIATION_BOX, POINT_STYLE[vtype][0],
                   _variation_letter(vtype, o.improvement_direction), "spc-variation-icon",
                   icons["variation_text"])
        if icons["assurance_icon"] is not None:
            colour, letter = ASSURANCE_STYLE[icons["assurance_icon"]]
            _draw_icon(ax, _ASSURANCE_BOX, colour, letter, "spc-assurance-icon",
                       icons["assurance_text"])
    if caption:
        kind = labels.CHART_DESCRIPTIONS[result.chart]
        text = textwrap.fill(f"{kind[:1].upper()}{kind[1:]}. {icons['variation_text']} "
                             f"{icons['assurance_text']}", _CAPTION_WIDTH)
        ax.annotate(text, xy=(0, 0), xycoords="axes fraction",
                    xytext=(0, -62 if legend else -30), textcoords="offset points", va="top",
                    fontsize=8, color=NHS_DARK_GREY, gid="spc-icon-text")
    return ax
