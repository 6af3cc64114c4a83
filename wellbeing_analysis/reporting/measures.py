"""Measures a chart can be drawn for: the monthly workforce indicators, and survey measures
(wave scores, joy-at-work proportions). One lookup, used by the SPC sections of every report
and by the PDSA review, so a measure named in pdsa_cycles.csv means the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wellbeing_analysis.disclosure import numeric
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.indicators import INDICATORS, publishable_series
from wellbeing_analysis.workforce.aggregate import needs_for

#: Survey measures a PDSA cycle may name (besides the monthly indicators).
SURVEY_MEASURES = {
    "joy_good_day_pct": "Share of good days (joy at work marble jar)",
    "psafe": "Team psychological safety (mean score)",
    "nss_engagement": "Staff engagement, pulse survey (0–10)",
}


@dataclass
class MeasureSeries:
    """A measure ready for :func:`wellbeing_analysis.spc.spc`: ``data`` has the x column
    ``month``, the y column named after the measure in words (so chart rules describe it in
    plain English: 'the sickness absence rate stayed below the mean...') and, for Laney
    charts, ``n``."""

    name: str
    label: str
    unit: str
    data: pd.DataFrame
    chart: str
    direction: str
    target: float | None
    n: str | None = None
    fix_limits: bool = True  # limits may be fixed on the params' baseline window
    x: str = "month"
    #: the period each point covers ('month', 'quarter' or a survey 'wave')
    period: str = "month"
    #: why the measure is shown over longer periods, or not at all (disclosure control)
    note: str = ""

    @property
    def chartable(self) -> bool:
        return self.data is not None and len(self.data) > 0

    @property
    def y(self) -> str:
        return self.label[:1].lower() + self.label[1:]


def _series_frame(label: str, x, y, n=None) -> pd.DataFrame:
    data = pd.DataFrame({"month": x, label[:1].lower() + label[1:]: y})
    if n is not None:
        data["n"] = n
    return data.reset_index(drop=True)


def indicator_measure(ctx, name: str, *, start: str | None = None) -> MeasureSeries:
    """A monthly indicator over complete months (from ``start``).

    Rates use Laney's U′ chart on the percentage with the denominator as n: Laney's limits
    are invariant to the scale of y and P′ and U′ limits coincide (docs/spc.md), so this is
    the P′ chart drawn in percent. Other indicators use an XmR chart. A rate of people
    (leavers) is charted by month only when every month's count may be published, else by
    quarter, else not at all (:func:`~wellbeing_analysis.indicators.publishable_series`).
    """
    ind = INDICATORS[name]
    p = ctx.params.indicator(name)
    series = ctx.complete_monthly
    if start is not None:
        series = series[series["month"] >= start]
    column = ind.numerator or ind.column
    if series[column].isna().all():  # monthly figures without this detail: never invented
        return MeasureSeries(name, ind.label, ind.unit, None, "none", p.direction, p.target,
                             period="", note=f"{ind.label} is not charted: it needs "
                             f"{needs_for(column)}.")
    series, period, note = publishable_series(series, name, threshold=ctx.threshold)
    if series is None:
        return MeasureSeries(name, ind.label, ind.unit, None, "none", p.direction, p.target,
                             period="", note=note)
    if start is not None:
        series = series[series["month"] >= pd.Period(start, freq="M").to_timestamp()]
    laney = ind.is_rate and ind.chart in ("pprime", "uprime")
    if ind.is_rate:
        series = series[series["denominator"] > 0]
    data = _series_frame(ind.label, series["month"], series["value"],
                         series["denominator"] if laney else None)
    return MeasureSeries(name, ind.label, ind.unit, data, "uprime" if laney else "xmr",
                         p.direction, p.target, n="n" if laney else None,
                         fix_limits=period == "month", period=period, note=note)


def measure_series(ctx, name: str, *, start: str | None = None) -> MeasureSeries:
    """Any measure by name: a monthly indicator, or a survey measure when survey data exist."""
    if name in INDICATORS:
        return indicator_measure(ctx, name, start=start)
    if name in SURVEY_MEASURES:
        return survey_measure(ctx, name)
    raise InputError(f"unknown measure {name!r}: use a monthly indicator "
                     f"({', '.join(INDICATORS)}) or a survey measure "
                     f"({', '.join(SURVEY_MEASURES)})")


def survey_measure(ctx, name: str) -> MeasureSeries:
    """A survey measure as a chartable series (for PDSA cycles)."""
    if name == "joy_good_day_pct":
        from wellbeing_analysis.instruments import joy_proportion

        joy = joy_proportion(ctx.service.table("joy_tallies"), freq="M", threshold=ctx.threshold)
        t = numeric(joy.table, ["pct_good", "total_days"]).dropna(subset=["pct_good"])
        data = _series_frame(SURVEY_MEASURES[name], t["period"], t["pct_good"], t["total_days"])
        return MeasureSeries(name, SURVEY_MEASURES[name], "%", data, "uprime", "increase",
                             None, n="n", fix_limits=False)
    from wellbeing_analysis.instruments import summarise_scores

    table_name = "pulse_survey" if name == "nss_engagement" else "wellbeing_survey"
    if not ctx.service.has(table_name):
        raise InputError(f"measure {name!r} needs {table_name}.csv in the data folder")
    k = ctx.params.disclosure.min_survey_group
    summary = summarise_scores(ctx.service.table(table_name), name, min_group_size=k)
    key = "engagement" if name == "nss_engagement" else name
    t = numeric(summary.table, ["mean"])
    t = t[t["measure"] == key].dropna(subset=["mean"])
    data = _series_frame(SURVEY_MEASURES[name], t["wave_date"], t["mean"])
    return MeasureSeries(name, SURVEY_MEASURES[name], "score", data, "xmr", "increase", None,
                         fix_limits=False)
