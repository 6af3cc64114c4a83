"""Reading a table file as text cells, keeping the spreadsheet row numbers, and finding
each table's file in a data folder.

CSV files are read by Arrow's multi-threaded reader straight into Arrow-backed text columns
(no Python object per cell); the delimiter (comma, semicolon, tab) and title rows above the
header are detected, and a file that is not valid text in its encoding is reported with the
line and byte where decoding failed. Workbooks are read sheet by sheet (the first unless
``mapping.yaml`` names one); Parquet files keep their date columns typed. How a file was
read, when it differs from the template layout, goes into the validation record
(docs/esr-export.md).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from wellbeing_analysis.constants import (
    CSV_DELIMITERS,
    HEADER_SEARCH_ROWS,
    MAPPING_FILE,
    SNIFF_BYTES,
)
from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.schema import TableSchema
from wellbeing_analysis.validation.text import is_blank

#: Name of the helper column carrying each row's spreadsheet row number.
ROW = "_row"
#: File types a table may come in, in the order they are looked for.
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")


@dataclass
class FileInfo:
    """Provenance of one input file."""

    table: str
    path: Path
    sha256: str
    rows: int


@dataclass
class ReadOptions:
    """How to read one file (from ``mapping.yaml``; every field optional)."""

    sheet: str | int | None = None
    header_row: int | None = None  # 1-based
    encoding: str | None = None
    #: heading keys (see :func:`heading_key`) that mark the header row when it is detected
    expected: frozenset[str] = frozenset()


def heading_key(text: object) -> str:
    """A heading compared ignoring case, spaces and underscores ('Pay Band' = 'pay_band')."""
    return "".join(str(text).split()).replace("_", "").casefold()


def find_table_file(data_dir: Path, schema: TableSchema, file: str | None = None) -> Path | None:
    """The table's file in ``data_dir``: ``file`` when the mapping names one, else
    ``<name>.csv``, ``<name>.xlsx`` or ``<name>.parquet`` (in that order)."""
    if file is not None:
        return data_dir / file
    for suffix in TABLE_SUFFIXES:
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


def _header_index(rows: list[list[str]], expected: frozenset[str]) -> int:
    """0-based index of the header among the first rows: the first row naming an expected
    heading, else the first row with the most non-blank cells (title rows hold one)."""
    for i, row in enumerate(rows):
        if any(heading_key(c) in expected for c in row if str(c).strip()):
            return i
    filled = [sum(1 for c in row if str(c).strip()) for row in rows]
    return int(np.argmax(filled)) if filled else 0


def _decode_problem(path: Path, encoding: str, label: str) -> pd.DataFrame | None:
    """Where a file stops being valid ``encoding`` text (line and byte), or None."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start:exc.start + 1].hex()
        hint = ("in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)', or give this "
                f"table's `encoding` (e.g. cp1252) in {MAPPING_FILE}")
        name = "UTF-8" if encoding == "utf-8-sig" else encoding
        return problems_frame(label, [line], None, None,
                              f"not {name} text: byte {exc.start + 1:,} of the "
                              f"file (line {line}) is 0x{bad}, which {name} cannot decode; "
                              + hint)
    return None


def _read_csv(path: Path, opts: ReadOptions, label: str, record: list
              ) -> tuple[pd.DataFrame | None, list[str], int, pd.DataFrame]:
    """(cells, header, 0-based header line, problems) of a CSV file."""
    encoding = opts.encoding or "utf-8"
    py_encoding = "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding
    with path.open("rb") as fh:
        head_bytes = fh.read(SNIFF_BYTES)
    try:
        head = head_bytes.decode(py_encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(head_bytes) - 4:  # not just a character cut at the sniff boundary
            return None, [], 0, _decode_problem(path, py_encoding, label)
        head = head_bytes[:exc.start].decode(py_encoding)
    lines = head.splitlines()
    if len(head_bytes) == SNIFF_BYTES:
        lines = lines[:-1]  # the last line may be cut
    search = lines[:HEADER_SEARCH_ROWS]
    counts = {d: max((ln.count(d) for ln in search), default=0) for d in CSV_DELIMITERS}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    rows = list(csv.reader(io.StringIO("\n".join(search)), delimiter=delimiter))
    if not any(any(c.strip() for c in r) for r in rows):
        return None, [], 0, problems_frame(label, None, None, None, "the file is empty")
    h = opts.header_row - 1 if opts.header_row else _header_index(rows, opts.expected)
    if h >= len(rows):
        return None, [], 0, problems_frame(label, None, None, None,
                                           f"header_row {h + 1} is beyond the file's first "
                                           f"{len(rows)} rows")
    header = [c.strip() for c in rows[h]]
    if delimiter != ",":
        record.append((label, None, f"{CSV_DELIMITERS[delimiter]}-separated file", -1))
    if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        record.append((label, None, f"read as {encoding} text ({MAPPING_FILE})", -1))
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=h + 1, column_names=names,
                                           encoding=encoding),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
        raw = table.to_pandas()
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if "UTF8" in str(exc) or isinstance(exc, UnicodeDecodeError):
            problem = _decode_problem(path, py_encoding, label)
            if problem is not None:
                return None, [], 0, problem
        try:  # an irregular file (short rows): pandas pads them; longer rows are refused
            # header=None with the header line read: it fixes the number of cells, so a
            # longer row is a read error rather than an index that shifts every column
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                              encoding=py_encoding, header=None, sep=delimiter, skiprows=h)
            raw = raw.iloc[1:].reset_index(drop=True)
        except (pd.errors.ParserError, ValueError) as exc2:
            return None, [], 0, problems_frame(label, None, None, None,
                                               f"cannot be read: {str(exc2).strip()}")
    return raw.fillna(""), header, h, empty_problems()


def _read_xlsx(path: Path, opts: ReadOptions, label: str, record: list
               ) -> tuple[pd.DataFrame | None, list[str], int, pd.DataFrame]:
    with pd.ExcelFile(path) as book:
        sheets = book.sheet_names
        sheet = 0 if opts.sheet is None else opts.sheet
        named = ", ".join(repr(s) for s in sheets)
        if (isinstance(sheet, int) and not 0 <= sheet < len(sheets)) or (
                isinstance(sheet, str) and sheet not in sheets):
            return None, [], 0, problems_frame(MAPPING_FILE, None, "sheet", [sheet],
                                               f"{label} has no such sheet (its sheets: {named})")
        cells = pd.read_excel(book, sheet_name=sheet, header=None, dtype=str,
                              keep_default_na=False).fillna("")
    if opts.sheet is not None:
        record.append((label, None, f"sheet {sheets[sheet] if isinstance(sheet, int) else sheet!r}"
                       f" read ({MAPPING_FILE})", -1))
    rows = [[str(c) for c in r] for r in cells.head(HEADER_SEARCH_ROWS).to_numpy().tolist()]
    filled = any(any(c.strip() for c in r) for r in rows)
    h = opts.header_row - 1 if opts.header_row else (_header_index(rows, opts.expected)
                                                     if filled else 0)
    data = cells.iloc[h + 1:] if filled else cells.iloc[0:0]
    if opts.sheet is None and len(sheets) > 1 and is_blank_frame(data):
        return None, [], 0, problems_frame(
            label, None, None, None,
            f"the first sheet ({sheets[0]!r}) holds no data rows: only the first sheet is "
            f"read (the workbook's sheets: {named}); move the data to the first sheet or give "
            f"this table's `sheet` in {MAPPING_FILE}")
    if not filled:
        return None, [], 0, problems_frame(label, None, None, None, "the file is empty")
    header = [c.strip() for c in rows[h]] if h < len(rows) else []
    data = data.reset_index(drop=True)
    data.columns = [f"c{i}" for i in range(data.shape[1])]
    return data, header, h, empty_problems()


def is_blank_frame(df: pd.DataFrame) -> bool:
    """True when every cell of ``df`` is empty or spaces (or it has no rows)."""
    return df.empty or bool(df.apply(is_blank).all(axis=None))


def _read_parquet(path: Path, label: str) -> tuple[pd.DataFrame | None, list[str], int,
                                                     pd.DataFrame]:
    """Date and timestamp columns stay typed (checked as dates); the rest is read as text."""
    table = pq.read_table(path)
    arrays = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
            arrays.append(column.cast(pa.timestamp("s")))
        else:
            text = column if pa.types.is_string(field.type) else column.cast(pa.string())
            arrays.append(text.fill_null("") if text.null_count else text)  # missing = blank
    names = [f"c{i}" for i in range(len(arrays))]
    raw = pa.table(arrays, names=names).to_pandas(split_blocks=True, self_destruct=True)
    return raw, [str(n).strip() for n in table.schema.names], 0, empty_problems()


def read_raw(path: Path, options: ReadOptions | None = None, *, record: list | None = None,
             ) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Read a table as text cells, keeping spreadsheet row numbers in ``_row``.

    Accepts a UTF-8 BOM, blank lines (Excel writes trailing ones; blank rows carry no data
    and are skipped, but the remaining rows keep the numbers a spreadsheet shows) and title
    rows above the header. ``record`` (a list) receives (file, column, change, rows) tuples
    for whatever was read differently from the template layout. Returns (table or None,
    problems).
    """
    opts = options or ReadOptions()
    record = [] if record is None else record
    label = path.name
    if path.stat().st_size == 0:
        return None, problems_frame(label, None, None, None, "the file is empty")
    notes: list = []
    try:
        if path.suffix.lower() == ".xlsx":
            raw, header, h, problems = _read_xlsx(path, opts, label, notes)
        elif path.suffix.lower() == ".parquet":
            raw, header, h, problems = _read_parquet(path, label)
        else:
            raw, header, h, problems = _read_csv(path, opts, label, notes)
    except (pa.ArrowInvalid, OSError, ValueError) as exc:
        return None, problems_frame(label, None, None, None, f"cannot be read: {exc}")
    if raw is None:
        return None, problems
    # Excel sometimes saves empty columns after the data: a column with no name and no
    # values holds nothing, so it is ignored (a nameless column with values is reported)
    raw.columns = range(raw.shape[1])
    header = header + [""] * (raw.shape[1] - len(header))
    empty = [i for i, name in enumerate(header) if name == "" and is_blank(raw[i]).all()]
    if empty:
        raw = raw.drop(columns=empty)
        header = [name for i, name in enumerate(header) if i not in set(empty)]
    dupes = sorted({name for name in header if header.count(name) > 1})
    if dupes:
        return None, problems_frame(label, [h + 1] * len(dupes), None, dupes,
                                    "the column name appears more than once in the header")
    raw.columns = header
    raw[ROW] = np.arange(len(raw)) + h + 2
    blank = _blank_rows(raw.drop(columns=ROW))
    if blank.any():  # (a filter keeping every row would copy the whole table)
        raw = raw.loc[~blank].reset_index(drop=True)
    raw.attrs["header_row"] = h + 1
    if h > 0 and not opts.header_row:
        notes.append((label, None, f"{h} row(s) above the header skipped (title rows)", -1))
    elif opts.header_row:
        notes.append((label, None, f"header read from row {h + 1} ({MAPPING_FILE})", -1))
    # file-level notes apply to every row read
    record += [(f, c, what, len(raw) if n < 0 else n) for f, c, what, n in notes]
    return raw, problems


def _blank_rows(cells: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is empty or spaces (typed columns: missing)."""
    blank = pd.Series(True, index=cells.index)
    for name in cells.columns:
        col = cells[name]
        blank &= col.isna() if not pd.api.types.is_string_dtype(col) else is_blank(col)
        if not blank.any():
            break
    return blank


def read_csv_file(path: str | Path, **kwargs) -> pd.DataFrame:
    """A user's CSV file (UTF-8 with or without a BOM) as a frame with trimmed headings; a
    missing, unreadable or empty file raises :class:`InputError` naming it. ``kwargs`` go to
    :func:`pandas.read_csv`. For files read whole outside the table checks (comparison
    series, the national publication, the command line's ``--csv`` inputs)."""
    from wellbeing_analysis.errors import InputError

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        df = pd.read_csv(path, encoding="utf-8-sig", **kwargs)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty (no header row)") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason}); save it as CSV UTF-8") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: cannot be read as CSV ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    return df
