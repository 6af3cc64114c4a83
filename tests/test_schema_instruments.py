"""Instrument definitions: consistent with the spec and the package reference tables,
cheap to import, every rule carrying its status."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from wellbeing_analysis.schema.instruments import (
    HIGHLIGHTED_QUESTIONS,
    INSTRUMENTS,
    NSS_ENGAGEMENT,
    NSS_MORALE,
    NSS_RENUMBERED,
    OLBI,
    get_instrument,
)


def test_every_instrument_declares_status_source_and_missing_rule():
    for inst in INSTRUMENTS.values():
        assert inst.status in ("V", "S", "M")
        assert inst.source and inst.status_note and inst.missing_rule
        # every scored item belongs to exactly one subscale
        members = [i for s in inst.subscales for i in s.items]
        assert sorted(members) == sorted(inst.items), inst.name
        assert 0 < inst.min_share <= 1
    assert INSTRUMENTS["wrqol"].status == "M"
    assert "provisional scores (not yet checked against its manual)" in INSTRUMENTS["wrqol"].title


def test_olbi_codings_are_complementary_and_must_be_declared():
    agree, disagree = OLBI.coding("agree_1"), OLBI.coding("disagree_1")
    assert agree.reversed_items | disagree.reversed_items == set(OLBI.items)
    assert not agree.reversed_items & disagree.reversed_items
    assert OLBI.needs_declared_coding and OLBI.coding_column == "olbi_coding"


def test_nss_definitions_match_the_package_table(reference_dir):
    t = pd.read_csv(reference_dir / "instruments" / "nhs_nss_theme_items.csv", dtype=str)
    for inst, theme in ((NSS_ENGAGEMENT, "Staff engagement"), (NSS_MORALE, "Morale")):
        rows = t[t["theme_or_element"] == theme]
        for sub in inst.subscales:
            label = sub.label.replace(" (reversed)", "")
            in_table = rows[rows["sub_score"] == label]
            assert list(in_table["q_2021"]) == list(sub.items), sub.key
            reversed_in_table = set(in_table.loc[in_table["coding_1_to_5"].str.contains(
                "reversed"), "q_2021"])
            assert reversed_in_table == set(sub.items) & inst.codings[0].reversed_items
    moved = t[(t["q_2021"] != t["q_2022"]) | (t["q_2021"] != t["q_2023_2025"])]
    eng_mor = moved[moved["theme_or_element"].isin(["Staff engagement", "Morale"])]
    expected = {r.q_2021: (r.q_2021, r.q_2022, r.q_2023_2025) for r in eng_mor.itertuples()}
    assert expected == NSS_RENUMBERED
    # the highlighted questions exist in the table with their 2021 numbers
    assert set(HIGHLIGHTED_QUESTIONS) <= set(t["q_2021"])


def test_package_copies_of_reference_tables_are_identical(reference_dir):
    from importlib import resources

    for name in ("swemwbs_conversion.csv", "nhs_nss_theme_items.csv"):
        package = resources.files("wellbeing_analysis.data").joinpath(name).read_text("utf-8")
        assert package == (reference_dir / "instruments" / name).read_text("utf-8")


def test_get_instrument_names_the_known_ones():
    assert get_instrument("psafe").scale_max == 7
    with pytest.raises(KeyError, match="psafe"):
        get_instrument("phq9")


def test_definitions_import_stays_cheap():
    # schema and validation import the definitions; that must not pull in scipy/matplotlib
    code = ("import sys; import wellbeing_analysis.validation; "
            "bad = [m for m in ('scipy', 'matplotlib', 'wellbeing_analysis.instruments.scoring')"
            " if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
