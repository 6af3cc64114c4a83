"""Timing of the SPC engine: one 10-year monthly series, and 1,000 series at once.

Run: ``.venv/bin/python benchmarks/bench_spc.py``. Prints the best of several repeats.
"""

from __future__ import annotations

import timeit

import numpy as np
import pandas as pd

from wellbeing_analysis.spc import spc

MONTHS = 120
N_SERIES = 1_000


def monthly_series(rng: np.random.Generator, months: int = MONTHS) -> pd.DataFrame:
    return pd.DataFrame({"month": pd.date_range("2015-04-01", periods=months, freq="MS"),
                         "absence_rate_pct": rng.normal(4.8, 0.4, months)})


def main() -> None:
    rng = np.random.default_rng(1)
    one = monthly_series(rng)
    many = pd.concat([monthly_series(rng, 24).assign(team=f"team {i:04d}")
                      for i in range(N_SERIES)], ignore_index=True)
    cases = {
        "XmR, 120 months (mdc)": lambda: spc(one, x="month", y="absence_rate_pct"),
        "XmR, 120 months, rebased + target": lambda: spc(
            one, x="month", y="absence_rate_pct", rebase=["2020-04-01"], target=4.0,
            improvement_direction="decrease"),
        "run chart, 120 months (anhoej)": lambda: spc(one, x="month", y="absence_rate_pct",
                                                      chart="run"),
        "run chart, 120 months (ihi)": lambda: spc(one, x="month", y="absence_rate_pct",
                                                   chart="run", rules="ihi"),
        f"XmR, {N_SERIES} series x 24 months (facets)": lambda: spc(
            many, x="month", y="absence_rate_pct", facet="team"),
    }
    for name, fn in cases.items():
        repeats = 3 if "facets" in name else 20
        best = min(timeit.repeat(fn, number=1, repeat=repeats))
        print(f"{name:45s} {best * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
