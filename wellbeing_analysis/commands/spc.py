"""``wellbeing spc``: an SPC or run chart of one series from a CSV file.

    wellbeing spc --csv FILE --x COL --y COL [--n COL] [--chart xmr|run|p|u|c|pprime|uprime]
                  [--rules mdc|anhoej|ihi] [--rebase X [--rebase X ...]] [--fix-after N] [--no-screen]
                  [--direction increase|decrease|neutral] [--target T] [--json]

``--json`` prints one object (a stable contract): ``chart``, ``points`` (``x``, ``y``,
``centre``, ``lower``, ``upper``, ``special_cause``, ``point_type``), ``variation_icon``,
``assurance_icon``, ``warnings`` - plus ``rules`` and ``signals``. Without it, a summary
table, the icons in words and any warnings are printed.
"""

from __future__ import annotations

import argparse

from wellbeing_analysis.commands._common import Flag, add_flags, flag_values
from wellbeing_analysis.constants import SPC_CHART_TYPES, SPC_IMPROVEMENT_DIRECTIONS, SPC_RULE_SETS
from wellbeing_analysis.spc.options import SPCOptions

#: One flag per SPC option (names, defaults and booleans come from :class:`SPCOptions`; a
#: facet needs a table, not a command line).
FLAGS = (
    Flag("x", "column of dates (YYYY-MM-DD or DD/MM/YYYY) or numbers", "COL", required=True),
    Flag("y", "column of values (for P/U charts: the proportion or rate)", "COL",
         required=True),
    Flag("n", "denominator column (P, U, P′, U′ charts)", "COL"),
    Flag("chart", "chart type (default: xmr; with --n, chosen from the counts y × n: run for thin "
         "counts, Laney pprime/uprime when over-dispersed, else p/u; see docs/spc.md)",
         choices=SPC_CHART_TYPES),
    Flag("rules", "rule set (default: mdc for control charts, anhoej for run charts)",
         choices=SPC_RULE_SETS),
    Flag("rebase", "x value where new limits start (first point on or after it); repeat the "
         "flag for several", "X", repeat=True),
    Flag("fix_after_n_points", "compute limits from the first N (>= 12) points of each group",
         "N", int, name="--fix-after"),
    Flag("screen_outliers", "do not screen large moving ranges (the Excel tool's behaviour)",
         name="--no-screen"),
    Flag("improvement_direction", "which way is improvement (default: increase)",
         choices=SPC_IMPROVEMENT_DIRECTIONS, name="--direction"),
    Flag("target", "target for the assurance icon", "T", float),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``spc`` sub-command."""
    p = subparsers.add_parser(
        "spc",
        help="SPC or run chart of one series with Making Data Count, Anhøj or IHI rules",
        description=(
            "Compute an SPC chart (XmR with Making Data Count rules, P, U, C, Laney P′/U′) or "
            "a run chart (Anhøj or IHI rules) of one series in a CSV file, and report limits, "
            "signals, point types and the variation and assurance icons."
        ),
    )
    p.add_argument("--csv", required=True, metavar="FILE", help="CSV file, one row per point")
    add_flags(p, SPCOptions, FLAGS, not_on_cli=("facet",))
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute the chart and print it as JSON or as a summary; returns the exit code."""
    import json
    import sys

    import pandas as pd

    from wellbeing_analysis.errors import require_columns
    from wellbeing_analysis.loading import read_csv
    from wellbeing_analysis.spc import spc

    data = read_csv(args.csv)
    require_columns(data, [args.x, args.y, args.n], args.csv)
    result = spc(data, **flag_values(args, FLAGS))
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
        return 0
    summary = result.summary()
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(f"{result.chart} chart, {result.rules} rules: {len(result.data)} points of "
              f"{args.y!r} by {args.x!r}")
        print(f"Chart: {result.chart_reason}")
        print(summary.to_string(index=False))
    if len(result.signals):
        print("\nSignals:")
        for text in result.signals["description"]:
            print(f"  - {text}")
    print(f"\n{result.icon_text}")
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0
