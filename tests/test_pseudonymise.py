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
def test_pseudonymise_coded_equals_pseudonymise_of_each_column(arrow):
    """Columns given as codes into their distinct values (as validation encodes them; blanks
    and missing values stay blank) get the pseudonyms of the columns themselves, and keys
    on one numbering that are equal exactly where the pseudonyms are."""
    rng = np.random.default_rng(3)
    dtype = "str" if arrow else "object"
    given = [(rng.integers(0, 6, 500), pd.Series(["E1", "", "E22", None, "é9", "E300"],
                                                 dtype=dtype)),
             (rng.integers(0, 4, 300), pd.Series(["E300", "E4", "", "E1"], dtype=dtype)),
             (np.zeros(0, dtype=np.int32), pd.Series([], dtype=dtype))]
    got = ps.pseudonymise_coded(given, key=KEY)
    columns = []
    for (codes, distinct), (pseudonyms, keys) in zip(given, got, strict=True):
        column = pd.Series(distinct.astype(object).to_numpy()[codes])
        expected = ps.pseudonymise(column.where(column != ""), key=KEY)
        assert pseudonyms.dtype == object and len(keys) == len(codes)
        pd.testing.assert_series_equal(pd.Series(pseudonyms, dtype=object), expected)
        assert list(map(type, pseudonyms)) == list(map(type, expected))
        columns.append((expected, keys))
    every = pd.concat([c for c, _ in columns], ignore_index=True)
    keys = np.concatenate([k for _, k in columns])
    assert np.array_equal(pd.factorize(every, use_na_sentinel=False)[0], pd.factorize(keys)[0])
    assert ps.pseudonymise_coded([], key=KEY) == []
