"""Measures a chart can be drawn for: the monthly workforce indicators, and survey measures
(wave scores, joy-at-work proportions). One lookup, used by the SPC sections of every report
and by the PDSA review, so a measure named in pdsa_cycles.csv means the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wellbeing_analysis.constants import PDSA_SCOPE_SERVICE
from wellbeing_analysis.disclosure import numeric
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.indicators import (
    INDICATORS,
    aggregate_series,
    indicator_series,
    publishable_series,
)
from wellbeing_analysis.schema.scope import Scope
from wellbeing_analysis.spc import labels
from wellbeing_analysis.spc.fit import choose_chart, longer_periods_fit
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
    #: the chart in plain words and why it fits the data
    chart_reason: str = ""

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


def indicator_measure(ctx, name: str, *, start: str | None = None,
                      monthly: pd.DataFrame | None = None) -> MeasureSeries:
    """A monthly indicator over complete months (from ``start``).

    A rate of people (leavers) is charted by month only when every month's count may be
    published, else by quarter, else not at all
    (:func:`~wellbeing_analysis.indicators.publishable_series`). The chart of a rate follows
    the rule of :func:`~wellbeing_analysis.spc.fit.choose_chart` on its counts: thin counts
    are summed into quarters when quarters are not thin (and there are enough of them), else
    drawn as a run chart; otherwise Laney's U′ chart when over-dispersed, else a U chart.
    The percentage is charted with ``n`` = denominator ÷ 100, so y × n is the count; Laney's
    limits do not depend on that scale and P′ and U′ limits coincide (docs/spc.md). Other
    indicators use an XmR chart. ``monthly``: another complete-month table in the layout
    of the service's (a group's, see :func:`population_measure`).
    """
    ind = INDICATORS[name]
    p = ctx.params.indicator(name)
    series = ctx.complete_monthly if monthly is None else monthly
    if start is not None:
        series = series[series["month"] >= start]
    monthly = series
    column = ind.numerator or ind.column
    if series[column].isna().all():  # monthly figures without this detail: never invented
        return MeasureSeries(name, ind.label, ind.unit, None, "none", p.direction, p.target,
                             period="", note=f"{ind.label} is not charted: it needs "
                             f"{needs_for(column)}.")
    series, period, note = publishable_series(series, name, threshold=ctx.threshold)
    if series is None:
        return MeasureSeries(name, ind.label, ind.unit, None, "none", p.direction, p.target,
                             period="", note=note)

    def trim(s: pd.DataFrame) -> pd.DataFrame:
        if start is not None:
            s = s[s["month"] >= pd.Period(start, freq="M").to_timestamp()]
        return s[s["denominator"] > 0] if ind.is_rate else s

    series = trim(series)
    if not (ind.is_rate and ind.chart in ("pprime", "uprime")):
        data = _series_frame(ind.label, series["month"], series["value"])
        return MeasureSeries(name, ind.label, ind.unit, data, "xmr", p.direction, p.target,
                             fix_limits=period == "month", period=period, note=note,
                             chart_reason=labels.CHART_DESCRIPTIONS["xmr"])
    choice = _rate_choice(series, ind.scale, period)
    if choice.thin and period == "month":
        quarters = trim(aggregate_series(indicator_series(monthly, name), name, "Q"))
        by_quarter = _rate_choice(quarters, ind.scale, "quarter")
        if longer_periods_fit(choice, by_quarter, len(quarters)):
            note = (f"{note} " if note else "") + (
                f"Shown by quarter: months have too few events for process limits "
                f"({choice.mean_events:.1f} a month on average).")
            series, period, choice = quarters, "quarter", by_quarter
    chart = choice.chart
    n = None if chart == "run" else series["denominator"] / ind.scale
    data = _series_frame(ind.label, series["month"], series["value"], n)
    return MeasureSeries(name, ind.label, ind.unit, data, chart, p.direction, p.target,
                         n=None if n is None else "n", fix_limits=period == "month",
                         period=period, note=note, chart_reason=choice.reason)


def _rate_choice(series: pd.DataFrame, scale: float, period: str):
    """The chart for a rate series (value = scale × numerator ÷ denominator)."""
    return choose_chart(series["value"].to_numpy(), (series["denominator"] / scale).to_numpy(),
                        proportion=False, unit=period)


def measure_series(ctx, name: str, *, start: str | None = None) -> MeasureSeries:
    """Any measure by name: a monthly indicator, or a survey measure when survey data exist."""
    if name in INDICATORS:
        return indicator_measure(ctx, name, start=start)
    if name in SURVEY_MEASURES:
        return survey_measure(ctx, name)
    raise InputError(f"unknown measure {name!r}: use a monthly indicator "
                     f"({', '.join(INDICATORS)}) or a survey measure "
                     f"({', '.join(SURVEY_MEASURES)})")


def population_measure(ctx, name: str, scope: Scope) -> tuple[MeasureSeries | None, str]:
    """(the measure for ``scope``'s group, '') or (None, why it cannot be judged).

    Teams and staff groups come from the workforce engine's monthly tables by team and by
    staff group; several names are summed month by month (numerators and denominators,
    then the rate). A group is refused when its median staff in post is below the
    disclosure threshold, when its counts cannot be published at any period
    (:func:`~wellbeing_analysis.indicators.publishable_series`), or for measures that exist
    only for the whole service (surveys, rolling and stock figures)."""
    if scope.kind == PDSA_SCOPE_SERVICE:
        m = measure_series(ctx, name)
        return (m, "") if m.chartable else (None, m.note)
    ind = INDICATORS.get(name)
    if ind is None or not ind.is_rate:
        return None, (f"{name} is judged for the whole service only; a cycle on "
                      f"{scope.label} can be judged on a monthly rate such as "
                      "absence_rate_pct or leaver_rate_pct")
    table = ctx.monthly_by_team if scope.kind == "team" else ctx.monthly_by_group
    part = table[table[scope.kind].isin(scope.names)
                 & (table["month"] <= ctx.last_month)]
    columns = list(dict.fromkeys([ind.numerator, ind.denominator, "headcount"]))
    monthly = part.groupby("month", sort=True)[columns].sum().reset_index()
    staff = float(monthly["headcount"].median()) if len(monthly) else 0.0
    if staff < ctx.threshold:
        return None, (f"{scope.label} has a median of {staff:.0f} staff in post, fewer than "
                      f"{ctx.threshold}: too small to chart without pointing at individuals")
    m = indicator_measure(ctx, name, monthly=monthly)
    if not m.chartable:  # the note's first clause: why (not what the service report shows)
        return None, m.note.split(";")[0].replace("are not charted", f"of {scope.label} "
                                                  "cannot be charted") + "."
    return m, ""


def survey_measure(ctx, name: str) -> MeasureSeries:
    """A survey measure as a chartable series (for PDSA cycles)."""
    if name == "joy_good_day_pct":
        from wellbeing_analysis.instruments import joy_proportion

        joy = joy_proportion(ctx.service.table("joy_tallies"), freq="M", threshold=ctx.threshold)
        t = numeric(joy.table, ["pct_good", "total_days"]).dropna(subset=["pct_good"])
        data = _series_frame(SURVEY_MEASURES[name], t["period"], t["pct_good"], t["total_days"])
        return MeasureSeries(name, SURVEY_MEASURES[name], "%", data, "uprime", "increase",
                             None, n="n", fix_limits=False,
                             chart_reason=labels.CHART_DESCRIPTIONS["uprime"])
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
                         fix_limits=False, chart_reason=labels.CHART_DESCRIPTIONS["xmr"])
