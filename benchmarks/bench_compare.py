"""Side by side: ``wellbeing metrics`` against an independent DuckDB SQL reference for the
core monthly columns, at 100,000 and 1,000,000 staff, each run timed as a whole process.

    .venv/bin/python benchmarks/bench_compare.py [--sizes 100000,1000000] [--repeats 3]

What is compared. For each size a synthetic extract (``synthetic.py``; 3 years, about 1.3
spells and 3 episodes per staff member, the shape of the issue's table) is written once as
CSV in the template layout and cached under ``benchmarks/output/``. Then, interleaved,
``--repeats`` times each (medians reported; wall time and peak RSS from ``/usr/bin/time``):

- **ours**: ``wellbeing metrics CSV_DIR --extract-date X --out FILE.csv`` (validation,
  pseudonymisation, the whole monthly table of 19 columns, CSV write);
- **DuckDB**: ``duckdb_reference.py CSV_DIR`` (read, the 6 core columns, CSV write; all
  cores);
- **engine**: ``metrics_entry.py --mode engine`` (columnar CSV read without validation,
  the whole monthly table, CSV write): the engine's own ratio.

The numbers must agree: headcount, starters and leavers exactly; fte, FTE days available
and lost to 1e-9 relative (plus the 4-decimal rounding of our CSV). A mismatch stops the
run. Finally ``metrics_entry.py --mode cli`` splits the command's time into import,
read + validate + pseudonymise, indicators and write.

``--validation`` times validation alone instead (``metrics_entry.py --mode validate``: read,
type and check both tables, CSV and Parquet), beside the engine (``--mode engine``), each a
whole process, medians of ``--repeats``; the aim is validation under 2× the metrics time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import Design, build, describe  # noqa: E402

CORE = ("headcount", "fte", "fte_days_available", "fte_days_lost", "starters", "leavers")
COUNTS = ("headcount", "starters", "leavers")
#: The issue's target for ours ÷ DuckDB, whole process.
TARGET_RATIO = 1.5


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall s, peak RSS GiB, stdout) of one whole process, from GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as fh:
        out = subprocess.run(["/usr/bin/time", "-o", fh.name, "-f", "%e %M", *cmd],
                             capture_output=True, text=True, cwd=ROOT, check=False)
        if out.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stdout[-2000:]}{out.stderr[-3000:]}")
        wall, rss_kib = fh.read().split()[-2:]
    return float(wall), int(rss_kib) / 2**20, out.stdout


def check_agree(ours: Path, ref: Path, label: str) -> str:
    a, b = pd.read_csv(ours), pd.read_csv(ref)
    if a["month"].tolist() != b["month"].tolist():
        raise SystemExit(f"{label}: months differ")
    worst = 0.0
    for col in CORE:
        x, y = a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float)
        if col in COUNTS:
            if not np.array_equal(x, y):
                raise SystemExit(f"{label}: {col} differs from DuckDB")
            continue
        # our CSV has 4 decimals: allow that rounding, and 1e-9 relative on top
        bad = np.abs(x - y) > 5e-5 + 1e-9 * np.abs(y)
        if bad.any():
            raise SystemExit(f"{label}: {col} differs from DuckDB in {bad.sum()} months")
        worst = max(worst, float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1))))
    return f"{label}: {len(a)} months agree with DuckDB (worst relative difference {worst:.1e})"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100000,1000000")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--engine-only", action="store_true",
                   help="skip the (slow) `wellbeing metrics` runs: DuckDB and the engine entry")
    p.add_argument("--validation", action="store_true",
                   help="time validation alone beside the engine (CSV and Parquet)")
    a = p.parse_args()
    if a.validation:
        validation_table(a)
        return
    py = sys.executable
    wellbeing = str(Path(py).with_name("wellbeing"))
    rows = []
    for size in [int(s) for s in a.sizes.split(",")]:
        design = Design(positions=size, years=3, episodes_per_year=1.0)
        folder = build(design, csv=True)
        info = describe(folder)
        csv_dir, x = folder / "csv", design.extract
        n_sp, n_ep = info["rows"]["staff_spells"], info["rows"]["absence_episodes"]
        mib = sum(f.stat().st_size for f in csv_dir.iterdir()) / 2**20
        print(f"\n{size:,} staff: {n_sp:,} spells, {n_ep:,} episodes, {mib:.0f} MiB of CSV "
              f"({folder.name})", flush=True)
        runs: dict[str, list[tuple[float, float]]] = {"ours": [], "duckdb": [], "engine": []}
        with tempfile.TemporaryDirectory() as tmp:
            out = {k: Path(tmp) / f"{k}.csv" for k in runs}
            cmds = {
                "ours": [wellbeing, "metrics", str(csv_dir), "--extract-date", x,
                         "--out", str(out["ours"])],
                "duckdb": [py, str(HERE / "duckdb_reference.py"), str(csv_dir),
                           "--extract-date", x, "--out", str(out["duckdb"])],
                "engine": [py, str(HERE / "metrics_entry.py"), str(csv_dir), "--extract-date",
                           x, "--out", str(out["engine"]), "--mode", "engine"],
            }
            if a.engine_only:
                del cmds["ours"], runs["ours"]
            for r in range(a.repeats):
                for k, cmd in cmds.items():
                    wall, rss, _ = timed(cmd)
                    runs[k].append((wall, rss))
                    print(f"  run {r + 1} {k:<7} {wall:6.2f} s {rss:5.2f} GiB", flush=True)
            if not a.engine_only:
                print("  " + check_agree(out["ours"], out["duckdb"], "wellbeing metrics"))
            print("  " + check_agree(out["engine"], out["duckdb"], "engine entry"))
            split_out = "{}" if a.engine_only else timed([
                py, str(HERE / "metrics_entry.py"), str(csv_dir), "--extract-date", x,
                "--out", str(Path(tmp) / "s.csv"), "--mode", "cli"])[2]
            _, _, eng_out = timed(cmds["engine"])
        med = {k: (statistics.median(w for w, _ in v), statistics.median(m for _, m in v))
               for k, v in runs.items()}
        split = json.loads(split_out.strip().splitlines()[-1]).get("steps", {})
        eng_split = json.loads(eng_out.strip().splitlines()[-1])["steps"]
        rows.append((size, n_sp, n_ep, med, split, eng_split))

    print(f"\nWhole processes, medians of {a.repeats} (ours ÷ DuckDB; target ≤ {TARGET_RATIO}×):")
    print(f"{'staff':>10} {'spells':>10} {'episodes':>11} | {'wellbeing metrics':>18} | "
          f"{'DuckDB SQL':>16} | {'ratio':>6} | {'engine (no validation)':>22} | {'ratio':>6}")
    for size, n_sp, n_ep, med, _, _ in rows:
        o, d, e = med.get("ours", (float("nan"),) * 2), med["duckdb"], med["engine"]
        print(f"{size:>10,} {n_sp:>10,} {n_ep:>11,} | {o[0]:7.2f} s {o[1]:5.2f} GiB | "
              f"{d[0]:5.2f} s {d[1]:5.2f} GiB | {o[0] / d[0]:5.2f}× | "
              f"{e[0]:9.2f} s {e[1]:5.2f} GiB | {e[0] / d[0]:5.2f}×")
    print("\nWhere the time goes (s, one in-process run each):")
    for size, _, _, _, split, eng in rows:
        if split:
            print(f"  {size:>10,} wellbeing metrics: " + ", ".join(
                f"{k} {v:.2f}" for k, v in split.items()))
        print(f"  {size:>10,} engine entry:      " + ", ".join(
            f"{k} {v:.2f}" for k, v in eng.items()))


#: The aim for validation ÷ metrics time (whole processes).
VALIDATION_AIM = 2.0


def validation_table(a: argparse.Namespace) -> None:
    """Validation alone beside the engine at each size: wall time and peak RSS of whole
    processes (medians), and the in-process split."""
    py = sys.executable
    rows = []
    for size in [int(s) for s in a.sizes.split(",")]:
        design = Design(positions=size, years=3, episodes_per_year=1.0)
        folder = build(design, csv=True)
        info = describe(folder)
        x = design.extract
        print(f"\n{size:,} staff: {info['rows']['staff_spells']:,} spells, "
              f"{info['rows']['absence_episodes']:,} episodes", flush=True)
        runs: dict[str, list[tuple[float, float, dict]]] = {}
        with tempfile.TemporaryDirectory() as tmp:
            cmds = {
                "engine": [py, str(HERE / "metrics_entry.py"), str(folder / "csv"),
                           "--extract-date", x, "--out", str(Path(tmp) / "e.csv"),
                           "--mode", "engine"],
                "validate csv": [py, str(HERE / "metrics_entry.py"), str(folder / "csv"),
                                 "--extract-date", x, "--mode", "validate"],
                "validate parquet": [py, str(HERE / "metrics_entry.py"),
                                     str(folder / "parquet"), "--extract-date", x,
                                     "--mode", "validate"],
            }
            for r in range(a.repeats):
                for k, cmd in cmds.items():
                    wall, rss, out = timed(cmd)
                    steps = json.loads(out.strip().splitlines()[-1])["steps"]
                    runs.setdefault(k, []).append((wall, rss, steps))
                    print(f"  run {r + 1} {k:<17} {wall:6.2f} s {rss:5.2f} GiB  " + ", ".join(
                        f"{s} {v:.2f}" for s, v in steps.items()), flush=True)
        med = {k: (statistics.median(w for w, _, _ in v), statistics.median(m for _, m, _ in v))
               for k, v in runs.items()}
        rows.append((size, med))
    print(f"\nWhole processes, medians of {a.repeats} (validation ÷ engine; aim < "
          f"{VALIDATION_AIM}×):")
    print(f"{'staff':>10} | {'engine (read+metrics)':>21} | {'validate CSV':>16} | {'ratio':>6} "
          f"| {'validate Parquet':>16} | {'ratio':>6}")
    for size, med in rows:
        e, c, q = med["engine"], med["validate csv"], med["validate parquet"]
        print(f"{size:>10,} | {e[0]:9.2f} s {e[1]:5.2f} GiB | {c[0]:5.2f} s {c[1]:5.2f} GiB | "
              f"{c[0] / e[0]:5.2f}× | {q[0]:5.2f} s {q[1]:5.2f} GiB | {q[0] / e[0]:5.2f}×")


if __name__ == "__main__":
    main()
