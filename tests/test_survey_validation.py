"""Validation of the survey tables: templates clean, and every bad-input case reported with
file, row, column and value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wellbeing_analysis.data_templates import write_examples
from wellbeing_analysis.schema import TABLES
from wellbeing_analysis.validation import validate_folder

PSAFE = ",".join(f"psafe_{i}" for i in range(1, 8))
OLBI = ",".join(f"olbi_{i}" for i in range(1, 17))
SURVEY_TABLES = ("wellbeing_survey", "pulse_survey", "staff_survey_results", "joy_tallies",
                 "exit_stay_reasons")


def check(tmp_path: Path, table: str, text: str):
    (tmp_path / f"{table}.csv").write_text(text, encoding="utf-8")
    report = validate_folder(tmp_path, tables=(table,))
    return report, report.errors, report.warnings


def where(problems: pd.DataFrame) -> set[tuple]:
    return {(int(r) if pd.notna(r) else None, c if pd.notna(c) else None)
            for r, c in zip(problems["row"], problems["column"], strict=True)}


def test_survey_tables_are_registered_with_their_checks():
    from wellbeing_analysis.validation import TABLE_CHECKS

    for name in SURVEY_TABLES:
        assert name in TABLES and name in TABLE_CHECKS


def test_generated_examples_validate_clean(tmp_path):
    write_examples(tmp_path, with_dictionary=True)
    report = validate_folder(tmp_path)
    # the monthly figures' example is a tier of its own: beside row-level tables it is not used
    assert report.errors.empty, report.format()
    assert report.warnings[["file", "problem"]].values.tolist() == [[
        "monthly_workforce.csv", "not used: the folder has row-level HR tables "
        "(staff_spells.csv, absence_episodes.csv), from which every figure is computed"]]
    alone = tmp_path / "monthly"
    alone.mkdir()
    (tmp_path / "monthly_workforce.csv").rename(alone / "monthly_workforce.csv")
    assert validate_folder(alone).problems.empty
    header = (tmp_path / "wellbeing_survey.csv").read_text().splitlines()[0].split(",")
    assert {"response_id", "wave_date", "team", "olbi_coding", "psafe_1", "bpns_21", "olbi_16",
            "wrqol_24", "swemwbs_7", "wemwbs_14"} <= set(header)
    dictionary = (tmp_path / "data_dictionary.md").read_text()
    for name in SURVEY_TABLES:
        assert f"`{name}.csv`" in dictionary


def test_committed_templates_match_the_schemas(tmp_path):
    from wellbeing_analysis.data_templates import write_templates

    repo = Path(__file__).resolve().parents[1] / "data_templates"
    write_templates(tmp_path)
    for name in SURVEY_TABLES:
        assert (repo / f"{name}.csv").read_text() == (tmp_path / f"{name}.csv").read_text()


def test_out_of_range_item_codes(tmp_path):
    _, errors, _ = check(tmp_path, "wellbeing_survey",
                         f"response_id,wave_date,team,{PSAFE},swemwbs_1\n"
                         "R1,2024-04-01,A,4,4,4,4,4,4,4,5\n"
                         "R2,2024-04-01,A,4,8,4,4,4,4,0,6\n")
    assert where(errors) == {(3, "psafe_2"), (3, "psafe_7"), (3, "swemwbs_1")}
    assert set(errors["value"]) == {"8", "0", "6"}
    assert errors["problem"].str.contains(r"\[1, 7\]").sum() == 2
    assert errors["file"].eq("wellbeing_survey.csv").all()


def test_olbi_items_without_a_declared_coding(tmp_path):
    answers = ",".join(["2"] * 16)
    # no olbi_coding column at all: one problem naming the missing column
    _, errors, _ = check(tmp_path, "wellbeing_survey",
                         f"response_id,wave_date,team,{OLBI}\nR1,2024-04-01,A,{answers}\n")
    assert where(errors) == {(1, "olbi_coding")}
    # a column with a blank on an answered row: that row; a row without OLBI answers is fine
    blanks = ",".join([""] * 16)
    _, errors, _ = check(tmp_path, "wellbeing_survey",
                         f"response_id,wave_date,team,olbi_coding,{OLBI},psafe_1\n"
                         f"R1,2024-04-01,A,agree_1,{answers},4\n"
                         f"R2,2024-04-01,A,,{answers},4\n"
                         f"R3,2024-04-01,A,,{blanks},4\n"
                         f"R4,2024-04-01,A,agree,{answers},4\n")
    assert where(errors) == {(3, "olbi_coding"), (5, "olbi_coding")}
    assert errors["problem"].str.contains("never guessed").any()


def test_unknown_item_columns(tmp_path):
    _, errors, _ = check(tmp_path, "wellbeing_survey",
                         f"response_id,wave_date,team,{PSAFE},psafe_8,bpns_22\n"
                         "R1,2024-04-01,A,4,4,4,4,4,4,4,4,4\n")
    assert where(errors) == {(1, "psafe_8"), (1, "bpns_22")}
    assert errors["problem"].str.contains("unknown column").all()


def test_empty_waves_and_responses_that_answer_nothing(tmp_path):
    blanks = ",".join([""] * 7)
    _, errors, warnings = check(tmp_path, "wellbeing_survey",
                                f"response_id,wave_date,team,{PSAFE}\n"
                                "R1,2024-04-01,A,4,4,4,4,4,4,4\n"
                                f"R2,2024-04-01,A,{blanks}\n"
                                f"R3,2024-10-01,A,{blanks}\n"
                                f"R4,2024-10-01,B,{blanks}\n")
    assert where(errors) == {(4, "wave_date")}
    assert errors["value"].tolist() == ["2024-10-01"]
    assert "no responses" in errors["problem"].iloc[0] and "rows 4-5" in errors["problem"].iloc[0]
    assert where(warnings) == {(3, None)}


def test_duplicate_response_ids(tmp_path):
    _, errors, _ = check(tmp_path, "wellbeing_survey",
                         f"response_id,wave_date,team,{PSAFE}\n"
                         "R1,2024-04-01,A,4,4,4,4,4,4,4\nR1,2024-04-01,B,5,4,4,4,4,4,4\n")
    assert where(errors) == {(3, "response_id")}


def test_pulse_survey_numbering_and_ranges(tmp_path):
    head = "response_id,wave_date,team,nss_q2a,nss_q21a,nss_q25a,nss_q25c,nss_q23b\n"
    _, errors, _ = check(tmp_path, "pulse_survey",
                         head + "P1,2024-07-01,A,4,,5,4,\nP2,2024-07-01,A,6,3,,,\n"
                         "P3,2024-07-01,A,3,2,,4,\n")
    # nss_q23b is not an engagement or morale question; row 3 has a 6 (1-5); row 4 mixes
    # 2021 (q21a) and 2023 (q25c) numbering
    assert where(errors) == {(1, "nss_q23b"), (3, "nss_q2a"), (4, None)}
    assert errors["problem"].str.contains("2021, 2023").any()


def test_staff_survey_results_checks(tmp_path):
    head = "year,measure_type,measure,value,value_type,responses,breakdown\n"
    report, errors, warnings = check(
        tmp_path, "staff_survey_results",
        head + "2023,theme,Staff engagement,6.9,score,80,\n"
        "2023,theme,Staff engagement,7.9,score,80,\n"  # duplicate
        "2023,theme,Morale,59,score,80,\n"  # a percentage given as a score
        "2023,question,3d,55,percent_positive,80,\n"  # not a question number
        "2020,question,q3d,55,percent_positive,80,\n"  # untabled numbering: warning
        "2023,theme,Staff engagement,7.0,score,12,Team A\n"
        "2023,sub_score,Motivation,7.1,scores,80,\n")  # bad value_type
    assert where(errors) == {(3, "measure"), (4, "value"), (5, "measure"), (8, "value_type")}
    assert where(warnings) == {(6, "measure")}


def test_joy_tallies_checks(tmp_path):
    _, errors, _ = check(tmp_path, "joy_tallies",
                         "week_start,team,good_days,total_days\n"
                         "2024-04-01,A,30,40\n2024-04-01,A,20,40\n2024-04-08,A,41,40\n"
                         "2024-04-08,B,-1,40\n")
    assert where(errors) == {(3, "week_start"), (4, "good_days"), (5, "good_days")}


def test_exit_stay_reasons_checks(tmp_path):
    _, errors, warnings = check(tmp_path, "exit_stay_reasons",
                                "record_id,kind,date,category,voluntary\n"
                                "X1,leaving,2024-04-01,Workload and pressure,yes\n"
                                "X1,staying,2024-04-01,Career progression,yes\n"
                                "X2,leaving,2024-05-01,Pay and reward,no\n"
                                "X2,leaving,2024-05-02,Pay and reward,no\n"
                                "S1,staying,2024-06-01,Team and colleagues,yes\n")
    assert where(errors) == {(3, "kind"), (5, "date")}
    assert where(warnings) == {(5, "category"), (3, "voluntary"), (6, "voluntary")}
