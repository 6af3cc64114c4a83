"""A deterministic synthetic NHS Talking Therapies service for demos and tests.

``generate_demo(out_dir, seed=...)`` writes the service in the data-template layout, so the
demo runs through the same loader and validation as real data, plus ``truth.json`` with the
effects that were injected (what a correct analysis should recover).

The story (all parameters are in :data:`STORY`):

- A provider took over the service on 2019-04-01 and its staff transferred in that day
  (so every first spell starts then). Five teams across step 2, step 3 and service support,
  the Talking Therapies staff groups, part-time FTEs, headcount growing about 2% a year with
  the national expansion; vacancies take a few months to fill.
- Leaving: monthly hazard from each staff group's annual rate (PWPs highest, about a quarter
  a year), lower in the first pandemic months and higher in 2021–22.
- Sickness absence: new episodes arrive at a rate with a winter peak, a gentle upward trend,
  a pandemic surge (some COVID-19 related), a mix of short and long-term episodes in which
  S10 (anxiety/stress/depression) makes about a quarter of days lost.
- Intervention INT1 (protected reflective practice, 2024-04-01, 2 months' phase-in) cuts
  the rate of new sickness episodes by 20% and the leaving hazard by 30%: the truth an ITS
  should recover. INT2 (stay conversations, 2025-04) has **no** effect: an honest null.
- PDSA cycles record how INT1 was tested and rolled out.

Simulation loops over months (a few dozen vectorised steps), never over staff or days.

Why one module of this length: the synthetic service's story (staff, absence, interventions
and their true effects) is generated in one place so truth.json matches it; used by the demo
and the tests only.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import DEMO_SERVICES
from wellbeing_analysis.demo.surveys import generate_survey_tables
from wellbeing_analysis.schema import TABLES

DEFAULT_SEED = DEMO_SERVICES["demo"]
#: The comparison series written beside the demo tables (not an input table: named in params).
COMPARISON_FILE = "comparison_sickness_absence.csv"

#: Everything the generator injects, in one place; copied into truth.json.
STORY: dict = {
    "service_start": "2019-04-01",
    "extract_date": "2026-09-30",
    "pandemic": {"start": "2020-03-01", "end": "2021-03-31", "absence_multiplier": 1.35,
                 "covid_share_of_extra_episodes": 0.6},
    "leaving_multiplier_by_period": [
        {"start": "2020-04-01", "end": "2020-12-31", "multiplier": 0.7},
        {"start": "2021-04-01", "end": "2022-12-31", "multiplier": 1.2},
    ],
    "absence": {
        "episodes_per_staff_month": 0.16,
        "winter_amplitude": 0.30,  # multiplier 1 + A cos(2π (month − 1) / 12): peak in January
        "trend_log_per_year": 0.03,
        "long_term_share": 0.05,
        "long_term_days": [28, 100],
        "short_term_mean_extra_days": 3.5,
    },
    "annual_leaving_rate": {
        "Psychological Wellbeing Practitioner": 0.25,
        "Trainee Psychological Wellbeing Practitioner": 0.28,
        "High Intensity Therapist": 0.10,
        "Trainee High Intensity Therapist": 0.08,
        "Counsellor": 0.09,
        "Employment Adviser": 0.15,
        "Admin and Clerical": 0.12,
        "Manager": 0.08,
    },
    "teams": {
        "North Step 2": {"target": 48, "mix": {
            "Psychological Wellbeing Practitioner": 0.75,
            "Trainee Psychological Wellbeing Practitioner": 0.18, "Manager": 0.07}},
        "South Step 2": {"target": 42, "mix": {
            "Psychological Wellbeing Practitioner": 0.75,
            "Trainee Psychological Wellbeing Practitioner": 0.18, "Manager": 0.07}},
        "North Step 3": {"target": 40, "mix": {
            "High Intensity Therapist": 0.62, "Trainee High Intensity Therapist": 0.12,
            "Counsellor": 0.20, "Manager": 0.06}},
        "South Step 3": {"target": 36, "mix": {
            "High Intensity Therapist": 0.60, "Trainee High Intensity Therapist": 0.12,
            "Counsellor": 0.22, "Manager": 0.06}},
        "Service Support": {"target": 30, "mix": {
            "Employment Adviser": 0.40, "Admin and Clerical": 0.50, "Manager": 0.10}},
    },
    "headcount_growth_per_year": 0.02,
    "monthly_fill_probability": 0.45,
    "monthly_fte_change_probability": 0.004,
    "interventions": [
        {"intervention_id": "INT1", "name": "Protected reflective practice time",
         "start": "2024-04-01", "phase_in_months": 2,
         "absence_episode_rate_ratio": 0.80, "leaving_rate_ratio": 0.70},
        {"intervention_id": "INT2", "name": "Stay conversations for step 2 staff",
         "start": "2025-04-01", "phase_in_months": 0,
         "absence_episode_rate_ratio": 1.0, "leaving_rate_ratio": 1.0},
    ],
}

BAND_BY_GROUP = {
    "Psychological Wellbeing Practitioner": "Band 5",
    "Trainee Psychological Wellbeing Practitioner": "Band 4",
    "High Intensity Therapist": "Band 7",
    "Trainee High Intensity Therapist": "Band 6",
    "Counsellor": "Band 6",
    "Employment Adviser": "Band 5",
    "Admin and Clerical": "Band 3",
    "Manager": "Band 8a",
}

#: ESR reason-code mixes for short and long-term episodes (chosen so that S10 is about a
#: quarter of days lost, as nationally).
SHORT_REASONS = {"S13": 0.30, "S25": 0.15, "S10": 0.12, "S16": 0.08, "S12": 0.08, "S15": 0.06,
                 "S11": 0.05, "S98": 0.05, "S21": 0.04, "S99": 0.04, "S28": 0.03}
LONG_REASONS = {"S10": 0.38, "S12": 0.12, "S11": 0.09, "S28": 0.07, "S17": 0.06, "S26": 0.06,
                "S98": 0.07, "S19": 0.04, "S25": 0.04}
COVID_REASONS = {"S13": 0.5, "S27": 0.3, "S15": 0.2}

VOLUNTARY_REASONS = {
    "Voluntary Resignation - Work Life Balance": 0.30,
    "Voluntary Resignation - Promotion": 0.22,
    "Voluntary Resignation - Relocation": 0.12,
    "Voluntary Resignation - Other/Not Known": 0.10,
    "Voluntary Resignation - Lack of Opportunities": 0.08,
    "Voluntary Resignation - Health": 0.06,
    "Voluntary Resignation - To undertake further education or training": 0.06,
    "Voluntary Resignation - Pay and Reward Related": 0.06,
}
OTHER_REASONS = {
    "End of Fixed Term Contract": 0.35, "Retirement Age": 0.25, "Dismissal - Capability": 0.10,
    "Flexi Retirement": 0.10, "Employee Transfer": 0.10, "Retirement - Ill Health": 0.10,
}
VOLUNTARY_SHARE = 0.75

FTE_CHOICES = np.array([1.0, 0.8, 0.6, 0.5, 0.4, 0.9, 0.7])
FTE_PROBS = np.array([0.58, 0.14, 0.12, 0.07, 0.03, 0.03, 0.03])


def _choice(rng: np.random.Generator, mix: dict[str, float], size: int) -> np.ndarray:
    keys = np.array(list(mix), dtype=object)
    p = np.array(list(mix.values()), dtype=float)
    return rng.choice(keys, size=size, p=p / p.sum())


def _month_starts(start: str, end: str) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="MS")


def _in_window(month: pd.Timestamp, start: str, end: str) -> bool:
    return pd.Timestamp(start) <= month <= pd.Timestamp(end)


def _intervention_factor(month: pd.Timestamp, key: str) -> float:
    """Product of the active interventions' rate ratios for ``key`` (after phase-in)."""
    factor = 1.0
    for iv in STORY["interventions"]:
        effective = pd.Timestamp(iv["start"]) + pd.DateOffset(months=iv["phase_in_months"])
        if month >= effective:
            factor *= iv[key]
    return factor


def simulate_spells(rng: np.random.Generator) -> pd.DataFrame:
    """Staff spells: one row per spell, raw staff IDs, open spells with NaT end."""
    months = _month_starts(STORY["service_start"], STORY["extract_date"])
    teams = STORY["teams"]
    next_id = 100001
    rows: list[pd.DataFrame] = []  # closed spells, one frame per month

    def new_staff(team: str, n: int, start: pd.Timestamp | np.ndarray) -> pd.DataFrame:
        nonlocal next_id
        groups = _choice(rng, teams[team]["mix"], n)
        ids = [f"E{i}" for i in range(next_id, next_id + n)]
        next_id += n
        return pd.DataFrame({
            "staff_id": ids, "team": team, "staff_group": groups,
            "band": [BAND_BY_GROUP[g] for g in groups],
            "fte": rng.choice(FTE_CHOICES, size=n, p=FTE_PROBS),
            "start_date": start, "leaving_reason": None,
        })

    staff = pd.concat([new_staff(t, spec["target"], months[0]) for t, spec in teams.items()],
                      ignore_index=True)
    for month in months:
        days = month.days_in_month
        years = (month - months[0]).days / 365.25
        # -- leavers --------------------------------------------------------------------
        annual = staff["staff_group"].map(STORY["annual_leaving_rate"]).to_numpy()
        mult = 1.0
        for period in STORY["leaving_multiplier_by_period"]:
            if _in_window(month, period["start"], period["end"]):
                mult *= period["multiplier"]
        mult *= _intervention_factor(month, "leaving_rate_ratio")
        hazard = 1.0 - (1.0 - annual) ** (1.0 / 12.0)
        leaving = rng.random(len(staff)) < hazard * mult
        end_day = rng.integers(0, days, size=len(staff))
        # a leaver's spell must last at least one day
        end = month + pd.to_timedelta(end_day, unit="D")
        leaving &= end >= staff["start_date"].to_numpy()
        n_leave = int(leaving.sum())
        voluntary = rng.random(n_leave) < VOLUNTARY_SHARE
        reasons = np.where(voluntary, _choice(rng, VOLUNTARY_REASONS, n_leave),
                           _choice(rng, OTHER_REASONS, n_leave))
        gone = staff[leaving].assign(end_date=end[leaving], leaving_reason=reasons)
        rows.append(gone)
        staff = staff[~leaving].reset_index(drop=True)

        # -- FTE changes: the spell ends, a new one starts the next day ---------------------
        change = (rng.random(len(staff)) < STORY["monthly_fte_change_probability"]) & (
            staff["start_date"] < month).to_numpy()
        if change.any():
            cut = month + pd.to_timedelta(rng.integers(0, days - 1, size=int(change.sum())),
                                          unit="D")
            rows.append(staff[change].assign(end_date=cut))
            moved = staff[change].copy()
            moved["start_date"] = cut + pd.Timedelta(days=1)
            moved["fte"] = rng.choice(FTE_CHOICES, size=len(moved), p=FTE_PROBS)
            staff.loc[change, ["start_date", "fte"]] = moved[["start_date", "fte"]].to_numpy()

        # -- trainees qualify after 12 months: new spell, new group and band ---------------
        trainee_to = {"Trainee Psychological Wellbeing Practitioner":
                      "Psychological Wellbeing Practitioner",
                      "Trainee High Intensity Therapist": "High Intensity Therapist"}
        qualify = (staff["staff_group"].isin(list(trainee_to))
                   & (staff["start_date"] + pd.DateOffset(months=12) <= month)).to_numpy()
        if qualify.any():
            rows.append(staff[qualify].assign(end_date=month - pd.Timedelta(days=1)))
            new_group = staff.loc[qualify, "staff_group"].map(trainee_to)
            staff.loc[qualify, "staff_group"] = new_group
            staff.loc[qualify, "band"] = new_group.map(BAND_BY_GROUP)
            staff.loc[qualify, "start_date"] = month

        # -- vacancies filled with a delay ----------------------------------------------
        hires = []
        counts = staff["team"].value_counts()
        for team, spec in teams.items():  # five teams: a loop over teams, not staff
            target = round(spec["target"] * (1 + STORY["headcount_growth_per_year"]) ** years)
            vacancies = max(0, target - int(counts.get(team, 0)))
            n = int(rng.binomial(vacancies, STORY["monthly_fill_probability"]))
            if n and month > months[0]:
                starts = month + pd.to_timedelta(rng.integers(0, days, size=n), unit="D")
                hires.append(new_staff(team, n, starts))
        if hires:
            staff = pd.concat([staff] + hires, ignore_index=True)

    open_spells = staff.assign(end_date=pd.NaT)
    spells = pd.concat(rows + [open_spells], ignore_index=True)
    spells["start_date"] = pd.to_datetime(spells["start_date"])
    spells["end_date"] = pd.to_datetime(spells["end_date"])
    return spells.sort_values(["staff_id", "start_date"], kind="stable").reset_index(drop=True)


def simulate_absence(rng: np.random.Generator, spells: pd.DataFrame) -> pd.DataFrame:
    """Sickness episodes inside each staff member's continuous service, never overlapping.

    A renewal process stepped month by month (vectorised over periods of service): a staff
    member can start a new episode only after the previous one has ended, so long-term
    episodes run their course instead of being cut short by a later start.
    """
    from wellbeing_analysis.workforce import employment_periods

    extract = pd.Timestamp(STORY["extract_date"])
    a, p = STORY["absence"], STORY["pandemic"]
    periods = employment_periods(spells, extract)
    periods = periods.groupby("period_id").agg(staff_id=("staff_id", "first"),
                                               first=("period_start", "min"),
                                               last=("period_end", "max")).reset_index(drop=True)
    day = np.timedelta64(1, "D")
    first = periods["first"].to_numpy().astype("datetime64[D]")
    last = periods["last"].to_numpy().astype("datetime64[D]")
    busy_until = first - day  # last day of the current episode (none yet)
    start0 = pd.Timestamp(STORY["service_start"])
    records = []
    for month in _month_starts(STORY["service_start"], STORY["extract_date"]):
        m_first = np.datetime64(month.date(), "D")
        m_last = np.datetime64((month + pd.offsets.MonthEnd(0)).date(), "D")
        lo = np.maximum(np.maximum(m_first, first), busy_until + day)
        hi = np.minimum(m_last, last)
        span = (hi - lo) / day + 1
        active = span > 0
        years = (month - start0).days / 365.25
        rate = (a["episodes_per_staff_month"]
                * (1 + a["winter_amplitude"] * np.cos(2 * np.pi * (month.month - 1) / 12))
                * np.exp(a["trend_log_per_year"] * years)
                * _intervention_factor(month, "absence_episode_rate_ratio"))
        pandemic = _in_window(month, p["start"], p["end"])
        if pandemic:
            rate *= p["absence_multiplier"]
        happens = active & (rng.random(len(span)) < rate * np.clip(span, 0, None)
                            / month.days_in_month)
        k = int(happens.sum())
        start = lo[happens] + (rng.random(k) * span[happens]).astype(int) * day
        long_term = rng.random(k) < a["long_term_share"]
        length = np.where(long_term,
                          rng.integers(a["long_term_days"][0], a["long_term_days"][1] + 1, size=k),
                          rng.geometric(1 / (1 + a["short_term_mean_extra_days"]), size=k))
        end = np.minimum(start + (length - 1) * day, last[happens])
        covid_p = ((1 - 1 / p["absence_multiplier"]) * p["covid_share_of_extra_episodes"]
                   if pandemic else 0.0)
        covid = (rng.random(k) < covid_p) & ~long_term
        reason = np.where(long_term, _choice(rng, LONG_REASONS, k), _choice(rng, SHORT_REASONS, k))
        reason = np.where(covid, _choice(rng, COVID_REASONS, k), reason)
        busy_until[happens] = end
        records.append(pd.DataFrame({
            "staff_id": periods["staff_id"].to_numpy()[happens], "start_date": start,
            "end_date": end, "reason_code": reason,
            "related_reason": np.where(covid, "COVID-19", None)}))
    ep = pd.concat(records, ignore_index=True)
    ep["start_date"] = pd.to_datetime(ep["start_date"])
    ep["end_date"] = pd.to_datetime(ep["end_date"])
    # still off sick on the extract date: the episode is ongoing (blank end date); a leaver's
    # episode ends with their service, so it is never ongoing after they left
    ep.loc[ep["end_date"] >= extract, "end_date"] = pd.NaT
    return ep.sort_values(["staff_id", "start_date"], kind="stable").reset_index(drop=True)


def demo_interventions() -> pd.DataFrame:
    """The demo's interventions table."""
    descriptions = {
        "INT1": "Fortnightly 90-minute protected reflective practice for every team, "
                "with cover arranged so that clinics are not double-booked.",
        "INT2": "Structured stay conversations between step 2 staff and their line managers "
                "every six months.",
    }
    teams = {"INT1": "all", "INT2": "North Step 2;South Step 2"}
    objective = {"INT1": "3", "INT2": "1"}
    return pd.DataFrame([{
        "intervention_id": iv["intervention_id"], "name": iv["name"],
        "objective": objective[iv["intervention_id"]], "start_date": iv["start"],
        "end_date": "", "phase_in_months": iv["phase_in_months"],
        "teams": teams[iv["intervention_id"]], "description": descriptions[iv["intervention_id"]],
    } for iv in STORY["interventions"]])


def demo_pdsa_cycles() -> pd.DataFrame:
    """The demo's PDSA log: how INT1 was tested, adapted and adopted, and INT2's first cycle."""
    return pd.DataFrame([
        {"cycle_id": "C1", "intervention_id": "INT1", "cycle_number": 1,
         "title": "Pilot reflective practice in North Step 2",
         "plan": "Fortnightly sessions for North Step 2 for three months; track attendance "
                 "and the service sickness absence rate.",
         "measure": "absence_rate_pct", "predicted_direction": "decrease",
         "predicted_value": "", "start_date": "2023-10-01", "end_date": "2023-12-31",
         "study_notes": "Attendance 74%; sessions valued; cover arrangements were the main "
                        "barrier.", "decision": "adapt", "rebase_at_start": "no",
         "rebase_reason": ""},
        {"cycle_id": "C2", "intervention_id": "INT1", "cycle_number": 2,
         "title": "Roll out to every team with clinic cover",
         "plan": "All teams, with protected diary slots and cover from a floating clinician.",
         "measure": "absence_rate_pct", "predicted_direction": "decrease",
         "predicted_value": "4.5", "start_date": "2024-04-01", "end_date": "2025-03-31",
         "study_notes": "Attendance 86%; absence appears lower since the summer.",
         "decision": "adopt", "rebase_at_start": "no", "rebase_reason": ""},
        {"cycle_id": "C3", "intervention_id": "INT2", "cycle_number": 1,
         "title": "Stay conversations in step 2",
         "plan": "Six-monthly stay conversations for PWPs; record reasons for staying.",
         "measure": "leaver_rate_pct", "predicted_direction": "decrease",
         "predicted_value": "",
         "start_date": "2025-04-01", "end_date": "", "study_notes": "", "decision": "",
         "rebase_at_start": "no", "rebase_reason": ""},
    ])


#: The synthetic comparison organisation (no intervention), in the national publication layout.
COMPARISON = {"org_code": "RZZ", "org_name": "Comparison Mental Health Trust (synthetic)",
              "region_code": "Y56", "region_name": "London",
              "fte_days_available": 42000.0, "rate": 0.046, "ar": 0.5, "noise_sd": 0.06}


def simulate_comparison(rng: np.random.Generator) -> pd.DataFrame:
    """A comparison trust's monthly sickness absence in the layout of NHS Digital's
    organisation-level sickness absence CSV: the demo's seasonality, trend and pandemic
    surge, no intervention, and log-normal AR(1) month-to-month noise."""
    a, p, c = STORY["absence"], STORY["pandemic"], COMPARISON
    months = _month_starts(STORY["service_start"], STORY["extract_date"])
    years = (months - months[0]).days.to_numpy() / 365.25
    rate = (c["rate"] * (1 + a["winter_amplitude"] * np.cos(2 * np.pi * (months.month - 1) / 12))
            * np.exp(a["trend_log_per_year"] * years))
    pandemic = (months >= pd.Timestamp(p["start"])) & (months <= pd.Timestamp(p["end"]))
    rate = np.where(pandemic, rate * p["absence_multiplier"], rate)
    shocks = rng.normal(0, c["noise_sd"], len(months))
    noise = signal_ar1(shocks, c["ar"])
    available = c["fte_days_available"] * (1 + 0.01 * years) * months.days_in_month / 30.4
    lost = available * rate * np.exp(noise - c["noise_sd"] ** 2 / 2)
    return pd.DataFrame({
        "DATE": (months + pd.offsets.MonthEnd(0)).strftime("%d/%m/%Y"),
        "NHSE_REGION_CODE": c["region_code"], "NHSE_REGION_NAME": c["region_name"],
        "ORG_CODE": c["org_code"], "ORG_NAME": c["org_name"], "ORG_TYPE": "Mental Health",
        "FTE_DAYS_LOST": np.round(lost, 2), "FTE_DAYS_AVAILABLE": np.round(available, 2),
        "SICKNESS_ABSENCE_RATE_PERCENT": np.round(100 * lost / available, 2),
    })


def signal_ar1(shocks: np.ndarray, rho: float) -> np.ndarray:
    """AR(1) series from its shocks (stationary start)."""
    from scipy.signal import lfilter

    first = shocks[:1] / np.sqrt(1 - rho**2)
    return lfilter([1.0], [1.0, -rho], np.r_[first, shocks[1:]])


def _fmt(dates: pd.Series, fmt: str) -> pd.Series:
    return dates.dt.strftime(fmt).fillna("")


def demo_files() -> list[str]:
    """The names :func:`generate_demo` may write in its folder."""
    return [f"{name}.csv" for name in TABLES] + [COMPARISON_FILE, "truth.json"]


def generate_demo(out_dir: str | Path, *, seed: int = DEFAULT_SEED) -> Path:
    """Write the synthetic service into ``out_dir`` (template layout) with ``truth.json``.

    HR tables use the DD/MM/YYYY dates ESR exports use, the others ISO dates, so the demo
    exercises both accepted formats. Same seed, same files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    spells = simulate_spells(rng)
    episodes = simulate_absence(rng, spells)
    truth: dict = {"seed": seed, "story": STORY,
                   "comparison": {**COMPARISON, "file": COMPARISON_FILE,
                                  "intervention_effect": "none (a comparison series)"}}

    tables: dict[str, pd.DataFrame] = {
        "staff_spells": spells.assign(
            start_date=_fmt(spells["start_date"], "%d/%m/%Y"),
            end_date=_fmt(spells["end_date"], "%d/%m/%Y"),
            leaving_reason=spells["leaving_reason"].fillna("")),
        "absence_episodes": episodes.assign(
            start_date=_fmt(episodes["start_date"], "%d/%m/%Y"),
            end_date=_fmt(episodes["end_date"], "%d/%m/%Y"),
            related_reason=episodes["related_reason"].fillna("")),
        "interventions": demo_interventions(),
        "pdsa_cycles": demo_pdsa_cycles(),
    }
    tables.update(generate_survey_tables(
        rng, spells=spells, extract_date=pd.Timestamp(STORY["extract_date"]),
        intervention_start=pd.Timestamp(STORY["interventions"][0]["start"]), truth=truth))
    for name, df in tables.items():
        columns = [c.name for c in TABLES[name].columns] if name in TABLES else list(df.columns)
        extra = [c for c in df.columns if c not in columns]
        df[[c for c in columns if c in df.columns] + extra].to_csv(
            out / f"{name}.csv", index=False)
    simulate_comparison(rng).to_csv(out / COMPARISON_FILE, index=False)
    (out / "truth.json").write_text(json.dumps(truth, indent=2, default=str) + "\n",
                                    encoding="utf-8")
    return out

