"""``wellbeing score INSTRUMENT --csv FILE``: per-response subscale scores of a survey file."""

from __future__ import annotations

import argparse

from wellbeing_analysis.schema.instruments import INSTRUMENTS


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "score", help="score a survey file per response (check it before reporting)",
        description="Score each response of FILE on INSTRUMENT and print its subscale scores "
        "(one row per response, in file order). The file needs 'response_id' and the "
        "instrument's item columns (e.g. psafe_1..psafe_7); other columns may be present. "
        "Every bad cell (code out of range, unknown item column, undeclared coding) is "
        "listed with file, row and column. OLBI answers can be coded two ways: declare it "
        "with --coding agree_1|disagree_1 or an 'olbi_coding' column.")
    p.add_argument("instrument", metavar="INSTRUMENT", choices=tuple(INSTRUMENTS),
                   help="one of: " + ", ".join(INSTRUMENTS))
    p.add_argument("--csv", required=True, metavar="FILE", help="survey responses (CSV)")
    p.add_argument("--coding", metavar="NAME",
                   help="response coding, for instruments with more than one convention "
                   "(olbi: agree_1 or disagree_1)")
    p.add_argument("--json", action="store_true",
                   help="print a JSON list, one object per response, instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    import pandas as pd

    from wellbeing_analysis.errors import InputError, format_problems
    from wellbeing_analysis.instruments.scoring import score_responses
    from wellbeing_analysis.validation import read_raw

    path = Path(args.csv)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    raw, problems = read_raw(path)
    if raw is None:
        raise InputError(format_problems(problems).strip())
    scores = score_responses(raw, args.instrument, coding=args.coding, keep=(),
                             source=path.name)
    if args.json:
        records = scores.astype(object).where(scores.notna(), None).to_dict(orient="records")
        print(json.dumps(records, indent=2))
        return 0
    inst = INSTRUMENTS[args.instrument]
    print(f"{inst.title}: {len(scores)} response(s) from {path.name}; status {inst.status}.")
    print(f"Missing items: {inst.missing_rule}.")
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(scores.to_string(index=False, na_rep="(not scored)", float_format="{:.2f}".format))
    return 0
