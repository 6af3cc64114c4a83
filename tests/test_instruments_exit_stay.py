"""Reasons for leaving and staying: counts and shares over time, top voluntary reasons,
suppression, and free text never reaching an output."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.instruments.exit_stay import reason_counts, top_reasons

STAR = "*"
SECRET = "I left because of my manager J. Smith"


def _reasons() -> pd.DataFrame:
    rows = []
    # 2023: 10 leaving records; 7 cite workload, 6 career, 1 pay; record X1 lists workload twice
    for i in range(1, 11):
        cats = []
        if i <= 7:
            cats.append("Workload and pressure")
        if i >= 5:
            cats.append("Career progression")
        if i == 10:
            cats.append("Pay and reward")
        for c in cats:
            rows.append((f"X{i}", "leaving", "2023-06-01", c, "yes" if i <= 8 else "no"))
    rows.append(("X1", "leaving", "2023-06-01", "Workload and pressure", "yes"))
    # 2024: 6 leaving records, all career
    for i in range(11, 17):
        rows.append((f"X{i}", "leaving", "2024-02-01", "Career progression", "yes"))
    # staying
    for i in range(1, 7):
        rows.append((f"S{i}", "staying", "2024-05-01", "Team and colleagues", ""))
    df = pd.DataFrame(rows, columns=["record_id", "kind", "date", "category", "voluntary"])
    df["date"] = pd.to_datetime(df["date"])
    df["voluntary"] = df["voluntary"].map({"yes": True, "no": False, "": pd.NA})
    df["comment"] = SECRET
    df["staff_group"] = "Psychological Wellbeing Practitioner"
    df["team"] = "North Step 2"
    return df


def test_counts_are_records_and_shares_are_of_the_period_records():
    rc = reason_counts(_reasons(), period="Y")
    t = rc.table.set_index(["period", "category"])
    assert t.loc[("2023", "Workload and pressure"), "count"] == 7  # X1 counted once
    assert t.loc[("2023", "Workload and pressure"), "records"] == 10
    assert t.loc[("2023", "Workload and pressure"), "share"] == pytest.approx(70.0)
    # pay: 1 record (< 5) suppressed with its share; it is the only suppressed count in 2023,
    # so the smallest other (career, 6) is suppressed too
    assert t.loc[("2023", "Pay and reward"), "count"] == STAR
    assert t.loc[("2023", "Pay and reward"), "share"] == STAR
    assert t.loc[("2023", "Career progression"), "count"] == STAR
    assert t.loc[("2023", "Career progression"), "share"] == STAR
    # zeros are shown for categories seen in another period
    assert t.loc[("2024", "Workload and pressure"), "count"] == 0
    assert t.loc[("2024", "Career progression"), "count"] == 6
    # the summary totals come from the data, not from the suppressed cells
    s = rc.summary().set_index("category")
    assert s.loc["Career progression", "count"] == 12
    assert s.loc["Career progression", "share"] == pytest.approx(100 * 12 / 16)
    # pay (1) is suppressed, and workload (7, the smallest other) protects it
    assert s.loc["Pay and reward", "count"] == STAR
    assert s.loc["Workload and pressure", "count"] == STAR


def test_financial_year_periods():
    rc = reason_counts(_reasons(), period="FY")
    # June 2023 is in FY2024 (April 2023 - March 2024), and so is February 2024
    assert set(rc.table["period"]) == {"FY2024"}
    assert rc.table.set_index("category").loc["Career progression", "count"] == 12


def test_voluntary_leavers_top_reasons():
    top = top_reasons(_reasons())
    t = top.table
    # voluntary records: X1-X8 and X11-X16 = 14; career: X5-X8 + X11-X16 = 10; workload X1-X7
    assert t["category"].tolist()[:2] == ["Career progression", "Workload and pressure"]
    assert t["count"].tolist()[:2] == [10, 7]
    assert t["records"].iloc[0] == 14
    assert t["share"].iloc[0] == pytest.approx(100 * 10 / 14)
    assert t["rank"].tolist()[:2] == [1, 2]
    # all leavers: pay appears (1 record): suppressed
    everyone = top_reasons(_reasons(), voluntary_only=False).table.set_index("category")
    assert everyone.loc["Pay and reward", "count"] == STAR
    since = top_reasons(_reasons(), since="2024-01-01").table
    assert since["category"].tolist() == ["Career progression"] and since["count"].iloc[0] == 6


def test_staying_reasons_and_groups():
    rc = reason_counts(_reasons(), kind="staying", by=("team",))
    assert rc.table["category"].tolist() == ["Team and colleagues"]
    assert rc.table["count"].iloc[0] == 6
    with pytest.raises(InputError, match="kind"):
        reason_counts(_reasons(), kind="joining")
    with pytest.raises(InputError, match="period"):
        reason_counts(_reasons(), period="W")


def test_free_text_never_reaches_an_output():
    r = _reasons()
    outputs = [reason_counts(r).table, reason_counts(r).summary(), top_reasons(r).table,
               reason_counts(r, kind="staying", by=("team",)).table]
    for t in outputs:
        assert "comment" not in t.columns
        assert not t.astype(str).apply(lambda s: s.str.contains("Smith")).any(axis=None)
    ax = reason_counts(r).plot()
    texts = [t.get_text() for t in ax.texts] + [ax.get_title(loc="left")]
    assert not any("Smith" in x for x in texts)
    assert isinstance(top_reasons(r).plot(), plt.Axes)


def test_top_reasons_chart_marks_a_suppressed_share_instead_of_drawing_zero():
    top = top_reasons(_reasons(), voluntary_only=False)
    ax = top.plot()
    shown = (top.table["count"] != STAR).sum()
    assert shown < len(top.table)  # 'Pay and reward' (1 record) is suppressed
    assert len(ax.patches) == shown  # no zero-width bar stands in for it
    marks = [t for t in ax.texts if t.get_text().startswith("not shown (fewer than")]
    assert len(marks) == len(top.table) - shown
