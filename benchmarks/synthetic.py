"""Synthetic workforce extracts for the benchmarks, built with numpy (no loop over staff or
episodes), written batch by batch so that even the national extract is generated in
bounded memory, and cached under ``benchmarks/output/`` (git-ignored).

The model: ``positions`` posts exist throughout the window (the headcount stays close to
it). Each post is filled by a chain of people: a first occupant already in post when the
window opens, then replacements after a vacancy; about 5% of replacements are the same
person coming back (a rehire: same staff ID after a gap). One person's time in a post is
cut into one to three spells on consecutive days: a move to another team, a change of FTE
or of staff group (training completed). Absence: a Poisson number of episodes per period
of continuous service (``episodes_per_year``), starting uniformly inside it, with lengths
drawn from a mixture (55% 1-3 days, 30% 4-14, 11% 15-60, 4% 61-200; mean about 13 days,
the long-term episodes carrying most days lost, as nationally); episodes never overlap, stay inside
continuous service (some cross a move or a month end), and some are still open at the
extract date. Spells that began before the window start at the window start (the extract's
history begins there).

Every table passes ``wellbeing validate``: codes come from the schema's lists.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from wellbeing_analysis.schema import BANDS, STAFF_GROUPS, esr_absence_reasons, esr_leaving_reasons

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "output"
#: Positions generated at a time: bounds the generator's memory (about 1.5 GiB per batch).
BATCH_POSITIONS = 250_000
#: Staff per team (national NHS teams are tens of people; our choice).
STAFF_PER_TEAM = 75
VACANCY_DAYS = (14, 180)      # a post stays empty for 2 weeks to 6 months
TENURE_MEAN_YEARS = 8.0       # exponential time in a post: about 12% leave a year
REHIRE_SHARE = 0.05
COVID_SHARE = 0.03
FTES = np.array([1.0, 0.8, 0.6, 0.5, 0.4])
FTE_P = np.array([0.6, 0.15, 0.12, 0.08, 0.05])
#: Episode length classes (days, inclusive bounds) and their probabilities.
LENGTHS = ((1, 3, 0.55), (4, 14, 0.30), (15, 60, 0.11), (61, 200, 0.04))


@dataclass(frozen=True)
class Design:
    """One synthetic extract: size, window and absence rate."""

    positions: int
    years: int
    episodes_per_year: float
    seed: int = 1
    extract: str = "2025-03-14"  # mid-month: the last month is a part month

    @property
    def name(self) -> str:
        return (f"extract_{self.positions}_{self.years}y_{self.episodes_per_year:g}"
                f"ep_s{self.seed}")

    @property
    def window_start(self) -> np.datetime64:
        end = np.datetime64(self.extract, "D")
        return (end.astype("datetime64[M]") - 12 * self.years + 1).astype("datetime64[D]")


def _draw_lengths(rng: np.random.Generator, n: int) -> np.ndarray:
    kind = rng.choice(len(LENGTHS), n, p=[p for *_, p in LENGTHS])
    lo = np.array([a for a, _, _ in LENGTHS])[kind]
    hi = np.array([b for _, b, _ in LENGTHS])[kind]
    return lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)


def _batch(design: Design, first_position: int, n: int, n_teams: int,
           next_staff: int) -> tuple[dict, dict, int]:
    """Spells and episodes (day numbers from the window start) for posts
    first_position .. first_position + n − 1. Returns (spells, episodes, next staff number)."""
    rng = np.random.default_rng([design.seed, first_position])
    last = int((np.datetime64(design.extract, "D") - design.window_start).astype(int))
    k_max = 6  # occupants per post: enough for 10 years at the tenure above
    # occupancy chain per post: start, tenure; the first occupant is already in post
    tenure = rng.exponential(TENURE_MEAN_YEARS * 365.25, (n, k_max)).astype(np.int64) + 30
    vacancy = rng.integers(*VACANCY_DAYS, (n, k_max))
    first_left = -rng.integers(0, int(TENURE_MEAN_YEARS * 365), n)  # in post for a while
    start = np.empty((n, k_max), dtype=np.int64)
    start[:, 0] = first_left
    end = np.empty_like(start)
    end[:, 0] = first_left + tenure[:, 0] - 1
    for k in range(1, k_max):  # k_max steps, vectorised over posts
        start[:, k] = end[:, k - 1] + 1 + vacancy[:, k]
        end[:, k] = start[:, k] + tenure[:, k] - 1
    live = (start <= last) & (end >= 0)
    post = np.broadcast_to(np.arange(n)[:, None], (n, k_max))[live]
    o_start, o_end = np.maximum(start[live], 0), end[live]
    is_open = o_end >= last
    o_end = np.minimum(o_end, last)
    m = len(o_start)
    # staff IDs: a new person per occupancy, except rehires (same ID as the post's previous
    # occupant, who left and came back after the vacancy)
    same_post_before = np.r_[False, post[1:] == post[:-1]]
    rehire = same_post_before & (rng.random(m) < REHIRE_SHARE)
    person = np.cumsum(~rehire) - 1 + next_staff
    next_staff = int(person[-1]) + 1 if m else next_staff
    team0 = (first_position + post) // STAFF_PER_TEAM % n_teams
    group0 = rng.integers(0, len(STAFF_GROUPS), m)

    # spells: 1-3 per occupancy, cut at random days (moves, FTE or staff group changes)
    n_sp = np.where(o_end - o_start > 60, rng.choice([1, 2, 3], m, p=[0.75, 0.2, 0.05]), 1)
    occ_of = np.repeat(np.arange(m), n_sp)
    j = np.arange(len(occ_of)) - np.repeat(np.cumsum(n_sp) - n_sp, n_sp)
    length = o_end[occ_of] - o_start[occ_of] + 1
    cuts = np.sort(rng.random((m, 2)), axis=1)
    cut_at = np.where(j == 0, 0.0, np.where(j == 1, cuts[occ_of, 0], cuts[occ_of, 1]))
    next_cut = np.where(j + 1 >= n_sp[occ_of], 1.0,
                        np.where(j == 0, cuts[occ_of, 0], cuts[occ_of, 1]))
    s_start = o_start[occ_of] + (cut_at * length).astype(np.int64)
    s_end = o_start[occ_of] + (next_cut * length).astype(np.int64) - 1
    s_end = np.where(j + 1 >= n_sp[occ_of], o_end[occ_of], s_end)
    ok = s_end >= s_start
    occ_of, j, s_start, s_end = occ_of[ok], j[ok], s_start[ok], s_end[ok]
    k = len(occ_of)
    moved = (j > 0) & (rng.random(k) < 0.5)
    team = np.where(moved, rng.integers(0, n_teams, k), team0[occ_of])
    regrade = (j > 0) & (rng.random(k) < 0.2)
    group = np.where(regrade, rng.integers(0, len(STAFF_GROUPS), k), group0[occ_of])
    fte = rng.choice(FTES, k, p=FTE_P)
    last_spell = np.r_[occ_of[1:] != occ_of[:-1], True]
    closed = last_spell & ~is_open[occ_of]
    open_spell = last_spell & is_open[occ_of]
    leaving = esr_leaving_reasons()["reason"].to_numpy()
    reason_pick = rng.integers(0, len(leaving), k)
    spells = {
        "staff_id": person[occ_of], "team": team, "staff_group": group,
        "band": rng.integers(0, len(BANDS), k), "fte": fte, "start": s_start,
        "end": np.where(open_spell, -1, s_end),
        "leaving_reason": np.where(closed, reason_pick, -1),
    }

    # episodes per occupancy (continuous service), inside [o_start, min(o_end, last)]
    e_last = o_end
    days = e_last - o_start + 1
    count = rng.poisson(days / 365.25 * design.episodes_per_year)
    row = np.repeat(np.arange(m), count)
    ep_start = o_start[row] + (rng.random(len(row)) * days[row]).astype(np.int64)
    order = np.lexsort((ep_start, row))
    row, ep_start = row[order], ep_start[order]
    ep_end = ep_start + _draw_lengths(rng, len(row)) - 1
    same_next = np.r_[row[1:] == row[:-1], False]
    next_start = np.r_[ep_start[1:], 0]
    ep_end = np.where(same_next, np.minimum(ep_end, next_start - 2), ep_end)
    ep_end = np.minimum(ep_end, e_last[row])
    ok = ep_end >= ep_start
    row, ep_start, ep_end = row[ok], ep_start[ok], ep_end[ok]
    ongoing = is_open[row] & (ep_end == last) & (rng.random(len(row)) < 0.7)
    codes = esr_absence_reasons()["code"].to_numpy()
    code_p = np.full(len(codes), 0.5 / (len(codes) - 1))
    code_p[list(codes).index("S10")] = 0.25  # anxiety/stress/depression: a quarter (docs/metrics.md)
    code_p[list(codes).index("S13")] += 0.25  # cold, cough, flu
    episodes = {
        "staff_id": person[row], "start": ep_start, "end": np.where(ongoing, -1, ep_end),
        "reason_code": rng.choice(len(codes), len(row), p=code_p / code_p.sum()),
        "related_reason": np.where(rng.random(len(row)) < COVID_SHARE, 0, -1),
    }
    return spells, episodes, next_staff


def _to_arrow(cols: dict, design: Design, table: str) -> pa.Table:
    """Day numbers and codes to a typed Arrow table in the template's column order."""
    origin = design.window_start

    def dates(days: np.ndarray) -> pa.Array:
        values = (origin + days.astype("timedelta64[D]")).astype("datetime64[D]")
        return pa.array(values, mask=days < 0, type=pa.date32())

    def labels(codes: np.ndarray, names: np.ndarray) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0, type=pa.int32()),
                                              pa.array(names, type=pa.string()))

    ids = pa.array(np.char.add("E", cols["staff_id"].astype(str)))
    if table == "staff_spells":
        teams = np.char.add("Team ", np.arange(cols["team"].max() + 1).astype(str))
        return pa.table({
            "staff_id": ids,
            "team": labels(cols["team"], teams).cast(pa.string()),
            "staff_group": labels(cols["staff_group"], np.array(STAFF_GROUPS)).cast(pa.string()),
            "band": labels(cols["band"], np.array(BANDS)).cast(pa.string()),
            "fte": pa.array(cols["fte"]),
            "start_date": dates(cols["start"]), "end_date": dates(cols["end"]),
            "leaving_reason": labels(cols["leaving_reason"], esr_leaving_reasons()["reason"]
                                     .to_numpy()).cast(pa.string()),
        })
    return pa.table({
        "staff_id": ids,
        "start_date": dates(cols["start"]), "end_date": dates(cols["end"]),
        "reason_code": labels(cols["reason_code"], esr_absence_reasons()["code"]
                              .to_numpy()).cast(pa.string()),
        "related_reason": labels(cols["related_reason"], np.array(["COVID-19"]))
        .cast(pa.string()),
    })


def build(design: Design, *, csv: bool) -> Path:
    """Generate the extract (cached): ``<dir>/<table>.parquet``, and ``.csv`` if asked, in a
    folder of its own per format so that either can be given to ``wellbeing metrics``."""
    folder = OUTPUT / design.name
    parquet_dir, csv_dir = folder / "parquet", folder / "csv"
    meta = folder / "design.json"
    done = meta.exists() and (not csv or (csv_dir / "absence_episodes.csv").exists())
    if done:
        return folder
    parquet_dir.mkdir(parents=True, exist_ok=True)
    if csv:
        csv_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    n_teams = max(1, design.positions // STAFF_PER_TEAM)
    writers: dict[str, pq.ParquetWriter] = {}
    csv_writers: dict[str, pacsv.CSVWriter] = {}
    counts = {"staff_spells": 0, "absence_episodes": 0}
    next_staff = 1_000_000
    try:
        for lo in range(0, design.positions, BATCH_POSITIONS):
            n = min(BATCH_POSITIONS, design.positions - lo)
            spells, episodes, next_staff = _batch(design, lo, n, n_teams, next_staff)
            for name, cols in (("staff_spells", spells), ("absence_episodes", episodes)):
                table = _to_arrow(cols, design, name)
                counts[name] += table.num_rows
                if name not in writers:
                    writers[name] = pq.ParquetWriter(parquet_dir / f"{name}.parquet",
                                                     table.schema, compression="zstd")
                writers[name].write_table(table, row_group_size=1_000_000)
                if csv:
                    if name not in csv_writers:
                        csv_writers[name] = pacsv.CSVWriter(csv_dir / f"{name}.csv", table.schema)
                    csv_writers[name].write_table(table)
    finally:
        for w in (*writers.values(), *csv_writers.values()):
            w.close()
    meta.write_text(json.dumps({**asdict(design), "rows": counts,
                                "generated_s": round(time.perf_counter() - t0, 1)}, indent=1))
    return folder


def describe(folder: Path) -> dict:
    return json.loads((folder / "design.json").read_text())


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="build (or find cached) a synthetic extract")
    p.add_argument("--positions", type=int, default=100_000)
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--episodes-per-year", type=float, default=1.0)
    p.add_argument("--csv", action="store_true")
    a = p.parse_args()
    f = build(Design(a.positions, a.years, a.episodes_per_year), csv=a.csv)
    print(f, describe(f))
