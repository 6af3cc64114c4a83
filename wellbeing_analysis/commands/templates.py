"""``wellbeing templates OUT_DIR``: blank data templates and the data dictionary."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "templates", help="copy the data templates and data dictionary for a new service",
        description="Write one template CSV per input table (header and example rows) and "
        "data_dictionary.md into OUT_DIR. Replace the example rows with your extract.")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from wellbeing_analysis.templates import write_templates

    for path in write_templates(args.out_dir):
        print(path)
    return 0
