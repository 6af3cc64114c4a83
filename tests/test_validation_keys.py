"""The staff ID key shared by validation's checks across rows (duplicate rows, overlapping
spells and episodes, absence inside spells): the problems are those of the reference
method, which hashes the parsed IDs in each check and joins every episode to every period
of employment of its staff ID.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.pseudonymise import PSEUDONYM_PREFIX, pseudonymise
from wellbeing_analysis.validation import ROW, validate_folder
from wellbeing_analysis.validation import tables as checks
from wellbeing_analysis.workforce.rules import employment_periods

SPELLS_HEADER = "staff_id,team,staff_group,band,fte,start_date,end_date,leaving_reason"
EPISODES_HEADER = "staff_id,start_date,end_date,reason_code,related_reason"
EXTRACT = "2024-12-31"
LEAVING = "Voluntary Resignation - Work Life Balance"


# -- the reference: the checks as written before the shared key ---------------------------
def reference_overlaps(rows: pd.DataFrame, end: pd.Series, label: str, what: str
                       ) -> pd.DataFrame:
    ids = rows["staff_id"]
    run_max = end.groupby(ids, sort=False).cummax()
    holder = rows[ROW].where(end.eq(run_max)).groupby(ids, sort=False).ffill()
    prev_end = run_max.groupby(ids, sort=False).shift()
    prev_row = holder.groupby(ids, sort=False).shift()
    overlap = prev_end.notna() & (rows["start_date"] <= prev_end)
    if not overlap.any():
        return empty_problems()
    return problems_frame(
        label, rows.loc[overlap, ROW], "start_date",
        rows.loc[overlap, "start_date"].dt.strftime("%Y-%m-%d"),
        f"{what} overlaps another {what} of the same staff_id (row "
        + prev_row[overlap].astype("Int64").astype(str) + ")")


def reference_spells(df: pd.DataFrame, label: str) -> pd.DataFrame:
    problems = [empty_problems()]
    s = df.dropna(subset=["staff_id", "start_date"])
    s = s.assign(staff_id=pd.factorize(s["staff_id"])[0])
    s = s.sort_values(["staff_id", "start_date"], kind="stable")
    problems.append(reference_overlaps(s, s["end_date"].fillna(pd.Timestamp.max), label,
                                       "spell"))
    # the leaving-reason warning did not change: the library's own function
    problems.append(checks.leavings_without_reason(s, label))
    return pd.concat(problems, ignore_index=True)


def reference_episodes(df: pd.DataFrame, label: str, spells: pd.DataFrame,
                       extract: pd.Timestamp) -> pd.DataFrame:
    problems = [empty_problems()]
    e = df.dropna(subset=["staff_id", "start_date"])
    spells = spells.dropna(subset=["staff_id", "start_date"])
    codes = pd.factorize(pd.concat([e["staff_id"], spells["staff_id"]]))[0]
    shown_ids = df.set_index(ROW)["staff_id"]
    e = e.assign(staff_id=codes[:len(e)], end_eff=e["end_date"].fillna(extract)).sort_values(
        ["staff_id", "start_date"], kind="stable")
    problems.append(reference_overlaps(e, e["end_eff"], label, "episode"))
    spells = spells.assign(staff_id=codes[len(e):])
    problems.append(checks._history_gap(e, spells, label))
    periods = employment_periods(spells, extract)[["staff_id", "period_start", "period_end"]]
    m = e[[ROW, "staff_id", "start_date", "end_date", "end_eff"]].merge(
        periods.drop_duplicates(), on="staff_id", how="left")
    starts_in = (m["start_date"] >= m["period_start"]) & (m["start_date"] <= m["period_end"])
    ends_in = m["end_eff"] <= m["period_end"]
    flags = pd.DataFrame({
        ROW: m[ROW], "known": m["period_start"].notna(), "inside": starts_in & ends_in,
        "after": starts_in & ~ends_in & m["end_date"].isna()}).groupby(ROW).any()
    e_idx = e.set_index(ROW)
    unknown = flags.index[~flags["known"]]
    if len(unknown):
        problems.append(problems_frame(label, unknown, "staff_id", shown_ids.loc[unknown],
                                       "this staff_id has no spell in staff_spells"))
    outside = flags.index[flags["known"] & ~flags["inside"] & ~flags["after"]]
    if len(outside):
        problems.append(problems_frame(
            label, outside, "start_date", e_idx.loc[outside, "start_date"].dt.strftime("%Y-%m-%d"),
            "the episode falls (partly) outside every spell of this staff_id in staff_spells"))
    after = flags.index[flags["after"] & ~flags["inside"]]
    if len(after):
        problems.append(problems_frame(
            label, after, "end_date", None,
            "ongoing episode for a staff member who has left: days after leaving are not "
            "counted; close the episode", severity="warning"))
    return pd.concat(problems, ignore_index=True)


# -- folders ---------------------------------------------------------------------------------
def write_folder(d: Path, spells: list[str], episodes: list[str]) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "staff_spells.csv").write_text("\n".join([SPELLS_HEADER, *spells]) + "\n")
    (d / "absence_episodes.csv").write_text("\n".join([EPISODES_HEADER, *episodes]) + "\n")
    return d


def spell(staff: str, start: str, end: str = "", reason: str = LEAVING, team: str = "T1") -> str:
    return (f"{staff},{team},Psychological Wellbeing Practitioner,Band 5,1.0,{start},{end},"
            f"{reason if end else ''}")


def episode(staff: str, start: str, end: str = "", code: str = "S13") -> str:
    return f"{staff},{start},{end},{code},"


def random_folder(d: Path, seed: int) -> Path:
    """Spells and episodes for a few staff IDs written with stray spaces and in another
    case, with gaps (several periods of employment), spells ending before they start,
    overlaps, duplicates and open episodes."""
    rng = np.random.default_rng(seed)
    ids = [f"S{i}" for i in range(12)]
    variants = lambda s: rng.choice([s, f" {s}", f"{s} ", s.lower(), s, s])
    day = lambda: pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 1700)))
    spells, episodes = [], []
    for _ in range(40):
        start = day()
        end = start + pd.Timedelta(days=int(rng.integers(-20, 400)))
        open_ = rng.random() < 0.25
        spells.append(spell(variants(rng.choice(ids)), f"{start.date()}",
                            "" if open_ else f"{end.date()}",
                            reason="" if rng.random() < 0.2 else LEAVING,
                            team=str(rng.choice(["T1", "T2"]))))
    spells += spells[:3]  # duplicate rows
    for _ in range(120):
        start = day()
        end = start + pd.Timedelta(days=int(rng.integers(0, 60)))
        who = rng.choice([*ids, "S99", ""])
        episodes.append(episode(variants(who) if who else "", f"{start.date()}",
                                "" if rng.random() < 0.15 else f"{end.date()}"))
    episodes += episodes[:2]
    return write_folder(d, spells, episodes)


def cross_row_problems(report) -> pd.DataFrame:
    """The report's problems from the checks across rows (not column types or dates)."""
    p = report.problems
    keep = p["problem"].str.contains("overlaps|no spell|outside every spell|ongoing episode|"
                                     "leaves the service|duplicate row")
    return p[keep].reset_index(drop=True)


@pytest.mark.parametrize("seed", range(6))
def test_checks_with_the_shared_key_match_the_reference(tmp_path, seed):
    report = validate_folder(random_folder(tmp_path / "d", seed), extract_date=EXTRACT)
    spells, episodes = report.tables["staff_spells"], report.tables["absence_episodes"]
    extract = pd.Timestamp(EXTRACT)
    with_keys = {"extract_date": extract, "tables": report.tables,
                 "keys": {"staff_spells": {"staff_id": report_keys(spells)},
                          "absence_episodes": {"staff_id": report_keys(episodes)}}}
    without = {"extract_date": extract, "tables": report.tables}
    for ctx in (with_keys, without):
        pd.testing.assert_frame_equal(
            checks.check_staff_spells(spells, "staff_spells.csv", ctx),
            reference_spells(spells, "staff_spells.csv"))
        pd.testing.assert_frame_equal(
            checks.check_absence_episodes(episodes, "absence_episodes.csv", ctx),
            reference_episodes(episodes, "absence_episodes.csv", spells, extract))
    assert not cross_row_problems(report).empty


def report_keys(table: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
    """(codes, distinct values) of a parsed staff_id column, as parsing caches them."""
    codes, uniques = pd.factorize(table["staff_id"], use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype="object")


def test_ids_differing_by_spaces_are_one_staff_member_and_by_case_two(tmp_path):
    d = write_folder(tmp_path / "d", [
        spell("S1", "2020-01-01", "2020-12-31"),
        spell(" S1 ", "2022-01-01"),                 # the same S1, back after a gap
        spell("s1", "2020-06-01", "2020-06-30"),      # another staff member
    ], [
        episode("S1 ", "2020-03-02", "2020-03-04"),   # inside S1's first period
        episode("S1", "2020-03-03", "2020-03-05"),    # overlaps the row above
        episode(" S1", "2021-05-03", "2021-05-04"),   # in S1's gap
        episode("s1", "2020-06-10", "2020-06-11"),    # inside s1's spell
        episode("S1", "2020-12-20"),                  # open: S1 left on 2020-12-31
        episode("s2", "2020-06-10", "2020-06-11"),    # no such staff member
        episode("S1", "2020-03-02", "2020-03-04"),    # same cells as row 2 once trimmed
    ])
    report = validate_folder(d, extract_date=EXTRACT)
    got = cross_row_problems(report)
    assert (got["file"] == "absence_episodes.csv").all()
    assert list(zip(got["row"], got["problem"], strict=True)) == [
        (8, "duplicate row: identical to row 2"),
        (8, "episode overlaps another episode of the same staff_id (row 2)"),
        (3, "episode overlaps another episode of the same staff_id (row 8)"),
        # row 6 is open: it runs to the extract date
        (4, "episode overlaps another episode of the same staff_id (row 6)"),
        (7, "this staff_id has no spell in staff_spells"),
        (4, ("the episode falls (partly) outside every spell of this staff_id in "
             "staff_spells")),
        (6, ("ongoing episode for a staff member who has left: days after leaving are not "
             "counted; close the episode")),
    ]
    assert got.loc[got["row"] == 7, "value"].tolist() == ["s2"]


def test_periods_starting_the_same_day_match_the_reference():
    """A spell ending before it starts makes a period of its own that holds nothing; a
    later period may start the same day (the longer one decides)."""
    day = pd.Timestamp
    spells = pd.DataFrame({
        ROW: [2, 3, 4], "staff_id": ["A", "A", "B"],
        "start_date": [day("2021-01-10"), day("2021-01-10"), day("2021-01-01")],
        "end_date": [day("2021-01-01"), day("2021-06-30"), pd.NaT],
        "leaving_reason": [LEAVING, LEAVING, None]})
    episodes = pd.DataFrame({
        ROW: [2, 3, 4, 5], "staff_id": ["A", "A", "A", "B"],
        "start_date": [day("2021-01-10"), day("2021-06-01"), day("2021-06-20"),
                       day("2021-02-01")],
        "end_date": [day("2021-01-12"), pd.NaT, day("2021-07-05"), day("2021-02-02")],
        "reason_code": "S13", "related_reason": None})
    extract = day("2021-12-31")
    ctx = {"extract_date": extract, "tables": {"staff_spells": spells}}
    got = checks.check_absence_episodes(episodes, "a.csv", ctx)
    pd.testing.assert_frame_equal(got, reference_episodes(episodes, "a.csv", spells, extract))
    # row 2 lies in the longer period; row 4 overlaps row 3 and ends after A leaves; row 3
    # is open after A leaves
    assert got["row"].tolist() == [4, 4, 3]


def test_pseudonyms_are_the_keyed_hash_of_each_id():
    ids = pd.Series(["E1", "E2", None, "E1", np.nan, "E3"], dtype="object")
    key = "0123456789abcdef"
    got = pseudonymise(ids, key=key)
    present = ids.notna()
    hashed = pd.util.hash_array(ids[present].astype(str).to_numpy(dtype=object), hash_key=key)
    expected = [f"{PSEUDONYM_PREFIX}{h:016X}" for h in hashed.astype(np.uint64)]
    assert got[present].tolist() == expected
    assert got[~present].isna().all() and got.dtype == object
    assert got[0] == got[3] and got[0] != got[1]


@pytest.mark.parametrize("seed", range(3))
def test_releasing_the_raw_columns_changes_nothing(tmp_path, seed):
    from wellbeing_analysis.schema import TABLES
    from wellbeing_analysis.validation import parse_table, read_raw

    d = random_folder(tmp_path / "d", seed)
    for name in ("staff_spells", "absence_episodes"):
        if seed % 2:  # the file's columns in another order than the schema's
            path = d / f"{name}.csv"
            cells = pd.read_csv(path, dtype=str, keep_default_na=False)
            cells[cells.columns[::-1]].to_csv(path, index=False)
        raw, _ = read_raw(d / f"{name}.csv")
        kept, released = raw.copy(), raw.copy()
        record_a, record_b, keys_a, keys_b = [], [], {}, {}
        table_a, problems_a = parse_table(kept, TABLES[name], label=name, record=record_a,
                                          keys=keys_a)
        table_b, problems_b = parse_table(released, TABLES[name], label=name,
                                          record=record_b, keys=keys_b, release=True)
        pd.testing.assert_frame_equal(table_a, table_b)
        pd.testing.assert_frame_equal(problems_a, problems_b)
        assert record_a == record_b and keys_a.keys() == keys_b.keys() == {"staff_id"}
        assert list(kept.columns) == list(raw.columns)
        assert list(released.columns) == [ROW]


@pytest.mark.parametrize("seed", range(4))
def test_text_in_order_is_encoded_as_arrow_encodes_it(seed):
    """Text in byte order (an extract listing staff by ID) is encoded by comparing
    neighbours: the codes and distinct values of Arrow's dictionary encoding, for text in
    order or not, in any chunks, with blanks, spaces and non-ASCII values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from wellbeing_analysis.validation.text import ORDER_PROBE_ROWS, _dictionary

    rng = np.random.default_rng(seed)
    values = np.array(["", " ", "a", "a ", "ab", "b", "é", "Z", "zz",
                       *[f"E{i}" for i in range(60)]], dtype=object)
    for trial in range(60):
        n = int(rng.integers(2, 3 * ORDER_PROBE_ROWS))
        cells = values[rng.integers(0, len(values), n)]
        if trial % 3:
            cells = np.sort(cells)
        if trial % 5 == 0:  # in order up to the last row only
            cells[-1] = ""
        kind = pa.large_string() if trial % 2 else pa.string()
        cuts = np.sort(rng.integers(0, n + 1, int(rng.integers(0, 5))))
        text = pa.chunked_array([pa.array(c, type=kind) for c in np.split(cells, cuts)],
                                type=kind)
        encoded = pc.dictionary_encode(text, null_encoding="encode")
        expected = np.concatenate([c.indices.to_numpy(zero_copy_only=False)
                                   for c in encoded.chunks])
        codes, distinct = _dictionary(text)
        assert codes.dtype == expected.dtype and np.array_equal(codes, expected)
        assert distinct.equals(encoded.chunk(encoded.num_chunks - 1).dictionary)


@pytest.mark.parametrize("seed", range(3))
def test_positions_among_distinct_ids_are_those_arrow_finds(seed):
    """Distinct IDs of one byte width in order are found by a binary search (on integers up
    to 8 bytes, else on bytes): the positions of Arrow's lookup, whatever the widths, order,
    chunks, NUL bytes or non-ASCII text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from wellbeing_analysis.validation.text import _ordered_keys, positions_in

    rng = np.random.default_rng(seed)
    searched = 0
    for trial in range(150):
        width = int(rng.integers(1, 4))
        letters = ["a", "b", "Z", "0"] + (["\x00", "é"] if trial % 5 == 0 else [])
        prefix = "E10000000" if trial % 3 == 1 else ""  # over 8 bytes: compared as bytes
        pool = sorted({prefix + "".join(rng.choice(letters, width)) for _ in range(30)}
                      | ({"longer"} if trial % 7 == 0 else set()))
        among, values = (sorted(set(rng.choice(pool, int(rng.integers(0, 20))).tolist()))
                         for _ in range(2))
        if trial % 3 == 0:
            rng.shuffle(values)
        kind = pa.large_string() if trial % 2 else pa.string()
        a, v = pa.array(among, type=kind), pa.array(values, type=kind)
        if trial % 4 == 0 and len(a) > 2:
            a = a.slice(1)  # an array not starting at its buffers' start
        expected = pc.index_in(v, value_set=a).fill_null(-1).to_numpy(zero_copy_only=False)
        got = positions_in(pa.chunked_array([v], type=kind), a)
        assert np.array_equal(got, expected.astype(np.int64)), (among, values)
        searched += _ordered_keys(a) is not None and _ordered_keys(v) is not None
    assert searched > 20  # the binary search was taken
