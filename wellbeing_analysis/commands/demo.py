"""``wellbeing demo``: set up the synthetic demo services and render their reports.

The demo's data belong to this command alone: no params key makes a report generate data.
In the workspace folder (default: the current one) it uses ``params/<service>.yaml``
(written from the package's copy when missing), writes the synthetic data into
``data/<service>`` when missing (marked as demo data; a folder of the same name holding
anything else is refused), and renders into ``reports/<service>``.
"""

from __future__ import annotations

import argparse

from wellbeing_analysis.constants import DEFAULT_JOBS


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo", help="render the demo service's reports from built-in synthetic data",
        description="Set up the synthetic demo service in a workspace folder (params/demo.yaml, "
        "data/demo, reports/demo; nothing existing is replaced) and render its baseline, "
        "PDSA-cycle and intervention-evaluation reports. With --all, also the two other "
        "synthetic services (riverside, hillcrest) and the network report of all three.")
    p.add_argument("--dir", default=".", metavar="DIR",
                   help="workspace folder (default: the current folder)")
    p.add_argument("--all", action="store_true",
                   help="all three synthetic services, not only the demo")
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS, metavar="N",
                   help=f"reports to render at once (default {DEFAULT_JOBS})")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wellbeing_analysis.constants import DEMO_SERVICES
    from wellbeing_analysis.reporting.catalogue import REPORTS
    from wellbeing_analysis.reporting.runner import run_reports, summarise

    workspace = Path(args.dir)
    names = list(DEMO_SERVICES) if args.all else ["demo"]
    params = [prepare_demo_service(workspace, name) for name in names]
    outcomes = run_reports(params, tuple(REPORTS), jobs=args.jobs)
    print(summarise(outcomes))
    ok = all(o.ok for o in outcomes)
    if args.all:
        from wellbeing_analysis.reporting.network_run import run_network

        network = run_network([str(p) for p in params])
        print(network.summary())
        ok = ok and network.ok
    if ok:
        index = Path(outcomes[0].html).parent / "index.html"
        print(f"\nOpen the demo reports: {index}")
    return 0 if ok else 1


def prepare_demo_service(workspace, name: str):
    """The params file of a demo service in ``workspace``, its data generated if missing."""
    from importlib import resources
    from pathlib import Path

    from wellbeing_analysis.constants import DEMO_SERVICES
    from wellbeing_analysis.demo import generate_demo
    from wellbeing_analysis.errors import InputError
    from wellbeing_analysis.folders import is_demo_data, mark_demo_data
    from wellbeing_analysis.reporting.outputs import mark_reports_root

    workspace = Path(workspace)
    params = workspace / "params" / f"{name}.yaml"
    if not params.exists():
        params.parent.mkdir(parents=True, exist_ok=True)
        packaged = resources.files("wellbeing_analysis.demo.params") / f"{name}.yaml"
        params.write_text(packaged.read_text(encoding="utf-8"), encoding="utf-8")
    data = workspace / "data" / name
    if not data.exists():
        generate_demo(data, seed=DEMO_SERVICES[name])
        mark_demo_data(data, DEMO_SERVICES[name])
    elif not is_demo_data(data):
        raise InputError(f"{data} exists but does not hold the demo's synthetic data; the demo "
                         "never writes into it. Run the demo in another folder (--dir)")
    reports = workspace / "reports"
    if not reports.exists():
        mark_reports_root(reports)
    national = workspace / "data" / "national"
    if not national.exists():  # the synthetic national publication the params name
        from wellbeing_analysis.demo.publication import PUBLICATION_FILE, generate_publication

        national.mkdir(parents=True)
        generate_publication().to_csv(national / PUBLICATION_FILE, index=False)
        mark_demo_data(national, 0)
    return params
