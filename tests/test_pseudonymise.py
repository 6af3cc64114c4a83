"""Keyed pseudonymisation of staff IDs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis import pseudonymise as ps
from wellbeing_analysis.errors import InputError

KEY = "0123456789abcdef"


def test_format_equal_ids_equal_pseudonyms_blanks_stay_blank():
    ids = pd.Series(["E1", "E2", None, "E1", pd.NA, "e1"], index=[10, 11, 12, 13, 14, 15])
    out = ps.pseudonymise(ids, key=KEY)
    assert out.index.tolist() == ids.index.tolist()
    assert out.iloc[0] == out.iloc[3]
    assert out.iloc[0] != out.iloc[1] and out.iloc[0] != out.iloc[5]  # case matters
    assert out.isna().tolist() == [False, False, True, False, True, False]
    assert out.dropna().str.fullmatch(r"P[0-9A-F]{16}").all()


def test_no_collisions_among_many_ids():
    ids = pd.Series([f"E{i:07d}" for i in range(200_000)])
    out = ps.pseudonymise(ids, key=KEY)
    assert out.nunique() == len(ids)


def test_keyed_same_key_same_result_different_key_different_result():
    ids = pd.Series(["E1", "E2", "E3"])
    a = ps.pseudonymise(ids, key=KEY)
    assert a.tolist() == ps.pseudonymise(ids, key=KEY).tolist()
    b = ps.pseudonymise(ids, key="fedcba9876543210")
    assert not set(a) & set(b)


def test_result_depends_on_the_id_not_on_its_neighbours():
    # the same ID gets the same pseudonym whatever else is in the column
    a = ps.pseudonymise(pd.Series(["E1", "E2"]), key=KEY)
    b = ps.pseudonymise(pd.Series(["E9", "E8", "E1"]), key=KEY)
    assert a.iloc[0] == b.iloc[2]


def test_numeric_ids_are_hashed_as_text():
    a = ps.pseudonymise(pd.Series([1001, 1002]), key=KEY)
    b = ps.pseudonymise(pd.Series(["1001", "1002"]), key=KEY)
    assert a.tolist() == b.tolist()


def test_key_from_environment(monkeypatch):
    ids = pd.Series(["E1", "E2"])
    monkeypatch.setenv(ps.KEY_ENV_VAR, KEY)
    assert ps.pseudonym_key() == KEY
    assert ps.pseudonymise(ids).tolist() == ps.pseudonymise(ids, key=KEY).tolist()
    # an explicit key wins over the environment
    other = "fedcba9876543210"
    assert ps.pseudonymise(ids, key=other).tolist() != ps.pseudonymise(ids).tolist()


def test_random_process_key_without_environment(monkeypatch):
    monkeypatch.delenv(ps.KEY_ENV_VAR, raising=False)
    monkeypatch.setattr(ps, "_process_key", None)
    ids = pd.Series(["E1", "E2"])
    first = ps.pseudonymise(ids)
    # stable within the process
    assert first.tolist() == ps.pseudonymise(ids).tolist()
    key = ps.pseudonym_key()
    assert len(key.encode()) == ps.KEY_LENGTH
    # a new process draws a new key: different pseudonyms
    monkeypatch.setattr(ps, "_process_key", None)
    assert ps.pseudonymise(ids).tolist() != first.tolist()


@pytest.mark.parametrize("bad", ["short", "0123456789abcdef0", "é" * 16])
def test_key_length_error(monkeypatch, bad):
    with pytest.raises(InputError, match="16 bytes"):
        ps.pseudonymise(pd.Series(["E1"]), key=bad)
    monkeypatch.setenv(ps.KEY_ENV_VAR, bad)
    with pytest.raises(InputError, match=ps.KEY_ENV_VAR):
        ps.pseudonym_key()


def test_sixteen_byte_multibyte_key_accepted():
    out = ps.pseudonymise(pd.Series(["E1"]), key="é" * 8)  # 8 × 2 bytes
    assert out.str.fullmatch(r"P[0-9A-F]{16}").all()


def test_pseudonyms_are_uniformly_spread():
    # a keyed hash looks random: the first hex digit of 16,000 pseudonyms is close to
    # uniform over 16 values (chi-square with 15 df; 99.99% quantile is about 44)
    out = ps.pseudonymise(pd.Series([f"E{i}" for i in range(16_000)]), key=KEY)
    counts = out.str[1].value_counts().reindex(list("0123456789ABCDEF"), fill_value=0)
    chi2 = float(((counts - 1000) ** 2 / 1000).sum())
    assert chi2 < 44, counts.to_dict()
    assert np.all(counts > 0)


@pytest.mark.parametrize("arrow", [False, True])
def test_pseudonymise_codes_equals_pseudonymise_of_the_column(arrow):
    """A column given as codes into its distinct values (as validation encodes it; blanks
    and missing values stay blank) gets the pseudonyms of the column itself."""
    rng = np.random.default_rng(3)
    distinct = pd.Series(["E1", "", "E22", None, "é9", "E300"],
                         dtype="str" if arrow else "object")
    codes = rng.integers(0, len(distinct), 500)
    index = pd.RangeIndex(500) + 7
    column = pd.Series(distinct.astype(object).to_numpy()[codes], index=index)
    got, hashed, blank = ps.pseudonymise_codes(codes, distinct, index, key=KEY)
    expected = ps.pseudonymise(column.where(column != ""), key=KEY)
    pd.testing.assert_series_equal(got, expected)
    assert got.map(type).equals(expected.map(type))
    assert blank.tolist() == [False, True, False, True, False, False]
    # the hash is the number the pseudonym spells out
    assert [f"P{h:016X}" for h in hashed[~blank]] == ps.pseudonymise(
        distinct[~blank], key=KEY).tolist()
