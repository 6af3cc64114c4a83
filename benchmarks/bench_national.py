"""National scale: the monthly indicators for a whole-NHS-sized extract on this machine.

    .venv/bin/python benchmarks/bench_national.py [--positions 1500000] [--years 10]

The extract (``synthetic.py``: 1.5 million posts, so about 1.5 million staff in post at any
time and over 3 million people in 10 years; about 4 million spells and 28 million absence
episodes) is generated once as Parquet and cached under ``benchmarks/output/`` (about 30 s
and 150 MiB). Each step then runs as its own process, timed whole with ``/usr/bin/time``
(wall time, peak RSS) and step by step inside (``metrics_entry.py``):

1. validation of the extract (``validate_folder``: read, type, every check; as ``wellbeing
   validate``);
2. monthly indicators for the service: columnar Parquet read + the engine + CSV write;
3. the same ``--by team`` (20,000 teams × 120 months);
4. ``--by staff_group``;
5. the DuckDB SQL reference (``duckdb_reference.py``) on the same Parquet files, for scale,
   and as a check: the service-level core columns must agree with it.

Aims on 2 cores: each step under 60 s and 4 GiB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_compare import check_agree, timed  # noqa: E402
from synthetic import Design, build, describe  # noqa: E402

AIM_SECONDS = 60
AIM_GIB = 4.0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--positions", type=int, default=1_500_000)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--episodes-per-year", type=float, default=2.0)
    a = p.parse_args()
    design = Design(a.positions, a.years, a.episodes_per_year)
    folder = build(design, csv=False)
    info = describe(folder)
    data = folder / "parquet"
    mib = sum(f.stat().st_size for f in data.iterdir()) / 2**20
    print(f"extract: {info['rows']['staff_spells']:,} spells, "
          f"{info['rows']['absence_episodes']:,} episodes, {a.years} years to "
          f"{design.extract}; Parquet {mib:.0f} MiB (generated in {info['generated_s']} s, "
          f"cached in {folder.relative_to(HERE.parent)})", flush=True)
    py = sys.executable
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        wall, gib, stdout = timed([py, str(HERE / "metrics_entry.py"), str(data),
                                   "--extract-date", design.extract, "--mode", "validate"])
        info = json.loads(stdout.strip().splitlines()[-1])
        info["rows"] = sum(info["rows"].values())
        results.append(("validation (every check)", wall, gib, info))
        print(f"  validation: {wall:.1f} s, {gib:.2f} GiB", flush=True)
        for label, by in (("monthly indicators, service", None), ("monthly indicators --by team",
                                                                  "team"),
                          ("monthly indicators --by staff_group", "staff_group")):
            cmd = [py, str(HERE / "metrics_entry.py"), str(data), "--extract-date",
                   design.extract, "--out", str(out / f"{by or 'service'}.csv"), "--mode",
                   "engine"] + (["--by", by] if by else [])
            wall, gib, stdout = timed(cmd)
            info = json.loads(stdout.strip().splitlines()[-1])
            results.append((label, wall, gib, info))
            print(f"  {label}: {wall:.1f} s, {gib:.2f} GiB", flush=True)
        wall, gib, _ = timed([py, str(HERE / "duckdb_reference.py"), str(data),
                              "--extract-date", design.extract, "--out", str(out / "duck.csv")])
        results.append(("DuckDB SQL reference (core columns, service)", wall, gib, None))
        print(f"  DuckDB: {wall:.1f} s, {gib:.2f} GiB", flush=True)
        print("  " + check_agree(out / "service.csv", out / "duck.csv", "national, service"))

    print(f"\n{'step (whole process)':<48} {'wall s':>7} {'peak GiB':>9}   in-process steps (s)")
    for label, wall, gib, info in results:
        flag = "" if wall < AIM_SECONDS and gib < AIM_GIB else "  OVER THE AIM"
        steps = "" if info is None else ", ".join(
            f"{k} {v:.1f}" for k, v in info["steps"].items() if k != "total_in_process")
        rows = "" if info is None else f"; {info['rows']:,} rows"
        print(f"{label:<48} {wall:>7.1f} {gib:>9.2f}   {steps}{rows}{flag}")
    print(f"Aims: each step under {AIM_SECONDS} s and {AIM_GIB:g} GiB on 2 cores.")


if __name__ == "__main__":
    main()
