"""``wellbeing demo``: render the demo service's three reports from synthetic data."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo", help="render the demo service's reports from built-in synthetic data",
        description="Generate the synthetic demo service (if missing) and render its baseline, "
        "PDSA-cycle and intervention-evaluation reports into reports/demo/.")
    p.add_argument("--params", default=None, metavar="PARAMS.yaml",
                   help="params file (default: params/demo.yaml in the project)")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="reports in parallel")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from wellbeing_analysis.reporting.runner import PROJECT_ROOT, REPORTS, run_reports, summarise

    params = Path(args.params) if args.params else PROJECT_ROOT / "params" / "demo.yaml"
    outcomes = run_reports([params], tuple(REPORTS), jobs=args.jobs)
    print(summarise(outcomes))
    ok = all(o.ok for o in outcomes)
    if ok:
        index = Path(outcomes[0].html).parent / "index.html"
        print(f"\nOpen the demo reports: {index}")
    return 0 if ok else 1
