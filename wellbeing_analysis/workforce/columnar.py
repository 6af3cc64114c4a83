"""A compact, columnar reader for large extracts: Parquet (or CSV through Arrow's
multi-threaded reader) straight to typed pandas columns, so that tens of millions of rows
hold no Python string objects: identifiers stay Arrow strings (pandas' ``str`` dtype backed
by pyarrow; nearly every value distinct, so a dictionary would not save memory and building
pandas categories of millions of values costs more than it saves), other text is
dictionary-encoded (a pandas categorical: int32 codes, one copy of each distinct value).

It reads and types the columns the schema declares; it does **not** validate. Validation
(and pseudonymisation) of such an extract belongs to ``loading``/``validation``; the frames
this returns are what :func:`~wellbeing_analysis.workforce.monthly_indicators` works on
fastest.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from wellbeing_analysis.constants import DATE_FORMATS
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.schema import TABLES

#: Arrow types of the schema's column types (other text is dictionary-encoded).
_TYPES = {"number": pa.float64(), "integer": pa.int64(), "date": pa.timestamp("s"),
          "id": pa.string()}
_TEXT = pa.dictionary(pa.int32(), pa.string())


def _arrow_type(kind: str) -> pa.DataType:
    return _TYPES.get(kind, _TEXT)


def _typed(table: pa.Table, name: str, path: Path) -> pd.DataFrame:
    """Cast to the schema's types (dates to timestamps, text dictionary-encoded) and hand
    over to pandas without copying text into Python objects."""
    schema = TABLES[name]
    arrays, names = [], []
    for column in schema.columns:
        if column.name not in table.column_names:
            if column.required:
                raise InputError(f"{path}: missing column {column.name!r}")
            continue
        values = table.column(column.name)
        want = _arrow_type(column.type)
        if pa.types.is_dictionary(want) and not pa.types.is_dictionary(values.type):
            values = pc.dictionary_encode(values.cast(pa.string()))
        elif pa.types.is_dictionary(want):
            values = pa.table({"v": values}).unify_dictionaries().column(0)  # one category set
        else:
            try:
                values = values.cast(want)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InputError(f"{path}: column {column.name!r} is not a {column.type} "
                                 f"column ({exc})") from None
        arrays.append(values)
        names.append(column.name)
    typed = pa.table(arrays, names=names)
    return typed.to_pandas(split_blocks=True, self_destruct=True)


def read_table(path: str | Path, name: str) -> pd.DataFrame:
    """One table (``staff_spells``, ``absence_episodes``, ...) from ``.parquet`` or ``.csv``.

    Dates in a CSV may be ISO (YYYY-MM-DD) or DD/MM/YYYY, as the templates allow; a blank
    cell is missing. Raises :class:`InputError` for a missing file or column, or a column
    that cannot be read as its type.
    """
    path = Path(path)
    if name not in TABLES:
        raise InputError(f"unknown table {name!r}; known: {', '.join(TABLES)}")
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    columns = [c.name for c in TABLES[name].columns]
    try:
        if path.suffix == ".parquet":  # low-cardinality text stays dictionary-encoded
            present = pq.read_schema(path).names
            table = pq.read_table(path, columns=[c for c in columns if c in present],
                                  read_dictionary=[c.name for c in TABLES[name].columns
                                                   if c.name in present
                                                   and pa.types.is_dictionary(_arrow_type(c.type))])
        elif path.suffix == ".csv":
            options = pacsv.ReadOptions(encoding="utf8")
            with pacsv.open_csv(path, read_options=options) as header:  # first block only
                present = header.schema.names
            table = pacsv.read_csv(
                path, read_options=options,
                convert_options=pacsv.ConvertOptions(
                    column_types={c.name: _arrow_type(c.type) for c in TABLES[name].columns
                                  if c.name in present},
                    # Arrow's own ISO parser is several times faster than strptime
                    timestamp_parsers=[pacsv.ISO8601,
                                       *(f for f in DATE_FORMATS if f != "%Y-%m-%d")],
                    include_columns=[c for c in columns if c in present],
                    strings_can_be_null=True))
        else:
            raise InputError(f"{path}: expected a .parquet or .csv file")
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    return _typed(table, name, path)


def read_workforce_extract(data_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(staff_spells, absence_episodes)`` from a folder holding ``<table>.parquet`` or
    ``<table>.csv`` (Parquet preferred when both exist). Not validated: see the module
    docstring."""
    data_dir = Path(data_dir)
    out = []
    for name in ("staff_spells", "absence_episodes"):
        for suffix in (".parquet", ".csv"):
            path = data_dir / f"{name}{suffix}"
            if path.is_file():
                out.append(read_table(path, name))
                break
        else:
            raise InputError(f"{data_dir}: no {name}.parquet or {name}.csv")
    return out[0], out[1]
