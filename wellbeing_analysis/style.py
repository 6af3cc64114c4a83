"""NHS colours and chart defaults shared by every plot.

Colours are from the NHS identity guidelines (england.nhs.uk/nhsidentity) and, for SPC
point types, the Making Data Count palette used by NHSRplotthedots. Blue against orange
is distinguishable with the common colour-vision deficiencies; every coloured meaning is
also carried by marker shape or text.
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
NHS_ORANGE = "#ED8B00"
NHS_PURPLE = "#330072"
NHS_PINK = "#AE2573"
NHS_DARK_RED = "#8A1538"
NHS_BLACK = "#231f20"

#: Making Data Count point colours (NHSRplotthedots).
SPC_IMPROVEMENT = "#289DE0"
SPC_CONCERN = "#FAB428"
SPC_NEUTRAL = "#361475"
SPC_COMMON_CAUSE = "#7B7D7D"

#: Categorical palette for series/groups, chosen for contrast and colour-blind safety.
CATEGORICAL = (NHS_BLUE, NHS_ORANGE, NHS_AQUA_GREEN, NHS_PINK, NHS_DARK_GREY, NHS_WARM_YELLOW,
               NHS_PURPLE, NHS_LIGHT_BLUE)

#: Default figure size (inches) for report charts: readable at report width.
FIGSIZE = (9.0, 4.2)


#: NHS typeface Frutiger is licensed; Arial is the NHS fallback, then metric-compatible and
#: always-available fonts.
PREFERRED_FONTS = ("Arial", "Liberation Sans", "Helvetica", "DejaVu Sans")


def available_fonts(preferred: tuple[str, ...]) -> list[str]:
    """The preferred fonts installed here, in order (asking for a missing font makes
    matplotlib log a warning for every text it draws)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in preferred if f in installed] or ["DejaVu Sans"]


def apply_style() -> None:
    """Set matplotlib defaults for report charts (fonts, grid, NHS palette)."""
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "font.family": "sans-serif",
            "font.sans-serif": available_fonts(PREFERRED_FONTS),
            "font.size": 10,
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
