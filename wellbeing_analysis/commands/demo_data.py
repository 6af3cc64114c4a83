"""``wellbeing demo-data OUT_DIR [--seed N]``: write the synthetic demo service."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    from wellbeing_analysis.demo import DEFAULT_SEED

    p = subparsers.add_parser(
        "demo-data", help="write a deterministic synthetic service in the template layout",
        description="Write a synthetic NHS Talking Therapies service (staff spells, absence, "
        "interventions, PDSA cycles, surveys) into OUT_DIR, which must be new or empty, in the "
        "data-template layout, plus truth.json describing the injected effects. The same seed "
        "gives the same files.")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N",
                   help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--force", action="store_true",
                   help="write into a folder that is not empty, replacing files of the same "
                   "names (each is listed)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wellbeing_analysis.demo import demo_files, generate_demo
    from wellbeing_analysis.folders import check_new_folder, mark_demo_data

    out = Path(args.out_dir)
    replaced = check_new_folder(out, demo_files(), force=args.force, what="demo data")
    for path in replaced:
        print(f"replacing {path}")
    generate_demo(out, seed=args.seed)
    mark_demo_data(out, args.seed)
    print(f"wrote the synthetic service to {out} (seed {args.seed})")
    return 0
