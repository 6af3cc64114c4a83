"""Converting text columns to their schema types (vectorised), with every problem kept."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    EARLIEST_PLAUSIBLE_DATE,
    INPUT_DATE_LAYOUTS,
    MIDNIGHT_SUFFIX,
    TIME_SUFFIX,
)
from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.schema import (
    ESR_HEADINGS,
    FALSE_VALUES,
    TRUE_VALUES,
    Column,
    TableSchema,
    allowed_values,
)
from wellbeing_analysis.validation.reading import ROW, heading_key
from wellbeing_analysis.validation.text import encode, strip_codes, take_objects

#: Nanoseconds in a day (a date with no time of day is a whole number of them).
NS_PER_DAY = 86_400 * 10**9


def _parse_dates(codes: np.ndarray, uniques: pd.Series, index: pd.Index,
                 ) -> tuple[pd.Series, dict[str, pd.Series], dict[str, int]]:
    """Parse the accepted date layouts (constants.INPUT_DATE_LAYOUTS; a time of exactly
    midnight allowed) of a column given as codes into its distinct trimmed texts.

    Returns (dates, masks, counts): masks 'bad_format', 'with_time', 'impossible',
    'too_early', 'too_late'; counts of rows per layout other than ISO. A real calendar date
    that pandas cannot hold (before 1677 or after 2262, e.g. ESR's '31/12/4712' end-of-time
    marker or a mistyped year) is flagged too early / too late, never raised. Each distinct
    text is parsed once (a national extract has a few thousand dates).
    """
    dates, masks, layout = _parse_distinct_dates(uniques.astype("object"))
    others = [name for name in layout.dropna().unique() if name != INPUT_DATE_LAYOUTS[0][0]]
    # rows are counted per distinct text only when a layout other than ISO is found, and a
    # mask holding no distinct text is not spread over the rows (the usual cases)
    per_unique_rows = np.bincount(codes, minlength=len(uniques)) if others else None
    counts = {name: int(per_unique_rows[(layout == name).to_numpy()].sum()) for name in others}
    spread = {k: pd.Series(m.to_numpy()[codes] if m.any() else np.zeros(len(codes), dtype=bool),
                           index=index, copy=False)  # (a new array: not copied again)
              for k, m in masks.items()}
    return (pd.Series(dates.to_numpy()[codes], index=index, dtype=dates.dtype, copy=False),
            spread, counts)


def _parse_distinct_dates(text: pd.Series) -> tuple[pd.Series, dict[str, pd.Series], pd.Series]:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    layout = pd.Series(None, index=text.index, dtype="object")
    too_early = pd.Series(False, index=text.index)
    too_late = pd.Series(False, index=text.index)
    lo, hi = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    text = text.astype(str)
    midnight = text.str.contains(MIDNIGHT_SUFFIX)
    with_time = text.str.contains(TIME_SUFFIX) & ~midnight
    day = text.where(~midnight, text.str.replace(MIDNIGHT_SUFFIX, "", regex=True))
    for name, pattern, fmt in INPUT_DATE_LAYOUTS:
        m = day.str.match(pattern) & layout.isna()
        if m.any():
            parsed = pd.to_datetime(day[m], format=fmt, errors="coerce")
            early, late = parsed < lo, parsed > hi  # NaT compares False
            too_early[m], too_late[m] = early, late
            out[m] = parsed.where(~(early | late)).astype("datetime64[ns]")
            layout[m] = name
    matched = layout.notna()
    layout[matched & midnight] = layout[matched & midnight] + " 00:00:00"
    bad_format = (text != "") & ~matched & ~with_time
    impossible = matched & out.isna() & ~too_early & ~too_late
    masks = {"bad_format": bad_format, "with_time": with_time, "impossible": impossible,
             "too_early": too_early, "too_late": too_late}
    return out, masks, layout


def _typed_dates(values: pd.Series) -> tuple[pd.Series, dict[str, pd.Series], dict[str, int]]:
    """Dates that arrive typed (Parquet): only a time of day other than midnight and the
    range are checked."""
    lo, hi = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    too_early, too_late = values < lo, values > hi
    ok = values.where(~(too_early | too_late))
    ns = ok.astype("datetime64[ns]")
    # a time of day: not a whole number of days since 1970 (as ns != ns.dt.normalize())
    with_time = ns.notna() & pd.Series(ns.to_numpy().view("i8") % NS_PER_DAY != 0,
                                       index=ns.index)
    false = pd.Series(False, index=values.index)
    masks = {"bad_format": false, "with_time": with_time, "impossible": false,
             "too_early": too_early, "too_late": too_late}
    return ns, masks, {}


def _normalise_codes(uniques: pd.Series, codes: np.ndarray, column: Column,
                     allowed: tuple[str, ...]) -> tuple[pd.Series, list[tuple[str, str, int]]]:
    """Export spellings to allowed values, per distinct trimmed text: the column's own
    normaliser, then a match ignoring case. Returns (the value for each distinct text,
    [(from, to, rows)] for every value changed)."""
    u = uniques.astype("object")
    fixed = column.normalise(u.astype(str)) if column.normalise is not None else u
    by_case = {a.casefold(): a for a in allowed}
    fixed = fixed.where(fixed.isin(allowed), fixed.astype(str).str.casefold().map(by_case)
                        .fillna(fixed))
    changed = (u.notna() & (fixed != u)).to_numpy()
    if not changed.any():  # (the usual case: no rows to count)
        return fixed, []
    rows = np.bincount(codes, minlength=len(u))
    changes = [(u.iloc[i], fixed.iloc[i], int(rows[i])) for i in np.flatnonzero(changed)]
    return fixed, changes


def parse_column(
    text: pd.Series, column: Column, *, label: str, rows: pd.Series, xlsx: bool = False,
    record: list | None = None, encoded: dict | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Convert one text column to its type; returns (values, problems).

    Spellings that exports use and the schema accepts after normalising (date layouts other
    than ISO, bands such as '8A', reason texts, codes in another case) are counted in
    ``record`` as (file, column, change, rows) tuples. ``xlsx`` is kept for callers; every
    file type accepts the same layouts. ``encoded`` (a dict), when given, receives the
    column's ``(codes, distinct values)`` (see :func:`.text.encode`) when it was read as
    text, for checks across rows that reuse them; when it holds them already (the same
    text encoded by the caller), they are used.

    Every step works on the column's distinct values and spreads the result over the rows
    by their codes; text columns are returned as Python objects with one object per
    distinct value.
    """
    problems = []
    record = [] if record is None else record
    typed_date = column.type == "date" and pd.api.types.is_datetime64_any_dtype(text)
    index = text.index
    if typed_date:
        blank = text.isna()
    else:
        if not pd.api.types.is_string_dtype(text) and not pd.api.types.is_object_dtype(text):
            text = text.astype("string").fillna("").astype(str)
        if encoded is not None and column.name in encoded:  # encoded by the caller
            codes, uniques = encoded[column.name]
        else:
            codes, uniques = encode(text, trim=column.type != "free_text")
        blank_u = np.asarray((uniques == "").fillna(False), dtype=bool)
        blank = pd.Series(blank_u[codes], index=index)
        if encoded is not None:
            encoded[column.name] = (codes, uniques)

    def flag(mask: pd.Series, message: str | pd.Series) -> None:
        if mask.any():
            msg = message[mask] if isinstance(message, pd.Series) else message
            shown = text[mask].astype(str) if typed_date else text[mask]
            problems.append(problems_frame(label, rows[mask], column.name, shown, msg))

    def spread(per_value: pd.Series | np.ndarray) -> pd.Series:
        per_value = per_value if isinstance(per_value, pd.Series) else pd.Series(per_value)
        return pd.Series(per_value.to_numpy()[codes], index=index, dtype=per_value.dtype,
                         copy=False)

    if not column.nullable:
        flag(blank, "a value is required here but the cell is blank")

    kind = column.type
    if kind == "date":
        values, masks, layouts = (_typed_dates(text) if typed_date
                                  else _parse_dates(codes, uniques, index))
        record += [(label, column.name, f"dates written {name}", n)
                   for name, n in layouts.items()]
        flag(masks["bad_format"], "not a date: use YYYY-MM-DD, DD/MM/YYYY, DD-Mon-YYYY or "
             "DD Mon YYYY")
        flag(masks["with_time"], "a date with a time of day other than midnight: give the "
             "date only")
        flag(masks["impossible"], "impossible date (no such day in the calendar)")
        flag((values < pd.Timestamp(EARLIEST_PLAUSIBLE_DATE)) | masks["too_early"],
             f"implausible date (before {EARLIEST_PLAUSIBLE_DATE})")
        flag(masks["too_late"], "implausible date (too far in the future; leave an end date "
             "blank for an open spell or ongoing episode)")
    elif kind in ("number", "integer"):
        values = spread(pd.to_numeric(uniques.astype("object").where(uniques.str.len() > 0),
                                      errors="coerce").astype("float64"))
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
        if allowed is None:
            values = take_objects(uniques, codes, index, missing=blank_u)
        else:
            # normalised per distinct text as read, blanks kept blank
            fixed, changes = _normalise_codes(uniques, codes, column, allowed)
            changes = [c for c in changes if c[0] != ""]
            record += [(label, column.name, f"{a!r} read as {b!r}", n) for a, b, n in changes]
            values = take_objects(fixed, codes, index, missing=blank_u)
            unknown = spread(~blank_u & ~fixed.isin(allowed).to_numpy(dtype=bool))
            shown = ", ".join(allowed) if len(allowed) <= 16 else f"{len(allowed)} values listed in the data dictionary"
            flag(unknown, f"not an allowed value (allowed: {shown})")
    elif kind == "boolean":
        low = uniques.str.lower()
        is_true, is_false = spread(low.isin(TRUE_VALUES)), spread(low.isin(FALSE_VALUES))
        flag(~blank & ~is_true & ~is_false, "not yes/no (use true/false, yes/no or 1/0)")
        values = pd.Series(pd.NA, index=index, dtype="boolean")
        values[is_true] = True
        values[is_false] = False
    else:  # id, text, free_text
        values = take_objects(uniques, codes, index, missing=blank_u)
    return values, (pd.concat(problems, ignore_index=True) if problems else empty_problems())


def _is_text(cells: pd.Series) -> bool:
    """Cells read as text (not typed by the file, as Parquet dates are)."""
    return pd.api.types.is_string_dtype(cells) or pd.api.types.is_object_dtype(cells)


def _pair_key(codes: list[np.ndarray]) -> np.ndarray:
    """One (or two) non-negative codes per row combined into one integer."""
    key = codes[0].astype(np.int64)
    if len(codes) > 1:
        key *= int(codes[1].max(initial=0)) + 1
        key += codes[1]
    return key


def _repeated_pairs(codes: list[np.ndarray]) -> np.ndarray:
    """True for rows whose combination of (one or two) non-negative codes occurs in another
    row. The combined keys that repeat are found by sorting them (in place: no sort when the
    file is in order already), then the rows holding them by a lookup among those few."""
    key = _pair_key(codes)
    ordered = len(key) < 2 or bool(np.all(key[1:] >= key[:-1]))
    if not ordered:
        key.sort()
    twice = key[1:] == key[:-1]
    if ordered:
        repeated = np.zeros(len(key), dtype=bool)
        repeated[1:] |= twice
        repeated[:-1] |= twice
        return repeated
    values = np.unique(key[1:][twice])
    del key, twice
    return pd.Series(_pair_key(codes), copy=False).isin(values).to_numpy()


def _heading_hint(name: str, table: str, headings: list[str]) -> str:
    """' the file has X ...' when a heading looks like our column ``name``: the same but for
    case or spaces, or a known ESR heading for it."""
    esr = ESR_HEADINGS.get(table, {})
    for heading in headings:
        if heading_key(heading) == heading_key(name):
            return f": did you mean {heading!r}? (headings must match exactly)"
    for heading in headings:
        if esr.get(heading_key(heading)) == name:
            return (f": the file has {heading!r}, an ESR heading for {name}; map it in "
                    f"mapping.yaml ({table}: columns: {name}: {heading})")
    return ": add it, or map the file's heading to it in mapping.yaml"


def _unknown_hint(heading: str, schema: TableSchema) -> str:
    for name in schema.column_names:
        if heading_key(heading) == heading_key(name):
            return f"unknown column: did you mean {name!r}? (headings must match exactly)"
    ours = ESR_HEADINGS.get(schema.name, {}).get(heading_key(heading))
    if ours is not None:
        return (f"unknown column: an ESR heading for {ours}; map it in mapping.yaml "
                f"({schema.name}: columns: {ours}: {heading})")
    return "unknown column (check the spelling against the data dictionary, or remove it)"


def parse_table(raw: pd.DataFrame, schema: TableSchema, *, label: str,
                xlsx: bool = False, record: list | None = None, keys: dict | None = None,
                release: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check the header, convert every column and apply the table's generic row rules.

    A required column missing from the header is reported first and alone for the table
    (with any unknown headings): its rows are not checked, so that no cascade of follow-on
    problems hides the cause. ``keys`` (a dict), when given, receives each identifier
    column's ``(codes, distinct trimmed values)``, aligned with the rows of the returned
    table: the integer key that the checks across rows (overlaps, absence inside spells)
    share instead of hashing the text again. With ``release``, each column is deleted from
    ``raw`` as soon as no later step reads it, so that a caller holding no other copy frees
    the text while the table is typed (``raw`` is left without its data columns).
    """
    problems = [empty_problems()]
    header_row = raw.attrs.get("header_row", 1)
    present = [c for c in raw.columns if c != ROW]
    missing = [c.name for c in schema.columns if c.required and c.name not in present]
    known = set(schema.column_names)
    extra = [c for c in present if c not in known]
    if schema.extra_columns_pattern:
        extra_ok = [c for c in extra if pd.Series([c]).str.fullmatch(schema.extra_columns_pattern)[0]]
    else:
        extra_ok = []
    unknown = [c for c in extra if c not in extra_ok]
    for name in missing:
        problems.append(problems_frame(label, [header_row], name, None,
                                       "required column is missing from the header"
                                       + _heading_hint(name, schema.name, unknown)))
    for name in unknown:
        problems.append(problems_frame(label, [header_row], name, None,
                                       _unknown_hint(name, schema)))
    if missing:
        empty = pd.DataFrame({ROW: pd.Series(dtype="int64")}
                             | {c.name: pd.Series(dtype="object") for c in schema.columns})
        return empty, pd.concat(problems, ignore_index=True)
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
    # duplicate rows (identical in every cell) are compared on the data columns; a row
    # identical in every cell is identical in the first two: only the rows sharing those
    # with another row are compared in full
    data_cols = [c for c in present if c in {spec.name for spec in specs}]
    check_duplicates = bool(data_cols) and len(raw) > 1
    first_two = data_cols[:2] if check_duplicates else []
    # date pairs whose order is checked: (start, end) -> (bad rows, end text, start text)
    pairs = [(a, b) for a, b in schema.date_order if a in present and b in present]
    date_order: dict[tuple[str, str], tuple] = {}
    needed = {c: 0 for c in data_cols}  # steps still reading each raw column
    for pair in pairs:
        for c in pair:
            needed[c] = needed.get(c, 0) + 1
    encoded: dict[str, tuple[np.ndarray, pd.Series]] = {}
    trimmed: dict[str, np.ndarray] = {}  # codes of the trimmed text, as strip_codes gives
    by_name = {spec.name: spec for spec in specs}
    for c in first_two:  # text encoded once here, reused when the column is typed
        if _is_text(raw[c]):
            encoded[c] = encode(raw[c], trim=by_name[c].type != "free_text")
            if by_name[c].type != "free_text":
                trimmed[c] = encoded[c][0]
    # text columns other than free text get codes of their trimmed text when typed (kept in
    # ``trimmed``): duplicate rows compare those; only the other cells are kept for it
    coded = {c for c in data_cols if by_name[c].type != "free_text" and _is_text(raw[c])}
    candidates = None  # (mask, the candidate rows' data cells not coded)
    if first_two:
        mask = pd.Series(_repeated_pairs(
            [trimmed[c] if c in trimmed else strip_codes(raw[c]).to_numpy()
             for c in first_two]), index=raw.index)
        candidates = (mask, raw.loc[mask, [c for c in data_cols if c not in coded]])

    def done_with(name: str) -> None:
        needed[name] -= 1
        if release and needed[name] <= 0 and name in raw:
            del raw[name]

    for column in specs:
        name = column.name
        values, col_problems = parse_column(raw[name], column, label=label, rows=rows,
                                            record=record, encoded=encoded)
        parsed[name] = values
        problems.append(col_problems)
        if name in encoded and column.type != "free_text" and _is_text(raw[name]):
            trimmed[name] = encoded[name][0]  # (free text is encoded untrimmed)
        if column.type != "id":
            encoded.pop(name, None)
        for start, end in pairs:
            if (start, end) not in date_order and start in parsed and end in parsed:
                bad = parsed[end] < parsed[start]
                date_order[(start, end)] = (bad, raw.loc[bad, end].astype(str),
                                            raw.loc[bad, start].astype(str))
                done_with(start)
                done_with(end)
        if needed.get(name, 0) <= 0:
            done_with(name)
    for column in schema.columns:  # absent optional columns become all-blank
        if column.name not in parsed:
            parsed[column.name] = pd.Series(
                pd.NA, index=parsed.index,
                dtype="datetime64[ns]" if column.type == "date" else "object")
    if keys is not None:
        keys.update({c.name: encoded[c.name] for c in specs
                     if c.type == "id" and c.name in trimmed})

    if candidates is not None and candidates[0].any():  # (no candidate: no duplicate)
        candidate, cells = candidates
        at = candidate.to_numpy()
        norm = pd.DataFrame({c: trimmed[c][at] if c in coded else strip_codes(cells[c]).to_numpy()
                             for c in data_cols}, index=cells.index)
        dup = np.zeros(len(rows), dtype=bool)
        dup[at] = norm.duplicated(keep="first").to_numpy()
        dup = pd.Series(dup, index=rows.index)
        if dup.any():
            first_row = rows[candidate].groupby([norm[c] for c in data_cols],
                                                sort=False).transform("first")
            problems.append(problems_frame(label, rows[dup], None, None,
                                           "duplicate row: identical to row "
                                           + first_row[dup].astype(str)))
    for pair in pairs:
        bad, end_text, start_text = date_order[pair]
        if bad.any():
            problems.append(problems_frame(
                label, rows[bad], pair[1], end_text,
                "end date is before the start date (" + start_text + ")"))
    return parsed, pd.concat(problems, ignore_index=True)

