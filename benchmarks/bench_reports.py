"""Benchmark of report rendering: the floor, each report against it, the demo as a user runs
it, what validating once saves, and batch throughput.

    .venv/bin/python benchmarks/bench_reports.py [--services 6] [--repeats 3] [--quick]

Prints, in seconds of wall time (medians of ``--repeats`` runs):

1. **The floor**: papermill executing ``benchmarks/floor.ipynb`` (a parameters cell and an
   empty cell) and nbconvert exporting it with the report template, through their Python
   APIs in this long-lived process, exactly as the runner calls them
   (:func:`~wellbeing_analysis.reporting.runner.render_notebook`).
2. **Each report** of the demo service through the runner's ``execute_report`` with the run
   bundle the preflight made (the same in-process path as ``wellbeing report``), and its
   ratio to the floor: in a new plain kernel started for it (the floor's kind), and in a
   kernel started ahead whose start-up has finished (as the runner hands them over: it
   starts kernels while the preflight and earlier reports run). The preflight (params,
   output folder, validation, pseudonymisation, the bundle) is timed once per service, as
   a batch runs it.
3. **Validate once**: what validating and loading the service costs, i.e. what each report
   would pay again if the kernels re-read the data instead of the bundle.
4. **The demo as a user runs it**: ``wellbeing report all params/demo.yaml`` as a whole
   process in a workspace where ``wellbeing demo`` has written the data (data generation
   is not part of it), one report at a time (``--jobs 1``) and two at once (``--jobs 2``,
   the default on two cores).
5. **Batch throughput** for N synthetic services (other seeds of the demo generator) with
   ``--jobs 1`` and ``--jobs 2``.

Synthetic data are generated before any timing starts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_seconds(tmp: Path, repeats: int) -> float:
    """papermill + nbconvert on a notebook that does nothing, as the runner calls them."""
    from wellbeing_analysis.reporting.runner import render_notebook

    def once():
        render_notebook(ROOT / "benchmarks" / "floor.ipynb", tmp / "floor_out.ipynb",
                        {"params_file": "unused"}, "floor")

    once()  # warm up imports in this process, as the long-lived workers are
    return _timed(once, repeats)


def _timed_ahead(run, repeats: int) -> float:
    """Median seconds of ``run(kernel=...)`` in a kernel started ahead and ready (its
    start-up and imports done before the clock starts), as the runner hands them over."""
    from jupyter_core.utils import run_sync

    from wellbeing_analysis.reporting.kernels import KernelsAhead, stop_kernel
    from wellbeing_analysis.reporting.runner import KERNEL_ARGUMENTS

    times = []
    with KernelsAhead(KERNEL_ARGUMENTS) as ahead:
        for _ in range(repeats):
            ahead.start()
            kernel = ahead.take()
            client = kernel.client()
            client.start_channels()
            run_sync(client.wait_for_ready)(timeout=120)
            start = time.perf_counter()
            try:
                run(kernel=kernel)
            finally:
                times.append(time.perf_counter() - start)
                stop_kernel(kernel)
    return statistics.median(times)


def demo_workspace(tmp: Path, names: list[str]) -> dict[str, Path]:
    """Params files of demo services in a workspace, their data written (not timed)."""
    from wellbeing_analysis.commands.demo import prepare_demo_service

    return {name: prepare_demo_service(tmp, name) for name in names}


def synthetic_services(tmp: Path, n: int) -> list[Path]:
    """``n`` services like the demo with other seeds, each with its own params file."""
    from wellbeing_analysis.demo import generate_demo

    demo_params = (tmp / "params" / "demo.yaml").read_text(encoding="utf-8")
    files = []
    for i in range(n):
        slug = f"s{i:02d}"
        generate_demo(tmp / "data" / slug, seed=1000 + i)
        text = (demo_params.replace("../data/demo", f"../data/{slug}")
                .replace("../reports/demo", f"../reports/{slug}")
                .replace("Demo Talking Therapies Service", f"Synthetic service {slug}"))
        path = tmp / "params" / f"{slug}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one repeat, 2 services")
    args = parser.parse_args()
    if args.quick:
        args.services, args.repeats = 2, 1

    from wellbeing_analysis.loading import service_from_report
    from wellbeing_analysis.reporting import outputs
    from wellbeing_analysis.reporting.catalogue import REPORTS
    from wellbeing_analysis.reporting.params import load_params
    from wellbeing_analysis.reporting.runner import (
        SINGLE_THREAD_ENV,
        execute_report,
        preflight,
        run_reports,
    )
    from wellbeing_analysis.validation import validate_folder

    for key, value in SINGLE_THREAD_ENV.items():
        os.environ.setdefault(key, value)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        demo = demo_workspace(tmp, ["demo"])["demo"]
        services = synthetic_services(tmp, args.services)

        floor = floor_seconds(tmp, args.repeats)
        print(f"\nfloor (papermill + nbconvert in process, empty notebook): {floor:.2f} s")

        plan = preflight(demo, tuple(REPORTS))
        if plan.error:
            raise RuntimeError(plan.error)
        preflight_s = _timed(lambda: preflight(demo, tuple(REPORTS)), args.repeats)
        print(f"preflight of the demo service (params, folder, validation, bundle): "
              f"{preflight_s:.2f} s")
        print("\nreports for the demo service (in process, with the bundle, median):")
        print(f"  {'report':<11} {'new kernel':>10} {'x floor':>8} {'started ahead':>14} "
              f"{'x floor':>8}")
        total = 0.0
        for report in REPORTS:
            def once(report=report, kernel=None):
                outcome = execute_report(str(demo), report, str(plan.folder),
                                         plan.params.service_name, plan.bundle, kernel)
                if not outcome.ok:
                    raise RuntimeError(outcome.error)
            seconds = _timed(once, args.repeats)
            ahead = _timed_ahead(once, args.repeats)
            total += seconds
            print(f"  {report:<11} {seconds:10.2f} {seconds / floor:8.2f} {ahead:14.2f} "
                  f"{ahead / floor:8.2f}")
        outputs.remove_staging(plan.folder, Path(plan.bundle).parent.name)

        params = load_params(demo)
        validate_s = _timed(lambda: service_from_report(validate_folder(
            params.data_path, extract_date=params.extract_timestamp)), args.repeats)
        n = len(REPORTS)
        print(f"\nvalidate once: validating and loading the demo service takes {validate_s:.2f} s; "
              f"once per service instead of {n + 1} times saves {n * validate_s:.2f} s per "
              f"'report all' ({n * validate_s / (preflight_s + total):.0%} of its "
              f"{preflight_s + total:.1f} s)")

        env = {**os.environ, "PYTHONHASHSEED": "0"}
        wellbeing = Path(sys.executable).parent / "wellbeing"

        def demo_command(jobs: int):
            subprocess.run([str(wellbeing), "report", "all", str(demo), "--jobs", str(jobs)],
                           check=True, capture_output=True, cwd=tmp, env=env)

        demo_command(1)  # the first run claims the output folder; time the steady state
        print()
        for jobs in (1, 2):
            seconds = _timed(lambda jobs=jobs: demo_command(jobs), args.repeats)
            print(f"'wellbeing report all params/demo.yaml --jobs {jobs}' as a whole process: "
                  f"{seconds:.1f} s")

        results = {}
        for jobs in (1, 2):
            for f in services:
                shutil.rmtree(load_params(f).output_path, ignore_errors=True)
            start = time.perf_counter()
            outcomes = run_reports(services, tuple(REPORTS), jobs=jobs, progress=False)
            wall = time.perf_counter() - start
            failed = [o for o in outcomes if not o.ok]
            if failed:
                raise RuntimeError(f"{len(failed)} report(s) failed: {failed[0].error}")
            results[jobs] = wall
            print(f"batch of {len(services)} services x {n} reports, --jobs {jobs}: "
                  f"{wall:.1f} s, {60 * len(outcomes) / wall:.1f} reports/minute")
        print(f"throughput of --jobs 2 over --jobs 1: {results[1] / results[2]:.2f} x")


if __name__ == "__main__":
    main()
