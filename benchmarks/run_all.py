"""Run the benchmarks one after another (``make bench``; ``make bench BENCH_ARGS=--national``).

Default (quick sizes): every ``bench_*.py`` at its default size, which for the workforce
metrics means the side-by-side comparison with DuckDB at 100,000 and 1,000,000 staff
(``bench_compare.py``) and the candidate engines at the same sizes (``bench_engines.py``).
``--national`` adds the national-scale run (``bench_national.py``: 1.5 million posts, 10
years; the extract is generated once and cached under ``benchmarks/output/``) and the
engines at that size. Generated data are cached, so a second run only times.
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Run only with --national.
NATIONAL_ONLY = {"bench_national.py"}

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--national", action="store_true",
                    help="also the national-scale benchmark (minutes; several GiB of memory)")
args = parser.parse_args()

for script in sorted(HERE.glob("bench_*.py")):
    if script.name in NATIONAL_ONLY and not args.national:
        continue
    extra = ["--national"] if args.national and script.name == "bench_engines.py" else []
    print(f"\n=== {script.name} {' '.join(extra)} ===", flush=True)
    subprocess.run([sys.executable, str(script), *extra], check=True, cwd=HERE.parent)
