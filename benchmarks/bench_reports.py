"""Benchmark of report rendering: the floor, each report, and batch throughput.

    .venv/bin/python benchmarks/bench_reports.py [--services 10] [--repeats 3] [--quick]

Prints, in seconds of wall time:

1. The floor: papermill executing ``benchmarks/floor.ipynb`` (a notebook that only imports
   the libraries the reports import) and nbconvert exporting it with the report template,
   through their Python APIs in this long-lived process (how the runner uses them), and once
   through their command lines for comparison.
2. Each report for the demo service through the runner's ``execute_report`` (the same
   in-process path), as a multiple of the floor.
3. Batch throughput for N synthetic services (other seeds of the demo generator) with
   ``--jobs 1`` and ``--jobs 2``, and the speed-up.

Synthetic data are generated before timing starts. Medians of ``--repeats`` runs.
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
sys.path.insert(0, str(ROOT))


def _timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_in_process(tmp: Path, repeats: int) -> tuple[float, float]:
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter

    from wellbeing_analysis.reporting.runner import KERNEL_ARGUMENTS, TEMPLATE_DIR, TEMPLATE_NAME

    out = tmp / "floor_out.ipynb"

    def execute():
        pm.execute_notebook(str(ROOT / "benchmarks" / "floor.ipynb"), str(out),
                            parameters={"params_file": "unused"}, kernel_name="python3",
                            progress_bar=False, cwd=str(ROOT), extra_arguments=KERNEL_ARGUMENTS)

    def export():
        exporter = HTMLExporter(template_name=TEMPLATE_NAME,
                                extra_template_basedirs=[str(TEMPLATE_DIR)], exclude_input=True)
        exporter.from_notebook_node(nbformat.read(out, as_version=4))

    execute()  # warm up imports in this process
    return _timed(execute, repeats), _timed(export, repeats)


def floor_command_line(tmp: Path) -> tuple[float, float]:
    bin_dir = Path(sys.executable).parent
    out = tmp / "floor_cli.ipynb"
    start = time.perf_counter()
    subprocess.run([str(bin_dir / "papermill"), str(ROOT / "benchmarks" / "floor.ipynb"),
                    str(out), "-p", "params_file", "unused", "--no-progress-bar"],
                   check=True, capture_output=True, cwd=ROOT)
    mid = time.perf_counter()
    subprocess.run([str(bin_dir / "jupyter-nbconvert"), "--to", "html", "--no-input", str(out)],
                   check=True, capture_output=True, cwd=ROOT)
    return mid - start, time.perf_counter() - mid


def write_params(tmp: Path, slug: str, seed: int) -> Path:
    text = (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8")
    text = text.replace("data_dir: ../data/demo", f"data_dir: data/{slug}")
    text = text.replace("output_dir: ../reports/demo", f"output_dir: reports/{slug}")
    text = text.replace("csv: ../data/demo/", f"csv: data/{slug}/")
    text = text.replace("demo_seed: 20240401", f"demo_seed: {seed}")
    text = text.replace("service_name: Demo Talking Therapies Service",
                        f"service_name: Synthetic service {slug}")
    path = tmp / f"{slug}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one repeat, 4 services")
    args = parser.parse_args()
    if args.quick:
        args.services, args.repeats = 4, 1

    from wellbeing_analysis.demo import generate_demo
    from wellbeing_analysis.reporting.context import ensure_demo_data
    from wellbeing_analysis.reporting.params import load_params
    from wellbeing_analysis.reporting.runner import (
        REPORTS,
        SINGLE_THREAD_ENV,
        execute_report,
        run_reports,
    )

    for key, value in SINGLE_THREAD_ENV.items():
        os.environ.setdefault(key, value)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        execute, export = floor_in_process(tmp, args.repeats)
        floor = execute + export
        print(f"\nfloor (in-process APIs): papermill {execute:.2f} s + nbconvert {export:.2f} s "
              f"= {floor:.2f} s")
        cli_exec, cli_export = floor_command_line(tmp)
        print(f"floor (command lines, for comparison): papermill {cli_exec:.2f} s, nbconvert "
              f"{cli_export:.2f} s")

        demo = write_params(tmp, "demo", 20240401)
        params = load_params(demo)
        ensure_demo_data(params)
        params.output_path.mkdir(parents=True, exist_ok=True)
        print("\nreports for the demo service (in-process, median):")
        for report in REPORTS:
            def once(report=report):
                outcome = execute_report(str(demo), report, str(params.output_path),
                                         params.service_name)
                if not outcome.ok:
                    raise RuntimeError(outcome.error)
            seconds = _timed(once, args.repeats)
            print(f"  {report:<11} {seconds:5.2f} s  ({seconds / floor:.2f} x floor)")

        files = [write_params(tmp, f"s{i:02d}", 1000 + i) for i in range(args.services)]
        for f in files:  # data generation is not part of the timing
            p = load_params(f)
            generate_demo(p.data_path, seed=p.demo_seed)
        n_reports = len(files) * len(REPORTS)
        results = {}
        for jobs in (1, 2):
            shutil.rmtree(tmp / "reports", ignore_errors=True)
            start = time.perf_counter()
            outcomes = run_reports(files, tuple(REPORTS), jobs=jobs, progress=False)
            wall = time.perf_counter() - start
            failed = [o for o in outcomes if not o.ok]
            if failed:
                raise RuntimeError(f"{len(failed)} report(s) failed: {failed[0].error}")
            results[jobs] = wall
            print(f"\nbatch of {len(files)} services x {len(REPORTS)} reports, --jobs {jobs}: "
                  f"{wall:.1f} s, {60 * n_reports / wall:.1f} reports/minute")
        print(f"speed-up of --jobs 2 over --jobs 1: {results[1] / results[2]:.2f} x")


if __name__ == "__main__":
    main()
