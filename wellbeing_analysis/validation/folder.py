"""Validating a service's data folder: every table read, parsed and checked, every problem
collected at once."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from wellbeing_analysis.constants import ROW_LEVEL_TABLES
from wellbeing_analysis.errors import (
    PROBLEMS_SHOWN_PER_RULE,
    empty_problems,
    format_problems,
    problems_frame,
)
from wellbeing_analysis.schema import TABLES, TableSchema
from wellbeing_analysis.validation import monthly as monthly_checks
from wellbeing_analysis.validation import surveys as survey_checks
from wellbeing_analysis.validation import tables as table_checks
from wellbeing_analysis.validation.mapping import load_mapping, read_mapped
from wellbeing_analysis.validation.parsing import parse_table
from wellbeing_analysis.validation.reading import ROW, FileInfo, find_table_file, sha256_file
from wellbeing_analysis.validation.record import format_record, record_frame


@dataclass
class ValidationReport:
    """Outcome of validating a data folder: every problem, the parsed tables and provenance."""

    data_dir: Path
    extract_date: pd.Timestamp | None
    extract_date_inferred: bool
    problems: pd.DataFrame = field(default_factory=empty_problems)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, FileInfo] = field(default_factory=dict)
    #: every mapping and normalisation applied (file, column, change, rows)
    record: pd.DataFrame = field(default_factory=record_frame)
    #: per table, each identifier column's (codes, distinct trimmed values) as parsing
    #: encoded it, aligned with the rows of ``tables`` (see ``parse_table``)
    keys: dict[str, dict] = field(default_factory=dict)

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "warning"]

    @property
    def ok(self) -> bool:
        return self.errors.empty

    def format(self, *, per_rule: int | None = PROBLEMS_SHOWN_PER_RULE) -> str:
        """Readable report: errors, then warnings (each kind capped at ``per_rule`` lines
        with a count of the rest; None: all), then a one-line verdict."""
        parts = []
        if not self.errors.empty:
            parts.append(f"{len(self.errors):,} problem(s):\n"
                         + format_problems(self.errors, per_rule=per_rule))
        if not self.warnings.empty:
            parts.append(f"{len(self.warnings):,} warning(s):\n"
                         + format_problems(self.warnings, per_rule=per_rule))
        if not self.record.empty:
            parts.append("Read with these mappings and normalisations:\n"
                         + format_record(self.record))
        tables = ", ".join(f"{k} ({v.rows} rows)" for k, v in self.files.items())
        date = self.extract_date.date() if self.extract_date is not None else "unknown"
        how = " (not given: latest date in the data)" if self.extract_date_inferred else ""
        parts.append(f"Checked {self.data_dir}: {tables or 'no tables'}; extract date {date}{how}.")
        parts.append("No problems found." if self.ok else "Fix the problems above and run again.")
        return "\n".join(parts)


#: Table-specific checks, run after every column parsed: f(parsed table, file label, context).
TABLE_CHECKS: dict[str, Callable[[pd.DataFrame, str, dict], pd.DataFrame]] = {
    "staff_spells": table_checks.check_staff_spells,
    "absence_episodes": table_checks.check_absence_episodes,
    "interventions": table_checks.check_interventions,
    "pdsa_cycles": table_checks.check_pdsa_cycles,
    "exit_stay_reasons": table_checks.check_exit_stay_reasons,
    "wellbeing_survey": survey_checks.check_wellbeing_survey,
    "pulse_survey": survey_checks.check_pulse_survey,
    "staff_survey_results": survey_checks.check_staff_survey_results,
    "joy_tallies": survey_checks.check_joy_tallies,
    "monthly_workforce": monthly_checks.check_monthly_workforce,
}


def _dates_after(df: pd.DataFrame, schema: TableSchema, label: str,
                 extract: pd.Timestamp, message: str | None = None) -> pd.DataFrame:
    """Dates later than ``extract`` (the extract date, or today when none was given)."""
    message = message or f"date is after the extract date ({extract.date()})"
    problems = [empty_problems()]
    for column in schema.columns:
        if column.type == "date" and column.name in df:
            late = df[column.name] > extract
            if late.any():
                problems.append(problems_frame(
                    label, df.loc[late, ROW], column.name,
                    df.loc[late, column.name].dt.strftime("%Y-%m-%d"), message))
    return pd.concat(problems, ignore_index=True)


def _in_background(func: Callable, *args) -> Future:
    """``func(*args)`` started on a thread of its own: for work that releases the GIL
    (reading and hashing a file) beside the typing of a table."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(func, *args)
    pool.shutdown(wait=False)  # the thread ends with its one task
    return future


def latest_date(tables: dict[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The latest date in any date column (used when no extract date is given)."""
    latest = [df[c].max() for name, df in tables.items() for c in df
              if c != ROW and pd.api.types.is_datetime64_any_dtype(df[c]) and df[c].notna().any()]
    return max(latest) if latest else None


def validate_folder(
    data_dir: str | Path,
    *,
    extract_date: str | pd.Timestamp | None = None,
    tables: tuple[str, ...] | None = None,
) -> ValidationReport:
    """Validate every table present in ``data_dir`` and return all problems at once.

    ``extract_date`` is the date the extract was taken: open spells and ongoing episodes
    run to it and no date may be after it. When not given, the latest date in the data is
    used (and the report says so).
    """
    data_dir = Path(data_dir)
    wanted = tables or tuple(TABLES)
    given = pd.Timestamp(extract_date) if extract_date is not None else None
    report = ValidationReport(data_dir=data_dir, extract_date=given,
                              extract_date_inferred=given is None)
    problems = [empty_problems()]
    if not data_dir.is_dir():
        report.problems = problems_frame(str(data_dir), None, None, None,
                                         "data folder not found")
        return report
    parsed: dict[str, pd.DataFrame] = {}
    #: per table, each identifier column's (codes, distinct values), shared by the checks
    keys: dict[str, dict] = {}
    mapping, mapping_problems = load_mapping(data_dir)
    problems.append(mapping_problems)
    record: list = []
    # a folder with only the trust's monthly figures needs no row-level HR tables
    aggregate = monthly_checks.is_aggregate_folder(data_dir)
    for name in wanted:
        schema = TABLES[name]
        tm = mapping.get(name)
        path = find_table_file(data_dir, schema, tm.file if tm is not None else None)
        if path is None:
            if schema.required and not (aggregate and name in ROW_LEVEL_TABLES):
                other = (" (or, without staff-level data, give the trust's monthly figures "
                         "as monthly_workforce.csv)" if name in ROW_LEVEL_TABLES else "")
                problems.append(problems_frame(schema.filename, None, None, None,
                                               f"required table {schema.filename} is missing "
                                               f"from {data_dir}{other}"))
            continue
        if aggregate and name in ROW_LEVEL_TABLES:  # a blank template beside the figures
            problems.append(problems_frame(
                path.name, None, None, None, "blank template ignored: the service's figures "
                "come from monthly_workforce", severity="warning"))
            continue
        raw, read_problems = read_mapped(path, schema, tm, record)
        pa.default_memory_pool().release_unused()  # what the reader no longer holds
        problems.append(read_problems)
        if not path.is_file():
            continue
        if raw is None:
            report.files[name] = FileInfo(name, path, sha256_file(path), 0)
            continue
        checksum = _in_background(sha256_file, path)  # hashed on another core meanwhile
        table_keys: dict = {}
        table, table_problems = parse_table(raw, schema, label=path.name, record=record,
                                            keys=table_keys, release=True)
        report.files[name] = FileInfo(name, path, checksum.result(), len(raw))
        del raw  # the text cells are not needed once typed: their memory goes back
        pa.default_memory_pool().release_unused()
        problems.append(table_problems)
        if table.empty and not schema.required:
            continue  # a header-only optional table is absent (the warning says so)
        parsed[name] = table
        keys[name] = table_keys

    inferred = [d for d in (latest_date(parsed), monthly_checks.latest_month_end(parsed))
                if d is not None]
    extract = given if given is not None else (max(inferred) if inferred else None)
    report.extract_date = extract
    ctx = {"extract_date": extract if extract is not None else pd.Timestamp.max,
           "tables": parsed, "keys": keys}
    for name, table in parsed.items():
        label = report.files[name].path.name
        if given is not None:
            problems.append(_dates_after(table, TABLES[name], label, given))
        else:  # a typo such as 2202 would otherwise become the extract date
            today = pd.Timestamp.today().normalize()
            problems.append(_dates_after(
                table, TABLES[name], label, today,
                f"date is in the future (after today, {today.date()}): check for a typo, or "
                "give the extract date"))
        check = TABLE_CHECKS.get(name)
        if check is not None and not table.empty:
            problems.append(check(table, label, ctx))
    report.problems = pd.concat(problems, ignore_index=True)
    report.tables = parsed
    report.keys = keys
    report.record = record_frame(record)
    return report

