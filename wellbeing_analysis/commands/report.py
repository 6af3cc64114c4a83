"""``wellbeing report {baseline|pdsa|evaluation|all} PARAMS.yaml ... [--jobs N]``."""

from __future__ import annotations

import argparse
import os

from wellbeing_analysis.constants import DEFAULT_JOBS
from wellbeing_analysis.reporting.catalogue import NETWORK, REPORTS

#: Every report by its key, all of a service's reports, or the network report of several.
CHOICES = (*REPORTS, "all", NETWORK.key)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report", help="render reports (HTML) for one or many services",
        description="Validate each service's params and data once, execute the report "
        "notebooks with papermill and render them to HTML without code (nbconvert). One "
        "failing service does not stop the others; a summary lists every failure and the exit "
        "code is 1 if any failed. A failed report never replaces the previous good one. "
        "Reports are written only into each service's own output folder.")
    p.add_argument("which", choices=CHOICES, help="which report(s) to render")
    p.add_argument("params", nargs="+", metavar="PARAMS.yaml", help="one params file per service")
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS, metavar="N",
                   help=f"reports to render at once, each in its own kernel holding its "
                   f"service's data (default {DEFAULT_JOBS}; this machine has "
                   f"{os.cpu_count()} cores)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--pdf", action="store_true",
                   help="also print each rendered report to an A4 PDF beside its HTML, with "
                   "headless Chromium (says so plainly when Chromium is not installed)")
    p.add_argument("--publication", metavar="FILE.csv",
                   help="network only: NHS Digital's organisation-level sickness absence CSV "
                   "(default: organisation.publication in the services' params)")
    p.add_argument("--out", metavar="DIR", help="network only: where network.html goes "
                   "(default: the reports folder holding the services' folders)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from wellbeing_analysis.errors import InputError
    from wellbeing_analysis.reporting.runner import run_reports, summarise

    if args.jobs < 1:
        raise InputError("--jobs must be at least 1")
    if args.which == NETWORK.key:
        from wellbeing_analysis.reporting.network_run import run_network

        outcome = run_network(args.params, out=args.out, publication=args.publication)
        print(outcome.summary())
        pdf_ok = _pdfs([outcome.html] if outcome.ok else []) if args.pdf else True
        return 0 if outcome.ok and not outcome.failed and pdf_ok else 1
    if args.publication or args.out:
        raise InputError("--publication and --out apply to the network report only")
    reports = tuple(REPORTS) if args.which == "all" else (args.which,)
    outcomes = run_reports(args.params, reports, jobs=args.jobs, progress=not args.no_progress)
    print(summarise(outcomes))
    pdf_ok = _pdfs([o.html for o in outcomes if o.ok]) if args.pdf else True
    return 0 if all(o.ok for o in outcomes) and pdf_ok else 1


def _pdfs(pages: list) -> bool:
    """Print the rendered pages to PDF; False when a page could not be printed (a missing
    Chromium is said plainly and is not a failure: the HTML reports are complete)."""
    from wellbeing_analysis.reporting.pdf import print_pdfs

    outcomes, note = print_pdfs(pages)
    print(note)
    return all(o.pdf is not None for o in outcomes)
