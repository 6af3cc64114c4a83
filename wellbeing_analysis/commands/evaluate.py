"""``wellbeing evaluate``: the intervention evaluation's results without rendering a report.

One JSON object per params file (a list when several are given) with ``service``,
``intervention``, ``status`` and ``outcomes``: each outcome has ``name`` ('absence' or
'leaving'), ``verdict`` ('improved', 'worsened', 'no clear change' or 'not enough data'),
``relative_effect`` (``estimate``, ``ci_lower``, ``ci_upper`` as proportions; null when not
estimable), ``model`` (family and error structure in words) and ``checks`` (guardrails and
diagnostics, each with ``passed`` and ``detail``). The evaluation report renders the same
computation (:func:`wellbeing_analysis.reporting.evaluation.evaluate_params`).
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    """Add the ``evaluate`` sub-command."""
    p = subparsers.add_parser(
        "evaluate",
        help="evaluate an intervention (absence and leaving) and print the results",
        description=(
            "Interrupted time-series evaluation of the intervention named in each params file "
            "(its 'evaluation' section), without rendering the report: verdicts, relative "
            "effects with 95%% intervals, the primary model and the checks behind them. A "
            "short summary, or JSON with --json (one object per params file; a list when "
            "several are given)."
        ),
    )
    p.add_argument("params", nargs="+", metavar="PARAMS.yaml", help="report params file(s)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--power", action="store_true",
                   help="also run the power planner (slower; adds 'power' to each outcome)")
    p.set_defaults(func=run)


def evaluate_file(params_file: str, *, with_power: bool = False) -> tuple[dict, str]:
    """(JSON object, plain-text summary) of one params file."""
    from wellbeing_analysis.reporting.context import ReportContext
    from wellbeing_analysis.reporting.evaluation import evaluate_params

    ctx = ReportContext.from_params(params_file)
    evaluation = evaluate_params(ctx)
    return evaluation.to_dict(with_power=with_power), evaluation.text


def run(args: argparse.Namespace) -> int:
    """Evaluate each params file and print; a user's mistake raises a WellbeingError."""
    import json

    results = [evaluate_file(path, with_power=args.power) for path in args.params]
    if args.json:
        objects = [obj for obj, _ in results]
        print(json.dumps(objects[0] if len(objects) == 1 else objects, indent=2,
                         allow_nan=False))
    else:
        print("\n\n".join(text for _, text in results))
    return 0
