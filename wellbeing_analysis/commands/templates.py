"""``wellbeing templates OUT_DIR``: blank data templates and the data dictionary."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "templates", help="write blank data templates and the data dictionary for a new service",
        description="Write one header-only template CSV per input table and "
        "data_dictionary.md (every column, with an example) into OUT_DIR, which must be new or "
        "empty. Put your extract's rows under each header.")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("--force", action="store_true",
                   help="write into a folder that is not empty, replacing files of the same "
                   "names (each is listed)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wellbeing_analysis.data_templates import template_files, write_templates
    from wellbeing_analysis.folders import check_new_folder

    out = Path(args.out_dir)
    replaced = check_new_folder(out, template_files(), force=args.force, what="templates")
    for path in replaced:
        print(f"replacing {path}")
    for path in write_templates(out):
        print(path)
    return 0
