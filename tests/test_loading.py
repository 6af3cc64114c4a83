"""Loading a service's data folder: all problems at once, pseudonymised staff IDs."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pandas as pd
import pytest

from wellbeing_analysis.data_templates import write_examples
from wellbeing_analysis.errors import InputError, ValidationFailed, require_columns
from wellbeing_analysis.loading import load_service, read_csv
from wellbeing_analysis.pseudonymise import KEY_ENV_VAR
from wellbeing_analysis.validation import validate_folder
from wellbeing_analysis.workforce import monthly_indicators, service_monthly_indicators

# Raw IDs contain letters that never occur in a pseudonym ('P' + upper-case hex digits), so
# finding one as a substring anywhere in a loaded table would be a real leak.
SPELLS = """staff_id,team,staff_group,band,fte,start_date,end_date,leaving_reason
RAW-qz-001,North Step 2,Psychological Wellbeing Practitioner,Band 5,1.0,2020-01-01,2020-06-30,
RAW-qz-001,North Step 3,Psychological Wellbeing Practitioner,Band 5,0.6,2020-07-01,,
RAW-qz-002,North Step 3,High Intensity Therapist,Band 7,0.8,01/02/2020,31/12/2021,Retirement Age
RAW-qz-003,South Step 3,Counsellor,Band 6,1.0,2021-01-01,2021-03-31,
"""
EPISODES = """staff_id,start_date,end_date,reason_code,related_reason
RAW-qz-001,2020-06-25,2020-07-03,S10,
RAW-qz-002,2021-01-04,2021-01-05,S13,COVID-19
RAW-qz-003,2021-02-01,2021-02-02,S12,
"""
RAW_IDS = ("RAW-qz-001", "RAW-qz-002", "RAW-qz-003")
KEY = "0123456789abcdef"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    write_examples(d, with_dictionary=False)
    for path in d.glob("*.csv"):  # the foundation's tables only
        if path.stem not in ("staff_spells", "absence_episodes", "exit_stay_reasons",
                             "interventions", "pdsa_cycles"):
            path.unlink()
    (d / "staff_spells.csv").write_text(SPELLS, encoding="utf-8")
    (d / "absence_episodes.csv").write_text(EPISODES, encoding="utf-8")
    return d


def test_load_service_returns_typed_tables_without_row_numbers(data_dir):
    service = load_service(data_dir, extract_date="2024-12-31", pseudonym_key=KEY)
    assert service.extract_date == pd.Timestamp("2024-12-31")
    assert not service.extract_date_inferred
    assert set(service.tables) >= {"staff_spells", "absence_episodes", "exit_stay_reasons",
                                   "interventions", "pdsa_cycles"}
    s = service.staff_spells
    assert "_row" not in s.columns
    assert pd.api.types.is_datetime64_any_dtype(s["start_date"])
    assert s["fte"].tolist() == [1.0, 0.6, 0.8, 1.0]
    assert set(service.files) == set(service.tables)
    # each file's checksum (hashed on another thread while its table is typed)
    for info in service.files.values():
        assert info.sha256 == hashlib.sha256(info.path.read_bytes()).hexdigest()
    # RAW-qz-003 leaves without a reason: a warning, carried along, not a failure
    assert service.warnings["column"].tolist() == ["leaving_reason"]
    assert service.warnings["row"].tolist() == [5]


def test_missing_table_accessor_is_an_input_error(data_dir):
    (data_dir / "exit_stay_reasons.csv").unlink()
    service = load_service(data_dir, pseudonym_key=KEY)
    assert not service.has("exit_stay_reasons")
    with pytest.raises(InputError, match="exit_stay_reasons"):
        service.table("exit_stay_reasons")


def test_load_service_raises_with_every_problem(data_dir):
    (data_dir / "staff_spells.csv").write_text(
        SPELLS.replace("Band 7,0.8", "Band 7,9").replace("2021-03-31", "2021-02-31"),
        encoding="utf-8")
    (data_dir / "absence_episodes.csv").write_text(EPISODES.replace("S13", "S77"),
                                                   encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_service(data_dir, extract_date="2024-12-31", pseudonym_key=KEY)
    problems = info.value.problems
    found = set(zip(problems["file"], problems["row"].astype(int), problems["column"],
                    strict=True))
    assert {("staff_spells.csv", 4, "fte"), ("staff_spells.csv", 5, "end_date"),
            ("absence_episodes.csv", 3, "reason_code")} <= found
    text = str(info.value)
    assert text.startswith(f"{len(problems[problems.severity == 'error'])} problem(s)")
    assert "staff_spells.csv, row 4, column 'fte'" in text
    assert "absence_episodes.csv, row 3, column 'reason_code'" in text


def _all_text(service) -> list[str]:
    cells = []
    for df in service.tables.values():
        cells += [str(v) for v in df.astype(str).to_numpy().ravel()]
        cells += [str(c) for c in df.columns] + [str(i) for i in df.index]
    cells += [str(v) for v in service.warnings.astype(str).to_numpy().ravel()]
    return cells


def test_no_raw_staff_id_anywhere_in_the_loaded_tables(data_dir):
    service = load_service(data_dir, pseudonym_key=KEY)
    cells = _all_text(service)
    for raw in RAW_IDS + ("qz",):
        assert not any(raw in c for c in cells), raw
    assert service.staff_spells["staff_id"].str.fullmatch(r"P[0-9A-F]{16}").all()
    assert service.absence_episodes["staff_id"].str.fullmatch(r"P[0-9A-F]{16}").all()


def test_pseudonyms_consistent_within_a_load(data_dir):
    service = load_service(data_dir, pseudonym_key=KEY)
    s, e = service.staff_spells, service.absence_episodes
    # rows 1-2 of spells are the same person; episodes are in RAW_IDS order
    assert s["staff_id"].iloc[0] == s["staff_id"].iloc[1]
    assert s["staff_id"].nunique() == 3
    assert e["staff_id"].tolist() == [s["staff_id"].iloc[0], s["staff_id"].iloc[2],
                                      s["staff_id"].iloc[3]]
    # so the metrics on pseudonymised data equal those on the raw IDs
    raw = validate_folder(data_dir).tables  # typed, raw IDs
    assert set(raw["staff_spells"]["staff_id"]) == set(RAW_IDS)
    expected = monthly_indicators(raw["staff_spells"], raw["absence_episodes"],
                                  extract_date=service.extract_date)
    got = service_monthly_indicators(service)
    pd.testing.assert_frame_equal(got, expected)


def test_pseudonyms_differ_between_keys_and_repeat_with_the_same_key(data_dir):
    a = load_service(data_dir, pseudonym_key=KEY).staff_spells["staff_id"]
    b = load_service(data_dir, pseudonym_key=KEY).staff_spells["staff_id"]
    c = load_service(data_dir, pseudonym_key="fedcba9876543210").staff_spells["staff_id"]
    assert a.tolist() == b.tolist()
    assert not set(a) & set(c)


def test_pseudonyms_reproducible_from_the_environment(data_dir, monkeypatch):
    monkeypatch.setenv(KEY_ENV_VAR, KEY)
    from_env = load_service(data_dir).staff_spells["staff_id"].tolist()
    assert from_env == load_service(data_dir).staff_spells["staff_id"].tolist()
    assert from_env == load_service(data_dir, pseudonym_key=KEY).staff_spells["staff_id"].tolist()


def test_bad_key_in_the_environment_is_an_input_error(data_dir, monkeypatch):
    monkeypatch.setenv(KEY_ENV_VAR, "too-short")
    with pytest.raises(InputError, match=KEY_ENV_VAR):
        load_service(data_dir)


# ---------------------------------------------------------------------------
# read_csv for single-file analysis commands
# ---------------------------------------------------------------------------
def test_read_csv_bom_and_blank_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbf month , value\r\n2023-01,1\r\n\r\n2023-02,2\r\n\r\n\r\n")
    df = read_csv(path)
    assert list(df.columns) == ["month", "value"]
    assert df["value"].tolist() == [1, 2]


def test_read_csv_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_csv(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_csv(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("a\ncafé\n".encode("cp1252"))
    with pytest.raises(InputError, match="UTF-8"):
        read_csv(latin)


def test_require_columns_names_every_missing_column():
    df = pd.DataFrame({"a": [1], "b": [2]})
    require_columns(df, ["a", None], "x.csv")
    with pytest.raises(InputError, match="'c', 'd'"):
        require_columns(df, ["a", "c", "d"], "x.csv")


def test_staff_keys_share_one_numbering_and_give_the_same_metrics(data_dir):
    service = load_service(data_dir, pseudonym_key=KEY)
    s, e = service.staff_spells, service.absence_episodes
    spell_keys, episode_keys = service.staff_keys("staff_spells", "absence_episodes")
    ids = pd.concat([s["staff_id"], e["staff_id"]], ignore_index=True)
    keys = pd.Series([*spell_keys, *episode_keys])
    # equal keys exactly where the pseudonyms are equal, across both tables
    assert (pd.factorize(ids)[0] == pd.factorize(keys)[0]).all()
    without = monthly_indicators(s, e, extract_date=service.extract_date)
    pd.testing.assert_frame_equal(service_monthly_indicators(service), without)
    # a pickled service (the reports' run bundle) keeps its keys
    copy = pickle.loads(pickle.dumps(service))
    assert copy.staff_keys("staff_spells", "absence_episodes") is not None
    # a table replaced after loading has no keys: the IDs are hashed again
    service.tables["absence_episodes"] = e.iloc[::-1].reset_index(drop=True)
    assert service.staff_keys("staff_spells", "absence_episodes") is None
    pd.testing.assert_frame_equal(service_monthly_indicators(service), without)
    # nor has a table whose rows no longer match its keys in number (the same object)
    table, keys = copy.keyed_staff["absence_episodes"]
    copy.keyed_staff["absence_episodes"] = (table, keys[:-1])
    assert copy.staff_keys("staff_spells", "absence_episodes") is None
