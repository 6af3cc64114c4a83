"""NHS colours and chart defaults shared by every plot.

Colours are from the NHS identity guidelines (england.nhs.uk/nhsidentity) and, for SPC
point types, the Making Data Count palette used by NHSRplotthedots. Blue against orange
is distinguishable with the common colour-vision deficiencies; every coloured meaning is
also carried by marker shape or text.

Every colour that carries meaning on a chart (a line, a point, a bar) has at least 3:1
contrast with the white background (WCAG 2.2, 1.4.11 non-text contrast;
:func:`contrast_ratio`): the NHS orange, the Making Data Count concern amber and
improvement blue are darkened to the nearest shade that does (``docs/reports.md``). Pale
colours are kept for backgrounds only (shaded windows, grids, bands).
"""

from __future__ import annotations

import matplotlib as mpl

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_BRIGHT_BLUE = "#0072CE"
NHS_LIGHT_BLUE = "#41B6E6"
NHS_AQUA_GREEN = "#00A499"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_PALE_GREY = "#E8EDEE"
NHS_WARM_YELLOW = "#FFB81C"
#: NHS orange (#ED8B00, 2.5:1 on white) darkened to 4.7:1 for lines and bars.
NHS_ORANGE = "#B65A00"
NHS_PURPLE = "#330072"
NHS_PINK = "#AE2573"
NHS_DARK_RED = "#8A1538"
NHS_BLACK = "#231f20"

#: Making Data Count point colours (NHSRplotthedots), the improvement blue (#289DE0, 3.0:1)
#: and concern amber (#FAB428, 1.8:1) darkened to at least 4.5:1 on white.
SPC_IMPROVEMENT = "#0072CE"
SPC_CONCERN = "#B65A00"
SPC_NEUTRAL = "#361475"
SPC_COMMON_CAUSE = "#7B7D7D"

#: Categorical palette for series/groups, chosen for contrast (each 3:1 or more on white)
#: and colour-blind safety.
CATEGORICAL = (NHS_BLUE, NHS_ORANGE, NHS_AQUA_GREEN, NHS_PINK, NHS_DARK_GREY, NHS_PURPLE,
               NHS_DARK_RED, NHS_MID_GREY)
#: The middle answer of an agree/disagree scale (a bar segment between orange and blue).
NEUTRAL_SEGMENT = NHS_MID_GREY
#: Shading of time windows on charts (behind the data; each window is also named in text).
WINDOW_SHADES = {"phase-in": NHS_PALE_GREY, "adjusted": "#ECE6F2"}

#: Default figure size (inches) for report charts: readable at report width.
FIGSIZE = (9.0, 4.2)
#: Characters per line of an axis label or a marker's note on a chart: longer ones wrap, so
#: a vertical label stays within a chart FIGSIZE high and a note within a small panel.
LABEL_WRAP_CHARS = 32


#: NHS typeface Frutiger is licensed; Arial is the NHS fallback, then metric-compatible and
#: always-available fonts.
PREFERRED_FONTS = ("Arial", "Liberation Sans", "Helvetica", "DejaVu Sans")


def available_fonts(preferred: tuple[str, ...]) -> list[str]:
    """The preferred fonts installed here, in order (asking for a missing font makes
    matplotlib log a warning for every text it draws)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in preferred if f in installed] or ["DejaVu Sans"]


def contrast_ratio(colour: str, background: str = "#ffffff") -> float:
    """WCAG contrast ratio ``(L1 + 0.05) / (L2 + 0.05)`` of two colours' relative
    luminances (sRGB channels linearised, weighted 0.2126 R + 0.7152 G + 0.0722 B)."""
    from matplotlib.colors import to_rgb

    def luminance(c: str) -> float:
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in to_rgb(c)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def apply_style() -> None:
    """Set matplotlib defaults for report charts (fonts, grid, NHS palette)."""
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": 192,
            "font.family": "sans-serif",
            "font.sans-serif": available_fonts(PREFERRED_FONTS),
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": NHS_DARK_GREY,
            "axes.labelcolor": NHS_DARK_GREY,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": NHS_PALE_GREY,
            "axes.prop_cycle": mpl.cycler(color=list(CATEGORICAL)),
            "xtick.color": NHS_DARK_GREY,
            "ytick.color": NHS_DARK_GREY,
            "legend.frameon": False,
            "svg.hashsalt": "wellbeing-analysis",  # reproducible SVG ids
        }
    )
