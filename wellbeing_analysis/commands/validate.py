"""``wellbeing validate DATA_DIR``: check every input table and list all problems."""

from __future__ import annotations

import argparse

from wellbeing_analysis.commands._common import iso_date


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "validate", help="check a service's data folder and list every problem",
        description="Check every table in DATA_DIR against the data templates: columns, types, "
        "dates, codes, duplicates, overlapping spells, absence outside spells, dates after the "
        "extract date. Reads the folder's mapping.yaml when there is one (files, sheets, headings "
        "and values as exported) and lists every mapping and normalisation applied. Lists "
        "every problem with file, spreadsheet row and column; exits 0 when clean and 1 when "
        "not.")
    p.add_argument("data_dir", metavar="DATA_DIR", help="folder holding the input tables")
    p.add_argument("--extract-date", type=iso_date, metavar="YYYY-MM-DD",
                   help="date the extract was taken (default: the latest date in the data)")
    p.add_argument("--all", action="store_true",
                   help="list every problem (by default each kind of problem shows its first "
                   "rows and a count of the rest)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from wellbeing_analysis.errors import PROBLEMS_SHOWN_PER_RULE
    from wellbeing_analysis.validation import validate_folder

    report = validate_folder(args.data_dir, extract_date=args.extract_date)
    print(report.format(per_rule=None if args.all else PROBLEMS_SHOWN_PER_RULE))
    return 0 if report.ok else 1
