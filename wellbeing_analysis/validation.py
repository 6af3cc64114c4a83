"""Validate a service's data folder against the table schemas.

Every problem is collected (never just the first), each with the file, the row number as
a spreadsheet shows it (header = row 1), the column and the offending value. Rows are never
dropped or coerced silently: a value that cannot be read is a problem, and the load stops.
All checks are vectorised over rows.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import DATE_FORMATS, DATE_PATTERNS, EARLIEST_PLAUSIBLE_DATE
from wellbeing_analysis.errors import empty_problems, format_problems, problems_frame
from wellbeing_analysis.schema import (
    FALSE_VALUES,
    TABLES,
    TRUE_VALUES,
    Column,
    TableSchema,
    allowed_values,
    esr_leaving_reasons,
)

#: Name of the helper column carrying each row's spreadsheet row number.
ROW = "_row"
#: Excel writes dates read from XLSX as 'YYYY-MM-DD 00:00:00'; accepted from .xlsx files only.
_XLSX_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} 00:00:00$"
_ONE_DAY = pd.Timedelta(days=1)


@dataclass
class FileInfo:
    """Provenance of one input file."""

    table: str
    path: Path
    sha256: str
    rows: int


@dataclass
class ValidationReport:
    """Outcome of validating a data folder: every problem, the parsed tables and provenance."""

    data_dir: Path
    extract_date: pd.Timestamp | None
    extract_date_inferred: bool
    problems: pd.DataFrame = field(default_factory=empty_problems)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, FileInfo] = field(default_factory=dict)

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "warning"]

    @property
    def ok(self) -> bool:
        return self.errors.empty

    def format(self) -> str:
        """Readable report: all errors, then warnings, then a one-line verdict."""
        parts = []
        if not self.errors.empty:
            parts.append(f"{len(self.errors)} problem(s):\n" + format_problems(self.errors))
        if not self.warnings.empty:
            parts.append(f"{len(self.warnings)} warning(s):\n" + format_problems(self.warnings))
        tables = ", ".join(f"{k} ({v.rows} rows)" for k, v in self.files.items())
        date = self.extract_date.date() if self.extract_date is not None else "unknown"
        how = " (not given: latest date in the data)" if self.extract_date_inferred else ""
        parts.append(f"Checked {self.data_dir}: {tables or 'no tables'}; extract date {date}{how}.")
        parts.append("No problems found." if self.ok else "Fix the problems above and run again.")
        return "\n".join(parts)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def find_table_file(data_dir: Path, schema: TableSchema) -> Path | None:
    """The table's file in ``data_dir``: ``<name>.csv`` or ``<name>.xlsx`` (CSV preferred)."""
    for suffix in (".csv", ".xlsx"):
        path = data_dir / f"{schema.name}{suffix}"
        if path.is_file():
            return path
    return None


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes (provenance in every report)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_raw(path: Path) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Read a table as text cells, keeping spreadsheet row numbers in ``_row``.

    Accepts a UTF-8 BOM and blank lines (Excel writes trailing ones); blank rows carry no
    data and are skipped, but the remaining rows keep the numbers a spreadsheet shows.
    Returns (table or None, problems).
    """
    label = path.name
    if path.stat().st_size == 0:
        return None, problems_frame(label, None, None, None, "the file is empty")
    try:
        if path.suffix == ".xlsx":
            raw = pd.read_excel(path, dtype=str, keep_default_na=False)
            header = [str(c) for c in raw.columns]
        else:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), [])
            # header=None: the header line fixes the number of cells, so a data row with
            # more cells than the header is a read error rather than being silently turned
            # into an index that shifts every column (pandas' behaviour with header=0)
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                              encoding="utf-8-sig", header=None)
            raw = raw.iloc[1:].reset_index(drop=True)
    except UnicodeDecodeError as exc:
        return None, problems_frame(label, None, None, None,
                                    f"not UTF-8 text ({exc.reason}); save it as 'CSV UTF-8'")
    except pd.errors.EmptyDataError:  # before ValueError, of which it is a subclass
        return None, problems_frame(label, None, None, None, "the file is empty")
    except (pd.errors.ParserError, ValueError) as exc:
        return None, problems_frame(label, None, None, None,
                                    f"cannot be read: {str(exc).strip()}")
    header = [h.strip() for h in header]
    # Excel sometimes saves empty columns after the data: a column with no name and no
    # values holds nothing, so it is ignored (a nameless column with values is reported)
    raw.columns = range(raw.shape[1])
    empty = [i for i, h in enumerate(header) if h == "" and raw[i].fillna("").map(str).str.strip()
             .eq("").all()]
    if empty:
        raw = raw.drop(columns=empty)
        header = [h for i, h in enumerate(header) if i not in set(empty)]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        return None, problems_frame(label, [1] * len(dupes), None, dupes,
                                    "the column name appears more than once in the header")
    raw.columns = header
    raw = raw.fillna("")
    raw[ROW] = np.arange(len(raw)) + 2
    blank = raw.drop(columns=ROW).apply(_is_blank).all(axis=1)
    return raw.loc[~blank].reset_index(drop=True), empty_problems()


# ---------------------------------------------------------------------------
# Column parsing (vectorised)
# ---------------------------------------------------------------------------
def _per_unique(text: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``func`` applied to each distinct value once, then spread back over the rows.

    pandas' string methods run in Python per cell; an extract's columns repeat few values
    (dates, teams, codes), so this makes string work proportional to distinct values.
    """
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    result = func(pd.Series(uniques, dtype=text.dtype))
    return pd.Series(result.to_numpy()[codes], index=text.index, dtype=result.dtype)


def _strip(text: pd.Series) -> pd.Series:
    """``text.str.strip()``, computed once per distinct value."""
    return _per_unique(text, lambda u: u.str.strip())


def _is_blank(text: pd.Series) -> pd.Series:
    """True where a cell is empty or only spaces, computed once per distinct value."""
    return _per_unique(text, lambda u: u.str.strip() == "")


def _strip_codes(text: pd.Series) -> pd.Series:
    """Integer codes of the stripped cell values (equal codes = equal text after strip):
    cheap keys for finding duplicate rows."""
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    stripped_codes, _ = pd.factorize(pd.Series(uniques, dtype=text.dtype).str.strip(),
                                     use_na_sentinel=False)
    return pd.Series(stripped_codes[codes], index=text.index)


def _parse_dates(
    text: pd.Series, xlsx: bool
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    """Parse ISO and DD/MM/YYYY dates.

    Returns (dates, bad_format, impossible, too_early, too_late masks). A real calendar
    date that pandas cannot hold (before 1677 or after 2262, e.g. ESR's '31/12/4712'
    end-of-time marker or a mistyped year) is flagged too early / too late, never raised.
    Each distinct text is parsed once (a national extract has a few thousand dates).
    """
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    parts = _parse_distinct_dates(pd.Series(uniques, dtype=text.dtype), xlsx)
    return tuple(pd.Series(part.to_numpy()[codes], index=text.index, dtype=part.dtype)
                 for part in parts)


def _parse_distinct_dates(
    text: pd.Series, xlsx: bool
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    matched = pd.Series(False, index=text.index)
    too_early = pd.Series(False, index=text.index)
    too_late = pd.Series(False, index=text.index)
    lo, hi = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    patterns = list(zip(DATE_PATTERNS, DATE_FORMATS, strict=True))
    if xlsx:
        patterns.append((_XLSX_DATETIME, "%Y-%m-%d 00:00:00"))
    for pattern, fmt in patterns:
        m = text.str.match(pattern)
        if m.any():
            parsed = pd.to_datetime(text[m], format=fmt, errors="coerce")
            early, late = parsed < lo, parsed > hi  # NaT compares False
            too_early[m], too_late[m] = early, late
            out[m] = parsed.where(~(early | late)).astype("datetime64[ns]")
        matched |= m
    nonblank = text != ""
    bad_format = nonblank & ~matched
    impossible = matched & out.isna() & ~too_early & ~too_late
    return out, bad_format, impossible, too_early, too_late


def parse_column(
    text: pd.Series, column: Column, *, label: str, rows: pd.Series, xlsx: bool = False
) -> tuple[pd.Series, pd.DataFrame]:
    """Convert one text column to its type; returns (values, problems)."""
    problems = []
    stripped = text if column.type == "free_text" else _strip(text)
    blank = stripped == ""

    def flag(mask: pd.Series, message: str | pd.Series) -> None:
        if mask.any():
            msg = message[mask] if isinstance(message, pd.Series) else message
            problems.append(problems_frame(label, rows[mask], column.name, text[mask], msg))

    if not column.nullable:
        flag(blank, "a value is required here but the cell is blank")

    kind = column.type
    if kind == "date":
        values, bad_format, impossible, too_early, too_late = _parse_dates(stripped, xlsx)
        flag(bad_format, "not a date: use YYYY-MM-DD or DD/MM/YYYY")
        flag(impossible, "impossible date (no such day in the calendar)")
        flag((values < pd.Timestamp(EARLIEST_PLAUSIBLE_DATE)) | too_early,
             f"implausible date (before {EARLIEST_PLAUSIBLE_DATE})")
        flag(too_late, "implausible date (too far in the future; leave an end date blank "
             "for an open spell or ongoing episode)")
    elif kind in ("number", "integer"):
        values = pd.to_numeric(stripped.where(~blank), errors="coerce").astype("float64")
        not_number = ~blank & (values.isna() | ~np.isfinite(values.fillna(0.0)))
        flag(not_number, "not a number")
        if kind == "integer":
            flag(~blank & ~not_number & (values % 1 != 0), "not a whole number")
        values = values.where(~not_number)
        lo, hi = column.minimum, column.maximum
        ok = values.notna()
        if lo is not None:
            below = ok & ((values < lo) if column.minimum_inclusive else (values <= lo))
            flag(below, f"outside the allowed range {column.range_text()}")
        if hi is not None:
            above = ok & ((values > hi) if column.maximum_inclusive else (values >= hi))
            flag(above, f"outside the allowed range {column.range_text()}")
        if kind == "integer":
            values = values.round().astype("Int64")
    elif kind == "code":
        allowed = allowed_values(column)
        values = stripped.where(~blank)
        if allowed is not None:
            unknown = ~blank & ~stripped.isin(allowed)
            shown = ", ".join(allowed) if len(allowed) <= 16 else f"{len(allowed)} values listed in the data dictionary"
            flag(unknown, f"not an allowed value (allowed: {shown})")
    elif kind == "boolean":
        low = stripped.str.lower()
        is_true, is_false = low.isin(TRUE_VALUES), low.isin(FALSE_VALUES)
        flag(~blank & ~is_true & ~is_false, "not yes/no (use true/false, yes/no or 1/0)")
        values = pd.Series(pd.NA, index=text.index, dtype="boolean")
        values[is_true] = True
        values[is_false] = False
    else:  # id, text, free_text
        values = stripped.where(~blank).astype("object")
    return values, (pd.concat(problems, ignore_index=True) if problems else empty_problems())


def parse_table(raw: pd.DataFrame, schema: TableSchema, *, label: str,
                xlsx: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check the header, convert every column and apply the table's generic row rules."""
    problems = [empty_problems()]
    present = [c for c in raw.columns if c != ROW]
    missing = [c.name for c in schema.columns if c.required and c.name not in present]
    if missing:
        for name in missing:
            problems.append(problems_frame(label, [1], name, None,
                                           "required column is missing from the header"))
    known = set(schema.column_names)
    extra = [c for c in present if c not in known]
    if schema.extra_columns_pattern:
        extra_ok = [c for c in extra if pd.Series([c]).str.fullmatch(schema.extra_columns_pattern)[0]]
    else:
        extra_ok = []
    unknown = [c for c in extra if c not in extra_ok]
    if unknown:
        for name in unknown:
            problems.append(problems_frame(
                label, [1], name, None,
                "unknown column (check the spelling against the data dictionary, or remove it)"))
    if raw.empty:
        # an optional table with no rows yet (e.g. no PDSA cycles) is not an error
        problems.append(problems_frame(label, None, None, None,
                                       "the file has a header but no data rows",
                                       severity="error" if schema.required else "warning"))

    rows = raw[ROW]
    parsed = pd.DataFrame({ROW: rows})
    specs = [c for c in schema.columns if c.name in present]
    if schema.extra_column is not None:
        specs += [Column(**{**schema.extra_column.__dict__, "name": c}) for c in extra_ok]
    for column in specs:
        values, col_problems = parse_column(raw[column.name], column, label=label, rows=rows,
                                            xlsx=xlsx)
        parsed[column.name] = values
        problems.append(col_problems)
    for column in schema.columns:  # absent optional columns become all-blank
        if column.name not in parsed:
            parsed[column.name] = pd.Series(
                pd.NA, index=parsed.index,
                dtype="datetime64[ns]" if column.type == "date" else "object")

    # duplicate rows (identical in every cell)
    data_cols = [c for c in present if c in parsed]
    if data_cols and len(raw) > 1:
        norm = raw[data_cols].apply(_strip_codes)
        dup = norm.duplicated(keep="first")
        if dup.any():
            first_row = rows.groupby([norm[c] for c in data_cols], sort=False).transform("first")
            problems.append(problems_frame(label, rows[dup], None, None,
                                           "duplicate row: identical to row "
                                           + first_row[dup].astype(str)))
    for start, end in schema.date_order:
        if start in present and end in present:
            bad = parsed[end] < parsed[start]
            if bad.any():
                problems.append(problems_frame(
                    label, rows[bad], end, raw.loc[bad, end],
                    "end date is before the start date (" + raw.loc[bad, start] + ")"))
    return parsed, pd.concat(problems, ignore_index=True)


# ---------------------------------------------------------------------------
# Table-specific and cross-table checks
# ---------------------------------------------------------------------------
def employment_periods(spells: pd.DataFrame, extract_date: pd.Timestamp) -> pd.DataFrame:
    """Continuous periods of service per staff ID: spells chained when one starts the day
    after (or before) the previous ends. Open spells run to ``extract_date``.

    Returns one row per spell with ``period_start`` and ``period_end`` of its chain.
    """
    s = spells[["staff_id", "start_date", "end_date"]].copy()
    s["end_eff"] = s["end_date"].fillna(extract_date)
    s = s.sort_values(["staff_id", "start_date"], kind="stable")
    prev_end = s.groupby("staff_id", sort=False)["end_eff"].cummax().groupby(s["staff_id"]).shift()
    new_chain = prev_end.isna() | (s["start_date"] > prev_end + _ONE_DAY)
    chain = new_chain.cumsum()
    s["period_start"] = s.groupby(chain)["start_date"].transform("min")
    s["period_end"] = s.groupby(chain)["end_eff"].transform("max")
    s["period_id"] = chain
    return s.sort_index()


def _latest_earlier(
    ends: pd.Series, rows: pd.Series, ids: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """For rows sorted by (id, start): the latest end among the same ID's earlier rows, and
    the spreadsheet row holding it. A row overlaps an earlier one exactly when it starts on or
    before that end (comparing with the previous row only would miss e.g. a third spell inside
    a long first one)."""
    run_max = ends.groupby(ids, sort=False).cummax()
    holder = rows.where(ends.eq(run_max)).groupby(ids, sort=False).ffill()
    return run_max.groupby(ids, sort=False).shift(), holder.groupby(ids, sort=False).shift()


def _overlaps(rows: pd.DataFrame, end: pd.Series, label: str, what: str) -> pd.DataFrame:
    """Rows (sorted by staff ID and start) that start on or before the latest end of an
    earlier row of the same staff ID: every overlap, not just with the previous row."""
    prev_end, prev_row = _latest_earlier(end, rows[ROW], rows["staff_id"])
    overlap = prev_end.notna() & (rows["start_date"] <= prev_end)
    if not overlap.any():
        return empty_problems()
    return problems_frame(
        label, rows.loc[overlap, ROW], "start_date",
        rows.loc[overlap, "start_date"].dt.strftime("%Y-%m-%d"),
        f"{what} overlaps another {what} of the same staff_id (row "
        + prev_row[overlap].astype("Int64").astype(str) + ")")


def check_staff_spells(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Overlapping spells for one staff ID; leavers without a reason (warning)."""
    problems = [empty_problems()]
    s = df.dropna(subset=["staff_id", "start_date"])
    s = s.sort_values(["staff_id", "start_date"], kind="stable")
    end_eff = s["end_date"].fillna(pd.Timestamp.max)
    problems.append(_overlaps(s, end_eff, label, "spell"))
    # a spell that ends with no spell the next day is a leaving; it should carry a reason
    next_start = s["start_date"].groupby(s["staff_id"]).shift(-1)
    leaves = s["end_date"].notna() & ~(next_start == s["end_date"] + _ONE_DAY)
    no_reason = leaves & s["leaving_reason"].isna()
    if no_reason.any():
        problems.append(problems_frame(
            label, s.loc[no_reason, ROW], "leaving_reason", None,
            "the staff member leaves the service here but no leaving reason is given "
            "(counted as an unknown reason, not as voluntary)", severity="warning"))
    return pd.concat(problems, ignore_index=True)


def check_absence_episodes(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Overlapping episodes for one staff ID; episodes outside every spell of that staff ID."""
    problems = [empty_problems()]
    extract = ctx["extract_date"]
    e = df.dropna(subset=["staff_id", "start_date"])
    e = e.assign(end_eff=e["end_date"].fillna(extract)).sort_values(
        ["staff_id", "start_date"], kind="stable")
    problems.append(_overlaps(e, e["end_eff"], label, "episode"))

    spells = ctx.get("tables", {}).get("staff_spells")
    if spells is None or spells.empty:
        return pd.concat(problems, ignore_index=True)
    spells = spells.dropna(subset=["staff_id", "start_date"])
    periods = employment_periods(spells, extract)[["staff_id", "period_start", "period_end"]]
    periods = periods.drop_duplicates()
    m = e[[ROW, "staff_id", "start_date", "end_date", "end_eff"]].merge(
        periods, on="staff_id", how="left")
    starts_in = (m["start_date"] >= m["period_start"]) & (m["start_date"] <= m["period_end"])
    ends_in = m["end_eff"] <= m["period_end"]
    flags = {
        "known": m["period_start"].notna(),
        "inside": starts_in & ends_in,
        "starts_in": starts_in,
        "ongoing_after_leaving": starts_in & ~ends_in & m["end_date"].isna(),
    }
    # any() per episode row over its periods; bincount is ~10x faster than groupby().any()
    codes, episode_rows = pd.factorize(m[ROW], sort=True)
    status = pd.DataFrame(
        {name: np.bincount(codes, weights=flag.to_numpy(dtype=float),
                           minlength=len(episode_rows)) > 0 for name, flag in flags.items()},
        index=pd.Index(episode_rows, name=ROW))
    e_idx = e.set_index(ROW)
    unknown = status.index[~status["known"]]
    if len(unknown):
        problems.append(problems_frame(label, unknown, "staff_id", e_idx.loc[unknown, "staff_id"],
                                       "this staff_id has no spell in staff_spells"))
    outside = status.index[status["known"] & ~status["inside"] & ~status["ongoing_after_leaving"]]
    if len(outside):
        problems.append(problems_frame(
            label, outside, "start_date", e_idx.loc[outside, "start_date"].dt.strftime("%Y-%m-%d"),
            "the episode falls (partly) outside every spell of this staff_id in staff_spells"))
    after = status.index[status["ongoing_after_leaving"] & ~status["inside"]]
    if len(after):
        problems.append(problems_frame(
            label, after, "end_date", None,
            "ongoing episode for a staff member who has left: days after leaving are not "
            "counted; close the episode", severity="warning"))
    return pd.concat(problems, ignore_index=True)


def _unique_ids(df: pd.DataFrame, label: str, column: str) -> pd.DataFrame:
    dup = df[column].notna() & df[column].duplicated(keep="first")
    if not dup.any():
        return empty_problems()
    return problems_frame(label, df.loc[dup, ROW], column, df.loc[dup, column],
                          f"{column} must be unique but this value appears earlier in the file")


def check_interventions(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Intervention IDs are unique."""
    return _unique_ids(df, label, "intervention_id")


def check_pdsa_cycles(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Cycle IDs unique; interventions exist; a rebase has a reason."""
    problems = [_unique_ids(df, label, "cycle_id")]
    interventions = ctx.get("tables", {}).get("interventions")
    known = set() if interventions is None else set(interventions["intervention_id"].dropna())
    bad = df["intervention_id"].notna() & ~df["intervention_id"].isin(known)
    if bad.any():
        problems.append(problems_frame(label, df.loc[bad, ROW], "intervention_id",
                                       df.loc[bad, "intervention_id"],
                                       "no intervention with this ID in interventions"))
    rebase = df["rebase_at_start"].fillna(False).astype(bool)
    no_reason = rebase & df["rebase_reason"].isna()
    if no_reason.any():
        problems.append(problems_frame(label, df.loc[no_reason, ROW], "rebase_reason", None,
                                       "a rebase needs a reason: say which sustained signal "
                                       "justifies new limits"))
    return pd.concat(problems, ignore_index=True)


# ---------------------------------------------------------------------------
# Survey tables (issue 5)
# ---------------------------------------------------------------------------
from wellbeing_analysis.constants import HEADER_ROW_NUMBER  # noqa: E402
from wellbeing_analysis.instruments import definitions as _instruments  # noqa: E402


def survey_item_columns(columns, instrument: _instruments.Instrument) -> list[str]:
    """The columns among ``columns`` that are item columns of ``instrument``."""
    accepted = set(instrument.all_columns)
    return [c for c in columns if c in accepted]


def coding_problems(
    codings: pd.Series | None,
    answered: pd.Series,
    rows: pd.Series,
    label: str,
    instrument: _instruments.Instrument,
    *,
    declared: str | None = None,
    check_values: bool = True,
) -> pd.DataFrame:
    """Problems with an instrument's declared response coding (vectorised over rows).

    ``codings`` is the instrument's coding column (e.g. ``olbi_coding``; None when the file
    has none), ``answered`` marks rows answering at least one of its items, ``declared`` a
    coding given for the whole file (the ``--coding`` option). A coding that is needed is
    never guessed: a row answering the items without a coding is a problem.
    """
    column = instrument.coding_column
    names = instrument.coding_names
    shown = ", ".join(names)
    if declared is not None and declared not in names:
        if not instrument.needs_declared_coding and len(names) == 1:
            msg = (f"{instrument.name} has a single response coding ({names[0]}); "
                   f"the coding {declared!r} does not apply to it")
        else:
            msg = f"unknown coding {declared!r} for {instrument.name} (use one of: {shown})"
        return problems_frame(label, None, None, None, msg)
    if not instrument.needs_declared_coding:
        return empty_problems()
    problems = [empty_problems()]
    if codings is None:
        if declared is None and answered.any():
            problems.append(problems_frame(
                label, [HEADER_ROW_NUMBER], column, None,
                f"{instrument.name} items are answered but their response coding is not "
                f"declared: add a '{column}' column ({shown}) or declare it (--coding)"))
        return pd.concat(problems, ignore_index=True)
    text = codings.astype("string").str.strip()
    blank = text.isna() | (text == "")
    if check_values:
        bad = ~blank & ~text.isin(names)
        if bad.any():
            problems.append(problems_frame(label, rows[bad], column, codings[bad],
                                           f"unknown response coding (use one of: {shown})"))
    if declared is None:
        missing = answered & blank
        if missing.any():
            problems.append(problems_frame(
                label, rows[missing], column, None,
                f"{instrument.name} items are answered on this row but the response coding "
                f"is blank: declare it ({shown}); it is never guessed"))
    else:
        conflict = ~blank & (text != declared)
        if conflict.any():
            problems.append(problems_frame(
                label, rows[conflict], column, codings[conflict],
                f"conflicts with the declared coding {declared!r}"))
    return pd.concat(problems, ignore_index=True)


def _wave_problems(df: pd.DataFrame, label: str, item_columns: list[str]) -> pd.DataFrame:
    """Waves with no answered item (error) and responses answering nothing (warning). Small
    waves are not flagged here: reports suppress them with the run's minimum group size."""
    problems = [empty_problems()]
    d = df.dropna(subset=["wave_date"])
    if d.empty:
        return empty_problems()
    answered = (d[item_columns].notna().any(axis=1) if item_columns
                else pd.Series(False, index=d.index))
    waves = pd.DataFrame({"wave": d["wave_date"], "row": d[ROW], "answered": answered})
    per_wave = waves.groupby("wave").agg(rows=("row", "size"), first=("row", "min"),
                                         last=("row", "max"), answered=("answered", "sum"))
    empty = per_wave[per_wave["answered"] == 0]
    if not empty.empty:
        problems.append(problems_frame(
            label, empty["first"], "wave_date", empty.index.strftime("%Y-%m-%d"),
            "this wave has no responses: none of its " + empty["rows"].astype(str)
            + " row(s) (rows " + empty["first"].astype(str) + "-" + empty["last"].astype(str)
            + ") answers any survey item"))
    nothing = ~answered & d["wave_date"].isin(per_wave.index[per_wave["answered"] > 0])
    if nothing.any():
        problems.append(problems_frame(label, d.loc[nothing, ROW], None, None,
                                       "this response answers no survey item; it is not scored",
                                       severity="warning"))
    return pd.concat(problems, ignore_index=True)


def check_wellbeing_survey(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Unique response IDs; declared OLBI coding wherever OLBI items are answered; waves with
    no responses. (Item ranges and unknown item columns are checked by the schema.)"""
    problems = [_unique_ids(df, label, "response_id")]
    item_columns: list[str] = []
    for name in _instruments.LOCAL_SURVEY_INSTRUMENTS:
        inst = _instruments.INSTRUMENTS[name]
        cols = survey_item_columns(df.columns, inst)
        item_columns += cols
        if inst.needs_declared_coding and cols:
            answered = df[cols].notna().any(axis=1)
            # an absent optional column arrives all blank: one problem for the file then
            codings = df[inst.coding_column] if df[inst.coding_column].notna().any() else None
            problems.append(coding_problems(codings, answered, df[ROW], label, inst,
                                            check_values=False))
    if "nps" in df and df["nps"].notna().any():
        item_columns.append("nps")
    problems.append(_wave_problems(df, label, item_columns))
    return pd.concat(problems, ignore_index=True)


def check_pulse_survey(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Unique response IDs; one question numbering per row; waves with no responses."""
    problems = [_unique_ids(df, label, "response_id")]
    item_columns = [c for c in _instruments.pulse_columns() if c in df.columns]
    by_year: dict[str, list[str]] = {}
    for c in item_columns:
        year = _instruments.nss_numbering_of_column(c)
        if year is not None:
            by_year.setdefault(year, []).append(c)
    if len(by_year) > 1:
        used = pd.DataFrame({y: df[cols].notna().any(axis=1) for y, cols in by_year.items()})
        mixed = used.sum(axis=1) > 1
        if mixed.any():
            years = used[mixed].apply(lambda r: ", ".join(r.index[r]), axis=1)
            problems.append(problems_frame(
                label, df.loc[mixed, ROW], None, None,
                "the row answers renumbered questions in more than one year's numbering ("
                + years + "): use the columns of one numbering per row"))
    problems.append(_wave_problems(df, label, item_columns))
    return pd.concat(problems, ignore_index=True)


def check_staff_survey_results(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Scores within 0-10; question numbers well formed; no duplicate results; pre-2021
    question rows cannot be matched across years (warning)."""
    problems = [empty_problems()]
    is_score = df["value_type"].eq("score")
    for column in ("value", "comparator_average", "comparator_best", "comparator_worst"):
        if column not in df:
            continue
        bad = is_score & (df[column] > 10)
        if bad.any():
            problems.append(problems_frame(label, df.loc[bad, ROW], column,
                                           df.loc[bad, column].astype(str),
                                           "a 'score' result must lie between 0 and 10 (use "
                                           "value_type 'percent_positive' for percentages)"))
    question = df["measure_type"].eq("question") & df["measure"].notna()
    measure = df["measure"].astype("string").str.strip()
    badq = question & ~measure.str.fullmatch(r"(?i)q\d+[a-z]?").fillna(False)
    if badq.any():
        problems.append(problems_frame(label, df.loc[badq, ROW], "measure",
                                       df.loc[badq, "measure"],
                                       "a question must be given by its number, e.g. 'q25c'"))
    early = question & ~badq & (df["year"] < int(_instruments.NSS_NUMBERINGS[0]))
    if early.any():
        problems.append(problems_frame(
            label, df.loc[early, ROW], "measure", df.loc[early, "measure"],
            f"question numbering before {_instruments.NSS_NUMBERINGS[0]} is not tabled: this "
            "row is shown for its year but not matched with other years' questions",
            severity="warning"))
    key = pd.DataFrame({"year": df["year"], "type": df["measure_type"],
                        "measure": measure.str.lower(),
                        "breakdown": df["breakdown"].astype("string").fillna("")})
    dup = key.duplicated(keep="first") & df["measure"].notna()
    if dup.any():
        problems.append(problems_frame(label, df.loc[dup, ROW], "measure",
                                       df.loc[dup, "measure"],
                                       "duplicate result: the same year, measure and breakdown "
                                       "appear earlier in the file"))
    return pd.concat(problems, ignore_index=True)


def check_joy_tallies(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Good days cannot exceed the total; one tally per team and week."""
    problems = [empty_problems()]
    over = df["good_days"] > df["total_days"]
    over = over.fillna(False).astype(bool)
    if over.any():
        problems.append(problems_frame(label, df.loc[over, ROW], "good_days",
                                       df.loc[over, "good_days"].astype(str),
                                       "more good days than marbles in total ("
                                       + df.loc[over, "total_days"].astype(str) + ")"))
    dup = df.duplicated(subset=["week_start", "team"], keep="first") & df["week_start"].notna()
    if dup.any():
        problems.append(problems_frame(label, df.loc[dup, ROW], "week_start",
                                       df.loc[dup, "week_start"].dt.strftime("%Y-%m-%d"),
                                       "a tally for this team and week appears earlier in the "
                                       "file; give one row per team and week"))
    return pd.concat(problems, ignore_index=True)


def check_exit_stay_reasons(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """One kind and date per record; a category given twice for a record is counted once
    (warning); 'voluntary' applies to leaving reasons only (warning)."""
    problems = [empty_problems()]
    d = df.dropna(subset=["record_id"])
    for column in ("kind", "date"):
        first = d.groupby("record_id")[column].transform("first")
        differs = d[column].notna() & first.notna() & (d[column] != first)
        if differs.any():
            shown = (d.loc[differs, column].dt.strftime("%Y-%m-%d") if column == "date"
                     else d.loc[differs, column])
            problems.append(problems_frame(label, d.loc[differs, ROW], column, shown,
                                           f"rows of one record_id must share one {column}"))
    dup = d.duplicated(subset=["record_id", "category"], keep="first") & d["category"].notna()
    if dup.any():
        problems.append(problems_frame(label, d.loc[dup, ROW], "category", d.loc[dup, "category"],
                                       "this record already gives this category; it is "
                                       "counted once", severity="warning"))
    stay_vol = d["kind"].eq("staying") & d["voluntary"].notna()
    if stay_vol.any():
        problems.append(problems_frame(label, d.loc[stay_vol, ROW], "voluntary", None,
                                       "'voluntary' applies to leaving reasons only; it is "
                                       "ignored on a staying reason", severity="warning"))
    return pd.concat(problems, ignore_index=True)


#: Table-specific checks, run after every column parsed: f(parsed table, file label, context).
TABLE_CHECKS: dict[str, Callable[[pd.DataFrame, str, dict], pd.DataFrame]] = {
    "staff_spells": check_staff_spells,
    "absence_episodes": check_absence_episodes,
    "interventions": check_interventions,
    "pdsa_cycles": check_pdsa_cycles,
    "exit_stay_reasons": check_exit_stay_reasons,
    "wellbeing_survey": check_wellbeing_survey,
    "pulse_survey": check_pulse_survey,
    "staff_survey_results": check_staff_survey_results,
    "joy_tallies": check_joy_tallies,
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
    for name in wanted:
        schema = TABLES[name]
        path = find_table_file(data_dir, schema)
        if path is None:
            if schema.required:
                problems.append(problems_frame(schema.filename, None, None, None,
                                               f"required table {schema.filename} is missing "
                                               f"from {data_dir}"))
            continue
        raw, read_problems = read_raw(path)
        problems.append(read_problems)
        report.files[name] = FileInfo(name, path, sha256_file(path),
                                      0 if raw is None else len(raw))
        if raw is None:
            continue
        table, table_problems = parse_table(raw, schema, label=path.name,
                                            xlsx=path.suffix == ".xlsx")
        problems.append(table_problems)
        parsed[name] = table

    extract = given if given is not None else latest_date(parsed)
    report.extract_date = extract
    ctx = {"extract_date": extract if extract is not None else pd.Timestamp.max,
           "tables": parsed}
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
    return report


def is_voluntary(reasons: pd.Series) -> pd.Series:
    """True where an ESR leaving reason is voluntary (our grouping, one table)."""
    mapping = esr_leaving_reasons().set_index("reason")["voluntary"]
    return reasons.map(mapping).fillna(False).astype(bool)
