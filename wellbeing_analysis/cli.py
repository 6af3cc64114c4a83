"""The ``wellbeing`` command line.

Each sub-command lives in its own module under ``wellbeing_analysis/commands/`` and
exposes ``register(subparsers)``, which adds its parser and sets ``func`` (called with
the parsed arguments, returning an exit code). A user's mistake raises
:class:`~wellbeing_analysis.errors.WellbeingError`: it is printed without a traceback and
the command exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from wellbeing_analysis import __version__
from wellbeing_analysis.errors import WellbeingError

#: Sub-command modules, in the order ``wellbeing --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "templates",
    "validate",
    "metrics",
    "demo_data",
    "spc",
    "its",
    "funnel",
    "evaluate",
    "score",
    "report",
    "demo",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="wellbeing",
        description=(
            "Staff wellbeing analytics for NHS Talking Therapies services: validate HR and "
            "survey extracts, compute monthly workforce indicators, SPC and interrupted "
            "time-series analyses, score wellbeing instruments and render reports."
        ),
    )
    parser.add_argument("--version", action="version", version=f"wellbeing {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"wellbeing_analysis.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 1 problem, 2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # the reader went away (e.g. `wellbeing validate DIR | head`): stop quietly, and stop
        # Python from complaining again when it flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except WellbeingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
