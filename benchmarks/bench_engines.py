"""How the monthly engine was chosen: candidate engines on the same in-memory tables.

    .venv/bin/python benchmarks/bench_engines.py [--sizes 100000,1000000] [--national]

Each candidate runs in its own process on the same extract (``synthetic.py``), read from
Parquet by ``workforce.columnar`` before the clock starts; wall time of the computation
and the process's peak RSS (VmHWM, which includes the input tables) are reported:

- ``interval``: the library's engine (``workforce.monthly_indicators``: difference arrays
  over months, binary-search join, chunked episodes), all 19 columns;
- ``expand``: the previous algorithm (spell × month and episode × month rows through
  ``numpy.repeat`` and ``groupby``; kept in ``tests/workforce_oracle.py``), all columns;
  skipped at national scale, where it needs more memory than the machine has;
- ``duckdb``: the DuckDB SQL reference (``duckdb_reference.py``) run in-process on the
  same pandas frames (registered zero-copy through Arrow), 6 core columns only, every
  core: a lower bound for an engine written in DuckDB SQL.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from synthetic import Design, build, describe  # noqa: E402

ENGINES = ("interval", "expand", "duckdb")


def _vmhwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(engine: str, data: Path, extract: str, by: str | None) -> dict:
    from wellbeing_analysis.workforce.columnar import read_workforce_extract

    spells, episodes = read_workforce_extract(data)
    before = _vmhwm_mib()
    t0 = time.perf_counter()
    if engine == "interval":
        from wellbeing_analysis.workforce import monthly_indicators

        rows = len(monthly_indicators(spells, episodes, extract_date=extract, by=by))
    elif engine == "expand":
        from tests.workforce_oracle import oracle_monthly_indicators

        rows = len(oracle_monthly_indicators(spells, episodes, extract_date=extract, by=by))
    else:
        import duckdb
        from duckdb_reference import QUERY

        con = duckdb.connect()
        con.register("spells_df", spells)
        con.register("episodes_df", episodes)
        sql = QUERY.format(spells="spells_df", episodes="episodes_df")
        rows = len(con.execute(sql.replace("$x", f"DATE '{extract}'")).fetchall())
    return {"wall_s": time.perf_counter() - t0, "peak_mib": _vmhwm_mib(),
            "before_mib": before, "rows": rows}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100000,1000000")
    p.add_argument("--national", action="store_true", help="also 1.5M posts over 10 years")
    p.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        engine, data, extract, by = a.child
        print(json.dumps(child(engine, Path(data), extract, None if by == "-" else by)))
        return
    designs = [Design(int(s), 3, 1.0) for s in a.sizes.split(",")]
    if a.national:
        designs.append(Design(1_500_000, 10, 2.0))
    print(f"{'extract':<34} {'by':<6} {'engine':<9} {'wall s':>7} {'peak MiB':>9} "
          f"{'inputs MiB':>10}")
    for design in designs:
        folder = build(design, csv=False)
        rows = describe(folder)["rows"]
        label = f"{rows['staff_spells'] / 1e6:.2f}M spells, {rows['absence_episodes'] / 1e6:.2f}M ep."
        for by in (None, "team"):
            for engine in ENGINES:
                if engine == "expand" and design.positions > 1_000_000:
                    continue  # the expansion needs more than the machine's 24 GiB here
                if engine == "duckdb" and by:
                    continue  # the reference has no breakdown
                out = subprocess.run(
                    [sys.executable, __file__, "--child", engine, str(folder / "parquet"),
                     design.extract, by or "-"], capture_output=True, text=True, cwd=ROOT,
                    check=False)
                if out.returncode != 0:
                    print(f"{label:<34} {by or '-':<6} {engine:<9} FAILED "
                          f"{out.stderr.strip().splitlines()[-1:]}")
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{label:<34} {by or '-':<6} {engine:<9} {r['wall_s']:>7.2f} "
                      f"{r['peak_mib']:>9.0f} {r['before_mib']:>10.0f}", flush=True)


if __name__ == "__main__":
    main()
