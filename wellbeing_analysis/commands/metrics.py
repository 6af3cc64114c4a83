"""``wellbeing metrics DATA_DIR --out FILE.csv``: the monthly workforce indicator table."""

from __future__ import annotations

import argparse
from pathlib import Path

from wellbeing_analysis.commands._common import iso_date


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "metrics", help="validate inputs and write the monthly indicator table (CSV)",
        description="Validate DATA_DIR, then write one row per month (and per team or staff "
        "group with --by) of headcount, FTE, FTE days available and lost, absence rate, "
        "starters, leavers, rolling turnover and stability indices.")
    p.add_argument("data_dir", metavar="DATA_DIR")
    p.add_argument("--extract-date", type=iso_date, metavar="YYYY-MM-DD",
                   help="date the extract was taken (default: the latest date in the data)")
    p.add_argument("--by", choices=("team", "staff_group"), help="break down by this column")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from wellbeing_analysis.folders import check_output_file
    from wellbeing_analysis.loading import load_service
    from wellbeing_analysis.reporting.io import safe_csv_text, write_atomic_text
    from wellbeing_analysis.workforce import service_monthly_indicators

    out = Path(args.out)
    check_output_file(out, data_dir=Path(args.data_dir))
    service = load_service(args.data_dir, extract_date=args.extract_date)
    table = service_monthly_indicators(service, by=args.by)
    write_atomic_text(out, safe_csv_text(table, float_format="%.4f"))
    note = " (extract date inferred from the data)" if service.extract_date_inferred else ""
    print(f"wrote {len(table)} rows to {out}; extract date {service.extract_date.date()}{note}")
    return 0
