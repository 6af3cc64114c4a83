"""The aggregate tier: a service with only its trust's monthly figures (monthly_workforce.csv).

Validation names every problem at once (file, row, column); the monthly indicator table is
computed with the row-level engine's definitions (checked by hand and against the engine on
the same service); ``wellbeing metrics`` passes it through; the params are checked against
the figures' months."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scenarios import aggregate_service, scenario_params, small_service

from wellbeing_analysis.cli import main
from wellbeing_analysis.errors import InputError, ParamsError
from wellbeing_analysis.loading import load_service
from wellbeing_analysis.reporting.checks import check_report_inputs
from wellbeing_analysis.reporting.params import load_params
from wellbeing_analysis.validation import validate_folder
from wellbeing_analysis.workforce import (
    CORE_COLUMNS,
    aggregate_monthly_indicators,
    monthly_indicators,
    service_monthly_indicators,
)

HEADER = "month,headcount,fte_days_available,fte_days_lost,leavers\n"


def folder_with(tmp_path, text: str, name: str = "monthly_workforce.csv"):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / name).write_text(text, encoding="utf-8")
    return data


def months_text(n: int, first: str = "2024-01", **columns) -> str:
    """A valid file of ``n`` months: headcount 20, 600 days available, 30 lost, 1 leaver
    every fourth month (overridden per column by a list)."""
    months = pd.period_range(first, periods=n, freq="M").strftime("%Y-%m")
    frame = pd.DataFrame({"month": months, "headcount": 20, "fte_days_available": 600.0,
                          "fte_days_lost": 30.0, "leavers": [int(i % 4 == 0) for i in range(n)]})
    for name, values in columns.items():
        frame[name] = values
    return frame.to_csv(index=False)


def problems(data, **kw) -> pd.DataFrame:
    report = validate_folder(data, **kw)
    return report.problems


# ---------------------------------------------------------------------------
# Validation: every rule, all problems at once, file, row and column named
# ---------------------------------------------------------------------------
def test_a_folder_of_monthly_figures_needs_no_row_level_tables(tmp_path):
    data = folder_with(tmp_path, months_text(14))
    report = validate_folder(data)
    assert report.ok, report.format()
    # figures are reported for whole months: the extract is the last month's last day
    assert report.extract_date == pd.Timestamp("2025-02-28") and report.extract_date_inferred


def test_without_monthly_figures_the_row_level_tables_are_still_required(tmp_path):
    data = folder_with(tmp_path, "intervention_id\n", name="notes.csv")
    missing = set(problems(data)["problem"])
    assert any("required table staff_spells.csv is missing" in p for p in missing)
    assert all(p.endswith("(or, without staff-level data, give the trust's monthly figures "
                          "as monthly_workforce.csv)") for p in missing if "required" in p)
    assert any("required table absence_episodes.csv is missing" in p for p in missing)


def test_every_problem_of_the_monthly_figures_at_once(tmp_path):
    text = (HEADER
            + "2024-01,20,600,30,1\n"      # row 2: fine
            + "2024-02,20,600,700,0\n"     # row 3: days lost above days available
            + "2024-02,20,600,30,0\n"      # row 4: the month again
            + "2024-05,-3,600,30,0\n"      # row 5: two months missing before; negative count
            + "2024-06,20,lots,30,0\n"     # row 6: not a number
            + "June 2024,20,600,30,0\n"    # row 7: not a month
            + "2024-07,20,600,30,1.5\n")   # row 8: not a whole number of leavers
    data = folder_with(tmp_path, text)
    found = problems(data)
    errors = found[found["severity"] == "error"]
    assert (errors["file"] == "monthly_workforce.csv").all()
    by_row = {(int(r), c): p for r, c, p in zip(errors["row"], errors["column"],
                                               errors["problem"], strict=True)}
    assert by_row[(3, "fte_days_lost")] == "fte_days_lost is more than fte_days_available (600.0)"
    assert by_row[(4, "month")] == "month given twice (first in row 3)"
    assert by_row[(5, "month")].startswith("month(s) missing before this one: 2024-03 to 2024-04")
    assert by_row[(5, "headcount")].startswith("outside the allowed range [0, inf]")
    assert by_row[(6, "fte_days_available")] == "not a number"
    assert by_row[(7, "month")] == "not a month: use YYYY-MM, e.g. 2025-04"
    assert by_row[(8, "leavers")] == "not a whole number"
    assert len(errors) == 7
    with pytest.raises(Exception) as exc:
        load_service(data)
    assert "monthly_workforce.csv, row 5, column 'month'" in str(exc.value)


def test_a_month_twice_and_gaps_are_per_team(tmp_path):
    text = ("month,team,headcount,fte_days_available,fte_days_lost,leavers\n"
            "2024-01,North,10,300,10,0\n"
            "2024-01,South,10,300,10,0\n"   # another team: not a repeat
            "2024-02,North,10,300,10,0\n"
            "2024-03,South,10,300,10,0\n"   # row 5: South misses 2024-02
            "2024-02,North,11,300,10,0\n")  # row 6: North's 2024-02 again
    found = problems(folder_with(tmp_path, text))
    errors = found[found["severity"] == "error"]
    assert sorted(zip(errors["row"].astype(int), errors["problem"], strict=True)) == [
        (5, "month(s) missing before this one for this team: 2024-02 (every month from the "
            "first to the last is needed)"),
        (6, "month given twice for this team (first in row 4)")]


def test_optional_columns_partly_blank_and_parts_above_wholes(tmp_path):
    text = months_text(3, fte_days_lost_s10=[10.0, None, 40.0], team=["A", "A", ""],
                       leavers_voluntary=[2, 0, 0])
    errors = problems(folder_with(tmp_path, text))
    got = sorted(zip(errors["row"].astype(int), errors["column"], errors["problem"],
                     strict=True))
    assert got == [
        (2, "leavers_voluntary", "leavers_voluntary is more than leavers (1)"),
        (3, "fte_days_lost_s10", "fte_days_lost_s10 is blank here but given in other rows: "
            "give it in every row, or leave the column out"),
        (4, "fte_days_lost_s10", "fte_days_lost_s10 is more than fte_days_lost (30.0)"),
        (4, "team", "team is blank here but given in other rows: give it in every row, or "
            "leave the column out")]


def test_a_month_after_the_extract_date_is_refused(tmp_path):
    data = folder_with(tmp_path, months_text(3))
    found = problems(data, extract_date="2024-02-29")
    assert found[["row", "column"]].astype(str).values.tolist() == [["4", "month"]]
    assert found["problem"].iloc[0] == "month is after the extract date (2024-02-29)"


def test_with_row_level_tables_the_monthly_figures_are_not_used(tmp_path):
    data = small_service(tmp_path / "data")
    (data / "monthly_workforce.csv").write_text(months_text(3), encoding="utf-8")
    report = validate_folder(data)
    assert report.ok
    note = report.warnings[report.warnings["file"] == "monthly_workforce.csv"]
    assert note["problem"].str.startswith("not used: the folder has row-level HR tables").all()
    assert load_service(data).tier == "row-level"


def test_monthly_figures_not_used_are_not_judged(tmp_path):
    """Beside row-level tables the figures are not used, so their own problems (here a
    month mistyped far in the future) do not block."""
    data = small_service(tmp_path / "data")
    text = months_text(3).splitlines()
    bad = text[1].split(",")
    bad[0] = "2999-01"
    (data / "monthly_workforce.csv").write_text("\n".join([*text, ",".join(bad)]) + "\n",
                                                encoding="utf-8")
    report = validate_folder(data)
    assert report.ok, report.errors
    found = report.warnings[report.warnings["file"] == "monthly_workforce.csv"]
    assert len(found) == 1 and found["problem"].iloc[0].startswith("not used")


def test_a_month_beyond_the_calendar_is_refused_not_a_crash(tmp_path):
    text = months_text(3).splitlines()
    text[2] = "2999" + text[2][4:]
    data = folder_with(tmp_path, "\n".join(text) + "\n")
    found = problems(data)
    bad = found[found["value"].astype(str) == "2999-02"]
    assert bad[["row", "column"]].astype(str).values.tolist() == [["3", "month"]]
    assert bad["problem"].iloc[0].startswith("not a month")


def test_blank_row_level_templates_beside_the_figures_are_ignored(tmp_path):
    data = folder_with(tmp_path, months_text(3))
    (data / "staff_spells.csv").write_text("staff_id,team\n", encoding="utf-8")
    (data / "absence_episodes.csv").write_text("staff_id,start_date\n", encoding="utf-8")
    report = validate_folder(data)
    assert report.ok and load_service(data).tier == "aggregate"
    assert set(report.warnings["file"]) == {"staff_spells.csv", "absence_episodes.csv"}


# ---------------------------------------------------------------------------
# The monthly indicator table from the figures
# ---------------------------------------------------------------------------
def test_indicators_from_the_figures_by_hand():
    lost = [30.0, 60.0] + [45.0] * 11 + [90.0]
    available = [600.0] * 13 + [640.0]
    headcount = [20] * 12 + [22, 24]
    leavers = [1, 0, 2] + [0] * 10 + [3]
    table = pd.DataFrame({"month": pd.period_range("2024-01", periods=14, freq="M")
                          .strftime("%Y-%m"), "headcount": headcount,
                          "fte_days_available": available, "fte_days_lost": lost,
                          "leavers": leavers})
    out = aggregate_monthly_indicators(table)
    assert list(out.columns) == list(CORE_COLUMNS)
    assert out["absence_rate_pct"].iloc[1] == pytest.approx(10.0)      # 100 × 60 / 600
    assert out["absence_rate_12m_pct"].iloc[:11].isna().all()
    # Dec 2024: (30 + 60 + 10 × 45) / (12 × 600)
    assert out["absence_rate_12m_pct"].iloc[11] == pytest.approx(100 * 540 / 7200)
    # Feb 2025: Mar 2024 .. Feb 2025 = 11 × 45 + 90 over 11 × 600 + 640
    assert out["absence_rate_12m_pct"].iloc[13] == pytest.approx(100 * 585 / 7240)
    # Jan 2025: leavers Feb 2024 .. Jan 2025 = 2, over mean(headcount Jan 2024, Jan 2025)
    assert out["turnover_12m_pct"].iloc[12] == pytest.approx(100 * 2 / ((20 + 22) / 2))
    assert out["turnover_12m_pct"].iloc[13] == pytest.approx(100 * 5 / ((20 + 24) / 2))
    # what monthly figures cannot give is blank, never invented
    for column in ("fte", "starters", "fte_days_lost_s10", "fte_days_lost_long_term",
                   "fte_days_lost_short_term", "fte_days_lost_covid", "leavers_voluntary",
                   "leavers_early", "turnover_voluntary_12m_pct",
                   "stability_index_strategy_pct", "stability_index_classical_pct"):
        assert out[column].isna().all(), column
    assert out["headcount"].dtype == np.int64 and out["leavers"].dtype == np.int64


def test_team_rows_are_summed_for_the_service_and_split_for_a_breakdown():
    table = pd.DataFrame({"month": ["2024-01", "2024-01", "2024-02", "2024-03", "2024-03"],
                          "team": ["A", "B", "A", "A", "B"],  # B had nobody in 2024-02
                          "headcount": [5, 7, 6, 6, 8],
                          "fte_days_available": [150.0, 210.0, 168.0, 186.0, 248.0],
                          "fte_days_lost": [3.0, 21.0, 0.0, 6.0, 12.4],
                          "leavers": [0, 1, 0, 1, 0],
                          "fte_days_lost_long_term": [0.0, 14.0, 0.0, 0.0, 10.0]})
    service = aggregate_monthly_indicators(table)
    assert service["headcount"].tolist() == [12, 6, 14]
    assert service["absence_rate_pct"].tolist() == pytest.approx(
        [100 * 24 / 360, 0.0, 100 * 18.4 / 434])
    assert service["fte_days_lost_short_term"].tolist() == pytest.approx([10.0, 0.0, 8.4])
    teams = aggregate_monthly_indicators(table, by="team")
    b = teams[teams["team"] == "B"]
    assert b["month"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert b["headcount"].tolist() == [7, 0, 8]
    assert b["absence_rate_pct"].iloc[1] != b["absence_rate_pct"].iloc[1]  # NaN: no days
    assert teams["moves_in"].isna().all()
    with pytest.raises(InputError, match="monthly_workforce has no staff_group column"):
        aggregate_monthly_indicators(table, by="staff_group")


def test_the_engines_own_monthly_sums_give_the_engines_rates(tmp_path):
    """Same definitions: a row-level service's monthly sums, written as monthly figures, give
    the row-level engine's absence rates and rolling turnover."""
    service = load_service(small_service(tmp_path / "rows", months=18), extract_date="2026-06-30")
    engine = monthly_indicators(service.staff_spells, service.absence_episodes,
                                extract_date="2026-06-30")
    engine = engine[engine["month"] <= "2026-06"]
    figures = engine[["month", "headcount", "fte_days_available", "fte_days_lost", "leavers",
                      "fte", "starters", "fte_days_lost_s10", "fte_days_lost_long_term",
                      "leavers_voluntary"]]
    out = aggregate_monthly_indicators(figures)
    for column in ("absence_rate_pct", "absence_rate_12m_pct", "turnover_12m_pct",
                   "turnover_voluntary_12m_pct", "fte_days_lost_short_term"):
        pd.testing.assert_series_equal(out[column], engine[column].reset_index(drop=True),
                                       check_names=False, rtol=1e-12)
    assert out["turnover_12m_pct"].notna().sum() > 0


# ---------------------------------------------------------------------------
# wellbeing metrics, and the params against the figures
# ---------------------------------------------------------------------------
def test_metrics_passes_the_figures_through_validated(tmp_path, capsys):
    data = aggregate_service(tmp_path / "data", months=20)
    figures = pd.read_csv(data / "monthly_workforce.csv")
    out = tmp_path / "metrics.csv"
    assert main(["metrics", str(data), "--out", str(out)]) == 0
    table = pd.read_csv(out)
    sums = figures.groupby("month")[["fte_days_lost", "fte_days_available"]].sum()
    by_hand = 100 * sums["fte_days_lost"] / sums["fte_days_available"]
    assert table["month"].tolist() == list(sums.index)
    assert table["absence_rate_pct"].to_numpy() == pytest.approx(by_hand.to_numpy(), abs=5e-5)
    last12 = sums.iloc[-12:]
    assert table["absence_rate_12m_pct"].iloc[-1] == pytest.approx(
        100 * last12["fte_days_lost"].sum() / last12["fte_days_available"].sum(), abs=5e-5)
    assert "extract date 2026-06-30" in capsys.readouterr().out
    by_team = tmp_path / "teams.csv"
    assert main(["metrics", str(data), "--by", "team", "--out", str(by_team)]) == 0
    assert sorted(pd.read_csv(by_team)["team"].unique()) == ["Step 2", "Step 3", "Support"]
    assert main(["metrics", str(data), "--by", "staff_group", "--out",
                 str(tmp_path / "groups.csv")]) == 1
    assert "no staff_group column" in capsys.readouterr().err


def test_service_tier_and_monthly_table(tmp_path):
    service = load_service(aggregate_service(tmp_path / "data", months=18, teams=False,
                                             optional=False))
    assert service.tier == "aggregate"
    monthly = service_monthly_indicators(service)
    assert len(monthly) == 18 and monthly["stability_index_strategy_pct"].isna().all()


def test_an_extract_date_beyond_the_figures_is_refused_naming_the_key(tmp_path):
    data = aggregate_service(tmp_path / "data", months=20, extract="2026-03-31")
    params = scenario_params(tmp_path / "p.yaml", name="Agg", data_dir=data,
                             output_dir=tmp_path / "out", extract="2026-06-30", edited=True)
    p = load_params(params)
    with pytest.raises(ParamsError, match=r"key 'extract_date': 2026-06-30 asks for figures to "
                       r"2026-06, but monthly_workforce.csv ends in 2026-03: set extract_date "
                       r"to 2026-03-31"):
        check_report_inputs(p, validate_folder(data, extract_date="2026-06-30"), ["baseline"])
    ok = scenario_params(tmp_path / "q.yaml", name="Agg", data_dir=data,
                         output_dir=tmp_path / "out", extract="2026-03-31", edited=True)
    assert check_report_inputs(load_params(ok), validate_folder(data), ["baseline"]) == {}


def test_the_runner_reads_a_status_filed_under_its_mime_type():
    import nbformat

    from wellbeing_analysis.reporting.runner import _report_status

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("report.provenance()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": ""},
                                           metadata={"text/html": {
                                               "wellbeing_status": "ok; aggregate data tier "
                                               "(monthly figures only)"}})]
    nb.cells = [cell]
    assert _report_status(nb) == "ok; aggregate data tier (monthly figures only)"
    cell.outputs[0].metadata = {}
    assert _report_status(nb) == "ok"


def test_a_pdsa_measure_the_figures_cannot_give_is_named_before_any_report_runs(tmp_path):
    data = aggregate_service(tmp_path / "data", months=20, optional=False)
    cycles = pd.read_csv(data / "pdsa_cycles.csv")
    cycles = pd.concat([cycles, cycles.assign(cycle_id="C2", cycle_number=2,
                                              measure="stability_index_strategy_pct"),
                        cycles.assign(cycle_id="C3", cycle_number=3,
                                      measure="s10_absence_rate_pct")])
    cycles.to_csv(data / "pdsa_cycles.csv", index=False)
    params = load_params(scenario_params(tmp_path / "p.yaml", name="Agg", data_dir=data,
                                         output_dir=tmp_path / "out", extract="2026-06-30",
                                         edited=True))
    found = check_report_inputs(params, validate_folder(data), ["pdsa"])
    assert set(found) == {"pdsa"}
    assert ("cycle C2: measure 'stability_index_strategy_pct' needs staff_spells.csv (each "
            "person's continuous service)") in found["pdsa"]
    assert ("cycle C3: measure 's10_absence_rate_pct' needs a fte_days_lost_s10 column in "
            "monthly_workforce.csv") in found["pdsa"]
    assert "cycle C1" not in found["pdsa"]


def test_network_figures_of_a_service_with_monthly_figures(tmp_path):
    from wellbeing_analysis.network import service_figures

    data = aggregate_service(tmp_path / "data", months=24)
    service = load_service(data)
    monthly = service_monthly_indicators(service)
    figures = service_figures(service, monthly, start="2025-07", end="2026-06",
                              threshold=5).set_index("indicator")
    for key in ("absence_rate", "s10_absence_rate"):
        assert not figures.loc[key, "shown"]
        assert "absence_episodes.csv is needed" in figures.loc[key, "reason"]
    assert figures.loc["stability", "reason"].startswith("needs staff_spells.csv")
    window = monthly[(monthly["month"] >= "2025-07") & (monthly["month"] <= "2026-06")]
    assert figures.loc["turnover", "numerator"] == window["leavers"].sum()
