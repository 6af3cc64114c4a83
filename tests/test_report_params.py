"""Bad report params give clear errors before any notebook runs: each names the params
file, the key (or the data file and row) and the problem; every problem at once; and the
command line prints them without a traceback and exits 1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import demo_params_dict, write_yaml

from wellbeing_analysis.cli import main
from wellbeing_analysis.errors import ParamsError
from wellbeing_analysis.reporting.checks import check_report_inputs
from wellbeing_analysis.reporting.params import load_params
from wellbeing_analysis.reporting.runner import REPORTS, preflight
from wellbeing_analysis.validation import validate_folder

ALL = tuple(REPORTS)


@pytest.fixture
def raw(shared_demo_data, tmp_path) -> dict:
    """Valid demo params (absolute paths; no demo_seed, so a missing folder is an error)."""
    d = demo_params_dict(shared_demo_data, tmp_path / "out")
    return d


@pytest.fixture(scope="module")
def validation(shared_demo_data):
    """The demo folder validated once (what the runner's preflight computes)."""
    report = validate_folder(shared_demo_data, extract_date="2026-09-30")
    assert report.ok
    return report


def write(tmp_path: Path, raw: dict, name: str = "service.yaml") -> Path:
    return write_yaml(tmp_path / name, raw)


def params_error(path: Path) -> str:
    with pytest.raises(ParamsError) as exc:
        load_params(path)
    return str(exc.value)


def data_error(path: Path, validation, reports=ALL) -> str:
    """The problems found, whether they stop every report (raised) or one report (returned:
    that report is refused and the others still run)."""
    params = load_params(path)
    try:
        per_report = check_report_inputs(params, validation, reports)
    except ParamsError as exc:
        return str(exc)
    assert per_report, "no problem found"
    return "\n".join(per_report.values())


def assert_names(message: str, *parts: str) -> None:
    for part in parts:
        assert part in message, f"{part!r} not in the message:\n{message}"


def test_valid_params_pass(raw, tmp_path, validation):
    path = write(tmp_path, raw)
    check_report_inputs(load_params(path), validation, ALL)  # no error


# ---------------------------------------------------------------------------
# The params file alone
# ---------------------------------------------------------------------------
def test_missing_required_key(raw, tmp_path):
    del raw["extract_date"]
    path = write(tmp_path, raw)
    assert_names(params_error(path), str(path), "'extract_date'", "required key is missing")


@pytest.mark.parametrize("where, typo, key", [
    ("top", "reporting_month", "reporting_month"),
    ("disclosure", "min_cout", "disclosure.min_cout"),
])
def test_unknown_key_is_a_typo(raw, tmp_path, where, typo, key):
    (raw if where == "top" else raw[where])[typo] = 12
    path = write(tmp_path, raw)
    assert_names(params_error(path), str(path), f"'{key}'", "unknown key")


def test_unknown_indicator(raw, tmp_path):
    raw["indicators"]["absense_rate_pct"] = {"direction": "decrease"}
    path = write(tmp_path, raw)
    assert_names(params_error(path), str(path), "'indicators'", "unknown indicator",
                 "absense_rate_pct", "absence_rate_pct")  # and the names it knows


def test_wrong_direction_value(raw, tmp_path):
    raw["indicators"]["absence_rate_pct"]["direction"] = "down"
    path = write(tmp_path, raw)
    assert_names(params_error(path), str(path), "'indicators.absence_rate_pct.direction'",
                 "'increase', 'decrease' or 'neutral'")


@pytest.mark.parametrize("key, value", [
    ("baseline.start", "2021/07"), ("baseline.end", "2024-13"),
    ("evaluation.analysis_start", "July 2019"),
])
def test_month_not_yyyy_mm(raw, tmp_path, key, value):
    section, field = key.split(".")
    raw[section][field] = value
    path = write(tmp_path, raw)
    assert_names(params_error(path), str(path), f"'{key}'", value, "YYYY-MM")


def test_baseline_end_after_the_extract_date(raw, tmp_path):
    raw["baseline"]["end"] = "2026-12"
    path = write(tmp_path, raw)
    assert_names(params_error(path), str(path), "baseline.end", "2026-12",
                 "after the extract date")


def test_every_problem_is_listed_at_once(raw, tmp_path):
    raw["reporting_month"] = 12
    raw["indicators"]["absence_rate_pct"]["direction"] = "down"
    del raw["service_name"]
    message = params_error(write(tmp_path, raw))
    assert message.startswith("3 problem(s)")
    assert_names(message, "reporting_month", "direction", "service_name")


def test_data_folder_missing(raw, tmp_path):
    raw["data_dir"] = str(tmp_path / "no-such-folder")
    path = write(tmp_path, raw)
    assert_names(params_error(path), str(path), "'data_dir'", "no-such-folder", "not found")


def test_invalid_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("service_name: Demo\nindicators: {absence_rate_pct: [\n", encoding="utf-8")
    assert_names(params_error(path), str(path), "not valid YAML", "line")


def test_params_file_not_found(tmp_path):
    path = tmp_path / "missing.yaml"
    assert_names(params_error(path), str(path), "not found")


def test_top_level_not_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- service_name: Demo\n", encoding="utf-8")
    assert_names(params_error(path), str(path), "key: value")


# ---------------------------------------------------------------------------
# Params against the service's data (checked before any kernel starts)
# ---------------------------------------------------------------------------
def test_intervention_not_in_interventions_csv(raw, tmp_path, validation):
    raw["evaluation"]["intervention"] = "INT9"
    path = write(tmp_path, raw)
    assert_names(data_error(path, validation), str(path.resolve()),
                 "'evaluation.intervention'", "'INT9'", "interventions.csv")
    # only the evaluation report needs it
    check_report_inputs(load_params(path), validation, ("baseline",))


def test_analysis_start_after_the_intervention(raw, tmp_path, validation):
    raw["evaluation"]["analysis_start"] = "2024-06"  # INT1 starts 2024-04
    path = write(tmp_path, raw)
    assert_names(data_error(path, validation), str(path.resolve()),
                 "'evaluation.analysis_start'", "before the intervention starts", "2024-04-01")


def test_baseline_before_the_data_starts(raw, tmp_path, validation):
    raw["baseline"]["start"] = "2018-01"  # the demo service starts 2019-04
    path = write(tmp_path, raw)
    assert_names(data_error(path, validation), str(path.resolve()), "'baseline.start'",
                 "2018-01", "before the data start")


def test_unknown_pdsa_cycle(raw, tmp_path, validation):
    raw["pdsa"]["cycle"] = "C9"
    path = write(tmp_path, raw)
    assert_names(data_error(path, validation), str(path.resolve()), "'pdsa.cycle'", "'C9'",
                 "pdsa_cycles.csv")


def test_comparison_csv_missing(raw, tmp_path, validation):
    raw["evaluation"]["comparison"]["csv"] = str(tmp_path / "nowhere.csv")
    path = write(tmp_path, raw)
    message = data_error(path, validation, ("evaluation",))
    assert_names(message, str(path.resolve()), "'evaluation.comparison.csv'", "nowhere.csv",
                 "not found")


def test_unknown_pdsa_measure_in_pdsa_cycles_csv(raw, tmp_path, shared_demo_data):
    """Through the runner's preflight, with the fault planted in a copy of the data."""
    data = tmp_path / "data"
    shutil.copytree(shared_demo_data, data)
    cycles = pd.read_csv(data / "pdsa_cycles.csv", dtype=str, keep_default_na=False)
    cycles.loc[cycles["cycle_id"] == "C3", "measure"] = "absense_rate"
    cycles.to_csv(data / "pdsa_cycles.csv", index=False)
    raw["data_dir"] = str(data)
    path = write(tmp_path, raw)
    plan = preflight(path, ("pdsa",))
    assert plan.error is None and set(plan.report_errors) == {"pdsa"}
    assert_names(plan.report_errors["pdsa"], str(path.resolve()), "pdsa_cycles.csv",
                 "cycle C3", "unknown measure 'absense_rate'", "absence_rate_pct")
    # the other reports do not use the PDSA log
    plan = preflight(path, ("baseline",))
    assert plan.error is None and not plan.report_errors and Path(plan.bundle).is_file()


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------
def test_cli_prints_the_problem_without_a_traceback_and_exits_1(raw, tmp_path, capsys):
    raw["indicators"]["absense_rate_pct"] = {"direction": "decrease"}
    bad = write(tmp_path, raw, "bad.yaml")
    assert main(["report", "baseline", str(bad)]) == 1
    out, err = capsys.readouterr()
    both = out + err
    assert_names(both, str(bad), "'indicators'", "unknown indicator", "absense_rate_pct",
                 "FAILED")
    assert "Traceback" not in both
    assert not (tmp_path / "out").exists()  # nothing was rendered or written
