"""Every chart of the demo's reports fits its canvas: a figure laid out by constrained layout
is saved at its own size (not trimmed to its tight box), so nothing may stick out of it."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.layout_engine import ConstrainedLayoutEngine

from wellbeing_analysis.reporting import blocks
from wellbeing_analysis.reporting.catalogue import FRONT_MATTER, REPORTS
from wellbeing_analysis.reporting.runner import preflight

#: Inches a chart's drawn content may reach past its canvas (rounding of text extents).
TOLERANCE_INCHES = 0.01


def overhang(fig: plt.Figure) -> float:
    """How far (inches) the figure's drawn content reaches past its canvas; <= 0 fits."""
    fig.canvas.draw()  # lay out as saving does
    drawn = fig.get_tightbbox()
    width, height = fig.get_size_inches()
    return max(-drawn.x0, -drawn.y0, drawn.x1 - width, drawn.y1 - height)


def test_overhang_sees_a_label_outside_the_canvas():
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([0, 1], [0, 1])
    fig.text(1.05, 0.5, "outside")  # placed past the right edge: layout does not move it
    assert overhang(fig) > TOLERANCE_INCHES
    plt.close(fig)
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([0, 1], [0, 1])
    ax.set_title("A title")
    ax.legend(["a line"], loc="upper left", bbox_to_anchor=(1.0, 1.0))
    assert overhang(fig) <= TOLERANCE_INCHES  # constrained layout makes room for these
    plt.close(fig)


def charts_of(params: Path, monkeypatch) -> list[tuple[str, str, float]]:
    """(report, chart title, overhang) of every constrained chart of a service's reports,
    rendered in process from the run bundle its preflight makes."""
    plan = preflight(params, tuple(REPORTS))
    assert plan.error is None, plan.error
    saved = blocks.figure
    charts: list[tuple[str, str, float]] = []
    report_key = [""]

    def checked(fig, **kwargs):
        if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
            title = fig._suptitle.get_text() if fig._suptitle else fig.axes[0].get_title()
            charts.append((report_key[0], title, overhang(fig)))
        return saved(fig, **kwargs)

    monkeypatch.setattr(blocks, "figure", checked)
    for spec in REPORTS.values():
        if spec.key in plan.report_errors:
            continue
        report_key[0] = spec.key
        report = spec.report_class().from_params(str(params), bundle=plan.bundle)
        for method in (*FRONT_MATTER, *(s.method for s in report.SECTIONS)):
            getattr(report, method)()
    monkeypatch.setattr(blocks, "figure", saved)
    return charts


@pytest.mark.slow
def test_every_chart_of_the_demo_reports_fits_its_canvas(
        tmp_path, monkeypatch, shared_demo_data, make_demo_params):
    params = make_demo_params(tmp_path / "svc.yaml", shared_demo_data,
                              tmp_path / "reports" / "svc", service_name="Service")
    charts = charts_of(params, monkeypatch)
    assert len(charts) >= 12  # the SPC, seasonal, survey, PDSA and ITS charts
    assert [c for c in charts if c[2] > TOLERANCE_INCHES] == []


@pytest.mark.slow
def test_every_chart_of_small_messy_services_fits_its_canvas(tmp_path, monkeypatch):
    """18 months of 40 staff (CSV and Excel), nobody off sick, a change three months in,
    and only the trust's monthly figures: other series lengths, counts and labels."""
    from scenarios import aggregate_service, scenario_params, small_service

    extract = "2026-06-30"
    data = tmp_path / "data"
    services = {
        "small": small_service(data / "small", extract=extract),
        "excel": small_service(data / "excel", extract=extract, excel=True),
        "no_sickness": small_service(data / "no_sickness", extract=extract, sickness=False),
        "early_change": small_service(data / "early", extract=extract, intervention_month=3),
        "aggregate": aggregate_service(data / "aggregate", months=24, extract=extract,
                                       teams=False, optional=False, intervention_month=13),
    }
    charts = []
    for name, folder in services.items():
        extra = {} if name == "aggregate" else {"data_start": "2025-01"}
        params = scenario_params(tmp_path / "params" / f"{name}.yaml", name=name,
                                 data_dir=folder, output_dir=tmp_path / "reports" / name,
                                 extract=extract, edited=True, **extra)
        charts += [(name, *c) for c in charts_of(params, monkeypatch)]
    assert len(charts) >= 25
    assert [c for c in charts if c[3] > TOLERANCE_INCHES] == []
