"""Data templates and data dictionary: generated from the schemas, so they cannot drift."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from wellbeing_analysis.data_templates import (
    DICTIONARY_NAME,
    data_dictionary,
    write_examples,
    write_templates,
)
from wellbeing_analysis.schema import TABLES
from wellbeing_analysis.validation import validate_folder

COMMITTED = Path(__file__).resolve().parents[1] / "data_templates"
REGENERATE = "regenerate with: wellbeing templates data_templates"


def test_committed_templates_equal_fresh_output(tmp_path):
    write_templates(tmp_path)
    fresh = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in COMMITTED.iterdir() if p.is_file()}
    assert sorted(committed) == sorted(fresh), REGENERATE
    for name, content in fresh.items():
        assert committed[name] == content, f"data_templates/{name} is stale: {REGENERATE}"


def test_one_template_per_table_with_the_schema_header():
    for name, schema in TABLES.items():
        path = COMMITTED / f"{name}.csv"
        assert path.is_file(), f"no template for {name}"
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows == [list(schema.column_names)], f"{name}: a template is its header only"


def test_templates_can_never_pass_as_a_services_data(tmp_path):
    """A template left in a data folder is never read as data: a folder of templates is
    refused (no staff spells), and beside real HR files the other templates add no rows."""
    report = validate_folder(COMMITTED)
    assert not report.ok
    assert "no data rows" in report.errors.set_index("file").loc["staff_spells.csv", "problem"]
    write_examples(tmp_path)  # stands for a service's own HR files
    for name in TABLES:
        if name not in ("staff_spells", "absence_episodes"):
            (tmp_path / f"{name}.csv").write_bytes((COMMITTED / f"{name}.csv").read_bytes())
    mixed = validate_folder(tmp_path)
    assert mixed.ok, mixed.format()
    assert set(mixed.tables) == {"staff_spells", "absence_episodes"}  # the rest is absent


def test_examples_validate_without_errors(tmp_path):
    report = validate_folder(write_examples(tmp_path)[0].parent)
    assert report.ok, report.format()
    assert set(report.tables) == set(TABLES)


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## `([^`]+)\.csv` \((?:required|optional)\)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_schema_column_is_in_the_dictionary_under_its_table():
    text = (COMMITTED / DICTIONARY_NAME).read_text(encoding="utf-8")
    assert text == data_dictionary()
    sections = _sections(text)
    assert list(sections) == list(TABLES)
    for name, schema in TABLES.items():
        rows = [line for line in sections[name].splitlines() if line.startswith("| `")]
        documented = [re.match(r"\| `([^`]+)`", line).group(1) for line in rows]
        assert documented == list(schema.column_names), name
        need = "(required)" if schema.required else "(optional)"
        assert f"## `{name}.csv` {need}" in text


@pytest.mark.parametrize("table,column,expected", [
    ("staff_spells", "fte", "(0, 1.5]"),
    ("staff_spells", "leaving_reason", "esr_reasons_for_leaving.csv"),
    ("absence_episodes", "reason_code", "esr_sickness_absence_reasons.csv"),
    ("absence_episodes", "start_date", "YYYY-MM-DD, DD/MM/YYYY, DD-Mon-YYYY or DD Mon YYYY"),
    ("pdsa_cycles", "decision", "`adopt`; `adapt`; `abandon`"),
])
def test_dictionary_rows_state_type_rules_and_example(table, column, expected):
    section = _sections(data_dictionary())[table]
    line = next(x for x in section.splitlines() if x.startswith(f"| `{column}` |"))
    assert expected in line
    cells = [c.strip() for c in line.strip("|").split(" | ")]
    assert len(cells) == 7  # column, type, required, blank allowed, allowed, meaning, example
    assert cells[2] in ("yes", "no") and cells[3] in ("yes", "no")
    # the example is the first non-blank example of the schema
    example = next(e for e in TABLES[table].column(column).examples if e)
    assert cells[6] == example


def test_required_and_blank_flags_match_the_schema():
    section = _sections(data_dictionary())["staff_spells"]
    end = next(x for x in section.splitlines() if x.startswith("| `end_date` |"))
    staff = next(x for x in section.splitlines() if x.startswith("| `staff_id` |"))
    assert "| yes | yes |" in end     # column required, blank allowed (open spell)
    assert "| yes | no |" in staff    # column required, never blank


def test_templates_command_writes_the_same_files(tmp_path):
    from wellbeing_analysis.cli import main

    assert main(["templates", str(tmp_path / "t")]) == 0
    for path in (tmp_path / "t").iterdir():
        assert path.read_bytes() == (COMMITTED / path.name).read_bytes()
