"""``wellbeing funnel``: a funnel plot of units (services, trusts) from a CSV file.

    wellbeing funnel --csv FILE --numerator COL --denominator COL --group COL
                     [--data-type PR|RC|SR] [--od-adjust additive|multiplicative|none]
                     [--trim-method winsorise|trim|none] [--trim F] [--limits L L]
                     [--multiplier M] [--highlight NAME ...] [--log-x] [--png FILE] [--json]

``--json`` prints :meth:`wellbeing_analysis.funnel.FunnelResult.to_dict`. Without it, the
method, phi and tau², one line per unit with its verdict in words, and any warnings.
"""

from __future__ import annotations

import argparse

from wellbeing_analysis.constants import (
    FUNNEL_DATA_TYPES,
    FUNNEL_LIMITS,
    FUNNEL_OD_ADJUSTMENTS,
    FUNNEL_TRIM_FRACTION,
    FUNNEL_TRIM_METHODS,
)


def register(subparsers) -> None:
    """Add the ``funnel`` sub-command."""
    p = subparsers.add_parser(
        "funnel",
        help="funnel plot of units with overdispersion-adjusted limits (no league tables)",
        description=(
            "Compare units (services, trusts) on a proportion, a ratio of counts or a "
            "standardised ratio with 95% and 99.8% funnel limits, adjusted for "
            "overdispersion as Spiegelhalter (2005) and FunnelPlotR do. Each unit is "
            "reported as within, above or below the expected range; units are not ranked."
        ),
    )
    p.add_argument("--csv", required=True, metavar="FILE", help="CSV file, one row per unit")
    p.add_argument("--numerator", required=True, metavar="COL",
                   help="events, e.g. FTE days lost or leavers")
    p.add_argument("--denominator", required=True, metavar="COL",
                   help="size, e.g. FTE days available (for SR: expected events)")
    p.add_argument("--group", required=True, metavar="COL", help="unit names (one row each)")
    p.add_argument("--data-type", choices=FUNNEL_DATA_TYPES, default="PR",
                   help="PR proportion (default), RC ratio of counts, SR standardised ratio")
    p.add_argument("--od-adjust", choices=FUNNEL_OD_ADJUSTMENTS, default="additive",
                   help="overdispersion adjustment (default: additive random effects)")
    p.add_argument("--trim-method", choices=FUNNEL_TRIM_METHODS, default="winsorise",
                   help="how extreme z-scores are handled before phi (default: winsorise)")
    p.add_argument("--trim", type=float, default=FUNNEL_TRIM_FRACTION, metavar="F",
                   help=f"fraction at each end (default {FUNNEL_TRIM_FRACTION:g})")
    p.add_argument("--limits", type=float, nargs="+", default=list(FUNNEL_LIMITS),
                   metavar="L", help="limit levels in %% (default: 95 99.8)")
    p.add_argument("--multiplier", type=float, default=1.0, metavar="M",
                   help="scale the indicator, e.g. 100 for percentages (default 1)")
    p.add_argument("--highlight", nargs="+", metavar="NAME", default=None,
                   help="units to mark and label on the chart")
    p.add_argument("--log-x", action="store_true", help="logarithmic denominator axis")
    p.add_argument("--png", metavar="FILE", help="also save the chart as a PNG file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the CSV, compute, print; a user's mistake raises InputError (printed by the CLI)."""
    import json
    import sys
    from pathlib import Path

    from wellbeing_analysis.errors import InputError, require_columns
    from wellbeing_analysis.funnel import funnel
    from wellbeing_analysis.loading import read_csv

    data = read_csv(args.csv, dtype={args.group: str})
    require_columns(data, [args.numerator, args.denominator, args.group], args.csv)
    result = funnel(data, numerator=args.numerator, denominator=args.denominator,
                    group=args.group, data_type=args.data_type, od_adjust=args.od_adjust,
                    trim_method=args.trim_method, trim=args.trim, limits=args.limits,
                    multiplier=args.multiplier)
    if args.png:
        png = Path(args.png)
        if not png.parent.is_dir():
            raise InputError(f"--png: folder {str(png.parent)!r} does not exist")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ax = result.plot(highlight=args.highlight, xscale="log" if args.log_x else "linear")
        ax.figure.savefig(png, bbox_inches="tight")
        plt.close(ax.figure)
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
    else:
        print(format_result(result))
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0


def format_result(result) -> str:
    """The method, phi and tau², then one line per unit in the input order (no ranking)."""
    import pandas as pd

    from wellbeing_analysis.funnel.methods import level_key

    t = result.table
    cols = ["group", "numerator", "denominator", "indicator", "z_adjusted"]
    for level in result.levels:
        cols += [f"lower_{level_key(level)}", f"upper_{level_key(level)}"]
    cols.append("assessment")
    with pd.option_context("display.width", 200, "display.max_columns", None):
        body = t[cols].to_string(index=False, float_format=lambda v: f"{v:.6g}")
    return "\n".join([
        result.method,
        (f"{result.n_units} units; target {result.target:.6g}; φ = {result.phi:.6g}; "
         f"τ² = {result.tau2:.6g}; adjustment: {result.adjustment}"),
        "",
        body,
    ])
