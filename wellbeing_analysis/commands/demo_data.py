"""``wellbeing demo-data OUT_DIR [--seed N]``: write the synthetic demo service."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    from wellbeing_analysis.demo import DEFAULT_SEED

    p = subparsers.add_parser(
        "demo-data", help="write a deterministic synthetic service in the template layout",
        description="Write a synthetic NHS Talking Therapies service (staff spells, absence, "
        "interventions, PDSA cycles, surveys) into OUT_DIR in the data-template layout, plus "
        "truth.json describing the injected effects. The same seed gives the same files.")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N",
                   help=f"random seed (default {DEFAULT_SEED})")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from wellbeing_analysis.demo import generate_demo

    out = generate_demo(args.out_dir, seed=args.seed)
    print(f"wrote the synthetic service to {out} (seed {args.seed})")
    return 0
