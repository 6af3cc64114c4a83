"""Wall time and peak memory of the monthly workforce metrics and of validation at national
scale: ≥ 100,000 staff spells and ≥ 1,000,000 absence episodes over 5 years.

Run: ``.venv/bin/python benchmarks/bench_metrics.py [--staff N] [--seed S]``.
Aim: each step under 10 s and 2 GiB on 2 cores.

The extract is generated in memory with numpy (no loop over staff or episodes) and is valid:
spells of one staff ID never overlap (some continue the next day as internal moves or FTE
changes), episodes lie inside a spell and never overlap, open spells and ongoing episodes run
to the extract date. Each timed step runs in a fresh child process so that its peak resident
memory (VmHWM) is its own: the figure includes the imported libraries and the step's input
tables, which the child reads from a pickle before the clock starts (shown as 'before').
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

START = np.datetime64("2020-01-01")
EXTRACT = np.datetime64("2024-12-31")  # 5 years: 60 months
N_TEAMS = 1_500
GROUPS = np.array(["Psychological Wellbeing Practitioner", "High Intensity Therapist",
                   "Counsellor", "Employment Adviser", "Admin and Clerical", "Manager",
                   "Trainee Psychological Wellbeing Practitioner",
                   "Trainee High Intensity Therapist"], dtype=object)
BANDS = np.array(["Band 4", "Band 5", "Band 6", "Band 7", "Band 8a"], dtype=object)
FTES = np.array([1.0, 0.8, 0.6, 0.5, 0.4])
FTE_P = np.array([0.6, 0.15, 0.12, 0.08, 0.05])
REASONS = np.array(["Voluntary Resignation - Work Life Balance", "Retirement Age",
                    "Voluntary Resignation - Promotion", "End of Fixed Term Contract"],
                   dtype=object)
EPISODES_PER_STAFF_DAY = 1 / 75  # about 4.9 episodes a year: >= 1M episodes in total


def synthetic_extract(n_staff: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(spells, episodes) with typed columns, as validation returns them."""
    rng = np.random.default_rng(seed)
    days = int((EXTRACT - START).astype(int)) + 1
    last = days - 1  # day number of the extract date

    # --- spells: a first spell, and for about half the staff a second one, either the
    # next day (move / FTE change) or after a gap (left and came back)
    s1 = np.where(rng.random(n_staff) < 0.5, 0, rng.integers(0, last, n_staff))
    e1 = s1 + rng.integers(60, 2_500, n_staff) - 1
    gap = np.where(rng.random(n_staff) < 0.6, 0, rng.integers(1, 300, n_staff))
    s2 = e1 + 1 + gap
    has2 = (rng.random(n_staff) < 0.55) & (s2 <= last)
    e2 = s2 + rng.integers(30, 2_500, n_staff) - 1
    staff = np.arange(n_staff)
    team = rng.integers(0, N_TEAMS, n_staff)
    first = pd.DataFrame({"staff": staff, "start": s1, "end": e1, "team": team,
                          "next_day": has2 & (gap == 0)})
    second = pd.DataFrame({"staff": staff[has2], "start": s2[has2], "end": e2[has2],
                           "team": np.where(rng.random(int(has2.sum())) < 0.5, team[has2],
                                            rng.integers(0, N_TEAMS, int(has2.sum()))),
                           "next_day": False})
    sp = pd.concat([first, second], ignore_index=True)
    is_open = sp["end"].to_numpy() >= last
    end_eff = np.minimum(sp["end"].to_numpy(), last)
    leaves = ~is_open & ~sp["next_day"].to_numpy()
    n = len(sp)
    spells = pd.DataFrame({
        "staff_id": np.char.add("E", sp["staff"].to_numpy().astype(str)).astype(object),
        "team": np.char.add("Team ", sp["team"].to_numpy().astype(str)).astype(object),
        "staff_group": GROUPS[rng.integers(0, len(GROUPS), n)],
        "band": BANDS[rng.integers(0, len(BANDS), n)],
        "fte": rng.choice(FTES, n, p=FTE_P),
        "start_date": (START + sp["start"].to_numpy().astype("timedelta64[D]")).astype(
            "datetime64[ns]"),
        "end_date": pd.Series(START + end_eff.astype("timedelta64[D]")).astype(
            "datetime64[ns]").where(~is_open),
        "leaving_reason": pd.Series(REASONS[rng.integers(0, len(REASONS), n)]).where(leaves),
    })

    # --- episodes: Poisson count per spell, starts uniform in the spell, sorted; each ends
    # before the next one starts (one clear day between) and inside its spell
    length = end_eff - sp["start"].to_numpy() + 1
    k = rng.poisson(length * EPISODES_PER_STAFF_DAY)
    row = np.repeat(np.arange(n), k)
    start = sp["start"].to_numpy()[row] + (rng.random(len(row)) * length[row]).astype(np.int64)
    order = np.lexsort((start, row))
    row, start = row[order], start[order]
    long_term = rng.random(len(row)) < 0.05
    dur = np.where(long_term, rng.integers(28, 150, len(row)), rng.geometric(0.25, len(row)))
    end = start + dur - 1
    same_next = np.r_[row[1:] == row[:-1], False]
    next_start = np.r_[start[1:], 0]
    end = np.where(same_next, np.minimum(end, next_start - 2), end)
    end = np.minimum(end, end_eff[row])
    ok = end >= start
    row, start, end = row[ok], start[ok], end[ok]
    ongoing = is_open[row] & (end == last) & (rng.random(len(row)) < 0.7)
    episodes = pd.DataFrame({
        "staff_id": spells["staff_id"].to_numpy()[row],
        "start_date": (START + start.astype("timedelta64[D]")).astype("datetime64[ns]"),
        "end_date": pd.Series((START + end.astype("timedelta64[D]")).astype("datetime64[ns]"))
        .where(~ongoing),
        "reason_code": np.array(["S10", "S13", "S12", "S25", "S11"], dtype=object)[
            rng.integers(0, 5, len(row))],
        "related_reason": pd.Series(np.array(["COVID-19"], dtype=object)[
            np.zeros(len(row), dtype=int)]).where(rng.random(len(row)) < 0.03),
    })
    return spells, episodes


def write_csvs(spells: pd.DataFrame, episodes: pd.DataFrame, folder: Path) -> None:
    """The extract as users would supply it: HR tables with ESR's DD/MM/YYYY dates."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in (("staff_spells", spells), ("absence_episodes", episodes)):
        out = df.copy()
        for c in ("start_date", "end_date"):
            out[c] = out[c].dt.strftime("%d/%m/%Y")
        out.to_csv(folder / f"{name}.csv", index=False)


# ---------------------------------------------------------------------------
# Child process: one timed step
# ---------------------------------------------------------------------------
def _max_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB.

    Linux's VmHWM belongs to this program image; ``ru_maxrss`` would also count the parent's
    memory copied at fork (Linux carries it across exec), overstating the step's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(step: str, work: Path) -> dict:
    extract = pd.Timestamp(str(EXTRACT))
    if step.startswith("metrics"):
        from wellbeing_analysis.workforce import monthly_indicators

        with (work / "frames.pkl").open("rb") as fh:
            spells, episodes = pickle.load(fh)
        by = None if step == "metrics" else step.split(":", 1)[1]
        before = _max_rss_mib()
        t0 = time.perf_counter()
        table = monthly_indicators(spells, episodes, extract_date=extract, by=by)
        wall = time.perf_counter() - t0
        rows = len(table)
    elif step == "validate":
        from wellbeing_analysis.validation import validate_folder

        before = _max_rss_mib()
        t0 = time.perf_counter()
        report = validate_folder(work / "csv", extract_date=extract)
        wall = time.perf_counter() - t0
        assert report.ok, report.format()[:2000]
        rows = sum(f.rows for f in report.files.values())
    elif step == "load":
        from wellbeing_analysis.loading import load_service
        from wellbeing_analysis.workforce import service_monthly_indicators

        before = _max_rss_mib()
        t0 = time.perf_counter()
        service = load_service(work / "csv", extract_date=extract,
                               pseudonym_key="0123456789abcdef")
        rows = len(service_monthly_indicators(service))
        wall = time.perf_counter() - t0
    else:
        raise SystemExit(f"unknown step {step}")
    return {"step": step, "wall_s": wall, "peak_rss_mib": _max_rss_mib(),
            "rss_before_mib": before, "rows": rows}


STEPS = {
    "metrics": "monthly_indicators, service level",
    "metrics:team": "monthly_indicators --by team",
    "metrics:staff_group": "monthly_indicators --by staff_group",
    "validate": "validate_folder on the CSVs",
    "load": "wellbeing metrics end to end (validate + pseudonymise + metrics)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=80_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, Path(args.work))))
        return

    with tempfile.TemporaryDirectory(prefix="bench_metrics_") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        spells, episodes = synthetic_extract(args.staff, args.seed)
        gen = time.perf_counter() - t0
        print(f"synthetic extract: {len(spells):,} spells ({spells['staff_id'].nunique():,} "
              f"staff), {len(episodes):,} episodes, {START} to {EXTRACT}; "
              f"generated in {gen:.1f} s")
        assert len(spells) >= 100_000 and len(episodes) >= 1_000_000
        with (work / "frames.pkl").open("wb") as fh:
            pickle.dump((spells, episodes), fh, protocol=pickle.HIGHEST_PROTOCOL)
        steps = args.steps.split(",")
        if "validate" in steps or "load" in steps:
            t0 = time.perf_counter()
            write_csvs(spells, episodes, work / "csv")
            print(f"CSV files written in {time.perf_counter() - t0:.1f} s "
                  f"({sum(p.stat().st_size for p in (work / 'csv').iterdir()) / 2**20:.0f} MiB)")
        del spells, episodes
        print(f"{'step':<66} {'wall s':>7} {'peak RSS MiB':>13} {'before MiB':>13}")
        for step in steps:
            out = subprocess.run(
                [sys.executable, __file__, "--child", step, "--work", str(work)],
                capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(f"{STEPS[step]:<66} FAILED\n{out.stderr[-3000:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            flag = "" if r["wall_s"] < 10 and r["peak_rss_mib"] < 2048 else "  (over the aim)"
            print(f"{STEPS[step]:<66} {r['wall_s']:>7.2f} {r['peak_rss_mib']:>13.0f} "
                  f"{r['rss_before_mib']:>13.0f}{flag}")


if __name__ == "__main__":
    main()
