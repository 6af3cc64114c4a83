"""The scalable monthly engine against today's algorithm (``workforce_oracle``, the
spell × month expansion kept verbatim) on many seeded random extracts.

Counts must be equal exactly. Sums of FTE days (and the rates made from them) may differ
in the last bits because the engine adds them in another order (a month's full-month FTE
through a cumulative sum, then × days in the month, instead of FTE × days piece by piece):
they must agree to 1e-9 relative, and a zero must be exactly zero (a blank rate stays blank).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.workforce_oracle import oracle_monthly_indicators
from wellbeing_analysis.workforce import CORE_COLUMNS, GROUP_ONLY_COLUMNS, monthly_indicators

TEAMS = ("North", "South", "East", "West Step 3")
GROUPS = ("Psychological Wellbeing Practitioner", "High Intensity Therapist", "Counsellor",
          "Manager")
FTES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.5)
REASONS = ("Voluntary Resignation - Promotion", "Voluntary Resignation - Work Life Balance",
           "Retirement Age", "End of Fixed Term Contract", None)
ABSENCE = ("S10", "S11", "S12", "S13", "S25", "S98")
RELATED = (None, None, None, "COVID-19", "coronavirus (suspected)", "Other", "Injury")
INT_COLUMNS = ("headcount", "starters", "leavers", "leavers_voluntary", "leavers_early",
               *GROUP_ONLY_COLUMNS)


def random_extract(seed: int, n_staff: int = 120, years: int = 4
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """A valid random extract (tests may loop): per staff 1-4 spells, each following the
    last the next day (a move between teams or staff groups, an FTE change, or neither) or
    after a gap (left and rehired); some spells end on a month end, the last may be open;
    episodes never overlap, lie inside continuous service (some crossing a move or a month
    end, some 28+ days), and the last may be ongoing, even after leaving (a warning in
    validation: the days after leaving are not counted)."""
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp("2018-01-01") + pd.Timedelta(days=int(rng.integers(0, 400)))
    span = 365 * years
    extract_day = span + int(rng.integers(-20, 20))
    extract = origin + pd.Timedelta(days=extract_day)
    if rng.random() < 0.3:  # sometimes on a month end
        extract = extract + pd.offsets.MonthEnd(0)
        extract_day = (extract - origin).days
    spell_rows, episode_rows = [], []
    for k in range(n_staff):
        staff = f"E{seed}-{k}"
        t = int(rng.integers(0, span - 30))
        team, group = rng.choice(TEAMS), rng.choice(GROUPS)
        fte = float(rng.choice(FTES))
        periods: list[list[int | None]] = []
        new_period = True
        for i in range(int(rng.integers(1, 5))):
            if t > extract_day:
                break
            length = int(rng.choice([rng.integers(1, 40), rng.integers(40, 900)]))
            end = t + length - 1
            if rng.random() < 0.2:  # end on a month end
                end = ((origin + pd.Timedelta(days=end)) + pd.offsets.MonthEnd(0) - origin).days
            is_open = end >= extract_day or rng.random() < 0.15
            spell_rows.append({
                "staff_id": staff,
                "team": None if rng.random() < 0.01 else team, "staff_group": group,
                "band": "Band 6", "fte": fte, "start": t, "end": None if is_open else end,
                "leaving_reason": None if is_open else rng.choice(REASONS)})
            if new_period:
                periods.append([t, None if is_open else end])
            else:
                periods[-1][1] = None if is_open else end
            if is_open:
                break
            kind = rng.random()
            if kind < 0.45:  # the next day: a move, an FTE change, both or neither
                new_period = False
                if rng.random() < 0.6:
                    team = rng.choice(TEAMS)
                if rng.random() < 0.3:
                    group = rng.choice(GROUPS)
                if rng.random() < 0.5:
                    fte = float(rng.choice(FTES))
                t = end + 1
            else:  # left, and maybe rehired after a gap
                new_period = True
                t = end + 1 + int(rng.integers(1, 400))
        for p_first, p_last in periods:
            closed_last = extract_day if p_last is None else p_last
            cursor = p_first + int(rng.integers(0, 30))
            while cursor <= closed_last and rng.random() < 0.85:
                length = int(rng.choice([rng.geometric(0.25), rng.integers(20, 120)]))
                end = min(cursor + length - 1, closed_last)
                at_end = end == closed_last
                ongoing = at_end and rng.random() < 0.5
                if not ongoing and p_last is not None and at_end and rng.random() < 0.3:
                    ongoing = True  # still open in the extract after the leaving date
                episode_rows.append({"staff_id": staff, "start": cursor,
                                     "end": None if ongoing else end,
                                     "reason_code": rng.choice(ABSENCE),
                                     "related_reason": rng.choice(RELATED)})
                if ongoing:
                    break
                cursor = end + 2 + int(rng.integers(0, 200))

    def frame(rows: list[dict]) -> pd.DataFrame:
        df = pd.DataFrame(rows)
        for col, src in (("start_date", "start"), ("end_date", "end")):
            days = pd.to_numeric(df.pop(src), errors="coerce")
            df[col] = origin + pd.to_timedelta(days, unit="D")
        return df

    spells = frame(spell_rows)[["staff_id", "team", "staff_group", "band", "fte", "start_date",
                                "end_date", "leaving_reason"]]
    episodes = (frame(episode_rows) if episode_rows else pd.DataFrame(
        columns=["staff_id", "start", "end", "reason_code", "related_reason"]).pipe(frame))
    episodes = episodes[["staff_id", "start_date", "end_date", "reason_code", "related_reason"]]
    # shuffle: the engine must not depend on input order
    spells = spells.sample(frac=1, random_state=seed).reset_index(drop=True)
    episodes = episodes.sample(frac=1, random_state=seed).reset_index(drop=True)
    return spells, episodes, extract


def assert_same_table(new: pd.DataFrame, old: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns)
    assert len(new) == len(old)
    for col in new.columns:
        a, b = new[col], old[col]
        if col in INT_COLUMNS:
            assert a.dtype == np.int64 and b.dtype == np.int64, col
            np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), err_msg=col)
        elif pd.api.types.is_float_dtype(b):
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=f"{col}: blanks")
            np.testing.assert_array_equal(x == 0, y == 0, err_msg=f"{col}: zeros")
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=0, err_msg=col)
        else:  # month and group labels
            assert a.astype(str).tolist() == b.astype(str).tolist(), col


SEEDS = range(40)


@pytest.mark.parametrize("seed", SEEDS)
def test_engine_equals_todays_algorithm(seed):
    spells, episodes, extract = random_extract(seed)
    for by in (None, "team", "staff_group"):
        new = monthly_indicators(spells, episodes, extract_date=extract, by=by)
        old = oracle_monthly_indicators(spells, episodes, extract_date=extract, by=by)
        assert_same_table(new, old)


def test_generator_covers_the_awkward_cases():
    """The random extracts do contain what the comparison is meant to exercise."""
    seen = {"move": 0, "fte_change": 0, "rehire": 0, "month_end_leaver": 0, "ongoing": 0,
            "ongoing_after_leaving": 0, "long_term": 0, "mid_month_extract": 0,
            "cross_month": 0, "no_team": 0}
    for seed in SEEDS:
        s, e, extract = random_extract(seed)
        seen["mid_month_extract"] += extract != extract + pd.offsets.MonthEnd(0)
        o = s.sort_values(["staff_id", "start_date"])
        nxt = o.groupby("staff_id")[["start_date", "team", "fte"]].shift(-1)
        next_day = nxt["start_date"] == o["end_date"] + pd.Timedelta(days=1)
        seen["move"] += int((next_day & (nxt["team"] != o["team"])).sum())
        seen["fte_change"] += int((next_day & (nxt["fte"] != o["fte"])).sum())
        seen["rehire"] += int((nxt["start_date"].notna() & ~next_day).sum())
        seen["month_end_leaver"] += int((~next_day & o["end_date"].notna()
                                         & o["end_date"].dt.is_month_end).sum())
        seen["ongoing"] += int(e["end_date"].isna().sum())
        last_end = s.groupby("staff_id")["end_date"].apply(lambda x: x.max() if x.notna().all()
                                                           else pd.NaT)
        gone = e["end_date"].isna() & e["staff_id"].map(last_end).notna()
        seen["ongoing_after_leaving"] += int(gone.sum())
        length = (e["end_date"].fillna(extract) - e["start_date"]).dt.days + 1
        seen["long_term"] += int((length >= 28).sum())
        seen["cross_month"] += int((e["start_date"].dt.to_period("M")
                                    != e["end_date"].fillna(extract).dt.to_period("M")).sum())
        seen["no_team"] += int(s["team"].isna().sum())
    assert all(v > 0 for v in seen.values()), seen


def test_episode_chunking_does_not_change_the_result():
    spells, episodes, extract = random_extract(7, n_staff=300)
    whole = monthly_indicators(spells, episodes, extract_date=extract, by="team")
    chunked = monthly_indicators(spells, episodes, extract_date=extract, by="team",
                                 chunk_rows=17)
    assert_same_table(chunked, whole)


def test_categorical_inputs_give_the_same_table():
    """The columnar reader hands over categoricals (categories in order of appearance, some
    unused): same table, groups still sorted by name."""
    spells, episodes, extract = random_extract(11)
    cat_s = spells.assign(**{c: spells[c].astype("category") for c in
                             ("staff_id", "team", "staff_group", "leaving_reason")})
    cat_s["team"] = cat_s["team"].cat.add_categories(["Unused"]).cat.reorder_categories(
        ["Unused", *reversed(cat_s["team"].cat.categories.tolist())])
    ids = pd.CategoricalDtype(["nobody", *reversed(spells["staff_id"].unique().tolist())])
    cat_e = episodes.assign(staff_id=episodes["staff_id"].astype(ids),
                            reason_code=episodes["reason_code"].astype("category"),
                            related_reason=episodes["related_reason"].astype("category"))
    # plain Python objects (no Arrow strings) take a third path
    obj_s = spells.astype({c: object for c in ("staff_id", "team", "staff_group")})
    obj_e = episodes.astype({"staff_id": object, "reason_code": object})
    for by in (None, "team"):
        plain = monthly_indicators(spells, episodes, extract_date=extract, by=by)
        coded = monthly_indicators(cat_s, cat_e, extract_date=extract, by=by)
        assert_same_table(coded, plain)
        assert_same_table(monthly_indicators(obj_s, obj_e, extract_date=extract, by=by), plain)
        # categorical spells with Arrow-string episodes, and the other way round
        assert_same_table(monthly_indicators(cat_s, episodes, extract_date=extract, by=by), plain)
        assert_same_table(monthly_indicators(spells, cat_e, extract_date=extract, by=by), plain)
        assert_same_table(monthly_indicators(obj_s, episodes, extract_date=extract, by=by), plain)
        # integer IDs (e.g. pseudonyms kept as 64-bit hashes)
        number = {v: i * 7919 for i, v in enumerate(spells["staff_id"].unique())}
        int_s = spells.assign(staff_id=spells["staff_id"].map(number).astype(np.uint64))
        int_e = episodes.assign(staff_id=episodes["staff_id"].map(number).astype(np.uint64))
        assert_same_table(monthly_indicators(int_s, int_e, extract_date=extract, by=by), plain)


def test_an_empty_month_has_exactly_zero_days_and_a_blank_rate():
    """A cumulative sum of +0.1, +0.2, −0.1, −0.2 is 2.8e-17, not 0: the engine must still
    report 0 days available and a blank rate for a month with nobody in post."""
    spells = pd.DataFrame({
        "staff_id": ["a", "b", "c"], "team": ["A", "A", "A"], "staff_group": ["X"] * 3,
        "fte": [0.1, 0.2, 1.0],
        "start_date": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-06-01"]),
        "end_date": pd.to_datetime(["2023-03-31", "2023-04-30", None]),
        "leaving_reason": ["Retirement Age", "Retirement Age", None]})
    episodes = pd.DataFrame({"staff_id": ["b"], "start_date": pd.to_datetime(["2023-04-03"]),
                             "end_date": pd.to_datetime(["2023-04-04"]), "reason_code": ["S10"],
                             "related_reason": [None]})
    for by in (None, "team"):
        out = monthly_indicators(spells, episodes, extract_date="2023-06-30", by=by)
        may = out[out["month"] == "2023-05"].iloc[0]
        # nobody in post in May 2023
        assert may["fte_days_available"] == 0.0 and may["fte"] == 0.0
        assert np.isnan(may["absence_rate_pct"])
        # April: b only, 0.2 × 30 = 6 days available; 2 days lost × 0.2 = 0.4
        apr = out[out["month"] == "2023-04"].iloc[0]
        assert apr["fte_days_available"] == pytest.approx(6.0)
        assert apr["fte_days_lost"] == pytest.approx(0.4)


def test_columns_and_dtypes_match_todays_table():
    spells, episodes, extract = random_extract(3)
    new = monthly_indicators(spells, episodes, extract_date=extract, by="team")
    assert list(new.columns) == ["month", "team", *CORE_COLUMNS[1:], *GROUP_ONLY_COLUMNS]
    old = oracle_monthly_indicators(spells, episodes, extract_date=extract, by="team")
    assert new.dtypes.astype(str).tolist() == old.dtypes.astype(str).tolist()


@pytest.mark.slow
def test_engine_equals_todays_algorithm_on_a_larger_extract():
    spells, episodes, extract = random_extract(99, n_staff=3000, years=8)
    for by in (None, "team"):
        new = monthly_indicators(spells, episodes, extract_date=extract, by=by,
                                 chunk_rows=5000)
        old = oracle_monthly_indicators(spells, episodes, extract_date=extract, by=by)
        assert_same_table(new, old)


def test_integer_staff_keys_give_the_same_table():
    """Keys of the staff IDs on one numbering (as a load provides them), in any order and
    with IDs found in only one table, give the table of the IDs themselves."""
    spells, episodes, extract = random_extract(5, n_staff=200)
    episodes = pd.concat([episodes, episodes.head(3).assign(staff_id="nobody")],
                         ignore_index=True)
    rng = np.random.default_rng(5)
    ids = pd.concat([spells["staff_id"], episodes["staff_id"]]).unique()
    numbering = dict(zip(ids, rng.permutation(len(ids) + 10)[:len(ids)], strict=True))
    keys = (spells["staff_id"].map(numbering).to_numpy(),
            episodes["staff_id"].map(numbering).to_numpy())
    for by in (None, "team"):
        plain = monthly_indicators(spells, episodes, extract_date=extract, by=by,
                                   chunk_rows=50)
        keyed = monthly_indicators(spells, episodes, extract_date=extract, by=by,
                                   staff_keys=keys, chunk_rows=50)
        pd.testing.assert_frame_equal(keyed, plain, check_exact=True)


def test_spells_listed_in_order_or_not_give_the_same_table():
    """Spells already sorted by staff and start skip the sort: the table is that of the same
    spells in another order (sums to the last bits: ties in start keep file order)."""
    spells, episodes, extract = random_extract(9, n_staff=150)
    ordered = spells.sort_values(["staff_id", "start_date"], kind="stable", ignore_index=True)
    shuffled = spells.sample(frac=1.0, random_state=9).reset_index(drop=True)
    for by in (None, "team"):
        assert_same_table(monthly_indicators(ordered, episodes, extract_date=extract, by=by),
                          monthly_indicators(shuffled, episodes, extract_date=extract, by=by))
