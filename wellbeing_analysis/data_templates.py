"""Data templates and the data dictionary, generated from the table schemas.

``data_templates/`` in the repository holds the output of :func:`write_templates`; a test
regenerates it and compares, so the templates cannot drift from what the loader checks.
Templates are headers only, so a template left in a data folder can never pass as a
service's data (an empty required table is refused; an empty optional one is absent); the
dictionary shows an example of every column, and :func:`write_examples` writes a small
filled-in example folder.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from wellbeing_analysis.constants import MAPPING_FILE
from wellbeing_analysis.schema import TABLES, TYPE_LABELS, Column, TableSchema, allowed_values

DICTIONARY_NAME = "data_dictionary.md"

#: The example mapping file: every line commented out, so that a templates folder used as a
#: data folder maps nothing until the user uncomments and edits it (docs/esr-export.md).
MAPPING_EXAMPLE = """\
# mapping.yaml: how this folder's files differ from the templates (optional).
# Uncomment and edit the parts you need; delete the rest. Headings and values are matched
# ignoring case and spaces. `wellbeing validate` lists every mapping applied, with row counts.
#
# staff_spells:
#   file: ESR staff in post.xlsx   # any name: .csv, .xlsx or .parquet
#   sheet: Data                    # a sheet name, or its position (0 = first sheet)
#   header_row: 3                  # 1-based; leave out to detect it below title rows
#   columns:                       # our column: the file's heading
#     staff_id: Assignment Number
#     team: Organisation
#     staff_group: Staff Group
#     band: Pay Band
#     fte: FTE
#     start_date: Assignment Start Date
#     end_date: Termination Date
#     leaving_reason: Reason for Leaving
#   values:                        # our column: {the file's value: ours}
#     staff_group:
#       Add Prof Scientific and Technic: Clinical/Counselling Psychologist
#       Administrative and Clerical: Admin and Clerical
#     team:
#       "123 IAPT North": North Step 2
#
# absence_episodes:
#   file: ESR absence.csv
#   encoding: cp1252               # a CSV not saved as UTF-8
#   columns:
#     staff_id: Assignment Number
#     start_date: Absence Start Date
#     end_date: Absence End Date
#     reason_code: Absence Reason  # 'S10 Anxiety/stress/...' is read as S10
"""


def template_csv(schema: TableSchema) -> str:
    """A table's template: the header only."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([c.name for c in schema.columns])
    return buf.getvalue()


def example_csv(schema: TableSchema) -> str:
    """A table filled with the schema's example rows (a valid, tiny example)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = schema.columns
    writer.writerow([c.name for c in columns])
    n_rows = max(len(c.examples) for c in columns)
    for i in range(n_rows):
        writer.writerow([c.examples[i] if i < len(c.examples) else "" for c in columns])
    return buf.getvalue()


def _allowed_text(column: Column) -> str:
    if column.allowed_note:
        return column.allowed_note
    values = allowed_values(column)
    if values:
        return "; ".join(f"`{v}`" for v in values)
    rng = column.range_text()
    return f"range {rng}" if rng else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def data_dictionary(tables: dict[str, TableSchema] | None = None) -> str:
    """The data dictionary as Markdown: every table and column, type, rules and example."""
    tables = tables or TABLES
    out = [
        "# Data dictionary",
        "",
        "Generated from `wellbeing_analysis/schema/` by `wellbeing templates data_templates`; "
        "do not edit by hand. Put one file per table in a service's data folder, named as "
        "below (`.csv` in UTF-8, `.xlsx` or `.parquet`), or name your own files and headings "
        "in `mapping.yaml` (docs/esr-export.md). Dates may be `YYYY-MM-DD`, `DD/MM/YYYY`, "
        "`DD-Mon-YYYY` or `DD Mon YYYY`. "
        "Required tables must be present; the others are used when present. "
        "`wellbeing validate DATA_DIR` checks a folder and lists every problem with its "
        "file, row and column. The template files are headers only: put the extract's rows "
        "under the header; the examples below show what each column holds.",
        "",
    ]
    for schema in tables.values():
        need = "required" if schema.required else "optional"
        out += [f"## `{schema.filename}` ({need})", "", schema.description, ""]
        for note in schema.notes:
            out += [f"- {note}"]
        if schema.notes:
            out.append("")
        out += ["| column | type | column required | blank allowed | allowed values | meaning | example |",
                "|---|---|---|---|---|---|---|"]
        for c in schema.columns:
            example = next((e for e in c.examples if e), "")
            out.append(
                f"| `{c.name}` | {TYPE_LABELS[c.type]} | {'yes' if c.required else 'no'} | "
                f"{'yes' if c.nullable else 'no'} | {_cell(_allowed_text(c))} | "
                f"{_cell(c.description)} | {_cell(example)} |")
        if schema.extra_columns_pattern and schema.extra_column is not None:
            ec = schema.extra_column
            out += ["", f"Further columns whose names match `{schema.extra_columns_pattern}` are "
                    f"accepted: {ec.description} ({TYPE_LABELS[ec.type]}"
                    + (f", {_allowed_text(ec)}" if _allowed_text(ec) else "") + ")."]
        out.append("")
    return "\n".join(out)


def template_files() -> list[str]:
    """The names :func:`write_templates` writes."""
    return [schema.filename for schema in TABLES.values()] + [DICTIONARY_NAME, MAPPING_FILE]


def write_templates(out_dir: str | Path, *, with_dictionary: bool = True) -> list[Path]:
    """Write one header-only template CSV per table (and the dictionary) into ``out_dir``."""
    return _write(out_dir, template_csv, with_dictionary)


def write_examples(out_dir: str | Path, *, with_dictionary: bool = False) -> list[Path]:
    """Write one example CSV per table (the schema's example rows: valid data) into
    ``out_dir``: a tiny filled-in folder to see what the templates expect."""
    return _write(out_dir, example_csv, with_dictionary)


def _write(out_dir: str | Path, render, with_dictionary: bool) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for schema in TABLES.values():
        path = out_dir / schema.filename
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    if with_dictionary:
        path = out_dir / DICTIONARY_NAME
        path.write_text(data_dictionary(), encoding="utf-8")
        written.append(path)
        path = out_dir / MAPPING_FILE
        path.write_text(MAPPING_EXAMPLE, encoding="utf-8")
        written.append(path)
    return written
