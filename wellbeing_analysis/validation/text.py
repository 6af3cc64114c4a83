"""Vectorised text helpers: string work done once per distinct value."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow_text(text: pd.Series) -> pa.ChunkedArray | None:
    """The column's Arrow string data (its chunks as read, not copied into one), when it is
    Arrow-backed text."""
    array = getattr(text.array, "_pa_array", None)
    if (isinstance(array, pa.ChunkedArray) and len(array) > 0
            and (pa.types.is_string(array.type) or pa.types.is_large_string(array.type))):
        return array
    return None


def _series(array: pa.Array | pa.ChunkedArray, index: pd.Index | None = None) -> pd.Series:
    """An Arrow string array as a pandas text column, without copying into Python objects
    (a table's conversion is zero-copy where ``Array.to_pandas`` is not)."""
    out = pa.table({"v": array}).to_pandas()["v"]
    if index is not None:
        out.index = index
    return out


#: Leading values checked for order before a whole column is (a cheap refusal).
ORDER_PROBE_ROWS = 1024


def _dictionary(array: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """(codes, distinct values) of Arrow text by one dictionary encoding over every chunk
    (the chunks share one dictionary, in order of first appearance)."""
    in_order = _ordered_dictionary(array)
    if in_order is not None:
        return in_order
    encoded = pc.dictionary_encode(array, null_encoding="encode")
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in encoded.chunks])
    return codes, encoded.chunk(encoded.num_chunks - 1).dictionary


def _ordered_dictionary(array: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array] | None:
    """:func:`_dictionary` of text in (byte) order, as an extract listing staff by ID has
    its IDs, without hashing: equal values are adjacent, so a value's code is the number of
    changes before it. None when the text is not in order or has missing values.

    Hashing a column of a million distinct IDs costs a cache miss per row; comparing
    neighbours reads the column once."""
    n = len(array)
    if (n < 2 or array.null_count
            or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type))):
        return None
    for whole in (array.slice(0, ORDER_PROBE_ROWS).combine_chunks(), array.combine_chunks()):
        before, after = whole.slice(0, len(whole) - 1), whole.slice(1)
        if not pc.all(pc.less_equal(before, after)).as_py():
            return None
    first = np.empty(n, dtype=bool)  # the first row of each value
    first[0] = True
    first[1:] = pc.not_equal(before, after).to_numpy(zero_copy_only=False)
    codes = np.cumsum(first, dtype=np.int32)  # (dictionary indices are int32 too)
    codes -= 1
    return codes, whole.filter(pa.array(first))


def positions_in(values: pa.Array | pa.ChunkedArray, among: pa.Array | pa.ChunkedArray,
                 ) -> np.ndarray:
    """Position of each of ``values`` among the distinct texts ``among`` (−1: absent), as
    ``pyarrow.compute.index_in`` finds it.

    Distinct IDs of one width listed in order (an extract sorted by a fixed-width staff
    number) are found by a binary search over their bytes, without hashing; otherwise by
    Arrow's hash lookup."""
    values, among = (a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
                     for a in (values, among))
    keys = [_ordered_keys(a) for a in (values, among)]
    if any(k is None for k in keys) or keys[0].dtype != keys[1].dtype or not len(among):
        found = pc.index_in(values, value_set=among).fill_null(-1)
        return found.to_numpy(zero_copy_only=False).astype(np.int64)
    cells, sorted_cells = keys
    at = np.minimum(np.searchsorted(sorted_cells, cells), len(sorted_cells) - 1)
    return np.where(sorted_cells[at] == cells, at, -1).astype(np.int64)


def _ordered_keys(text: pa.Array) -> np.ndarray | None:
    """Text of one byte width (no NUL byte, no missing value) in strictly ascending byte
    order as NumPy values in the same order, else None: the bytes over Arrow's buffer, or
    for up to 8 bytes one big-endian integer each (integers compare fastest). Equal widths
    and no NUL byte make NumPy's comparison of bytes Arrow's."""
    if (not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type))
            or text.null_count or len(text) < 1):
        return None
    width = pc.min_max(pc.binary_length(text)).as_py()
    if width["min"] != width["max"] or not width["min"]:
        return None
    if len(text) > 1 and not pc.all(pc.less(text.slice(0, len(text) - 1),
                                            text.slice(1))).as_py():
        return None
    if pc.any(pc.match_substring(text, "\x00")).as_py():
        return None
    width = width["min"]
    offset_type = np.int64 if pa.types.is_large_string(text.type) else np.int32
    start = np.frombuffer(text.buffers()[1], dtype=offset_type)[text.offset]
    cells = np.frombuffer(text.buffers()[2], dtype=np.uint8, count=len(text) * width,
                          offset=int(start)).reshape(-1, width)
    if width > 8:
        return cells.view(f"S{width}").ravel()
    padded = np.zeros((len(text), 8), dtype=np.uint8)  # left-aligned: byte order kept
    padded[:, :width] = cells
    return padded.view(">u8").ravel().astype(np.uint64)


def factorize_values(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of a numeric or datetime array, numbered in order of first
    appearance. Arrow's hash table grows with the distinct values (a few thousand dates),
    where pandas sizes one for every row."""
    codes, dictionary = _dictionary(pa.chunked_array([pa.array(values)]))
    return codes, dictionary.to_numpy(zero_copy_only=False)


def factorize_text(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(codes, distinct values) of a column, missing values kept as one of the values.

    Arrow-backed text (as the CSV reader returns it) is dictionary-encoded by Arrow, several
    times faster than pandas' factorize of the same column.
    """
    whole = arrow_text(text)
    if whole is not None:
        codes, dictionary = _dictionary(whole)
        return codes, _series(dictionary)
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=text.dtype)


def encode(text: pd.Series, *, trim: bool = True) -> tuple[np.ndarray, pd.Series]:
    """(codes, distinct values) of a column after trimming surrounding spaces (``trim``) or
    as read: equal codes = equal text, numbered in order of first appearance, missing
    values kept as one of the values.

    Arrow-backed text is dictionary-encoded once and each distinct value trimmed, so the
    whole column is hashed once and never copied into Python objects; every later step
    (types, blanks, duplicate rows, the staff ID key) works on the codes.
    """
    codes, uniques = factorize_text(text)
    if not trim or not (pd.api.types.is_string_dtype(uniques)
                        or pd.api.types.is_object_dtype(uniques)):
        return codes, uniques
    trimmed = strip(uniques)
    if trimmed is uniques:  # nothing to trim (the usual case)
        return codes, uniques
    inner, distinct = factorize_text(trimmed)
    return inner[codes], distinct


def take_objects(uniques: pd.Series, codes: np.ndarray, index: pd.Index,
                 missing: np.ndarray | None = None) -> pd.Series:
    """The column ``uniques[codes]`` as Python objects, ``missing`` distinct values (a mask
    over ``uniques``) as NaN. Rows with equal text share one object, so a column of
    millions of rows holds one string per distinct value."""
    objects = np.asarray(uniques.astype("object").to_numpy(), dtype=object)
    if missing is not None and missing.any():
        objects = objects.copy()
        objects[missing] = np.nan
    # the array is new: no copy (pandas copies an array given to a Series by default, and
    # copying millions of objects costs a reference count each)
    return pd.Series(objects[codes], index=index, dtype="object", copy=False)


def per_unique(text: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``func`` applied to each distinct value once, then spread back over the rows.

    pandas' string methods run in Python per cell; an extract's columns repeat few values
    (dates, teams, codes), so this makes string work proportional to distinct values.
    """
    codes, uniques = factorize_text(text)
    result = func(uniques)
    return pd.Series(result.to_numpy()[codes], index=text.index, dtype=result.dtype,
                     copy=False)


def strip(text: pd.Series) -> pd.Series:
    """``text.str.strip()``: by Arrow for Arrow-backed text (one pass, no per-value work),
    else once per distinct value."""
    whole = arrow_text(text)
    if whole is not None:
        trimmed = pc.utf8_trim_whitespace(whole)
        if pc.all(pc.equal(trimmed, whole).fill_null(True)).as_py():
            return text  # nothing to strip (the usual case)
        return _series(trimmed, text.index)
    return per_unique(text, lambda u: u.str.strip())


def is_blank(text: pd.Series) -> pd.Series:
    """True where a cell is empty or only spaces (by Arrow for Arrow-backed text, else
    once per distinct value)."""
    whole = arrow_text(text)
    if whole is not None:
        blank = pc.equal(pc.utf8_trim_whitespace(whole), "").fill_null(True)
        return pd.Series(blank.to_numpy(zero_copy_only=False), index=text.index)
    return per_unique(text, lambda u: u.str.strip() == "")


def strip_codes(text: pd.Series) -> pd.Series:
    """Integer codes of the stripped cell values (equal codes = equal text after strip):
    cheap keys for finding duplicate rows."""
    whole = arrow_text(text)
    if whole is not None:  # one Arrow pass: trim, then encode
        codes, _ = _dictionary(pc.utf8_trim_whitespace(whole))
        return pd.Series(codes, index=text.index)
    if pd.api.types.is_datetime64_dtype(text) or pd.api.types.is_numeric_dtype(text):
        # typed cells (Parquet): nothing to strip
        return pd.Series(factorize_values(text.to_numpy())[0], index=text.index)
    codes, uniques = factorize_text(text)
    if not pd.api.types.is_string_dtype(text) and not pd.api.types.is_object_dtype(text):
        return pd.Series(codes, index=text.index)  # other typed cells: nothing to strip
    stripped_codes, _ = pd.factorize(uniques.str.strip(), use_na_sentinel=False)
    return pd.Series(stripped_codes[codes], index=text.index)
