"""NHS Digital's sickness absence publication (organisation level) as a comparison series and
a benchmark: one reader (shared with the network report's population), selection by code,
by several codes or by type, ISO and DD/MM/YYYY dates, every bad row named; the shipped
synthetic example file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from wellbeing_analysis.errors import InputError, ParamsError
from wellbeing_analysis.loading import load_comparison
from wellbeing_analysis.publication import publication_rows, select_organisations
from wellbeing_analysis.reporting.params import load_params

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / \
    "nhs_sickness_absence_synthetic.csv"
HEADER = "DATE,ORG_CODE,ORG_NAME,ORG_TYPE,FTE_DAYS_LOST,FTE_DAYS_AVAILABLE\n"
ROWS = ("30/04/2024,RAA,Alpha,Mental Health,40,1000\n"
        "30/04/2024,RBB,Beta,Mental Health,30,500\n"
        "30/04/2024,RCC,Gamma,Acute,90,2000\n"
        "31/05/2024,RAA,Alpha,Mental Health,50,1000\n"
        "31/05/2024,RBB,Beta,Mental Health,20,500\n"
        "31/05/2024,RCC,Gamma,Acute,100,2000\n")


def publication(tmp_path, rows: str = ROWS, name: str = "pub.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_selection_by_one_code(tmp_path):
    out = load_comparison(publication(tmp_path), org_code="rbb ")  # case and spaces ignored
    assert out.to_dict("list") == {"month": ["2024-04", "2024-05"],
                                   "fte_days_lost": [30.0, 20.0],
                                   "fte_days_available": [500.0, 500.0]}


def test_selection_by_several_codes_sums_days_before_dividing(tmp_path):
    out = load_comparison(publication(tmp_path), org_code=["RAA", "RCC"])
    assert out["fte_days_lost"].tolist() == [130.0, 150.0]
    assert out["fte_days_available"].tolist() == [3000.0, 3000.0]
    rate = 100 * out["fte_days_lost"] / out["fte_days_available"]
    assert rate.tolist() == pytest.approx([100 * 130 / 3000, 5.0])
    assert rate.iloc[0] != pytest.approx((4.0 + 4.5) / 2)  # not the mean of the two rates


def test_selection_by_type(tmp_path):
    out = load_comparison(publication(tmp_path), org_type="mental health")
    assert out["fte_days_lost"].tolist() == [70.0, 70.0]
    assert out["fte_days_available"].tolist() == [1500.0, 1500.0]
    with pytest.raises(InputError, match=r"pub\.csv: no organisations of ORG_TYPE 'Ambulance'; "
                       r"the file has: 'Acute', 'Mental Health'"):
        load_comparison(publication(tmp_path), org_type="Ambulance")
    with pytest.raises(InputError, match=r"pub\.csv: no rows for ORG_CODE 'RZZ'"):
        load_comparison(publication(tmp_path), org_code=["RAA", "RZZ"])
    with pytest.raises(InputError, match="not both"):
        load_comparison(publication(tmp_path), org_code="RAA", org_type="Acute")


def test_iso_and_uk_dates_mean_the_same_month(tmp_path):
    iso = ROWS.replace("30/04/2024", "2024-04-30").replace("31/05/2024", "2024-05-31")
    a = load_comparison(publication(tmp_path, iso, "iso.csv"))
    b = load_comparison(publication(tmp_path, ROWS, "uk.csv"))
    pd.testing.assert_frame_equal(a, b)
    assert a["month"].tolist() == ["2024-04", "2024-05"]


def test_every_bad_row_is_named_with_file_row_column_and_value(tmp_path):
    rows = ("30/04/2024,RAA,Alpha,Mental Health,40,1000\n"
            "April 2024,RBB,Beta,Mental Health,30,500\n"     # row 3
            "30/04/2024,RCC,Gamma,Acute,lots,2000\n"          # row 4
            "30/04/2024,RDD,Delta,Acute,300,200\n"            # row 5
            "30/04/2024, ,Nobody,Acute,1,200\n"               # row 6
            "30/04/2024,RAA,Alpha,Mental Health,41,1000\n")  # row 7
    with pytest.raises(InputError) as exc:
        load_comparison(publication(tmp_path, rows))
    message = str(exc.value)
    assert message.startswith("5 problem(s) in pub.csv (NHS sickness absence publication")
    for line in ("pub.csv, row 3, column 'DATE': not a DD/MM/YYYY or YYYY-MM-DD date "
                 "(value: 'April 2024')",
                 "pub.csv, row 4, column 'FTE_DAYS_LOST': not a number of days at least 0 "
                 "(value: 'lots')",
                 "pub.csv, row 5, column 'FTE_DAYS_LOST': more than FTE_DAYS_AVAILABLE "
                 "(value: '300')",
                 "pub.csv, row 6, column 'ORG_CODE': blank (value: ' ')",
                 "pub.csv, row 7, column 'ORG_CODE': organisation given twice for one month"):
        assert line in message
    assert "row 2," not in message


def test_a_blanked_month_leaves_its_organisation_out_of_a_pooled_series(tmp_path):
    rows = ROWS.replace("31/05/2024,RBB,Beta,Mental Health,20,500",
                        "31/05/2024,RBB,Beta,Mental Health,,")
    pooled = load_comparison(publication(tmp_path, rows), org_type="Mental Health")
    assert pooled["fte_days_lost"].tolist() == [40.0, 50.0]  # Alpha alone, both months
    assert pooled.attrs["excluded"] == ["RBB"]
    alone = load_comparison(publication(tmp_path, rows, "b.csv"), org_code="RBB")
    assert alone["month"].tolist() == ["2024-04"]  # its blank month is left out, not zero


def test_rows_and_selection_are_the_ones_the_network_population_reads(tmp_path):
    frame = pd.read_csv(publication(tmp_path), dtype=str)
    rows = publication_rows(frame, names=True)
    assert rows["row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert select_organisations(rows, org_type="acute")["org_code"].unique().tolist() == ["RCC"]
    with pytest.raises(InputError, match=r"lacks column\(s\) 'ORG_TYPE'"):
        publication_rows(frame.drop(columns="ORG_TYPE"), names=True)


def test_the_shipped_example_is_synthetic_and_in_the_published_layout():
    frame = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    assert frame["ORG_NAME"].str.endswith("(synthetic)").all()
    assert frame["ORG_TYPE"].nunique() == 3
    rows = publication_rows(frame, names=True)
    assert rows["month"].nunique() >= 36
    # each DATE is its month's last day, as published
    dates = pd.to_datetime(frame["DATE"], format="%d/%m/%Y")
    assert (dates == dates + pd.offsets.MonthEnd(0)).all()
    mh = load_comparison(EXAMPLE, org_type="Mental Health and Learning Disability")
    assert len(mh) == rows["month"].nunique()
    rate = 100 * mh["fte_days_lost"] / mh["fte_days_available"]
    assert rate.between(3, 8).all()
    community = load_comparison(EXAMPLE, org_type="Community")
    assert community.attrs["excluded"] == ["SYN05"]  # its blanked month


def _params(tmp_path, **extra) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    raw = {"service_name": "S", "data_dir": "data", "output_dir": "out",
           "extract_date": "2026-06-30", **extra}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_params_select_by_codes_or_type_not_both(tmp_path):
    p = load_params(_params(tmp_path, benchmark={"csv": str(EXAMPLE), "name": "MH trusts",
                                                 "org_code": ["SYN01", "SYN02"]}))
    assert p.benchmark.org_code == ("SYN01", "SYN02") and p.benchmark_path() == EXAMPLE
    with pytest.raises(ParamsError, match=r"key 'benchmark': .*give org_code or org_type, "
                       "not both"):
        load_params(_params(tmp_path, benchmark={"csv": "x.csv", "name": "x",
                                                 "org_code": "A", "org_type": "Acute"}))
    ev = load_params(_params(tmp_path, evaluation={
        "intervention": "INT1", "comparison": {"csv": str(EXAMPLE), "name": "community",
                                               "org_type": "Community"}}))
    assert ev.evaluation.comparison.org_type == "Community"


def test_population_uses_the_same_reader():
    from wellbeing_analysis.funnel import population_from_publication

    frame = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    pop = population_from_publication(frame, org_type="Mental Health and Learning Disability")
    window = frame[(frame["ORG_TYPE"] == "Mental Health and Learning Disability")
                   & pd.to_datetime(frame["DATE"], format="%d/%m/%Y").between("2025-07-01",
                                                                             "2026-06-30")]
    syn01 = window[window["ORG_CODE"] == "SYN01"]
    assert pop.attrs["months"] == ("2025-07", "2026-06")
    assert pop.set_index("org_code").loc["SYN01", "fte_days_lost"] == pytest.approx(
        syn01["FTE_DAYS_LOST"].astype(float).sum())
    assert np.isfinite(pop["absence_rate"]).all()
