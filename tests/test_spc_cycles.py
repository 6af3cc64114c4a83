"""PDSA cycles judged on their own population and period: the team's series, limits from
before the cycle, concurrent changes named, too-small groups and short baselines refused."""

import numpy as np
import pandas as pd
import pytest

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.schema.scope import Scope, intervention_scope, parse_scope
from wellbeing_analysis.spc import CANNOT_TELL, CycleReview, Population, cycle_settings
from wellbeing_analysis.spc.pdsa import AGREES, NO_SIGNAL_YET

MONTHS = pd.date_range("2021-01-01", periods=48, freq="MS")
#: Alternating wobble: no trend or run fires by accident.
WOBBLE = np.tile([0.15, -0.1, 0.05, -0.15], 12)
Y = "absence rate"
TEAM = Scope("team", ("North",))


def series(level: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"month": MONTHS, Y: level + WOBBLE})


def cycle(**kw) -> dict:
    row = {"cycle_id": "C1", "intervention_id": pd.NA, "cycle_number": 1,
           "title": "Huddles in North", "plan": "Weekly huddles", "measure": Y,
           "predicted_direction": "decrease", "predicted_value": np.nan,
           "start_date": pd.Timestamp("2024-01-01"), "end_date": pd.NaT,
           "study_notes": pd.NA, "decision": pd.NA, "rebase_at_start": False,
           "rebase_reason": pd.NA, "scope": "team:North"}
    return row | kw


def review(cycles: list[dict], populations: dict, **kw) -> CycleReview:
    return CycleReview(pd.DataFrame(cycles), populations, measure=Y, x="month", y=Y,
                       improvement_direction="decrease", **kw)


def test_a_team_cycle_is_judged_on_the_team_series_with_pre_cycle_limits():
    # The team's absence falls from 5% to 3.5% when its cycle starts (Jan 2024, month 36);
    # the service as a whole does not change.
    team = series(np.where(np.arange(48) < 36, 5.0, 3.5))
    service = series(np.full(48, 5.0))
    r = review([cycle()], {"C1": Population(TEAM, team, "xmr")})
    row = r.table.iloc[0]
    assert row["agreement"] == AGREES
    assert row["population"] == "team North"
    # limits from the 24 months before the start: Jan 2022 to Dec 2023, mean 5.0 + mean
    # wobble (-0.0125), where the whole series' mean would be 4.625
    chart = r.charts["C1"].spc.data
    assert chart["x"].iloc[0] == pd.Timestamp("2022-01-01")
    assert chart["centre"].iloc[0] == pytest.approx(5.0 - 0.0125)
    assert row["baseline"] == "Jan 2022 to Dec 2023 (24 months)"
    # the same cycle judged on the service's series would see nothing
    on_service = review([cycle(scope="service")], {"C1": Population(Scope(), service, "xmr")})
    assert on_service.table.iloc[0]["agreement"] == NO_SIGNAL_YET


def test_a_too_small_group_is_refused_with_its_reason():
    why = "team North has a median of 3 staff in post, fewer than 5"
    r = review([cycle()], {"C1": Population(TEAM, None, refused=why)})
    row = r.table.iloc[0]
    assert row["agreement"] == CANNOT_TELL
    assert row["chart_shows"] == f"Cannot tell: {why}"
    assert r.charts["C1"] is None


def test_too_short_a_baseline_is_refused():
    # the cycle starts after 10 months of data: limits need 12 months before it
    r = review([cycle(start_date=pd.Timestamp("2021-11-01"))],
               {"C1": Population(TEAM, series(np.full(48, 5.0)), "xmr")})
    row = r.table.iloc[0]
    assert row["agreement"] == CANNOT_TELL
    assert "has 10 months before the cycle started" in row["chart_shows"]
    assert "at least 12" in row["chart_shows"]


def interventions(**kw) -> pd.DataFrame:
    row = {"intervention_id": "INT9", "name": "Self-rostering", "start_date":
           pd.Timestamp("2022-06-01"), "end_date": pd.NaT, "phase_in_months": 2,
           "teams": "North;South"}
    return pd.DataFrame([row | kw])


def test_an_earlier_intervention_on_the_group_starts_the_baseline_and_is_a_caveat():
    team = series(np.where(np.arange(48) < 36, 5.0, 3.5))
    r = review([cycle()], {"C1": Population(TEAM, team, "xmr")}, interventions=interventions())
    row = r.table.iloc[0]
    # INT9 took effect in Aug 2022 (June + 2 months' phase-in): the baseline starts there,
    # 17 months before the cycle, not 24
    assert r.charts["C1"].spc.data["x"].iloc[0] == pd.Timestamp("2022-08-01")
    assert row["baseline"].startswith("Aug 2022 to Dec 2023 (17 months, after INT9")
    assert "intervention INT9 (Self-rostering; teams North and South, from Jun 2022, " \
           "ongoing)" in row["caveats"]
    # an intervention in other teams neither moves the baseline nor is a caveat
    elsewhere = review([cycle()], {"C1": Population(TEAM, team, "xmr")},
                       interventions=interventions(teams="South"))
    assert elsewhere.table.iloc[0]["caveats"] == ""
    assert elsewhere.charts["C1"].spc.data["x"].iloc[0] == pd.Timestamp("2022-01-01")


def test_an_ended_intervention_starts_the_baseline_after_its_end_and_the_cycles_own_is_ignored():
    ended = interventions(end_date=pd.Timestamp("2022-12-31"))
    s = cycle_settings(pd.DataFrame([cycle()]), ended)["C1"]
    assert s.baseline_from == pd.Timestamp("2023-01-01") and s.concurrent == []
    own = cycle_settings(pd.DataFrame([cycle(intervention_id="INT9")]), interventions())["C1"]
    assert own.baseline_from is None and own.concurrent == []


def test_overlapping_cycles_are_named_as_concurrent():
    c1 = cycle()
    c2 = cycle(cycle_id="C2", title="Rota pilot", scope="service",
               start_date=pd.Timestamp("2024-03-01"), end_date=pd.Timestamp("2024-05-31"))
    c3 = cycle(cycle_id="C3", title="Earlier test", scope="team:North",
               start_date=pd.Timestamp("2023-01-01"), end_date=pd.Timestamp("2023-03-31"))
    s = cycle_settings(pd.DataFrame([c1, c2, c3]))
    assert s["C1"].concurrent == ["cycle C2 (Rota pilot; the whole service, from Mar 2024, "
                                  "to May 2024)"]
    assert s["C3"].concurrent == []  # ended before C1 and C2 began
    assert s["C1"].baseline_from is None  # cycles are caveats; only interventions cut it


def test_scopes_parse_label_and_overlap():
    assert parse_scope("") == Scope() and parse_scope(None) == Scope()
    two = parse_scope("team: North Step 2 ; South Step 2")
    assert two.names == ("North Step 2", "South Step 2")
    assert two.label == "teams North Step 2 and South Step 2"
    assert two.text == "team:North Step 2;South Step 2"
    assert two.overlaps(Scope("team", ("South Step 2",)))
    assert not two.overlaps(Scope("team", ("Service Support",)))
    assert two.overlaps(Scope("staff_group", ("Counsellor",)))  # cannot rule it out
    assert intervention_scope("all") == Scope()
    for bad in ("teams:North", "team:", "North Step 2"):
        with pytest.raises(ValueError):
            parse_scope(bad)


def test_a_bad_scope_in_a_cycles_table_names_the_cycle():
    with pytest.raises(InputError, match=r"scope must be blank.*\(cycle\(s\) C1\)"):
        cycle_settings(pd.DataFrame([cycle(scope="North Step 2")]))

