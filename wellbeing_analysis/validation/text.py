"""Vectorised text helpers: string work done once per distinct value."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd


def per_unique(text: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``func`` applied to each distinct value once, then spread back over the rows.

    pandas' string methods run in Python per cell; an extract's columns repeat few values
    (dates, teams, codes), so this makes string work proportional to distinct values.
    """
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    result = func(pd.Series(uniques, dtype=text.dtype))
    return pd.Series(result.to_numpy()[codes], index=text.index, dtype=result.dtype)


def strip(text: pd.Series) -> pd.Series:
    """``text.str.strip()``, computed once per distinct value."""
    return per_unique(text, lambda u: u.str.strip())


def is_blank(text: pd.Series) -> pd.Series:
    """True where a cell is empty or only spaces, computed once per distinct value."""
    return per_unique(text, lambda u: u.str.strip() == "")


def strip_codes(text: pd.Series) -> pd.Series:
    """Integer codes of the stripped cell values (equal codes = equal text after strip):
    cheap keys for finding duplicate rows."""
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    if not pd.api.types.is_string_dtype(text) and not pd.api.types.is_object_dtype(text):
        return pd.Series(codes, index=text.index)  # typed cells (Parquet): nothing to strip
    stripped_codes, _ = pd.factorize(pd.Series(uniques, dtype=text.dtype).str.strip(),
                                     use_na_sentinel=False)
    return pd.Series(stripped_codes[codes], index=text.index)
