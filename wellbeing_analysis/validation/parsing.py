"""Converting text columns to their schema types (vectorised), with every problem kept."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import DATE_FORMATS, DATE_PATTERNS, EARLIEST_PLAUSIBLE_DATE
from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.schema import FALSE_VALUES, TRUE_VALUES, Column, TableSchema, allowed_values
from wellbeing_analysis.validation.reading import ROW
from wellbeing_analysis.validation.text import strip, strip_codes

#: Excel writes dates read from XLSX as 'YYYY-MM-DD 00:00:00'; accepted from .xlsx files only.
_XLSX_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} 00:00:00$"


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
    stripped = text if column.type == "free_text" else strip(text)
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
        # an optional table with no rows yet (e.g. no PDSA cycles) is not an error, and nor
        # is a required one whose emptiness means something (no sickness absence at all)
        if schema.empty_means is not None:
            message, severity = f"the file has a header but no data rows: {schema.empty_means}", "warning"
        elif schema.required:
            message, severity = ("the file has a header but no data rows: put the extract's "
                                 "rows under the header (blank templates have none)", "error")
        else:
            message, severity = ("the file has a header but no data rows: the table is "
                                 "treated as absent", "warning")
        problems.append(problems_frame(label, None, None, None, message, severity=severity))

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
        norm = raw[data_cols].apply(strip_codes)
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

