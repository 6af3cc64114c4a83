"""The foundation's commands: validate, metrics, templates, demo-data, and --help."""

from __future__ import annotations

import argparse
import filecmp
from pathlib import Path

import pandas as pd
import pytest

from wellbeing_analysis import cli
from wellbeing_analysis.data_templates import write_examples
from wellbeing_analysis.workforce import CORE_COLUMNS

CORE_TABLES = ("staff_spells", "absence_episodes", "exit_stay_reasons", "interventions",
               "pdsa_cycles")


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    write_examples(d, with_dictionary=False)
    for path in d.glob("*.csv"):
        if path.stem not in CORE_TABLES:
            path.unlink()
    return d


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def usage_error(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as info:
        cli.main(list(argv))
    assert info.value.code == 2
    return capsys.readouterr().err


# ---------------------------------------------------------------------------
# --help
# ---------------------------------------------------------------------------
def test_help_lists_every_registered_command_with_its_help(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    text = squash(capsys.readouterr().out)
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert len(helps) == len(cli.COMMAND_MODULES)
    for name in ("templates", "validate", "metrics", "demo-data"):
        assert name in helps
    for name, help_text in helps.items():
        assert help_text, f"{name} has no help text"
        assert f"{name} {squash(help_text)}" in text, name


@pytest.mark.parametrize("command", ["templates", "validate", "metrics", "demo-data"])
def test_each_foundation_command_has_its_own_help(capsys, command):
    with pytest.raises(SystemExit) as info:
        cli.main([command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert f"wellbeing {command}" in text
    if command in ("validate", "metrics"):
        assert "--extract-date" in text and "YYYY-MM-DD" in text


def test_no_command_is_a_usage_error(capsys):
    assert "COMMAND" in usage_error(capsys)


# ---------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------
def test_validate_clean_exits_0(capsys, data_dir):
    code, out, err = run_cli(capsys, "validate", str(data_dir), "--extract-date", "2024-12-31")
    assert code == 0
    assert "No problems found." in out
    assert "2024-12-31" in out


def test_validate_faults_exit_1_with_file_row_column(capsys, data_dir):
    path = data_dir / "staff_spells.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[1, "fte"] = "2.5"            # row 3
    df.loc[2, "start_date"] = "2020/09/12"  # row 4
    df.to_csv(path, index=False)
    code, out, err = run_cli(capsys, "validate", str(data_dir), "--extract-date", "2024-12-31")
    assert code == 1
    assert "staff_spells.csv, row 3, column 'fte'" in out and "'2.5'" in out
    assert "staff_spells.csv, row 4, column 'start_date'" in out and "'2020/09/12'" in out
    assert "Traceback" not in out + err


def test_validate_warnings_only_exit_0(capsys, data_dir):
    path = data_dir / "staff_spells.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[2, "leaving_reason"] = ""
    df.to_csv(path, index=False)
    code, out, _ = run_cli(capsys, "validate", str(data_dir))
    assert code == 0
    assert "warning" in out and "row 4" in out


def test_validate_missing_folder_exits_1_without_traceback(capsys, tmp_path):
    code, out, err = run_cli(capsys, "validate", str(tmp_path / "nowhere"))
    assert code == 1
    assert "not found" in out + err
    assert "Traceback" not in out + err


def test_validate_crash_prone_values_give_problems_not_tracebacks(capsys, data_dir):
    # a row wider than the header, an ESR end-of-time date and a non-UTF-8 file
    (data_dir / "exit_stay_reasons.csv").write_text(
        "record_id,kind,date,category\nX1,leaving,2023-01-01,Other,extra\n")
    path = data_dir / "staff_spells.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "end_date"] = "31/12/4712"
    df.to_csv(path, index=False)
    (data_dir / "pdsa_cycles.csv").write_bytes("cycle_id\nCafé\n".encode("cp1252"))
    code, out, err = run_cli(capsys, "validate", str(data_dir))
    assert code == 1
    assert "Traceback" not in out + err
    assert "exit_stay_reasons.csv" in out and "pdsa_cycles.csv" in out
    assert "staff_spells.csv, row 2, column 'end_date'" in out


@pytest.mark.parametrize("bad", ["2023-13-45", "31/12/2023", "2023-1-5", "yesterday",
                                 "2023-02-29"])
def test_bad_extract_date_is_a_usage_error(capsys, data_dir, bad):
    err = usage_error(capsys, "validate", str(data_dir), "--extract-date", bad)
    assert "--extract-date" in err and bad in err
    assert "Traceback" not in err


def test_validate_dates_after_extract_date(capsys, data_dir):
    code, out, _ = run_cli(capsys, "validate", str(data_dir), "--extract-date", "2021-01-01")
    assert code == 1
    assert "after the extract date (2021-01-01)" in out


# ---------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------
def test_metrics_writes_the_contract_columns(capsys, data_dir, tmp_path):
    out_csv = tmp_path / "out" / "monthly.csv"
    code, out, _ = run_cli(capsys, "metrics", str(data_dir), "--extract-date", "2024-12-31",
                           "--out", str(out_csv))
    assert code == 0
    table = pd.read_csv(out_csv, dtype={"month": str})
    assert list(table.columns) == list(CORE_COLUMNS)
    assert table.columns[0] == "month"
    # templates: first spell starts 2019-04-01; extract 2024-12 -> 69 months
    assert table["month"].iloc[0] == "2019-04" and table["month"].iloc[-1] == "2024-12"
    assert len(table) == 69
    assert table["month"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert "69 rows" in out


@pytest.mark.parametrize("by", ["team", "staff_group"])
def test_metrics_by_group_puts_the_group_column_second(capsys, data_dir, tmp_path, by):
    out_csv = tmp_path / f"by_{by}.csv"
    code, _, _ = run_cli(capsys, "metrics", str(data_dir), "--by", by, "--out", str(out_csv))
    assert code == 0
    table = pd.read_csv(out_csv)
    assert list(table.columns[:2]) == ["month", by]
    assert list(table.columns[2:len(CORE_COLUMNS) + 1]) == list(CORE_COLUMNS[1:])


def test_metrics_on_bad_data_exits_1_and_writes_nothing(capsys, data_dir, tmp_path):
    path = data_dir / "absence_episodes.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "reason_code"] = "S77"
    df.to_csv(path, index=False)
    out_csv = tmp_path / "monthly.csv"
    code, out, err = run_cli(capsys, "metrics", str(data_dir), "--out", str(out_csv))
    assert code == 1
    assert "absence_episodes.csv, row 2, column 'reason_code'" in err
    assert "Traceback" not in out + err
    assert not out_csv.exists()


def test_metrics_missing_folder_and_bad_by(capsys, tmp_path):
    code, out, err = run_cli(capsys, "metrics", str(tmp_path / "nowhere"), "--out",
                             str(tmp_path / "x.csv"))
    assert code == 1 and "Traceback" not in out + err
    usage_error(capsys, "metrics", str(tmp_path), "--by", "band", "--out", "x.csv")
    usage_error(capsys, "metrics", str(tmp_path))  # --out is required


# ---------------------------------------------------------------------------
# templates and demo-data
# ---------------------------------------------------------------------------
def test_templates_command(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "templates", str(tmp_path / "new"))
    assert code == 0
    written = sorted(p.name for p in (tmp_path / "new").iterdir())
    assert "data_dictionary.md" in written
    for name in CORE_TABLES:
        assert f"{name}.csv" in written
        assert f"{name}.csv" in out


def test_demo_data_is_deterministic(capsys, tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert run_cli(capsys, "demo-data", str(a), "--seed", "7")[0] == 0
    assert run_cli(capsys, "demo-data", str(b), "--seed", "7")[0] == 0
    assert run_cli(capsys, "demo-data", str(c), "--seed", "8")[0] == 0
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert {"staff_spells.csv", "absence_episodes.csv", "truth.json"} <= set(names)
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert mismatch == [] and errors == []
    _, differ, _ = filecmp.cmpfiles(a, c, ["staff_spells.csv", "absence_episodes.csv"],
                                    shallow=False)
    assert differ == ["staff_spells.csv", "absence_episodes.csv"]


def test_validate_piped_into_head_stops_quietly(tmp_path):
    """`wellbeing validate DIR | head -1` ends without a BrokenPipe traceback."""
    import subprocess
    import sys

    folder = tmp_path / "bad"
    write_examples(folder, with_dictionary=False)
    spells = folder / "staff_spells.csv"
    lines = spells.read_text().splitlines()
    # many bad rows, so the output is longer than what `head` reads
    rows = [lines[1].replace("1.0", "lots").replace("E1001", f"E{9000 + i}") for i in range(400)]
    spells.write_text("\n".join([lines[0], *rows]) + "\n")
    wellbeing = [sys.executable, "-c", "import sys; from wellbeing_analysis.cli import main; "
                 "sys.exit(main())"]
    cmd = subprocess.Popen([*wellbeing, "validate", str(folder), "--all"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = cmd.stdout.readline()
    cmd.stdout.close()  # the reader goes away, as `head` does
    err = cmd.stderr.read().decode()
    cmd.wait(timeout=60)
    assert first
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_csv_output_neutralises_formula_cells(tmp_path, capsys):
    """Team names a spreadsheet would run as formulas are written as text (OWASP)."""
    import pandas as pd

    folder = tmp_path / "svc"
    write_examples(folder, with_dictionary=False)
    spells = pd.read_csv(folder / "staff_spells.csv", dtype=str, keep_default_na=False)
    spells["team"] = ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1+1"][: len(spells)] + \
        ["-2"] * max(0, len(spells) - 3)
    spells.to_csv(folder / "staff_spells.csv", index=False)
    out = tmp_path / "monthly.csv"
    from wellbeing_analysis.cli import main

    assert main(["metrics", str(folder), "--by", "team", "--out", str(out)]) == 0
    written = pd.read_csv(out, dtype=str)
    teams = set(written["team"])
    assert teams <= {"'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'+1+1", "'-2"}
    assert not any(t[:1] in "=+-@" for t in teams)


def test_help_does_not_import_the_statistics_stack():
    """`wellbeing --help` (and building any sub-command's flags from the options
    dataclasses) imports neither statsmodels, scipy.stats nor matplotlib: the its and spc
    packages load their public names on first use."""
    import subprocess
    import sys

    code = ("import sys; sys.argv = ['wellbeing', '--help']\n"
            "from wellbeing_analysis.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('statsmodels', 'scipy.stats', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_lazy_package_faces_give_every_public_name():
    import wellbeing_analysis.its as its
    import wellbeing_analysis.spc as spc

    for package in (its, spc):
        for name in package.__all__:
            assert getattr(package, name) is not None, (package.__name__, name)
        assert set(package.__all__) <= set(dir(package))
        # no submodule shares a public name (it would shadow the name once imported)
        folder = Path(package.__file__).parent
        assert not {p.stem for p in folder.glob("*.py")} & set(package.__all__)
