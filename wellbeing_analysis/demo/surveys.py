"""Synthetic survey tables for the demo service, consistent with its story.

``generate_survey_tables(rng, spells=..., extract_date=..., intervention_start=...,
truth=...)`` returns one DataFrame per survey table (template columns, dates as YYYY-MM-DD
text, blank cells as empty) and records the injected effects in ``truth['surveys']``.

The story (parameters in :data:`SURVEY_STORY`):

- Local wellbeing survey every April and October from 2021-10: 55-70% of the staff in
  post in each team respond. Each answer comes from a latent score per construct: a
  baseline, a team effect, a persistent staff effect, the intervention effect and noise;
  items are rounded and clipped to the scale, reversed items coded back to raw answers.
  After 'protected reflective practice time' (``intervention_start``, phased in over two
  months) psychological safety and BPNS relatedness rise and OLBI exhaustion falls by the
  amounts in the story; autonomy, competence, WRQoL and SWEMWBS do not change (honest
  nulls). The survey platform changed in 2023-04: OLBI answers are coded 'disagree_1'
  before and 'agree_1' after, declared in ``olbi_coding``. About 2% of answers are blank.
- NHS Staff Survey results 2019-2025 (fieldwork each October; about 60% respond): theme
  scores with comparator values for the service and each team, engagement sub-scores and
  the highlighted questions (and advocacy questions, which were renumbered) from 2021,
  with a dip in 2020-21 and a rise after the intervention.
- Quarterly pulse survey (the nine engagement questions) from 2021-07, numbered as in the
  main survey of the same year (so the advocacy columns move from q21 to q23 to q25).
- Weekly marble-jar tallies per team from the service start: the share of good days dips
  during the pandemic (2020-03 to 2021-03) and rises after the intervention.
- Exit reasons for about 70% of actual leavers (dated a few days before they leave, with
  their staff group, team and whether the ESR reason is voluntary), and stay reasons from
  yearly stay conversations, six-monthly for step 2 staff once stay conversations start
  there (2025-04).

Loops run over waves, years and constructs (a few dozen steps), never over responses.

Why one module of this length: one synthetic-survey generator per survey table, sharing the
same simulated staff and story; used by the demo and the tests only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.schema import EXIT_STAY_CATEGORIES
from wellbeing_analysis.schema.instruments import INSTRUMENTS, NSS_RENUMBERED
from wellbeing_analysis.workforce import is_voluntary

#: Everything the survey generator injects (copied into ``truth['surveys']``). Effects are
#: in the units of the scored subscale (psafe and BPNS 1-7 means, OLBI 1-4 means, joy in
#: percentage points, NHS Staff Survey 0-10 scores).
SURVEY_STORY: dict = {
    "local_waves": {"first": "2021-10-01", "months": [4, 10]},
    "local_response_rate": [0.55, 0.70],
    "phase_in_months": 2,
    "missing_item_rate": 0.02,
    "olbi_coding": {"before": "disagree_1", "from": "2023-04-01", "after": "agree_1"},
    # latent construct: baseline, team sd, staff sd, answer noise sd, intervention effect
    "constructs": {
        "psafe": {"base": 4.6, "team_sd": 0.25, "staff_sd": 0.6, "noise_sd": 0.9,
                  "effect": 0.5},
        "autonomy": {"base": 4.8, "team_sd": 0.2, "staff_sd": 0.6, "noise_sd": 0.9,
                     "effect": 0.0},
        "competence": {"base": 5.2, "team_sd": 0.15, "staff_sd": 0.65, "noise_sd": 0.9,
                       "effect": 0.0},
        "relatedness": {"base": 5.0, "team_sd": 0.25, "staff_sd": 0.6, "noise_sd": 0.9,
                        "effect": 0.45},
        "exhaustion": {"base": 2.35, "team_sd": 0.1, "staff_sd": 0.3, "noise_sd": 0.5,
                       "effect": -0.25},
        "disengagement": {"base": 2.05, "team_sd": 0.1, "staff_sd": 0.3, "noise_sd": 0.5,
                          "effect": 0.0},
        "wrqol": {"base": 3.3, "team_sd": 0.15, "staff_sd": 0.45, "noise_sd": 0.8,
                  "effect": 0.0},
        "swemwbs": {"base": 3.3, "team_sd": 0.1, "staff_sd": 0.45, "noise_sd": 0.7,
                    "effect": 0.0},
    },
    "nps": {"intercept": 7.0, "per_psafe_point": 1.3, "noise_sd": 1.8},
    "pulse": {"first": "2021-07-01", "every_months": 3, "response_rate": [0.35, 0.50],
              "base_item": 3.5, "team_sd": 0.15, "staff_sd": 0.45, "noise_sd": 0.8,
              "effect_item": 0.2},
    "nss": {
        "years": [2019, 2020, 2021, 2022, 2023, 2024, 2025],
        "response_rate": [0.52, 0.65],
        "themes": {"Staff engagement": 6.75, "Morale": 5.95},
        "sub_scores": {"Motivation": 7.05, "Involvement": 6.6, "Advocacy": 6.6},
        "year_shift": {"2020": -0.15, "2021": -0.25, "2022": -0.1},
        "effect": 0.3,
        "team_sd": 0.2,
        "comparator": {"average": -0.05, "best": 0.6, "worst": -0.7},
        "questions_pct_positive": {"q3d": 56.0, "q3e": 44.0, "q3f": 50.0, "q9c": 66.0,
                                   "q9f": 70.0, "q21a": 72.0, "q21c": 58.0},
        "question_dip_2021": -3.0,
        "question_effect": {"q3d": 6.0, "q3e": 5.0, "q3f": 6.0, "q9c": 3.0, "q9f": 3.0,
                            "q21a": 0.0, "q21c": 4.0},
    },
    "joy": {"base_pct": 62.0, "team_sd_pct": 3.0, "week_sd_pct": 3.0,
            "pandemic": {"start": "2020-03-01", "end": "2021-03-31", "change_pct": -8.0},
            "effect_pct": 8.0, "marbles_per_fte_week": 5.0, "participation": 0.55},
    "exit": {"interview_rate": 0.7, "extra_reasons_p": 0.4, "days_before_leaving": 10,
             "workload_weight_before": 0.25, "workload_weight_after": 0.12},
    "stay": {"yearly_from": "2022-04-01", "yearly_share": 0.2,
             "step2_six_monthly_from": "2025-04-01", "step2_share": 0.6,
             "supervision_weight_before": 0.10, "supervision_weight_after": 0.18},
}

#: Primary exit category of each ESR leaving reason (our mapping for the demo).
EXIT_CATEGORY_BY_REASON: dict[str, str] = {
    "Voluntary Resignation - Work Life Balance": "Work-life balance",
    "Voluntary Resignation - Promotion": "Career progression",
    "Voluntary Resignation - Relocation": "Relocation",
    "Voluntary Resignation - Lack of Opportunities": "Career progression",
    "Voluntary Resignation - Other/Not Known": "Other",
    "Voluntary Resignation - Pay and Reward Related": "Pay and reward",
    "Voluntary Resignation - To undertake further education or training":
        "Training and development",
    "Voluntary Resignation - Health": "Health and wellbeing",
    "Voluntary Resignation - Incompatible Working Relationships": "Team and colleagues",
    "Voluntary Resignation - Child Dependants": "Flexible working",
    "Voluntary Resignation - Adult Dependants": "Flexible working",
    "Retirement Age": "Retirement",
    "Flexi Retirement": "Retirement",
    "Retirement - Ill Health": "Health and wellbeing",
}

_EXIT_WEIGHTS = {"Workload and pressure": 0.25, "Work-life balance": 0.12,
                 "Supervision and support": 0.10, "Line management": 0.08,
                 "Career progression": 0.10, "Pay and reward": 0.08, "Recognition": 0.06,
                 "Team and colleagues": 0.06, "Autonomy and control": 0.06,
                 "Flexible working": 0.05, "Training and development": 0.04}
_STAY_WEIGHTS = {"Team and colleagues": 0.20, "Meaningful work": 0.20,
                 "Flexible working": 0.14, "Supervision and support": 0.10,
                 "Line management": 0.08, "Training and development": 0.08,
                 "Work-life balance": 0.07, "Career progression": 0.05,
                 "Autonomy and control": 0.04, "Recognition": 0.04}
_STEP2_TEAMS_MARK = "Step 2"
_DAY = pd.Timedelta(days=1)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _spells(spells: pd.DataFrame) -> pd.DataFrame:
    s = spells.copy()
    s["start_date"] = pd.to_datetime(s["start_date"]).astype("datetime64[ns]")
    s["end_date"] = pd.to_datetime(s["end_date"]).astype("datetime64[ns]")
    return s


def _in_post(spells: pd.DataFrame, dates: pd.Series | list) -> pd.DataFrame:
    """Staff in post at each date: (date, staff_id, team, staff_group, fte) rows."""
    d = pd.DataFrame({"date": pd.to_datetime(pd.Series(dates)).astype("datetime64[ns]")})
    x = d.merge(spells[["staff_id", "team", "staff_group", "fte", "start_date", "end_date"]],
                how="cross")
    on = (x["start_date"] <= x["date"]) & (x["end_date"].isna() | (x["end_date"] >= x["date"]))
    return x.loc[on, ["date", "staff_id", "team", "staff_group", "fte"]].reset_index(drop=True)


def _effect_fraction(dates: pd.Series, start: pd.Timestamp, phase_in: int) -> np.ndarray:
    """0 before the intervention, rising linearly to 1 over the phase-in months."""
    months = (pd.to_datetime(dates) - start).dt.days.to_numpy() / 30.4375
    return np.clip(months / max(phase_in, 1e-9), 0.0, 1.0) if phase_in else (months >= 0) * 1.0


def _iso(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).dt.strftime("%Y-%m-%d").fillna("")


def _random_effects(rng, keys: pd.Series, sd: float) -> np.ndarray:
    """A persistent normal effect per distinct key (team or staff), mapped onto rows."""
    uniq, inverse = np.unique(keys.astype(str).to_numpy(), return_inverse=True)
    return rng.normal(0.0, sd, len(uniq))[inverse]


def _items_from_latent(rng, latent: np.ndarray, n_items: int, lo: int, hi: int,
                       noise_sd: float) -> np.ndarray:
    """Answers (rows x items) scattered around each row's latent score, rounded, clipped."""
    offsets = rng.normal(0.0, 0.15, n_items)  # items differ slightly in difficulty
    x = latent[:, None] + offsets[None, :] + rng.normal(0.0, noise_sd, (len(latent), n_items))
    return np.clip(np.rint(x), lo, hi)


def _waves(first: str, months: list[int], end: pd.Timestamp) -> list[pd.Timestamp]:
    dates = pd.date_range(first, end, freq="MS")
    return [d for d in dates if d.month in months]


def _respondents(rng, spells, dates, rate_range) -> pd.DataFrame:
    """Staff in post at each wave date who respond (a response rate per team and wave)."""
    staff = _in_post(spells, dates)
    tw = staff[["date", "team"]].drop_duplicates()
    tw = tw.assign(rate=rng.uniform(*rate_range, len(tw)))
    staff = staff.merge(tw, on=["date", "team"])
    return staff[rng.random(len(staff)) < staff["rate"]].reset_index(drop=True)


def _shuffle_within(rng, df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Random order within each wave, so the file's order carries no link to staff."""
    return df.assign(_k=rng.random(len(df))).sort_values([by, "_k"]).drop(columns="_k") \
        .reset_index(drop=True)


def _ids(prefix: str, dates: pd.Series | None, numbers: np.ndarray) -> np.ndarray:
    """Identifiers like 'W2404-00012' (vectorised string building)."""
    num = pd.Series(numbers).astype(str).str.zfill(5 if dates is not None else 4)
    head = prefix if dates is None else prefix + pd.to_datetime(dates).dt.strftime("%y%m") + "-"
    return (head + num.to_numpy()).to_numpy() if dates is not None else (prefix + num).to_numpy()


def _to_int_columns(values: np.ndarray, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({n: pd.array(np.where(np.isnan(values[:, i]), np.nan, values[:, i]),
                                     dtype="Float64").astype("Int64")
                         for i, n in enumerate(names)})


# ---------------------------------------------------------------------------
# Local wellbeing survey
# ---------------------------------------------------------------------------
def _local_survey(rng, spells, extract_date, intervention_start, story) -> pd.DataFrame:
    waves = _waves(story["local_waves"]["first"], story["local_waves"]["months"], extract_date)
    r = _shuffle_within(rng, _respondents(rng, spells, waves, story["local_response_rate"]),
                        "date")
    n = len(r)
    frac = _effect_fraction(r["date"], intervention_start, story["phase_in_months"])
    latent = {}
    for name, p in story["constructs"].items():
        latent[name] = (p["base"] + _random_effects(rng, r["team"], p["team_sd"])
                        + _random_effects(rng, r["staff_id"], p["staff_sd"]) + p["effect"] * frac)
    out = pd.DataFrame({"response_id": _ids("W", r["date"], np.arange(1, n + 1)),
                        "wave_date": _iso(r["date"]), "team": r["team"],
                        "staff_group": r["staff_group"]})
    cols: dict[str, np.ndarray] = {}

    def add(inst_name: str, items: tuple[str, ...], scored: np.ndarray, reverse: np.ndarray):
        inst = INSTRUMENTS[inst_name]
        raw = np.where(reverse, inst.scale_min + inst.scale_max - scored, scored)
        for j, item in enumerate(items):
            cols[f"{inst_name}_{item}"] = raw[:, j]

    def scored_items(inst_name, sub_items, construct):
        inst = INSTRUMENTS[inst_name]
        p = story["constructs"][construct]
        return _items_from_latent(rng, latent[construct], len(sub_items), inst.scale_min,
                                  inst.scale_max, p["noise_sd"])

    # psafe and BPNS: generate scored answers per subscale, then code reversed items back
    psafe = INSTRUMENTS["psafe"]
    s = scored_items("psafe", psafe.items, "psafe")
    psafe_rev = np.isin(psafe.items, list(psafe.codings[0].reversed_items))
    add("psafe", psafe.items, s, psafe_rev[None, :].repeat(n, 0))
    bpns = INSTRUMENTS["bpns"]
    bp = np.full((n, len(bpns.items)), np.nan)
    for sub in bpns.subscales:
        idx = [bpns.items.index(i) for i in sub.items]
        bp[:, idx] = scored_items("bpns", sub.items, sub.key)
    add("bpns", bpns.items, bp,
        np.isin(bpns.items, list(bpns.codings[0].reversed_items))[None, :].repeat(n, 0))
    # OLBI: scored answers (higher = more burnout) coded back under each row's coding
    olbi = INSTRUMENTS["olbi"]
    switch = pd.Timestamp(story["olbi_coding"]["from"])
    coding = np.where(r["date"] < switch, story["olbi_coding"]["before"],
                      story["olbi_coding"]["after"])
    ob = np.full((n, len(olbi.items)), np.nan)
    for sub in olbi.subscales:
        idx = [olbi.items.index(i) for i in sub.items]
        ob[:, idx] = scored_items("olbi", sub.items, sub.key)
    rev = np.zeros(ob.shape, dtype=bool)
    for c in olbi.codings:
        rev |= np.outer(coding == c.name, np.isin(olbi.items, list(c.reversed_items)))
    add("olbi", olbi.items, ob, rev)
    # WRQoL (one latent, items 1-24) and SWEMWBS
    wrqol = INSTRUMENTS["wrqol"]
    wq = scored_items("wrqol", wrqol.all_items, "wrqol")
    add("wrqol", wrqol.all_items, wq,
        np.isin(wrqol.all_items, list(wrqol.codings[0].reversed_items))[None, :].repeat(n, 0))
    sw = INSTRUMENTS["swemwbs"]
    add("swemwbs", sw.items, scored_items("swemwbs", sw.items, "swemwbs"),
        np.zeros((n, len(sw.items)), dtype=bool))
    items = np.column_stack(list(cols.values()))
    items[rng.random(items.shape) < story["missing_item_rate"]] = np.nan
    out["olbi_coding"] = coding
    p = story["nps"]
    nps = np.clip(np.rint(p["intercept"] + p["per_psafe_point"]
                          * (latent["psafe"] - story["constructs"]["psafe"]["base"])
                          + rng.normal(0, p["noise_sd"], n)), 0, 10)
    out["nps"] = pd.array(nps, dtype="Float64").astype("Int64")
    return pd.concat([out, _to_int_columns(items, list(cols))], axis=1)


# ---------------------------------------------------------------------------
# Pulse survey (the nine engagement questions)
# ---------------------------------------------------------------------------
def _pulse_survey(rng, spells, extract_date, intervention_start, story) -> pd.DataFrame:
    p = story["pulse"]
    dates = list(pd.date_range(p["first"], extract_date, freq=f"{p['every_months']}MS"))
    r = _shuffle_within(rng, _respondents(rng, spells, dates, p["response_rate"]), "date")
    n = len(r)
    frac = _effect_fraction(r["date"], intervention_start, story["phase_in_months"])
    latent = (p["base_item"] + _random_effects(rng, r["team"], p["team_sd"])
              + _random_effects(rng, r["staff_id"], p["staff_sd"]) + p["effect_item"] * frac)
    inst = INSTRUMENTS["nss_engagement"]
    answers = _items_from_latent(rng, latent, len(inst.items), 1, 5, p["noise_sd"])
    answers[rng.random(answers.shape) < story["missing_item_rate"]] = np.nan
    year = r["date"].dt.year.to_numpy()
    numbering = np.where(year <= 2021, 0, np.where(year == 2022, 1, 2))
    out = pd.DataFrame({"response_id": _ids("P", r["date"], np.arange(1, n + 1)),
                        "wave_date": _iso(r["date"]), "team": r["team"],
                        "staff_group": r["staff_group"]})
    cols = {}
    for j, item in enumerate(inst.items):
        numbers = NSS_RENUMBERED.get(item)
        if numbers is None:
            cols[f"nss_{item}"] = answers[:, j]
            continue
        for k, q in enumerate(numbers):  # the column of the numbering that year used
            cols[f"nss_{q}"] = np.where(numbering == k, answers[:, j], np.nan)
    return pd.concat([out, _to_int_columns(np.column_stack(list(cols.values())), list(cols))],
                     axis=1)


# ---------------------------------------------------------------------------
# NHS Staff Survey published results
# ---------------------------------------------------------------------------
def _nss_results(rng, spells, extract_date, intervention_start, story) -> pd.DataFrame:
    p = story["nss"]
    years = [y for y in p["years"] if pd.Timestamp(f"{y}-10-01") <= extract_date]
    staff = _in_post(spells, [pd.Timestamp(f"{y}-10-01") for y in years])
    staff["year"] = staff["date"].dt.year
    teams = sorted(staff["team"].unique())
    team_effect = dict(zip(teams, rng.normal(0, p["team_sd"], len(teams)), strict=True))
    heads = staff.groupby(["year", "team"]).size().rename("headcount").reset_index()
    heads["responses"] = rng.binomial(heads["headcount"], rng.uniform(*p["response_rate"],
                                                                       len(heads)))
    service = heads.groupby("year")["responses"].sum()
    after = np.array([pd.Timestamp(f"{y}-10-01") >= intervention_start for y in years])
    shift = np.array([p["year_shift"].get(str(y), 0.0) for y in years])
    rows = []

    def score_rows(measure_type, measure, base):
        level = base + shift + p["effect"] * after  # service level per year
        for i, y in enumerate(years):
            n_service = int(service[y])
            comp = {f"comparator_{k}": round(base + shift[i] * 0.6 + v, 2)
                    for k, v in p["comparator"].items()}
            rows.append({"year": y, "measure_type": measure_type, "measure": measure,
                         "value": round(level[i] + rng.normal(0, 1.2 / np.sqrt(n_service)), 2),
                         "value_type": "score", "responses": n_service, **comp,
                         "breakdown": ""})
            if measure_type != "theme":
                continue
            h = heads[heads["year"] == y]
            noise = rng.normal(0, 1.2 / np.sqrt(np.maximum(h["responses"], 1)))
            for team, n_team, e in zip(h["team"], h["responses"], noise, strict=True):
                rows.append({"year": y, "measure_type": measure_type, "measure": measure,
                             "value": round(float(np.clip(level[i] + team_effect[team] + e,
                                                          0, 10)), 2),
                             "value_type": "score", "responses": int(n_team), **comp,
                             "breakdown": team})

    for theme, base in p["themes"].items():
        score_rows("theme", theme, base)
    for sub, base in p["sub_scores"].items():
        score_rows("sub_score", sub, base)
    # questions (% positive) from 2021, in each year's numbering
    for q, base in p["questions_pct_positive"].items():
        for i, y in enumerate(years):
            if y < 2021:
                continue
            k = 0 if y == 2021 else 1 if y == 2022 else 2
            asked = NSS_RENUMBERED.get(q, (q, q, q))[k]
            pct = base + (p["question_dip_2021"] if y == 2021 else 0.0) \
                + p["question_effect"][q] * after[i]
            n = int(service[y])
            pos = rng.binomial(n, np.clip(pct / 100, 0.01, 0.99))
            rows.append({"year": y, "measure_type": "question", "measure": asked,
                         "value": round(100 * pos / n, 1), "value_type": "percent_positive",
                         "responses": n,
                         "comparator_average": round(base - 1.0, 1),
                         "comparator_best": round(min(base + 12.0, 99.0), 1),
                         "comparator_worst": round(max(base - 14.0, 1.0), 1),
                         "breakdown": ""})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Joy at work tallies
# ---------------------------------------------------------------------------
def _joy_tallies(rng, spells, extract_date, intervention_start, story) -> pd.DataFrame:
    p = story["joy"]
    first = spells["start_date"].min()
    first = first + pd.Timedelta(days=(7 - first.weekday()) % 7)  # first Monday
    weeks = pd.date_range(first, extract_date - pd.Timedelta(days=6), freq="7D")
    staff = _in_post(spells, weeks)
    tw = staff.groupby(["date", "team"])["fte"].sum().rename("fte").reset_index()
    christmas = (tw["date"].dt.month == 12) & (tw["date"].dt.day >= 22)
    mean = tw["fte"] * p["marbles_per_fte_week"] * p["participation"] * np.where(christmas, 0.4, 1)
    tw["total_days"] = rng.poisson(mean.to_numpy())
    pandemic = ((tw["date"] >= pd.Timestamp(p["pandemic"]["start"]))
                & (tw["date"] <= pd.Timestamp(p["pandemic"]["end"]))).to_numpy()
    frac = _effect_fraction(tw["date"], intervention_start, story["phase_in_months"])
    pct = (p["base_pct"] + _random_effects(rng, tw["team"], p["team_sd_pct"])
           + p["pandemic"]["change_pct"] * pandemic + p["effect_pct"] * frac
           + rng.normal(0, p["week_sd_pct"], len(tw)))
    tw["good_days"] = rng.binomial(tw["total_days"], np.clip(pct / 100, 0.02, 0.98))
    return pd.DataFrame({"week_start": _iso(tw["date"]), "team": tw["team"],
                         "good_days": tw["good_days"], "total_days": tw["total_days"]})


# ---------------------------------------------------------------------------
# Exit and stay reasons
# ---------------------------------------------------------------------------
def _pick_categories(rng, n_rows: int, weights: np.ndarray, k: np.ndarray,
                     forced: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Draw k[i] distinct categories per row with the given weights (rows x categories),
    ``forced`` (column index or -1) always first. Gumbel-top-k, vectorised. Returns (row
    index, category index) pairs."""
    keys = np.log(np.maximum(weights, 1e-12)) + rng.gumbel(size=weights.shape)
    if forced is not None:
        has = forced >= 0
        keys[np.flatnonzero(has), forced[has]] = np.inf
    order = np.argsort(-keys, axis=1)
    take = np.arange(weights.shape[1])[None, :] < k[:, None]
    rows = np.repeat(np.arange(n_rows)[:, None], weights.shape[1], axis=1)[take]
    return rows, order[take]


def _exit_reasons(rng, spells, extract_date, intervention_start, story) -> pd.DataFrame:
    p = story["exit"]
    s = spells.sort_values(["staff_id", "start_date"], kind="stable")
    next_start = s.groupby("staff_id")["start_date"].shift(-1)
    leaves = s["end_date"].notna() & ~(next_start == s["end_date"] + _DAY)
    lv = s[leaves & (rng.random(len(s)) < p["interview_rate"])].reset_index(drop=True)
    date = lv["end_date"] - pd.to_timedelta(rng.integers(0, p["days_before_leaving"] + 1,
                                                         len(lv)), unit="D")
    date = date.where(date <= extract_date, extract_date).clip(lower=lv["start_date"])
    cats = list(EXIT_STAY_CATEGORIES)
    primary = lv["leaving_reason"].map(EXIT_CATEGORY_BY_REASON).fillna("Other")
    forced = pd.Categorical(primary, categories=cats).codes.astype(int)
    after = (date >= intervention_start).to_numpy()
    w = np.array([_EXIT_WEIGHTS.get(c, 0.0) for c in cats])
    weights = np.repeat(w[None, :], len(lv), axis=0)
    workload = cats.index("Workload and pressure")
    weights[:, workload] = np.where(after, p["workload_weight_after"], p["workload_weight_before"])
    k = 1 + rng.binomial(2, p["extra_reasons_p"], len(lv))
    rows, cat_idx = _pick_categories(rng, len(lv), weights, k, forced)
    voluntary = is_voluntary(lv["leaving_reason"].fillna(""))
    comment = np.where(rng.random(len(rows)) < 0.2, "Comment recorded at the exit interview.", "")
    return pd.DataFrame({
        "record_id": _ids("X", None, rows + 1), "kind": "leaving",
        "date": _iso(date.iloc[rows]).to_numpy(), "category": np.array(cats)[cat_idx],
        "staff_group": lv["staff_group"].to_numpy()[rows], "team": lv["team"].to_numpy()[rows],
        "voluntary": np.where(voluntary.to_numpy()[rows], "yes", "no"), "comment": comment})


def _stay_reasons(rng, spells, extract_date, intervention_start, story) -> pd.DataFrame:
    p = story["stay"]
    yearly = [d for d in pd.date_range(p["yearly_from"], extract_date, freq="12MS")]
    staff = _in_post(spells, yearly)
    staff = staff[rng.random(len(staff)) < p["yearly_share"]]
    step2_dates = list(pd.date_range(p["step2_six_monthly_from"], extract_date, freq="6MS"))
    if step2_dates:
        s2 = _in_post(spells, step2_dates)
        s2 = s2[s2["team"].str.contains(_STEP2_TEAMS_MARK, regex=False)
                & (rng.random(len(s2)) < p["step2_share"])]
        staff = pd.concat([staff, s2]).drop_duplicates(subset=["date", "staff_id"])
    staff = staff.sort_values(["date", "team", "staff_id"]).reset_index(drop=True)
    date = staff["date"] + pd.to_timedelta(rng.integers(0, 28, len(staff)), unit="D")
    date = date.where(date <= extract_date, extract_date)
    cats = list(EXIT_STAY_CATEGORIES)
    w = np.array([_STAY_WEIGHTS.get(c, 0.0) for c in cats])
    weights = np.repeat(w[None, :], len(staff), axis=0)
    sup = cats.index("Supervision and support")
    weights[:, sup] = np.where((date >= intervention_start).to_numpy(),
                               p["supervision_weight_after"], p["supervision_weight_before"])
    k = 1 + rng.binomial(2, 0.5, len(staff))
    rows, cat_idx = _pick_categories(rng, len(staff), weights, k)
    return pd.DataFrame({
        "record_id": _ids("S", None, rows + 1), "kind": "staying",
        "date": _iso(date.iloc[rows]).to_numpy(), "category": np.array(cats)[cat_idx],
        "staff_group": staff["staff_group"].to_numpy()[rows],
        "team": staff["team"].to_numpy()[rows], "voluntary": "", "comment": ""})


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------
def generate_survey_tables(
    rng: np.random.Generator,
    *,
    spells: pd.DataFrame,
    extract_date: pd.Timestamp,
    intervention_start: pd.Timestamp,
    truth: dict,
) -> dict[str, pd.DataFrame]:
    """The demo service's survey tables, consistent with its story (module docstring).

    ``spells`` (staff_id, team, staff_group, band, fte, start_date, end_date with NaT for
    open spells, leaving_reason) sizes the waves and supplies the leavers. Returns
    ``{'wellbeing_survey', 'pulse_survey', 'staff_survey_results', 'joy_tallies',
    'exit_stay_reasons'}`` with template column names, dates as YYYY-MM-DD text; adds
    ``truth['surveys']``. Deterministic given ``rng``.
    """
    story = SURVEY_STORY
    s = _spells(spells)
    extract_date = pd.Timestamp(extract_date)
    intervention_start = pd.Timestamp(intervention_start)
    args = (rng, s, extract_date, intervention_start, story)
    local = _local_survey(*args)
    pulse = _pulse_survey(*args)
    nss = _nss_results(*args)
    joy = _joy_tallies(*args)
    reasons = pd.concat([_exit_reasons(*args), _stay_reasons(*args)], ignore_index=True)
    c = story["constructs"]
    truth["surveys"] = {
        "story": story,
        "intervention_start": str(intervention_start.date()),
        "expected_change_after_phase_in": {
            "psafe": c["psafe"]["effect"], "bpns.autonomy": c["autonomy"]["effect"],
            "bpns.competence": c["competence"]["effect"],
            "bpns.relatedness": c["relatedness"]["effect"],
            "olbi.exhaustion": c["exhaustion"]["effect"],
            "olbi.disengagement": c["disengagement"]["effect"],
            "wrqol": c["wrqol"]["effect"], "swemwbs": c["swemwbs"]["effect"],
            "joy_pct_good_points": story["joy"]["effect_pct"],
            "nss_engagement_pulse_0_10": story["pulse"]["effect_item"] * 2.5,
            "nss_theme_scores": story["nss"]["effect"],
        },
        "note": "Effects are on the latent score before rounding and clipping to the answer "
                "scale, so the observed change is close to, and slightly smaller than, these.",
        "rows": {"wellbeing_survey": len(local), "pulse_survey": len(pulse),
                 "staff_survey_results": len(nss), "joy_tallies": len(joy),
                 "exit_stay_reasons": len(reasons)},
    }
    return {"wellbeing_survey": local, "pulse_survey": pulse, "staff_survey_results": nss,
            "joy_tallies": joy, "exit_stay_reasons": reasons}
