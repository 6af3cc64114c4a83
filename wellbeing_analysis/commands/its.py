"""``wellbeing its``: fit an interrupted time-series model to a CSV and print the results.

The options and the ``--json`` output are a stable contract (issue 3); the JSON object is
:meth:`wellbeing_analysis.its.ITSResult.to_dict`.
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    """Add the ``its`` sub-command."""
    p = subparsers.add_parser(
        "its",
        help="interrupted time-series analysis of a regular series in a CSV",
        description=(
            "Segmented regression with a level and a slope change at each interruption. "
            "Prints the coefficients, the level and slope changes, the post-interruption "
            "trend and diagnostics (a table, or one JSON object with --json)."
        ),
    )
    p.add_argument("--csv", required=True, metavar="FILE", help="input CSV (UTF-8)")
    p.add_argument("--time", required=True, metavar="COL",
                   help="time column: numbers or monthly dates (YYYY-MM, YYYY-MM-DD, DD/MM/YYYY)")
    p.add_argument("--outcome", required=True, metavar="COL", help="outcome column")
    p.add_argument("--interruption", required=True, action="append", metavar="VALUE",
                   help="time value of the first post-interruption point (repeat for several)")
    p.add_argument("--family", default=None, metavar="FAMILY",
                   help="glsar (default; ols when --hac-lags is given), ols, poisson, "
                        "quasipoisson, quasipoisson_ar or negbin")
    p.add_argument("--offset", metavar="COL",
                   help="exposure column; the model uses log(COL) (log-link families)")
    p.add_argument("--season-col", metavar="COL", help="season column, e.g. month 1-12")
    p.add_argument("--period", type=int, metavar="P", help="season period (default 12)")
    p.add_argument("--harmonics", type=int, metavar="K", help="number of Fourier pairs")
    p.add_argument("--season-indicators", action="store_true",
                   help="one indicator per season instead of Fourier pairs")
    p.add_argument("--covariate", action="append", default=[], metavar="COL",
                   help="extra covariate column (repeat for several)")
    p.add_argument("--hac-lags", type=int, metavar="L",
                   help="Newey-West lags for --family ols (Stata newey scaling)")
    p.add_argument("--ar-order", type=int, metavar="P",
                   help="AR order of the errors for --family glsar or quasipoisson_ar "
                        "(default 1)")
    p.add_argument("--no-slope-change", action="store_true",
                   help="model a level change only")
    p.add_argument("--phase-in", type=int, default=0, metavar="M",
                   help="periods after each interruption left out of the fit")
    p.add_argument("--end", metavar="VALUE",
                   help="first time value after the intervention ended (three periods)")
    p.add_argument("--group", metavar="COL", help="series column for a controlled ITS")
    p.add_argument("--treated", metavar="VALUE", help="the treated series' value in --group")
    p.add_argument("--level-at", default="first_post", choices=("first_post", "last_pre"),
                   help="where the level change is measured (default: first post point)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the CSV, fit, print; a user's mistake raises InputError (printed by the CLI)."""
    import json

    from wellbeing_analysis.its import fit_its
    from wellbeing_analysis.loading import read_csv, require_columns

    data = read_csv(args.csv)
    require_columns(data, [args.time, args.outcome, args.offset, args.season_col,
                           *args.covariate, args.group], args.csv)
    family = args.family or ("ols" if args.hac_lags is not None else "glsar")
    result = fit_its(
        data, time=args.time, outcome=args.outcome, interruptions=args.interruption,
        family=family, offset=args.offset, season_col=args.season_col, period=args.period,
        harmonics=args.harmonics, season_indicators=args.season_indicators,
        covariates=args.covariate, hac_lags=args.hac_lags, ar_order=args.ar_order,
        slope_change=not args.no_slope_change, phase_in=args.phase_in, end=args.end,
        group=args.group, treated=args.treated, level_at=args.level_at,
    )
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(format_result(result))
    return 0


def format_result(result) -> str:
    """A readable report: model, coefficients, changes and trends, diagnostics, warnings."""
    import pandas as pd

    diag = result.diagnostics()
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        coef = result.coefficients.drop(columns=["df"]).to_string(
            index=False, float_format=lambda v: f"{v:.6g}")
        summary = result.summary().drop(columns=["df"]).to_string(
            index=False, float_format=lambda v: f"{v:.6g}")
    lines = [
        f"Interrupted time series of {result.options.outcome!r} ({result.family}: "
        f"{result.model.method})",
        f"{result.n_obs} observations; change(s) at {', '.join(result.design.labels)}; "
        f"dispersion (Pearson X2/df) {result.dispersion:.6g}",
        "", "Coefficients", coef, "", "Changes and trends", summary, "",
        f"Diagnostics ({diag.residuals}): Durbin-Watson {diag.durbin_watson:.3f}; "
        f"Ljung-Box p = {diag.ljung_box_p:.3g} at lag {diag.ljung_box_lag}",
        "", result.text,
    ]
    if result.warnings:
        lines += ["", "Warnings:"] + [f"- {w}" for w in result.warnings]
    return "\n".join(lines)
