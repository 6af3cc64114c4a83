"""PDSA cycle reviews: signals after each start, agreement with the prediction, rebasing."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.spc import PDSAReview, review_pdsa
from wellbeing_analysis.spc.pdsa import AGREES, DISAGREES, NO_SIGNAL_YET, TOO_EARLY

MONTHS = pd.date_range("2021-01-01", periods=36, freq="MS")
#: Small alternating wobble so that no trend fires by accident.
WOBBLE = np.tile([0.15, -0.1, 0.05, -0.15], 9)


@pytest.fixture
def absence() -> pd.DataFrame:
    """Absence rate: 5% for 20 months, then 3.5% from September 2022 (the change)."""
    level = np.where(np.arange(36) < 20, 5.0, 3.5)
    return pd.DataFrame({"month": MONTHS, "absence_rate_pct": level + WOBBLE})


@pytest.fixture
def stable() -> pd.DataFrame:
    return pd.DataFrame({"month": MONTHS, "absence_rate_pct": 5.0 + WOBBLE})


def cycles_table(**overrides) -> pd.DataFrame:
    base = {
        "cycle_id": ["C1", "C2", "C3"],
        "intervention_id": ["INT1", "INT1", pd.NA],
        "cycle_number": [1, 2, 1],
        "title": ["Wellbeing huddles", "Huddles in all teams", "New rota"],
        "plan": ["Weekly huddles in North", "Roll out to all teams", "Self-rostering pilot"],
        "measure": ["absence_rate_pct"] * 3,
        "predicted_direction": ["decrease", "increase", "no_change"],
        "predicted_value": [4.0, np.nan, np.nan],
        "start_date": pd.to_datetime(["2022-09-01", "2022-09-01", "2023-11-01"]),
        "end_date": pd.to_datetime(["2023-06-30", pd.NaT, pd.NaT]),
        "study_notes": ["Attendance 80%", pd.NA, pd.NA],
        "decision": ["adopt", pd.NA, pd.NA],
        "rebase_at_start": [False, False, False],
        "rebase_reason": [pd.NA, pd.NA, pd.NA],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def review(cycles, series, **kw) -> PDSAReview:
    return review_pdsa(cycles, series, x="month", y="absence_rate_pct",
                       improvement_direction="decrease", **kw)


def test_cycle_table_judges_each_prediction(absence):
    r = review(cycles_table(), absence)
    t = r.table.set_index("cycle_id")
    assert t.loc["C1", "agreement"] == AGREES  # predicted decrease; the rate fell
    assert t.loc["C2", "agreement"] == DISAGREES  # predicted increase; the rate fell
    assert t.loc["C3", "agreement"] == TOO_EARLY  # two months since the start, no signal
    assert t.loc["C1", "points_since_start"] == 10  # Sep 2022 to Jun 2023 (end date)
    assert t.loc["C3", "points_since_start"] == 2
    shows = t.loc["C1", "chart_shows"]
    assert "stayed below the mean" in shows and "a real shift" in shows
    assert "Sep 2022" in shows
    assert t.loc["C1", "predicted_value_met"] is True  # mean since start ≈ 3.5 <= 4.0
    assert t.loc["C1", "prediction"] == "decrease to 4"
    assert t.loc["C1", "decision"] == "adopt" and t.loc["C2", "decision"] == "ongoing"
    assert "Too early to tell: only 2 months" in t.loc["C3", "chart_shows"]
    # C3 starts during the shift that began with C1: reported as continuing, not credited.
    assert "Continuing from before the start" in t.loc["C3", "chart_shows"]
    assert "Continuing" not in t.loc["C1", "chart_shows"]
    # The report's view: plan, prediction, what the chart shows, decision.
    assert {"plan", "prediction", "chart_shows", "decision"} <= set(r.summary().columns)


def test_signals_are_limited_to_the_cycle_window(absence):
    r = review(cycles_table(), absence)
    c1 = r.signals[r.signals["cycle_id"] == "C1"]
    # signals that began within the cycle (kept whole: the shift runs on after its end)
    assert (c1["start_x"] >= pd.Timestamp("2022-09-01")).all()
    assert (c1["start_x"] <= pd.Timestamp("2023-06-30")).all()
    shift = c1[c1["rule"] == "shift"].iloc[0]
    assert (shift["start_x"], shift["n_points"]) == (pd.Timestamp("2022-09-01"), 16)
    assert r.signals[r.signals["cycle_id"] == "C3"].empty
    assert set(c1["direction"]) == {"down"}
    assert c1["label"].str.contains("Below CL").any()
    # The baseline's own shift above the mean (before any cycle) is not attributed to C1.
    assert (r.spc.signals["direction"] == "up").any()


def test_no_signal_and_no_change(stable):
    cycles = cycles_table(predicted_direction=["decrease", "no_change", "no_change"],
                          start_date=pd.to_datetime(["2022-01-01", "2022-01-01",
                                                     "2023-11-01"]))
    t = review(cycles, stable).table.set_index("cycle_id")
    assert t.loc["C1", "agreement"] == NO_SIGNAL_YET
    assert t.loc["C1", "chart_shows"].startswith("No signal: the changes are within normal "
                                                 "variation")
    assert t.loc["C2", "agreement"] == AGREES  # predicted no change, and none shown
    assert t.loc["C3", "agreement"] == TOO_EARLY


def test_rebase_only_when_asked_and_the_reason_is_carried(absence):
    plain = review(cycles_table(), absence)
    assert plain.spc.data["rebase_group"].max() == 0
    assert not plain.table["rebased"].any()
    asked = cycles_table(rebase_at_start=[True, False, False],
                         rebase_reason=["sustained shift after huddles began", pd.NA, pd.NA])
    r = review(asked, absence)
    t = r.table.set_index("cycle_id")
    assert t.loc["C1", "rebased"] and not t.loc["C2", "rebased"]
    assert t.loc["C1", "rebase_reason"] == "sustained shift after huddles began"
    assert "Limits recalculated from the cycle's start" in t.loc["C1", "chart_shows"]
    first = r.spc.data.loc[r.spc.data["rebase_group"] == 1, "x"].iloc[0]
    assert first == pd.Timestamp("2022-09-01")
    assert r.spc.summary()["rebase_reason"].iloc[1] == "C1: sustained shift after huddles began"


def test_rebase_needs_a_reason(absence):
    cycles = cycles_table(rebase_at_start=[True, False, False])
    with pytest.raises(InputError, match="rebase_reason is blank.*C1"):
        review(cycles, absence)


@pytest.mark.parametrize(("override", "message"), [
    ({"predicted_direction": ["down", "increase", "no_change"]}, "predicted_direction"),
    ({"decision": ["keep", pd.NA, pd.NA]}, "decision must be blank"),
    ({"end_date": pd.to_datetime(["2022-01-01", pd.NaT, pd.NaT])}, "end_date is before"),
    ({"start_date": pd.to_datetime([pd.NaT, "2022-09-01", "2023-11-01"])}, "start_date is blank"),
    ({"cycle_id": ["C1", "C1", "C3"]}, "unique"),
])
def test_bad_cycles_are_named(absence, override, message):
    with pytest.raises(InputError, match=message):
        review(cycles_table(**override), absence)


def test_cycles_of_another_measure_are_ignored_and_unknown_measure_is_an_error(absence):
    cycles = cycles_table(measure=["absence_rate_pct", "leavers", "absence_rate_pct"])
    r = review(cycles, absence)
    assert r.table["cycle_id"].tolist() == ["C1", "C3"]
    with pytest.raises(InputError, match="no cycle is judged on measure 'psafe'"):
        review(cycles, absence, measure="psafe")


def test_series_needs_dates(absence):
    numbered = absence.assign(month=np.arange(36))
    with pytest.raises(InputError, match="must hold dates"):
        review(cycles_table(), numbered)


def test_text_dates_in_the_cycles_table(absence):
    cycles = cycles_table(start_date=["01/09/2022", "2022-09-01", "2023-11-01"],
                          end_date=["30/06/2023", None, None])
    assert review(cycles, absence).table["points_since_start"].tolist() == [10, 16, 2]


def test_plot_annotates_cycles_and_rebase(absence):
    asked = cycles_table(rebase_at_start=[True, False, False],
                         rebase_reason=["sustained shift", pd.NA, pd.NA])
    ax = review(asked, absence).plot()
    gids = [a.get_gid() for a in ax.get_children()]
    assert gids.count("pdsa-cycle-start") == 3
    assert gids.count("pdsa-cycle-span") == 3
    labels = [a.get_text() for a in ax.get_children() if a.get_gid() == "pdsa-cycle-label"]
    assert labels == ["C1: Wellbeing huddles", "C2: Huddles in all teams", "C3: New rota"]
    rebase = [a.get_text() for a in ax.get_children() if a.get_gid() == "spc-rebase-label"]
    assert rebase == ["C1: sustained shift"]
    assert "PDSA cycles" in ax.get_title(loc="left")
    assert "PDSA cycle start" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_to_dict_is_serialisable(absence):
    out = json.loads(json.dumps(review(cycles_table(), absence).to_dict()))
    assert out["measure"] == "absence_rate_pct"
    assert out["cycles"][0]["start_date"] == "2022-09-01"
    assert out["cycles"][1]["end_date"] is None
