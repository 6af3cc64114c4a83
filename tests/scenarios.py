"""A corpus of small, short, messy services (the demo is not the user).

:func:`small_service` writes a realistic small service in the template layout: about 40
staff in three teams of different sizes, 18 months of history, a few leavers, short and
long sickness episodes, an intervention and PDSA cycles, optionally as Excel workbooks, with
no sickness at all, or with an intervention only three months into the data. It is seeded
and vectorised (a loop over months, never over staff). :func:`scenario_params` writes the
params an analyst would: the demo's params copied with only the name, folders and dates
changed, or a version edited to fit the service.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO_PARAMS = ROOT / "params" / "demo.yaml"

TEAMS = {"Step 2": 0.5, "Step 3": 0.3, "Support": 0.2}
GROUP_BY_TEAM = {"Step 2": "Psychological Wellbeing Practitioner",
                 "Step 3": "High Intensity Therapist", "Support": "Admin and Clerical"}
BAND_BY_TEAM = {"Step 2": "Band 5", "Step 3": "Band 7", "Support": "Band 3"}
SHORT_REASONS = ("S13", "S25", "S10", "S12")
LONG_REASONS = ("S10", "S11", "S28")


def small_service(folder: Path, *, staff: int = 40, months: int = 18,
                  extract: str = "2026-06-30", seed: int = 1, excel: bool = False,
                  sickness: bool = True, intervention_month: int = 9,
                  pdsa: bool = True, monthly_hazard: float = 0.015) -> Path:
    """Write a small service into ``folder``; returns the folder. ``intervention_month`` is
    the month (1-based, from the first month of history) in which the intervention starts."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    end = pd.Timestamp(extract)
    start = (end.to_period("M") - (months - 1)).to_timestamp()
    month_starts = pd.date_range(start, periods=months, freq="MS")

    # the staff in post at the start joined up to 6 years earlier (varied service lengths)
    ids = [f"E{10000 + i}" for i in range(staff)]
    joined = start - pd.to_timedelta(rng.integers(0, 6 * 365, staff), unit="D")
    team = rng.choice(list(TEAMS), size=staff, p=list(TEAMS.values()))
    rows = pd.DataFrame({"staff_id": ids, "team": team, "start_date": joined})
    # leavers: a monthly hazard; each leaver is replaced by a starter the next month
    active = np.ones(staff, dtype=bool)
    ends = np.full(staff, np.datetime64("NaT"), dtype="datetime64[ns]")
    new_rows = []
    next_id = staff
    for m, first in enumerate(month_starts):  # 18 steps, vectorised over staff
        leaving = active & (rng.random(len(active)) < monthly_hazard)
        days = first.days_in_month
        ends[leaving] = (first + pd.to_timedelta(rng.integers(0, days, leaving.sum()),
                                                 unit="D")).to_numpy()
        active &= ~leaving
        if m + 1 < months and leaving.any():
            k = int(leaving.sum())
            arrive = month_starts[m + 1] + pd.to_timedelta(rng.integers(0, 20, k), unit="D")
            new = pd.DataFrame({"staff_id": [f"E{10000 + next_id + j}" for j in range(k)],
                                "team": rng.choice(list(TEAMS), size=k, p=list(TEAMS.values())),
                                "start_date": arrive})
            next_id += k
            new_rows.append(new)
            active = np.concatenate([active, np.ones(k, dtype=bool)])
            ends = np.concatenate([ends, np.full(k, np.datetime64("NaT"), dtype="datetime64[ns]")])
    spells = pd.concat([rows, *new_rows], ignore_index=True)
    spells["end_date"] = pd.to_datetime(ends[: len(spells)])
    spells["staff_group"] = spells["team"].map(GROUP_BY_TEAM)
    spells["band"] = spells["team"].map(BAND_BY_TEAM)
    spells["fte"] = rng.choice([1.0, 0.8, 0.6], size=len(spells), p=[0.7, 0.2, 0.1])
    reasons = np.array(["Voluntary Resignation - Work Life Balance",
                        "Voluntary Resignation - Promotion", "Retirement Age",
                        "Voluntary Resignation - Relocation"])
    spells["leaving_reason"] = np.where(spells["end_date"].notna(),
                                        rng.choice(reasons, size=len(spells)), "")

    if sickness:
        episodes = _episodes(rng, spells, start, end)
    else:
        episodes = pd.DataFrame(columns=["staff_id", "start_date", "end_date", "reason_code",
                                         "related_reason"])
    iv_start = month_starts[intervention_month - 1]
    interventions = pd.DataFrame([{
        "intervention_id": "INT1", "name": "Protected reflective practice", "objective": "3",
        "start_date": iv_start.strftime("%Y-%m-%d"), "end_date": "", "phase_in_months": 1,
        "teams": "all", "description": "Fortnightly reflective practice for clinicians."}])
    tables = {"staff_spells": _dates(spells[["staff_id", "team", "staff_group", "band", "fte",
                                             "start_date", "end_date", "leaving_reason"]]),
              "absence_episodes": _dates(episodes),
              "interventions": interventions}
    if pdsa:
        tables["pdsa_cycles"] = pd.DataFrame([{
            "cycle_id": "C1", "intervention_id": "INT1", "cycle_number": 1,
            "title": "Pilot in Step 2",
            "plan": "Reflective practice fortnightly in Step 2.",
            "measure": "absence_rate_pct", "predicted_direction": "decrease",
            "predicted_value": "", "start_date": iv_start.strftime("%Y-%m-%d"),
            "end_date": "", "study_notes": "", "decision": "adopt",
            "rebase_at_start": "no", "rebase_reason": ""}])
    for name, df in tables.items():
        if excel:
            df.to_excel(folder / f"{name}.xlsx", index=False)
        else:
            df.to_csv(folder / f"{name}.csv", index=False)
    return folder


def _episodes(rng, spells: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """About two episodes per person a year; one in eight long-term (28+ days)."""
    span = (end - start).days
    n = rng.poisson(2.0 * span / 365, size=len(spells))
    who = np.repeat(np.arange(len(spells)), n)
    first = spells["start_date"].to_numpy()[who].astype("datetime64[D]")
    last_in_post = spells["end_date"].fillna(end).to_numpy()[who].astype("datetime64[D]")
    lo = np.maximum(first, np.datetime64(start.date()))
    room = (last_in_post - lo).astype(int)
    keep = room > 40
    who, lo, room = who[keep], lo[keep], room[keep]
    offset = (rng.random(len(who)) * (room - 40)).astype(int)
    begin = lo + offset
    long = rng.random(len(who)) < 0.125
    length = np.where(long, rng.integers(28, 40, len(who)), rng.integers(1, 6, len(who)))
    e = pd.DataFrame({"staff_id": spells["staff_id"].to_numpy()[who],
                      "start_date": pd.to_datetime(begin),
                      "end_date": pd.to_datetime(begin + length - 1),
                      "reason_code": np.where(long, rng.choice(LONG_REASONS, len(who)),
                                              rng.choice(SHORT_REASONS, len(who))),
                      "related_reason": ""})
    e = e.sort_values(["staff_id", "start_date"]).reset_index(drop=True)
    # one episode at a time per person: drop any that starts before an earlier one ends
    # (repeat: dropping one can uncover the next)
    while True:
        latest_end = e.groupby("staff_id")["end_date"].cummax().groupby(e["staff_id"]).shift()
        overlap = latest_end.notna() & (e["start_date"] <= latest_end)
        if not overlap.any():
            return e.reset_index(drop=True)
        e = e[~overlap]


def _dates(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in ("start_date", "end_date"):
        if c in out and pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%d/%m/%Y").fillna("")
    return out


def scenario_params(path: Path, *, name: str, data_dir: Path, output_dir: Path,
                    extract: str, edited: bool = False, **overrides) -> Path:
    """The demo's params copied as an analyst would: only the service name, the folders and
    the extract date changed (``edited=False``), or also fitted to the service (no baseline
    window or pandemic adjustment outside the data, no comparison series)."""
    raw = yaml.safe_load(DEMO_PARAMS.read_text(encoding="utf-8"))
    raw.update(service_name=name, data_dir=str(data_dir), output_dir=str(output_dir),
               extract_date=extract)
    if edited:
        raw.pop("baseline", None)
        ev = raw["evaluation"]
        for key in ("analysis_start", "adjust_for", "comparison"):
            ev.pop(key, None)
        raw["pdsa"] = {"cycle": "C1"}
    raw.update(overrides)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (inputs must be byte-identical after any
    command)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def aggregate_service(folder: Path, *, months: int = 30, extract: str = "2026-06-30",
                      seed: int = 3, teams: bool = True, optional: bool = True,
                      intervention_month: int = 18, pdsa: bool = True) -> Path:
    """Write an aggregate-tier service into ``folder``: only the trust's monthly figures
    (``monthly_workforce.csv``: one row per team and month, or per month with
    ``teams=False``), an intervention and PDSA cycles, no row-level HR tables. Seeded;
    vectorised over teams and months."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    end = pd.Timestamp(extract).to_period("M")
    periods = pd.period_range(end - (months - 1), end, freq="M")
    names = list(TEAMS) if teams else ["all"]
    size = np.array([24, 14, 8]) if teams else np.array([46])
    k, g = len(periods), len(names)
    days = np.tile(periods.days_in_month.to_numpy(), g)
    headcount = np.repeat(size, k) + rng.integers(-2, 3, g * k)
    fte = np.round(headcount * rng.uniform(0.82, 0.9, g * k), 1)
    available = np.round(fte * days, 1)
    season = 1 + 0.2 * np.cos(2 * np.pi * (np.tile(periods.month.to_numpy(), g) - 1) / 12)
    lost = np.round(available * 0.05 * season * rng.uniform(0.5, 1.5, g * k), 1)
    long_term = np.round(lost * rng.uniform(0.2, 0.6, g * k), 1)
    s10 = np.round(lost * rng.uniform(0.2, 0.5, g * k), 1)
    leavers = rng.poisson(0.02 * headcount)
    table = pd.DataFrame({"month": np.tile(periods.strftime("%Y-%m").to_numpy(), g),
                          "team": np.repeat(names, k), "headcount": headcount,
                          "fte_days_available": available, "fte_days_lost": lost,
                          "leavers": leavers})
    if optional:
        table = table.assign(fte=fte, starters=rng.poisson(0.02 * headcount),
                             fte_days_lost_s10=s10, fte_days_lost_long_term=long_term,
                             leavers_voluntary=rng.binomial(leavers, 0.7))
    if not teams:
        table = table.drop(columns="team")
    table.to_csv(folder / "monthly_workforce.csv", index=False)
    iv_start = periods[intervention_month - 1].to_timestamp()
    pd.DataFrame([{"intervention_id": "INT1", "name": "Protected reflective practice",
                   "objective": "3", "start_date": iv_start.strftime("%Y-%m-%d"),
                   "end_date": "", "phase_in_months": 1, "teams": "all",
                   "description": "Fortnightly reflective practice for clinicians."}]
                 ).to_csv(folder / "interventions.csv", index=False)
    if pdsa:
        pd.DataFrame([{"cycle_id": "C1", "intervention_id": "INT1", "cycle_number": 1,
                       "title": "Pilot in Step 2", "plan": "Reflective practice fortnightly.",
                       "measure": "absence_rate_pct", "predicted_direction": "decrease",
                       "predicted_value": "", "start_date": iv_start.strftime("%Y-%m-%d"),
                       "end_date": "", "study_notes": "", "decision": "adopt",
                       "rebase_at_start": "no", "rebase_reason": ""}]
                     ).to_csv(folder / "pdsa_cycles.csv", index=False)
    return folder
