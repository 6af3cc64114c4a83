"""Inputs as services export them: an ESR-style folder through mapping.yaml gives the same
monthly table as the template layout, and every problem seen with real exports points at
its cause (semicolons, title rows, other sheets, other encodings, raw headings)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scenarios import small_service

from wellbeing_analysis import cli
from wellbeing_analysis.data_templates import MAPPING_EXAMPLE, write_examples
from wellbeing_analysis.loading import load_service
from wellbeing_analysis.validation import validate_folder
from wellbeing_analysis.validation.mapping import load_mapping

EXTRACT = "2026-06-30"
SPELLS = "staff_id,team,staff_group,band,fte,start_date,end_date,leaving_reason"
EPISODES = "staff_id,start_date,end_date,reason_code,related_reason"
#: ESR headings of the two HR tables, in the order of our columns
ESR_SPELLS = {"staff_id": "Assignment Number", "team": "Organisation",
              "staff_group": "Staff Group", "band": "Pay Band", "fte": "FTE",
              "start_date": "Assignment Start Date", "end_date": "Termination Date",
              "leaving_reason": "Reason for Leaving"}
ESR_EPISODES = {"staff_id": "Assignment Number", "start_date": "Absence Start Date",
                "end_date": "Absence End Date", "reason_code": "Absence Reason",
                "related_reason": "Related Reason"}
#: ESR staff group names for ours (the mapping's values section reverses this)
ESR_GROUPS = {"Psychological Wellbeing Practitioner": "Add Prof Scientific and Technic",
              "High Intensity Therapist": "Add Prof Scientific and Technical",
              "Counsellor": "Additional Clinical Services",
              "Clinical/Counselling Psychologist": "Add Prof Sci and Tech (Psychology)",
              "Employment Adviser": "Administrative and Clerical",
              "Admin and Clerical": "Admin & Clerical",
              "Manager": "Admin & Clerical Management",
              "Trainee Psychological Wellbeing Practitioner": "Students PWP",
              "Trainee High Intensity Therapist": "Students HIT",
              "Peer Support Worker": "Additional Clinical Services Peer",
              "Other": "Other ESR group"}


def hr_folder(path: Path) -> Path:
    """The HR tables of a small service in the template layout."""
    full = small_service(path.parent / f"{path.name}-full", extract=EXTRACT)
    path.mkdir(parents=True)
    for name in ("staff_spells", "absence_episodes"):
        (path / f"{name}.csv").write_bytes((full / f"{name}.csv").read_bytes())
    return path


def _esr_dates(dates: pd.Series, layouts: list[str]) -> pd.Series:
    """Dates in a cycle of export layouts (D/M/YYYY, DD-Mon-YYYY, DD Mon YYYY, ...)."""
    d = pd.to_datetime(dates, format="%d/%m/%Y")
    out = pd.Series("", index=dates.index, dtype=object)
    for i, layout in enumerate(layouts):
        pick = d.notna() & (np.arange(len(d)) % len(layouts) == i)
        if layout == "D/M/YYYY":
            text = d.dt.day.astype("Int64").astype(str) + "/" + d.dt.month.astype(
                "Int64").astype(str) + "/" + d.dt.year.astype("Int64").astype(str)
        elif layout == "DD-Mon-YYYY":
            text = d.dt.strftime("%d-%b-%Y").str.upper()
        elif layout == "DD Mon YYYY":
            text = d.dt.strftime("%d %b %Y")
        elif layout == "ISO midnight":
            text = d.dt.strftime("%Y-%m-%dT00:00:00")
        else:
            text = d.dt.strftime("%Y-%m-%d")
        out[pick] = text[pick]
    return out


def esr_folder(template: Path, path: Path) -> Path:
    """The same data as ESR exports it: ESR headings, bands and reasons as text, staff
    groups by ESR's names, dates in several layouts; spells in a workbook with a title row
    and the data on a named second sheet; absence as a semicolon CSV in Windows-1252."""
    path.mkdir(parents=True)
    spells = pd.read_csv(template / "staff_spells.csv", dtype=str, keep_default_na=False)
    episodes = pd.read_csv(template / "absence_episodes.csv", dtype=str,
                           keep_default_na=False)
    n = np.arange(len(spells))
    digits = spells["band"].str.removeprefix("Band ")
    spells["band"] = np.select([n % 4 == 0, n % 4 == 1, n % 4 == 2],
                               ["band " + digits, digits.str.upper(), "BAND " + digits],
                               "Review Body Band " + digits)
    spells["staff_group"] = spells["staff_group"].map(ESR_GROUPS)
    spells["leaving_reason"] = spells["leaving_reason"].str.upper()
    spells["start_date"] = _esr_dates(spells["start_date"], ["DD-Mon-YYYY", "D/M/YYYY"])
    # the end dates as Excel date cells: real datetimes in the workbook
    spells["end_date"] = pd.to_datetime(spells["end_date"], format="%d/%m/%Y")
    spells["fte"] = spells["fte"].astype(float)
    spells = spells.rename(columns=ESR_SPELLS)
    spells.insert(2, "Position Title", "Therapist")  # an export's extra column
    with pd.ExcelWriter(path / "ESR staff in post.xlsx") as xl:
        pd.DataFrame({"a": ["Summary of the export"]}).to_excel(xl, sheet_name="Notes",
                                                                index=False, header=False)
        pd.DataFrame([["Staff in post, all assignments"]]).to_excel(
            xl, sheet_name="Assignments", index=False, header=False)
        spells.to_excel(xl, sheet_name="Assignments", index=False, startrow=2)

    reasons = pd.read_csv(Path(__file__).resolve().parents[1] / "wellbeing_analysis" / "data"
                          / "esr_sickness_absence_reasons.csv", dtype=str)
    text = dict(zip(reasons["code"], reasons["code"] + " " + reasons["description"],
                    strict=True))
    episodes["reason_code"] = episodes["reason_code"].map(text)
    for column in ("start_date", "end_date"):
        episodes[column] = _esr_dates(episodes[column],
                                      ["DD Mon YYYY", "ISO midnight", "D/M/YYYY", "ISO"])
    episodes = episodes.rename(columns=ESR_EPISODES)
    episodes.insert(1, "Absence Type", "Sickness")
    episodes.to_csv(path / "absence.csv", sep=";", index=False, encoding="cp1252")
    mapping = {
        "staff_spells": {"file": "ESR staff in post.xlsx", "sheet": "Assignments",
                         "columns": {k: v.upper() for k, v in ESR_SPELLS.items()},
                         "values": {"staff_group": {v: k for k, v in ESR_GROUPS.items()}}},
        "absence_episodes": {"file": "absence.csv", "encoding": "cp1252",
                             "columns": ESR_EPISODES},
    }
    (path / "mapping.yaml").write_text(yaml.safe_dump(mapping, sort_keys=False))
    return path


def test_esr_export_through_mapping_gives_the_template_layouts_metrics(tmp_path, capsys):
    template = hr_folder(tmp_path / "template")
    esr = esr_folder(template, tmp_path / "esr")
    for by in (None, "team"):
        outputs = []
        for folder in (template, esr):
            out = tmp_path / f"{folder.name}-{by}.csv"
            argv = ["metrics", str(folder), "--extract-date", EXTRACT, "--out", str(out)]
            assert cli.main(argv + (["--by", by] if by else [])) == 0, capsys.readouterr()
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) > 18 * 3  # months x teams: a real table


def test_esr_export_record_lists_every_mapping_with_row_counts(tmp_path):
    template = hr_folder(tmp_path / "template")
    esr = esr_folder(template, tmp_path / "esr")
    spells = pd.read_csv(template / "staff_spells.csv", dtype=str, keep_default_na=False)
    service = load_service(esr, extract_date=EXTRACT)
    rec = service.mappings
    assert list(rec.columns) == ["file", "column", "change", "rows"]

    def rows(file: str, column: str | None, change: str) -> int:
        hit = rec[(rec["file"] == file) & (rec["change"] == change)
                  & (rec["column"].isna() if column is None else rec["column"] == column)]
        assert len(hit) == 1, rec.to_string()
        return int(hit["rows"].iloc[0])

    xlsx, csv = "ESR staff in post.xlsx", "absence.csv"
    n = len(spells)
    assert rows(xlsx, "staff_id", "heading 'Assignment Number' read as staff_id") == n
    # the title on row 1 and a blank row 2 (the heading is on row 3)
    assert rows(xlsx, None, "2 row(s) above the header skipped (title rows)") == n
    assert rows(xlsx, None, "sheet 'Assignments' read (mapping.yaml)") == n
    assert rows(csv, None, "semicolon-separated file") > 0
    assert rows(csv, None, "read as cp1252 text (mapping.yaml)") > 0
    first_band = spells["band"].iloc[0]  # row 0 was written 'band N'
    lower = "band " + first_band.removeprefix("Band ")
    assert rows(xlsx, "band", f"{lower!r} read as {first_band!r}") == int(
        ((spells["band"] == first_band) & (np.arange(n) % 4 == 0)).sum())
    pwp = "Psychological Wellbeing Practitioner"
    assert rows(xlsx, "staff_group",
                f"{ESR_GROUPS[pwp]!r} read as {pwp!r} (mapping.yaml)") == int(
        (spells["staff_group"] == pwp).sum())
    reasons = rec[rec["column"].eq("reason_code") & ~rec["change"].str.startswith("heading")]
    assert len(reasons) == episodes_reasons(template)
    assert reasons["change"].str.match(
        r"^'S\d\d .+' read as 'S\d\d'$").all()
    starts = rec[(rec["file"] == xlsx) & (rec["column"] == "start_date")
                 & rec["change"].str.startswith("dates")]
    assert starts.set_index("change")["rows"].sum() == n  # both layouts, every row
    assert "1 heading(s) not in the mapping left out: 'Position Title'" in set(rec["change"])


def episodes_reasons(template: Path) -> int:
    """Distinct reason codes in the template folder's absence episodes."""
    return pd.read_csv(template / "absence_episodes.csv", dtype=str)["reason_code"].nunique()


def test_bands_dates_and_codes_as_exported(tmp_path):
    d = tmp_path / "d"
    write_examples(d)
    # the example PDSA cycles are scoped to the example staff groups, replaced here
    (d / "pdsa_cycles.csv").unlink()
    (d / "staff_spells.csv").write_text("\n".join([
        SPELLS,
        "S1,T,Counsellor,6,1.0,1/4/2024,,",
        "S2,T,Counsellor,band 6,1.0,01-Apr-2024,,",
        "S3,T,counsellor,Band 8A,1.0,01 apr 2024,,",
        "S4,T,Counsellor,8a,1.0,2024-04-01 00:00:00,2024-05-31T00:00,"
        "voluntary resignation - work life balance",
        "S5,T,Counsellor,Band 10,1.0,2024-04-01 09:30:00,,",
    ]) + "\n")
    (d / "absence_episodes.csv").write_text(
        EPISODES + "\nS1,2024-05-01,2024-05-02,S10 Anxiety/stress/depression/other "
        "psychiatric illnesses,\nS2,2024-05-01,2024-05-02,s12,\n")
    report = validate_folder(d, extract_date="2024-12-31")
    spells = report.tables["staff_spells"].set_index("staff_id")
    assert spells.loc[["S1", "S2", "S3", "S4"], "band"].tolist() == [
        "Band 6", "Band 6", "Band 8a", "Band 8a"]
    assert (spells.loc[["S1", "S2", "S3", "S4"], "start_date"]
            == pd.Timestamp("2024-04-01")).all()
    assert spells.loc["S4", "end_date"] == pd.Timestamp("2024-05-31")
    assert spells.loc["S3", "staff_group"] == "Counsellor"
    assert spells.loc["S4", "leaving_reason"] == "Voluntary Resignation - Work Life Balance"
    assert report.tables["absence_episodes"]["reason_code"].tolist() == ["S10", "S12"]
    errors = report.errors
    assert set(zip(errors["row"], errors["column"], errors["value"], strict=True)) == {
        (6, "band", "Band 10"), (6, "start_date", "2024-04-01 09:30:00")}
    assert "time of day" in errors.loc[errors["column"] == "start_date", "problem"].iloc[0]
    changes = set(report.record["change"])
    assert {"'6' read as 'Band 6'", "'band 6' read as 'Band 6'", "'Band 8A' read as 'Band 8a'",
            "'8a' read as 'Band 8a'", "'counsellor' read as 'Counsellor'",
            "dates written DD/MM/YYYY", "dates written DD-Mon-YYYY", "dates written DD Mon YYYY",
            "dates written YYYY-MM-DD 00:00:00", "'s12' read as 'S12'"} <= changes


def test_raw_export_headings_report_the_missing_column_alone_with_a_hint(tmp_path):
    d = tmp_path / "d"
    write_examples(d)
    # the example PDSA cycles are scoped to the example staff groups, replaced here
    (d / "pdsa_cycles.csv").unlink()
    header = ",".join(ESR_SPELLS[c] for c in SPELLS.split(","))
    (d / "staff_spells.csv").write_text(header + "\nS1,T,Counsellor,Band 6,1.0,2024-04-01,,\n")
    (d / "absence_episodes.csv").write_text(EPISODES + "".join(
        f"\nS{i},2024-05-0{i},2024-05-0{i},S10," for i in range(1, 8)) + "\n")
    report = validate_folder(d, extract_date="2024-12-31")
    errors = report.errors
    assert set(errors["file"]) == {"staff_spells.csv"}  # no cascade of 'no spell' lines
    missing = errors[errors["problem"].str.startswith("required column is missing")]
    assert sorted(missing["column"]) == sorted(SPELLS.split(","))
    staff = missing.set_index("column").loc["staff_id", "problem"]
    assert "'Assignment Number', an ESR heading for staff_id" in staff
    assert "staff_spells: columns: staff_id: Assignment Number" in staff
    assert (missing["row"] == 1).all()


def test_heading_that_differs_in_case_or_spaces_gets_did_you_mean(tmp_path):
    d = tmp_path / "d"
    write_examples(d)
    (d / "absence_episodes.csv").write_text(
        "Staff ID,start_date,end_date,reason_code,Related_Reason\nS1,2020-01-01,,S10,\n")
    report = validate_folder(d, extract_date="2024-12-31")
    p = report.errors.set_index("column")["problem"]
    assert p["staff_id"] == ("required column is missing from the header: did you mean "
                             "'Staff ID'? (headings must match exactly)")
    assert p["Related_Reason"] == ("unknown column: did you mean 'related_reason'? (headings "
                                   "must match exactly)")


@pytest.mark.parametrize("sep,name", [(";", "semicolon"), ("\t", "tab")])
def test_delimiter_detected_and_named(tmp_path, sep, name):
    d = tmp_path / "d"
    write_examples(d)
    rows = pd.read_csv(d / "staff_spells.csv", dtype=str, keep_default_na=False)
    rows.to_csv(d / "staff_spells.csv", sep=sep, index=False)
    report = validate_folder(d, extract_date="2024-12-31")
    assert report.ok, report.format()
    assert report.tables["staff_spells"]["team"].tolist() == rows["team"].tolist()
    assert f"{name}-separated file" in set(report.record["change"])
    assert f"staff_spells.csv: {name}-separated file ({len(rows)} rows)" in report.format()


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(tmp_path):
    d = tmp_path / "d"
    write_examples(d)
    rows = pd.read_csv(d / "staff_spells.csv", dtype=str, keep_default_na=False)
    rows.loc[1, "fte"] = "7"
    (d / "staff_spells.csv").unlink()
    with pd.ExcelWriter(d / "staff_spells.xlsx") as xl:
        pd.DataFrame([["Staff in post"], ["Run 01/07/2024"]]).to_excel(
            xl, index=False, header=False)
        rows.to_excel(xl, index=False, startrow=3)  # header on row 4
    report = validate_folder(d, extract_date="2024-12-31")
    assert not any(c.startswith("Unnamed") for c in report.problems["column"].dropna())
    bad = report.errors
    assert bad[["row", "column", "value"]].values.tolist() == [[6, "fte", "7"]]
    assert "3 row(s) above the header skipped (title rows)" in set(report.record["change"])


def test_data_on_another_sheet_says_only_the_first_is_read(tmp_path):
    d = tmp_path / "d"
    write_examples(d)
    rows = pd.read_csv(d / "staff_spells.csv", dtype=str, keep_default_na=False)
    (d / "staff_spells.csv").unlink()
    with pd.ExcelWriter(d / "staff_spells.xlsx") as xl:
        pd.DataFrame(columns=rows.columns).to_excel(xl, sheet_name="Cover", index=False)
        rows.to_excel(xl, sheet_name="Staff", index=False)
    report = validate_folder(d, extract_date="2024-12-31")
    problem = report.errors["problem"].tolist()
    assert problem == ["the first sheet ('Cover') holds no data rows: only the first sheet is "
                       "read (the workbook's sheets: 'Cover', 'Staff'); move the data to the "
                       "first sheet or give this table's `sheet` in mapping.yaml"]
    (d / "mapping.yaml").write_text("staff_spells:\n  sheet: 1\n")
    report = validate_folder(d, extract_date="2024-12-31")
    assert report.ok, report.format()
    assert len(report.tables["staff_spells"]) == len(rows)


def test_other_encoding_read_through_the_mapping(tmp_path):
    d = tmp_path / "d"
    write_examples(d)
    rows = pd.read_csv(d / "staff_spells.csv", dtype=str, keep_default_na=False)
    rows.loc[0, "team"] = "Café Step 2"
    rows.to_csv(d / "staff_spells.csv", index=False, encoding="cp1252")
    assert not validate_folder(d, extract_date="2024-12-31").ok
    (d / "mapping.yaml").write_text("staff_spells:\n  encoding: cp1252\n")
    report = validate_folder(d, extract_date="2024-12-31")
    assert report.ok, report.format()
    assert report.tables["staff_spells"]["team"].iloc[0] == "Café Step 2"


def test_mapping_problems_reported_like_data_problems_all_at_once(tmp_path):
    d = tmp_path / "d"
    write_examples(d)
    (d / "mapping.yaml").write_text(
        "staff_spell:\n  file: x.csv\n"
        "staff_spells:\n  header_row: 0\n  encoding: klingon\n"
        "absence_episodes:\n  file: absent.csv\n"
        "exit_stay_reasons:\n  columns: {kinds: Kind}\n  values: {category: {Stress: Burnout}}\n"
        "interventions:\n  columns: {name: Intervention name}\n"
        "pdsa_cycles:\n  values: {cycle_id: {C1: C2}}\n")
    report = validate_folder(d, extract_date="2024-12-31")
    got = {(r.file, r.column, None if pd.isna(r.value) else str(r.value))
           for r in report.errors.itertuples()}
    assert {
        ("mapping.yaml", "staff_spell", None),
        ("mapping.yaml", "staff_spells.header_row", "0"),
        ("mapping.yaml", "staff_spells.encoding", "klingon"),
        ("mapping.yaml", "absence_episodes.file", "absent.csv"),
        ("mapping.yaml", "exit_stay_reasons.columns", "kinds"),
        ("mapping.yaml", "exit_stay_reasons.values.category", "Burnout"),
        ("mapping.yaml", "interventions.columns.name", "Intervention name"),
    } <= got, report.errors.to_string()
    # identifiers are never recoded (nor listed in the record)
    assert ("mapping.yaml", "pdsa_cycles.values", "cycle_id") in got
    assert "no such heading in interventions.csv" in report.format()


def test_parquet_tables_are_validated_like_csv(tmp_path):
    d = tmp_path / "d"
    write_examples(d)
    for name in ("staff_spells", "absence_episodes"):
        df = pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False)
        for c in ("start_date", "end_date"):
            iso = pd.to_datetime(df[c], format="%Y-%m-%d", errors="coerce")
            df[c] = iso.fillna(pd.to_datetime(df[c], format="%d/%m/%Y", errors="coerce"))
        if name == "staff_spells":
            df.loc[1, "fte"] = "2"  # row 3: out of range
        (d / f"{name}.csv").unlink()
        df.to_parquet(d / f"{name}.parquet", index=False)
    report = validate_folder(d, extract_date="2024-12-31")
    bad = report.errors
    assert bad[["file", "row", "column", "value"]].values.tolist() == [
        ["staff_spells.parquet", 3, "fte", "2"]]
    write_examples(tmp_path / "ref")
    ref = validate_folder(tmp_path / "ref", extract_date="2024-12-31")
    ours = report.tables["absence_episodes"].drop(columns="_row")
    pd.testing.assert_frame_equal(ours, ref.tables["absence_episodes"].drop(columns="_row"),
                                  check_dtype=False)


def test_templates_write_a_commented_mapping_example_that_is_valid_uncommented(tmp_path):
    assert all(not line.strip() or line.startswith("#") for line in MAPPING_EXAMPLE.splitlines())
    mapping, problems = load_mapping(_folder_with(tmp_path / "a", MAPPING_EXAMPLE))
    assert mapping == {} and problems.empty  # as written, it maps nothing
    text = "\n".join(line[2:] if line.startswith("# ") or line == "#" else line
                     for line in MAPPING_EXAMPLE.splitlines()
                     if not line.startswith("# mapping.yaml") and not line.startswith("# Un")
                     and not line.startswith("# ignoring"))
    mapping, problems = load_mapping(_folder_with(tmp_path / "b", text))
    assert problems.empty, problems.to_string()
    assert mapping["staff_spells"].columns["band"] == "Pay Band"
    assert mapping["absence_episodes"].encoding == "cp1252"


def _folder_with(folder: Path, mapping_text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mapping.yaml").write_text(mapping_text)
    return folder
