"""Benchmark-only entry points for the monthly table, timed step by step (one process each):

- ``--mode cli``: the same steps as ``wellbeing metrics DATA_DIR --out FILE.csv``
  (``loading.load_service``: validate + pseudonymise; ``service_monthly_indicators``; CSV
  write), each timed, to show where the command's time goes;
- ``--mode engine``: no validation: the columnar reader
  (``workforce.columnar.read_workforce_extract``), the engine, and a CSV write through
  Arrow (values rounded to 4 decimals as the command writes them; pandas' ``to_csv`` with a
  float format formats each number in Python and takes over a minute for a 2.4-million-row
  breakdown). This is the engine's own cost, read included;
- ``--mode validate``: validation only (``validation.validate_folder``: read, type, every
  check), no indicators and no output file: what validation costs beside the engine.

Prints one JSON line with the step times (s) and the process's peak RSS (MiB, VmHWM).

    python benchmarks/metrics_entry.py DATA_DIR --extract-date 2025-03-14 --out F.csv --mode engine
"""

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", type=Path)
    p.add_argument("--extract-date", required=True)
    p.add_argument("--out", type=Path, help="where to write the table (not --mode validate)")
    p.add_argument("--by", choices=("team", "staff_group"))
    p.add_argument("--mode", choices=("cli", "engine", "validate"), default="engine")
    a = p.parse_args()
    if a.mode == "validate":
        validate_only(a)
        return
    steps: dict[str, float] = {}
    t = time.perf_counter()
    import pandas as pd

    from wellbeing_analysis.reporting.io import write_atomic_text
    from wellbeing_analysis.workforce import monthly_indicators, service_monthly_indicators
    if a.mode == "cli":
        from wellbeing_analysis.loading import load_service
    else:
        from wellbeing_analysis.workforce.columnar import read_workforce_extract
    steps["import"] = time.perf_counter() - T0
    extract = pd.Timestamp(a.extract_date)

    t = time.perf_counter()
    if a.mode == "cli":
        service = load_service(a.data_dir, extract_date=extract)
        spells, episodes = service.staff_spells, service.absence_episodes
        steps["read_validate_pseudonymise"] = time.perf_counter() - t
    else:
        spells, episodes = read_workforce_extract(a.data_dir)
        steps["read"] = time.perf_counter() - t

    t = time.perf_counter()
    if a.mode == "cli":  # as the command: with the staff keys of the load
        table = service_monthly_indicators(service, by=a.by)
    else:
        table = monthly_indicators(spells, episodes, extract_date=extract, by=a.by)
    steps["indicators"] = time.perf_counter() - t

    t = time.perf_counter()
    if a.mode == "cli":
        write_atomic_text(a.out, table.to_csv(index=False, float_format="%.4f"))
    else:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        pacsv.write_csv(pa.Table.from_pandas(table.round(4), preserve_index=False), a.out)
    steps["write"] = time.perf_counter() - t
    steps["total_in_process"] = time.perf_counter() - T0
    print(json.dumps({"steps": steps, "rows": len(table), "spells": len(spells),
                      "episodes": len(episodes), "peak_rss_mib": peak_rss_mib()}))
    sys.stdout.flush()


def validate_only(a: argparse.Namespace) -> None:
    """Time ``validate_folder`` alone; the JSON line also carries the problem count."""
    import pandas as pd

    from wellbeing_analysis.validation import validate_folder
    steps = {"import": time.perf_counter() - T0}
    t = time.perf_counter()
    report = validate_folder(a.data_dir, extract_date=pd.Timestamp(a.extract_date))
    steps["validate"] = time.perf_counter() - t
    steps["total_in_process"] = time.perf_counter() - T0
    if not report.ok:
        raise SystemExit(report.format()[:3000])
    print(json.dumps({"steps": steps, "rows": {k: f.rows for k, f in report.files.items()},
                      "problems": len(report.problems), "peak_rss_mib": peak_rss_mib()}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
