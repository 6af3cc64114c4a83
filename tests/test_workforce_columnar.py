"""The columnar reader: Parquet and CSV (ISO or DD/MM/YYYY dates) read into compact typed
columns that give the same monthly table as the frames they were written from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.test_workforce_engine import assert_same_table, random_extract
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.workforce import monthly_indicators
from wellbeing_analysis.workforce.columnar import read_table, read_workforce_extract


def write_csv(df: pd.DataFrame, path, date_format: str) -> None:
    out = df.copy()
    for c in ("start_date", "end_date"):
        out[c] = out[c].dt.strftime(date_format)
    out.to_csv(path, index=False)


@pytest.mark.parametrize("fmt", ["parquet", "%Y-%m-%d", "%d/%m/%Y"])
def test_reader_gives_the_same_table(tmp_path, fmt):
    spells, episodes, extract = random_extract(5)
    for name, df in (("staff_spells", spells), ("absence_episodes", episodes)):
        if fmt == "parquet":
            pq.write_table(pa.Table.from_pandas(df, preserve_index=False),
                           tmp_path / f"{name}.parquet")
        else:
            write_csv(df, tmp_path / f"{name}.csv", fmt)
    s, e = read_workforce_extract(tmp_path)
    # identifiers stay Arrow strings; other text is categorical; dates are datetimes
    assert s["staff_id"].dtype == "str" and e["staff_id"].dtype == "str"
    assert isinstance(s["team"].dtype, pd.CategoricalDtype)
    assert isinstance(e["reason_code"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_datetime64_any_dtype(s["start_date"])
    assert e["end_date"].isna().sum() == episodes["end_date"].isna().sum()
    np.testing.assert_array_equal(s["start_date"].to_numpy("datetime64[D]"),
                                  spells["start_date"].to_numpy("datetime64[D]"))
    for by in (None, "team", "staff_group"):
        assert_same_table(monthly_indicators(s, e, extract_date=extract, by=by),
                          monthly_indicators(spells, episodes, extract_date=extract, by=by))


def test_reader_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match="no staff_spells"):
        read_workforce_extract(tmp_path)
    spells, _, _ = random_extract(1, n_staff=5)
    write_csv(spells.drop(columns="fte"), tmp_path / "staff_spells.csv", "%Y-%m-%d")
    with pytest.raises(InputError, match="fte"):
        read_table(tmp_path / "staff_spells.csv", "staff_spells")
    bad = tmp_path / "bad.csv"
    write_csv(spells.assign(fte="lots"), bad, "%Y-%m-%d")
    with pytest.raises(InputError, match="bad.csv"):
        read_table(bad, "staff_spells")
    (tmp_path / "staff_spells.txt").write_text("x")
    with pytest.raises(InputError, match="parquet or .csv"):
        read_table(tmp_path / "staff_spells.txt", "staff_spells")
