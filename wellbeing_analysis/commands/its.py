"""``wellbeing its``: fit an interrupted time-series model to a CSV and print the results.

The options and the ``--json`` output are a stable contract; the JSON object is
:meth:`wellbeing_analysis.its.ITSResult.to_dict`. The flags are generated from
:class:`~wellbeing_analysis.its.options.ITSOptions` (one flag per option).
"""

from __future__ import annotations

import argparse

from wellbeing_analysis.commands._common import Flag, add_flags, flag_values
from wellbeing_analysis.its.options import FAMILIES, LEVEL_AT, ITSOptions

#: One flag per ITS option (names, defaults and booleans come from :class:`ITSOptions`).
FLAGS = (
    Flag("time", "time column: numbers or monthly dates (YYYY-MM, YYYY-MM-DD, DD/MM/YYYY)",
         "COL", required=True),
    Flag("outcome", "outcome column", "COL", required=True),
    Flag("interruptions", "time value of the first post-interruption point (repeat the flag "
         "for several)", "VALUE", repeat=True, required=True, name="--interruption"),
    Flag("family", "model family (default glsar; ols when --hac-lags is given)",
         choices=FAMILIES),
    Flag("offset", "exposure column; the model uses log(COL) (log-link families)", "COL"),
    Flag("season_col", "season column, e.g. month 1-12", "COL"),
    Flag("period", "season period (default 12)", "P", int),
    Flag("harmonics", "number of Fourier pairs", "K", int),
    Flag("season_indicators", "one indicator per season instead of Fourier pairs"),
    Flag("covariates", "extra covariate column (repeat the flag for several)", "COL",
         repeat=True, name="--covariate"),
    Flag("hac_lags", "Newey-West lags for --family ols (Stata newey scaling)", "L", int),
    Flag("ar_order", "AR order of the errors for --family glsar or quasipoisson_ar "
         "(default 1)", "P", int),
    Flag("slope_change", "model a level change only"),
    Flag("phase_in", "periods after each interruption left out of the fit", "M", int),
    Flag("end", "first time value after the intervention ended (three periods)", "VALUE"),
    Flag("group", "series column for a controlled ITS", "COL"),
    Flag("treated", "the treated series' value in --group", "VALUE"),
    Flag("level_at", "where the level change is measured (default: first post point)",
         choices=LEVEL_AT),
)


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
    add_flags(p, ITSOptions, FLAGS)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the CSV, fit, print; a user's mistake raises InputError (printed by the CLI)."""
    import json

    from wellbeing_analysis.errors import require_columns
    from wellbeing_analysis.its import fit_its
    from wellbeing_analysis.loading import read_csv

    data = read_csv(args.csv)
    options = flag_values(args, FLAGS)
    if "hac_lags" in options and "family" not in options:
        options["family"] = "ols"  # Newey-West lags are given for OLS
    require_columns(data, [args.time, args.outcome, args.offset, args.season_col,
                           *(args.covariates or ()), args.group], args.csv)
    result = fit_its(data, **options)
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
