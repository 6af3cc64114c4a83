"""Keyed pseudonymisation of staff identifiers.

Staff IDs are replaced as they are loaded by a keyed hash (SipHash-2-4, the keyed
pseudo-random function pandas uses for hashing, with a 128-bit key), so nothing downstream
sees a raw ID and nobody without the key can reverse or recompute the mapping. The key comes
from the ``WELLBEING_PSEUDONYM_KEY`` environment variable (16 characters) when the same
pseudonyms are needed across runs (e.g. to link extracts); otherwise a fresh random key is
drawn per process, so pseudonyms are not even stable between runs. Results never depend on
the pseudonyms, only on which rows share one.
"""

from __future__ import annotations

import os
import secrets

import numpy as np
import pandas as pd
import pyarrow as pa

from wellbeing_analysis.errors import InputError

#: Environment variable holding a fixed 16-character key.
KEY_ENV_VAR = "WELLBEING_PSEUDONYM_KEY"
#: SipHash keys are 128 bits: 16 bytes.
KEY_LENGTH = 16
#: Prefix of pseudonymous IDs, so they are never mistaken for raw ones.
PSEUDONYM_PREFIX = "P"

_process_key: str | None = None
#: Upper-case hexadecimal digits, as ASCII codes.
_HEX_DIGITS = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def pseudonym_key(key: str | None = None) -> str:
    """The key to use: ``key`` if given, else the environment variable, else a random one."""
    global _process_key
    key = key or os.environ.get(KEY_ENV_VAR)
    if key is None:
        if _process_key is None:
            _process_key = secrets.token_hex(KEY_LENGTH // 2)
        return _process_key
    if len(key.encode("utf-8")) != KEY_LENGTH:
        raise InputError(f"the pseudonymisation key ({KEY_ENV_VAR}) must be exactly "
                         f"{KEY_LENGTH} bytes long")
    return key


def pseudonymise(ids: pd.Series, *, key: str | None = None) -> pd.Series:
    """Replace each ID by ``P`` + 16 hex digits of its keyed SipHash (vectorised).

    Equal IDs map to equal pseudonyms; blanks stay blank. With 64-bit outputs the chance of
    any collision among 10^6 distinct IDs is about 3 in 10^8. Each distinct ID is hashed
    and formatted once, and rows with the same ID share one pseudonym object.
    """
    values = ids.astype("object")
    present = values.notna().to_numpy()
    codes, distinct = pd.factorize(values[present].astype(str).to_numpy(dtype=object))
    out = np.full(len(values), pd.NA, dtype=object)
    out[present] = _labels(hash_ids(distinct, key=key))[codes]
    return pd.Series(out, index=ids.index, dtype="object", copy=False)


def pseudonymise_coded(columns: list[tuple[np.ndarray, pd.Series]], *,
                       key: str | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`pseudonymise` of text columns each given as (codes, distinct values), as
    validation encodes ID columns, without factorizing the rows again: each distinct ID of
    all the columns is hashed once and each distinct pseudonym formatted once.

    Returns per column its pseudonyms (an object array; blank or missing values stay blank)
    and a key per row on one numbering across the columns: equal keys = equal pseudonyms
    (hashes, not IDs, are compared; blank cells share one key), integers for joins that
    need not hash the pseudonyms again.
    """
    blanks = [(distinct.isna() | (distinct == "")).to_numpy(dtype=bool)
              for _, distinct in columns]
    hashed = [hash_ids(distinct[~blank].to_numpy(dtype=object), key=key)
              for (_, distinct), blank in zip(columns, blanks, strict=True)]
    number, hashes = pd.factorize(np.concatenate(hashed) if hashed else
                                  np.zeros(0, dtype=np.uint64))
    labels = np.append(_labels(hashes), pd.NA)  # the last: blank
    out, offset = [], 0
    key_type = np.int32 if len(hashes) < 2**31 - 1 else np.int64  # a service keeps them
    for (codes, _), blank in zip(columns, blanks, strict=True):
        key_of = np.full(len(blank), len(hashes), dtype=key_type)  # of each distinct value
        present = len(blank) - int(blank.sum())
        key_of[~blank] = number[offset:offset + present]
        offset += present
        keys = key_of[codes]
        out.append((labels[keys], keys))
    return out


def hash_ids(ids: np.ndarray, *, key: str | None = None) -> np.ndarray:
    """The keyed 64-bit SipHash (uint64) of each text ID, as its pseudonym writes it."""
    return pd.util.hash_array(np.asarray(ids, dtype=object), hash_key=pseudonym_key(key),
                              categorize=False).astype(np.uint64)


def _labels(hashed: np.ndarray) -> np.ndarray:
    """``PSEUDONYM_PREFIX`` + 16 upper-case hex digits of each 64-bit hash (as ``%016X``
    writes them), built as bytes in one vectorised pass, as Python strings (made by Arrow
    from the bytes: faster than through NumPy's 4-byte characters)."""
    prefix = PSEUDONYM_PREFIX.encode("ascii")
    digits = hashed.astype(">u8").view(np.uint8).reshape(-1, 8)  # most significant first
    cells = np.empty((len(hashed), len(prefix) + 16), dtype=np.uint8)
    cells[:, :len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    cells[:, len(prefix)::2] = _HEX_DIGITS[digits >> 4]
    cells[:, len(prefix) + 1::2] = _HEX_DIGITS[digits & 15]
    n, width = cells.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    text = pa.Array.from_buffers(pa.large_string(), n,
                                 [None, pa.py_buffer(offsets), pa.py_buffer(cells)])
    return text.to_numpy(zero_copy_only=False).astype(object, copy=False)
