"""Input validation: every check on tiny folders built from the templates.

Each test starts from ``write_templates`` (valid files), replaces one or more tables with a
small hand-written file and plants faults; it asserts the file, the spreadsheet row (header =
row 1), the column and the offending value of each problem.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wellbeing_analysis.data_templates import write_examples
from wellbeing_analysis.validation import read_raw, validate_folder

FOUNDATION_TABLES = ("staff_spells", "absence_episodes", "exit_stay_reasons", "interventions",
                     "pdsa_cycles")
SPELLS_HEADER = "staff_id,team,staff_group,band,fte,start_date,end_date,leaving_reason"
#: rows 2-5 of a valid staff_spells.csv (S3 moves team on 2021-01-01: not a leaver)
SPELLS_ROWS = [
    "S1,North Step 2,Psychological Wellbeing Practitioner,Band 5,1.0,2020-01-01,2021-06-30,"
    "Voluntary Resignation - Work Life Balance",
    "S2,North Step 3,High Intensity Therapist,Band 7,0.8,01/02/2020,,",
    "S3,North Step 3,Counsellor,Band 6,0.6,2020-03-01,2020-12-31,",
    "S3,South Step 3,Counsellor,Band 6,0.6,2021-01-01,,",
]
EPISODES_HEADER = "staff_id,start_date,end_date,reason_code,related_reason"
#: rows 2-4 of a valid absence_episodes.csv
EPISODES_ROWS = [
    "S1,2020-02-03,2020-02-07,S13,",
    "S2,30/12/2020,04/01/2021,S10,",
    "S3,2021-03-01,,S12,COVID-19",
]


def write(path: Path, header: str, rows: list[str], *, newline: str = "\n",
          bom: bool = False, trailing: str = "") -> Path:
    text = newline.join([header, *rows]) + newline + trailing
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A valid data folder: the templates, with our own spells and episodes."""
    d = tmp_path / "data"
    write_examples(d, with_dictionary=False)
    for path in d.glob("*.csv"):  # keep the foundation's tables (surveys are tested elsewhere)
        if path.stem not in FOUNDATION_TABLES:
            path.unlink()
    write(d / "staff_spells.csv", SPELLS_HEADER, SPELLS_ROWS)
    write(d / "absence_episodes.csv", EPISODES_HEADER, EPISODES_ROWS)
    return d


def spells_with(d: Path, *replace: tuple[int, str], extra: list[str] = ()) -> None:
    """Rewrite staff_spells.csv with row ``n`` (spreadsheet numbering) replaced."""
    rows = list(SPELLS_ROWS)
    for n, text in replace:
        rows[n - 2] = text
    write(d / "staff_spells.csv", SPELLS_HEADER, rows + list(extra))


def episodes_with(d: Path, *replace: tuple[int, str], extra: list[str] = ()) -> None:
    rows = list(EPISODES_ROWS)
    for n, text in replace:
        rows[n - 2] = text
    write(d / "absence_episodes.csv", EPISODES_HEADER, rows + list(extra))


def errors(report) -> list[dict]:
    return report.errors.to_dict("records")


def one_problem(report, file: str, row: int | None, column: str | None, *,
                severity: str = "error") -> dict:
    """The single problem at (file, row, column); fails listing all problems otherwise."""
    p = report.problems
    hit = p[(p["file"] == file) & (p["severity"] == severity)]
    hit = hit[hit["row"].isna()] if row is None else hit[hit["row"] == row]
    hit = hit[hit["column"].isna()] if column is None else hit[hit["column"] == column]
    assert len(hit) == 1, f"expected one problem at {file}:{row}:{column}, got\n{p.to_string()}"
    return hit.iloc[0].to_dict()


# ---------------------------------------------------------------------------
# Clean folders
# ---------------------------------------------------------------------------
def test_clean_folder_has_no_problems(data_dir):
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok
    assert report.problems.empty, report.problems.to_string()
    assert set(report.tables) >= {"staff_spells", "absence_episodes", "exit_stay_reasons",
                                  "interventions", "pdsa_cycles"}
    assert "No problems found." in report.format()


def test_both_date_formats_parse_to_the_same_dates(data_dir):
    report = validate_folder(data_dir)
    s = report.tables["staff_spells"]
    # row 3 used DD/MM/YYYY: 01/02/2020 is 1 February 2020, not 2 January
    assert s.loc[s["staff_id"] == "S2", "start_date"].iloc[0] == pd.Timestamp("2020-02-01")
    e = report.tables["absence_episodes"]
    assert e.loc[e["staff_id"] == "S2", "end_date"].iloc[0] == pd.Timestamp("2021-01-04")
    assert pd.isna(e.loc[e["staff_id"] == "S3", "end_date"].iloc[0])


def test_inferred_extract_date_is_latest_date(data_dir):
    report = validate_folder(data_dir)
    assert report.extract_date_inferred
    # the latest date in any table: the templates' interventions start 01/09/2024
    assert report.extract_date == pd.Timestamp("2024-09-01")
    assert "not given" in report.format()


def test_bom_crlf_and_trailing_blank_lines_accepted(data_dir):
    # Excel's 'CSV UTF-8' writes a BOM, CRLF line ends and, after deleted rows, lines of
    # empty cells and blank lines at the end
    write(data_dir / "staff_spells.csv", SPELLS_HEADER, SPELLS_ROWS, newline="\r\n",
          bom=True, trailing=",,,,,,,\r\n\r\n\r\n")
    write(data_dir / "absence_episodes.csv", EPISODES_HEADER, EPISODES_ROWS, bom=True,
          trailing="\n\n")
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.problems.empty, report.problems.to_string()
    spells = report.tables["staff_spells"]
    assert len(spells) == 4  # the blank lines are not rows
    assert spells["staff_id"].tolist() == ["S1", "S2", "S3", "S3"]
    assert report.files["staff_spells"].rows == 4


def test_xlsx_with_real_dates_accepted(data_dir):
    frame = pd.DataFrame({
        "staff_id": ["S1", "S2", "S3", "S3"],
        "team": ["North Step 2", "North Step 3", "North Step 3", "South Step 3"],
        "staff_group": ["Psychological Wellbeing Practitioner", "High Intensity Therapist",
                        "Counsellor", "Counsellor"],
        "band": ["Band 5", "Band 7", "Band 6", "Band 6"],
        "fte": [1.0, 0.8, 0.6, 0.6],
        "start_date": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01", "2021-01-01"]),
        "end_date": pd.to_datetime(["2021-06-30", None, "2020-12-31", None]),
        "leaving_reason": ["Voluntary Resignation - Work Life Balance", None, None, None],
    })
    (data_dir / "staff_spells.csv").unlink()
    frame.to_excel(data_dir / "staff_spells.xlsx", index=False)
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.problems.empty, report.problems.to_string()
    s = report.tables["staff_spells"]
    assert s["start_date"].tolist() == frame["start_date"].tolist()
    assert s["end_date"].isna().tolist() == [False, True, False, True]
    assert s["fte"].tolist() == [1.0, 0.8, 0.6, 0.6]
    assert report.files["staff_spells"].path.suffix == ".xlsx"


def test_xlsx_problem_row_numbers_count_blank_rows(data_dir):
    frame = pd.DataFrame({
        "staff_id": ["S1", None, "S2"],
        "team": ["North Step 2", None, "North Step 3"],
        "staff_group": ["Psychological Wellbeing Practitioner", None, "High Intensity Therapist"],
        "band": ["Band 5", None, "Band 7"],
        "fte": [1.0, None, 2.0],  # row 4 in Excel: FTE out of range
        "start_date": pd.to_datetime(["2020-01-01", None, "2020-02-01"]),
        "end_date": pd.to_datetime([None, None, None]),
        "leaving_reason": [None, None, None],
    })
    (data_dir / "staff_spells.csv").unlink()
    frame.to_excel(data_dir / "staff_spells.xlsx", index=False)
    episodes_with(data_dir, (4, "S1,2021-03-01,,S12,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "staff_spells.xlsx", 4, "fte")
    assert problem["value"] == "2"
    assert len(report.errors) == 1, report.errors.to_string()


def test_warning_leaver_without_reason_does_not_fail(data_dir):
    spells_with(data_dir, (2, SPELLS_ROWS[0].rsplit(",", 1)[0] + ","))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok
    warning = one_problem(report, "staff_spells.csv", 2, "leaving_reason", severity="warning")
    assert "no leaving reason" in warning["problem"]
    # S3's spell ending 2020-12-31 continues into the next day's spell: not a leaver
    assert len(report.warnings) == 1
    assert "warning" in report.format() and "No problems found." in report.format()


# ---------------------------------------------------------------------------
# Header problems
# ---------------------------------------------------------------------------
def test_missing_required_column(data_dir):
    header = SPELLS_HEADER.replace("team,", "")
    rows = [",".join(r.split(",")[:1] + r.split(",")[2:]) for r in SPELLS_ROWS]
    write(data_dir / "staff_spells.csv", header, rows)
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "staff_spells.csv", 1, "team")
    assert "missing" in problem["problem"]


def test_missing_optional_column_is_fine(data_dir):
    # 'comment' is optional in exit_stay_reasons
    df = pd.read_csv(data_dir / "exit_stay_reasons.csv", dtype=str, keep_default_na=False)
    df.drop(columns="comment").to_csv(data_dir / "exit_stay_reasons.csv", index=False)
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok, report.errors.to_string()
    assert report.tables["exit_stay_reasons"]["comment"].isna().all()


def test_unknown_column(data_dir):
    write(data_dir / "staff_spells.csv", SPELLS_HEADER + ",Team Name",
          [r + ",x" for r in SPELLS_ROWS])
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "staff_spells.csv", 1, "Team Name")
    assert "unknown column" in problem["problem"]


def test_duplicate_column_name(data_dir):
    write(data_dir / "absence_episodes.csv", EPISODES_HEADER + ",reason_code",
          [r + ",S10" for r in EPISODES_ROWS])
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "absence_episodes.csv", 1, None)
    assert problem["value"] == "reason_code"
    assert "more than once" in problem["problem"]


def test_row_with_more_cells_than_header_is_a_problem_not_a_shift(data_dir):
    # every data row has a trailing extra cell: pandas' default would silently make the
    # first column an index and shift every value one column left
    write(data_dir / "absence_episodes.csv", EPISODES_HEADER, [r + ",x" for r in EPISODES_ROWS])
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "absence_episodes.csv", None, None)
    assert "cannot be read" in problem["problem"]
    assert "absence_episodes" not in report.tables


def test_short_rows_are_padded_with_blanks(data_dir):
    # a hand-written CSV may omit trailing empty cells
    write(data_dir / "absence_episodes.csv", EPISODES_HEADER,
          ["S1,2020-02-03,2020-02-07,S13", "S2,30/12/2020,04/01/2021,S10", EPISODES_ROWS[2]])
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok, report.errors.to_string()


# ---------------------------------------------------------------------------
# Empty and missing files, encodings
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b"\r\n"])
def test_empty_file(data_dir, content):
    (data_dir / "interventions.csv").write_bytes(content)
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "interventions.csv", None, None)
    assert problem["problem"] == "the file is empty"


def test_header_only_absence_file_means_no_sickness_and_is_valid(data_dir):
    write(data_dir / "absence_episodes.csv", EPISODES_HEADER, [], trailing="\n")
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok, report.format()
    problem = one_problem(report, "absence_episodes.csv", None, None, severity="warning")
    assert "no data rows" in problem["problem"] and "no sickness absence" in problem["problem"]
    assert report.tables["absence_episodes"].empty


def test_header_only_staff_spells_is_refused(data_dir):
    (data_dir / "staff_spells.csv").write_text(
        (data_dir / "staff_spells.csv").read_text().splitlines()[0] + "\n")
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "staff_spells.csv", None, None)
    assert "no data rows" in problem["problem"] and "put the extract's rows" in problem["problem"]


def test_header_only_optional_table_is_treated_as_absent(data_dir):
    text = (data_dir / "interventions.csv").read_text().splitlines()[0] + "\n"
    (data_dir / "interventions.csv").write_text(text)
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "interventions.csv", None, None, severity="warning")
    assert "treated as absent" in problem["problem"]


def test_missing_required_table(data_dir):
    (data_dir / "absence_episodes.csv").unlink()
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "absence_episodes.csv", None, None)
    assert "missing" in problem["problem"]


def test_missing_optional_table_is_fine(data_dir):
    (data_dir / "exit_stay_reasons.csv").unlink()
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok
    assert "exit_stay_reasons" not in report.tables


def test_missing_folder(tmp_path):
    report = validate_folder(tmp_path / "nowhere")
    assert not report.ok
    assert "not found" in report.errors.iloc[0]["problem"]


def test_not_utf8(data_dir):
    text = (SPELLS_HEADER + "\n" + "\n".join(SPELLS_ROWS).replace("North Step 2", "Café Step 2")
            + "\n")
    (data_dir / "staff_spells.csv").write_bytes(text.encode("cp1252"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "staff_spells.csv", None, None)
    assert "UTF-8" in problem["problem"]


# ---------------------------------------------------------------------------
# Row numbers as a spreadsheet shows them
# ---------------------------------------------------------------------------
def test_row_numbers_count_blank_lines_and_multiline_cells(data_dir):
    header = ("intervention_id,name,objective,start_date,end_date,phase_in_months,teams,"
              "description")
    rows = [
        'INT1,Reflective practice,3,2023-04-01,,2,all,"Line one of the description\n'
        'line two, with a comma\nline three"',                        # row 2 (3 text lines)
        "",                                                            # row 3: blank
        "INT2,Leadership,9,2024-01-01,,0,all,Course",                  # row 4: objective 9
        "",                                                            # row 5: blank
        'INT3,"Rostering\nmulti-line name",2,01/09/2024,,1.5,all,x',   # row 6: 1.5 months
    ]
    write(data_dir / "interventions.csv", header, rows)
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert one_problem(report, "interventions.csv", 4, "objective")["value"] == "9"
    assert one_problem(report, "interventions.csv", 6, "phase_in_months")["value"] == "1.5"
    assert len(report.errors) == 2, report.errors.to_string()
    t = report.tables["interventions"]
    assert t["_row"].tolist() == [2, 4, 6]
    assert t["description"].iloc[0].count("\n") == 2


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["2023/01/05", "5/1/2023", "2023-1-5", "01-05-2023",
                                 "05/01/23", "2023-01-05T00:00", "5 Jan 2023", "20230105",
                                 "45000"])
def test_other_date_layouts_rejected(data_dir, bad):
    episodes_with(data_dir, (3, f"S2,{bad},2021-01-04,S10,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "absence_episodes.csv", 3, "start_date")
    assert problem["value"] == bad
    assert "not a date" in problem["problem"]


@pytest.mark.parametrize("bad", ["31/02/2023", "2023-02-29", "29/02/2023", "2023-13-01",
                                 "00/01/2023", "2023-04-31"])
def test_impossible_dates_rejected(data_dir, bad):
    episodes_with(data_dir, (3, f"S2,{bad},,S10,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    problem = one_problem(report, "absence_episodes.csv", 3, "start_date")
    assert problem["value"] == bad
    assert "impossible date" in problem["problem"]


@pytest.mark.parametrize("good", ["2024-02-29", "29/02/2024", "2000-02-29"])
def test_leap_day_accepted(data_dir, good):
    spells_with(data_dir, (3, f"S2,North Step 3,High Intensity Therapist,Band 7,0.8,{good},,"))
    episodes_with(data_dir, (3, f"S2,{good},{good},S10,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok, report.errors.to_string()
    s = report.tables["staff_spells"]
    assert s.loc[s["staff_id"] == "S2", "start_date"].iloc[0].strftime("%m-%d") == "02-29"


@pytest.mark.parametrize("bad,message", [
    ("31/12/4712", "future"),   # ESR's 'end of time' marker for open assignments
    ("9999-12-31", "future"),
    ("01/01/0202", "before"),   # a mistyped year
    ("1900-01-01", "before"),
])
def test_out_of_range_dates_are_problems_not_crashes(data_dir, bad, message):
    # a far-future end date, or a start date before the NHS existed
    dates = f"2020-02-01,{bad}" if message == "future" else f"{bad},"
    spells_with(data_dir, (3, f"S2,North Step 3,High Intensity Therapist,Band 7,0.8,{dates},"))
    report = validate_folder(data_dir)
    column = "end_date" if message == "future" else "start_date"
    problem = one_problem(report, "staff_spells.csv", 3, column)
    assert problem["value"] == bad
    assert "implausible" in problem["problem"] and message in problem["problem"]


def test_end_before_start(data_dir):
    spells_with(data_dir, (4, "S3,North Step 3,Counsellor,Band 6,0.6,2020-03-01,2020-02-28,"))
    episodes_with(data_dir, (2, "S1,2020-02-07,03/02/2020,S13,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "staff_spells.csv", 4, "end_date")
    assert p["value"] == "2020-02-28" and "before the start date" in p["problem"]
    p = one_problem(report, "absence_episodes.csv", 2, "end_date")
    assert p["value"] == "03/02/2020" and "before the start date" in p["problem"]


def test_same_day_start_and_end_is_fine(data_dir):
    episodes_with(data_dir, (2, "S1,2020-02-03,2020-02-03,S13,"))
    assert validate_folder(data_dir, extract_date="2024-12-31").ok


def test_dates_after_the_extract_date(data_dir):
    # extract 2021-03-15: S1's end 2021-06-30 (row 2) and nothing else in the HR tables
    report = validate_folder(data_dir, extract_date="2021-03-15",
                             tables=("staff_spells", "absence_episodes"))
    p = one_problem(report, "staff_spells.csv", 2, "end_date")
    assert p["value"] == "2021-06-30" and "after the extract date" in p["problem"]
    assert len(report.errors) == 1, report.errors.to_string()
    # and in the optional tables too (the template's C1 starts 2023-04-01)
    report = validate_folder(data_dir, extract_date="2023-03-31")
    p = one_problem(report, "pdsa_cycles.csv", 2, "start_date")
    assert p["value"] == "2023-04-01"


# ---------------------------------------------------------------------------
# Numbers and codes
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("fte", ["0", "0.0", "-0.5", "1.51", "2", "37.5"])
def test_fte_outside_range(data_dir, fte):
    spells_with(data_dir, (3, f"S2,North Step 3,High Intensity Therapist,Band 7,{fte},"
                              "01/02/2020,,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "staff_spells.csv", 3, "fte")
    assert p["value"] == fte and "(0, 1.5]" in p["problem"]


@pytest.mark.parametrize("fte", ["1.5", "0.01", " 0.6 ", "1"])
def test_fte_inside_range(data_dir, fte):
    spells_with(data_dir, (3, f"S2,North Step 3,High Intensity Therapist,Band 7,{fte},"
                              "01/02/2020,,"))
    assert validate_folder(data_dir, extract_date="2024-12-31").ok


@pytest.mark.parametrize("fte", ["one", "0,8", "inf", "nan", "80%"])
def test_fte_not_a_number(data_dir, fte):
    spells_with(data_dir, (3, f"S2,North Step 3,High Intensity Therapist,Band 7,\"{fte}\","
                              "01/02/2020,,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "staff_spells.csv", 3, "fte")
    assert p["value"] == fte and "not a number" in p["problem"]


def test_blank_required_cell(data_dir):
    spells_with(data_dir, (3, "S2,,High Intensity Therapist,Band 7,0.8,01/02/2020,,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "staff_spells.csv", 3, "team")
    assert "blank" in p["problem"]


@pytest.mark.parametrize("code", ["S50", "s10", "S1O", "10", "X10"])
def test_unknown_absence_reason_code(data_dir, code):
    episodes_with(data_dir, (3, f"S2,30/12/2020,04/01/2021,{code},"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "absence_episodes.csv", 3, "reason_code")
    assert p["value"] == code and "not an allowed value" in p["problem"]


def test_known_reason_codes_with_spaces_accepted(data_dir):
    episodes_with(data_dir, (3, "S2,30/12/2020,04/01/2021, S99 ,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok
    assert report.tables["absence_episodes"]["reason_code"].tolist()[1] == "S99"


def test_unknown_leaving_reason_staff_group_and_band(data_dir):
    spells_with(data_dir, (2, "S1,North Step 2,PWP,Band 5a,1.0,2020-01-01,2021-06-30,Quit"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert one_problem(report, "staff_spells.csv", 2, "leaving_reason")["value"] == "Quit"
    assert one_problem(report, "staff_spells.csv", 2, "staff_group")["value"] == "PWP"
    assert one_problem(report, "staff_spells.csv", 2, "band")["value"] == "Band 5a"


def test_other_tables_codes_booleans_and_references(data_dir):
    header = (
        "cycle_id,intervention_id,cycle_number,title,plan,measure,predicted_direction,"
        "predicted_value,start_date,end_date,study_notes,decision,rebase_at_start,rebase_reason")
    rows = [
        "C1,INT1,1,t,p,absence_rate_pct,down,,2023-04-01,2023-06-30,,adapt,no,",    # 2
        "C2,INT9,2,t,p,absence_rate_pct,decrease,,2023-07-01,,,,maybe,",           # 3
        "C3,INT2,0,t,p,leavers,no_change,,2024-01-01,,,,yes,",                     # 4
        "C3,INT2,2,t,p,leavers,no_change,,2024-02-01,,,keep,no,",                  # 5
    ]
    write(data_dir / "pdsa_cycles.csv", header, rows)
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert one_problem(report, "pdsa_cycles.csv", 2, "predicted_direction")["value"] == "down"
    assert one_problem(report, "pdsa_cycles.csv", 3, "intervention_id")["value"] == "INT9"
    assert one_problem(report, "pdsa_cycles.csv", 3, "rebase_at_start")["value"] == "maybe"
    assert one_problem(report, "pdsa_cycles.csv", 4, "cycle_number")["value"] == "0"
    assert "needs a reason" in one_problem(report, "pdsa_cycles.csv", 4,
                                           "rebase_reason")["problem"]
    assert one_problem(report, "pdsa_cycles.csv", 5, "cycle_id")["value"] == "C3"
    assert one_problem(report, "pdsa_cycles.csv", 5, "decision")["value"] == "keep"
    assert len(report.errors) == 7, report.errors.to_string()


# ---------------------------------------------------------------------------
# Duplicates and overlaps
# ---------------------------------------------------------------------------
def test_duplicate_rows(data_dir):
    df = pd.read_csv(data_dir / "exit_stay_reasons.csv", dtype=str, keep_default_na=False)
    pd.concat([df, df.iloc[[0]]]).to_csv(data_dir / "exit_stay_reasons.csv", index=False)
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "exit_stay_reasons.csv", 5, None)
    assert "duplicate row" in p["problem"] and "row 2" in p["problem"]
    assert len(report.errors) == 1


def test_duplicate_rows_ignore_surrounding_spaces(data_dir):
    episodes_with(data_dir, extra=[" S1 , 2020-02-03,2020-02-07 ,S13,"])  # row 5 = row 2
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "absence_episodes.csv", 5, None)
    assert "identical to row 2" in p["problem"]


def test_overlapping_spells(data_dir):
    # S2 (row 3, open from 2020-02-01) gets a second spell from 2022-05-01
    spells_with(data_dir, extra=["S2,South Step 3,High Intensity Therapist,Band 7,1.0,"
                                 "2022-05-01,,"])
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "staff_spells.csv", 6, "start_date")
    assert p["value"] == "2022-05-01"
    assert "overlaps" in p["problem"] and "row 3" in p["problem"]


def test_every_spell_inside_a_long_spell_is_reported(data_dir):
    # one open spell (row 3) and two later spells inside it (rows 6, 7): both overlap it
    spells_with(data_dir, extra=[
        "S2,South Step 3,High Intensity Therapist,Band 7,1.0,2021-01-01,2021-06-30,",
        "S2,South Step 3,High Intensity Therapist,Band 7,1.0,2022-01-01,2022-06-30,"])
    report = validate_folder(data_dir, extract_date="2024-12-31")
    for row in (6, 7):
        p = one_problem(report, "staff_spells.csv", row, "start_date")
        assert "row 3" in p["problem"]


def test_adjacent_spells_do_not_overlap(data_dir):
    # S3's spells 2020-03-01..2020-12-31 and 2021-01-01.. touch but do not overlap
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok
    spells_with(data_dir, (5, "S3,South Step 3,Counsellor,Band 6,0.6,2020-12-31,,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert one_problem(report, "staff_spells.csv", 5, "start_date")["value"] == "2020-12-31"


def test_overlapping_episodes(data_dir):
    episodes_with(data_dir, extra=["S1,2020-02-07,2020-02-10,S10,"])  # row 5 overlaps row 2
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "absence_episodes.csv", 5, "start_date")
    assert "overlaps" in p["problem"] and "row 2" in p["problem"]


# ---------------------------------------------------------------------------
# Absence outside every spell
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("row,why", [
    ("S1,2021-07-05,2021-07-06,S13,", "after leaving (S1 left 2021-06-30)"),
    ("S1,2019-12-30,2020-01-02,S13,", "starts before the first spell"),
    ("S1,2021-06-28,2021-07-02,S13,", "runs past the last day in post"),
    ("S2,2020-01-15,2020-01-20,S13,", "before S2 started on 2020-02-01"),
])
def test_absence_outside_every_spell(data_dir, row, why):
    episodes_with(data_dir, extra=[row])  # row 5
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "absence_episodes.csv", 5, "start_date")
    assert "outside every spell" in p["problem"], why


def test_absence_across_an_internal_move_is_inside(data_dir):
    # S3 moves team on 2021-01-01; an episode spanning the move is inside continuous service
    episodes_with(data_dir, extra=["S3,2020-12-20,2021-01-10,S10,"])
    assert validate_folder(data_dir, extract_date="2024-12-31").ok


def test_absence_for_unknown_staff_id(data_dir):
    episodes_with(data_dir, extra=["S9,2021-07-05,2021-07-06,S13,"])
    report = validate_folder(data_dir, extract_date="2024-12-31")
    p = one_problem(report, "absence_episodes.csv", 5, "staff_id")
    assert p["value"] == "S9" and "no spell" in p["problem"]


def test_ongoing_absence_after_leaving_is_a_warning(data_dir):
    episodes_with(data_dir, extra=["S1,2021-06-20,,S10,"])
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert report.ok
    one_problem(report, "absence_episodes.csv", 5, "end_date", severity="warning")


# ---------------------------------------------------------------------------
# Everything at once
# ---------------------------------------------------------------------------
def test_all_problems_reported_at_once(data_dir):
    spells_with(
        data_dir,
        (2, "S1,North Step 2,Psychological Wellbeing Practitioner,Band 5,1.7,2020-01-01,"
            "2021-06-30,Voluntary Resignation - Work Life Balance"),          # fte
        (3, "S2,North Step 3,High Intensity Therapist,Band 7,0.8,2020/02/01,,"),  # date layout
        extra=["S3,South Step 3,Counsellor,Band 6,0.6,2022-01-01,,"],      # row 6 overlaps 5
    )
    episodes_with(
        data_dir,
        (2, "S1,2020-02-03,2020-02-07,S51,"),                               # reason code
        (3, "S2,30/12/2020,31/02/2021,S10,"),                               # impossible date
        extra=["S1,2022-01-01,2022-01-02,S13,",                             # row 5 outside
               "S1,2022-01-01,2022-01-02,S13,"],                            # row 6 duplicate
    )
    df = pd.read_csv(data_dir / "interventions.csv", dtype=str, keep_default_na=False)
    df.loc[1, "objective"] = "5"                                            # row 3
    df.loc[2, "start_date"] = "2025-01-01"                                  # row 4 after extract
    df.to_csv(data_dir / "interventions.csv", index=False)
    df = pd.read_csv(data_dir / "exit_stay_reasons.csv", dtype=str, keep_default_na=False)
    df.loc[0, "kind"] = "left"                                              # row 2
    df = df.drop(columns="category")                                        # header
    df.to_csv(data_dir / "exit_stay_reasons.csv", index=False)

    report = validate_folder(data_dir, extract_date="2024-12-31")
    expected = {
        ("staff_spells.csv", 2, "fte", "1.7"),
        ("staff_spells.csv", 3, "start_date", "2020/02/01"),
        ("staff_spells.csv", 6, "start_date", "2022-01-01"),
        ("absence_episodes.csv", 2, "reason_code", "S51"),
        ("absence_episodes.csv", 3, "end_date", "31/02/2021"),
        ("absence_episodes.csv", 5, "start_date", "2022-01-01"),
        ("absence_episodes.csv", 6, None, None),
        ("interventions.csv", 3, "objective", "5"),
        ("interventions.csv", 4, "start_date", "2025-01-01"),
        ("exit_stay_reasons.csv", 2, "kind", "left"),
        ("exit_stay_reasons.csv", 1, "category", None),
    }
    found = {(r["file"], int(r["row"]), None if pd.isna(r["column"]) else r["column"],
              None if pd.isna(r["value"]) else r["value"]) for r in errors(report)}
    assert expected <= found, f"missing: {expected - found}\nall:\n{report.errors.to_string()}"
    text = report.format()
    for file, row, column, _ in expected:
        assert f"{file}, row {row}" + (f", column '{column}'" if column else "") in text


def test_every_problem_has_file_row_column_value_columns(data_dir):
    episodes_with(data_dir, (2, "S1,2020-02-03,2020-02-07,S51,"))
    report = validate_folder(data_dir, extract_date="2024-12-31")
    assert list(report.problems.columns) == ["file", "row", "column", "value", "problem",
                                             "severity"]


def test_read_raw_keeps_text_exactly(tmp_path):
    # leading zeros and codes are text, never numbers
    path = write(tmp_path / "x.csv", "a,b", ["007,1.50", '"x, y",'])
    raw, problems = read_raw(path)
    assert problems.empty
    assert raw["a"].tolist() == ["007", "x, y"]
    assert raw["b"].tolist() == ["1.50", ""]
    assert raw["_row"].tolist() == [2, 3]
