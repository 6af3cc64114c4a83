"""The baseline's benchmark: a series from NHS Digital's sickness absence publication (the
params' ``benchmark``) drawn as a line on the absence chart and described in words."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from wellbeing_analysis import narrative
from wellbeing_analysis.reporting.base import month_label
from wellbeing_analysis.spc.plot import draw_legend
from wellbeing_analysis.style import NHS_DARK_GREY


def _rates(series: pd.DataFrame) -> tuple[pd.DatetimeIndex, pd.Series]:
    """(first day of each month, 100 × fte_days_lost ÷ fte_days_available)."""
    months = pd.PeriodIndex(series["month"], freq="M").to_timestamp()
    return months, 100 * series["fte_days_lost"] / series["fte_days_available"]


def benchmark_line(ctx, result) -> Callable | None:
    """A function drawing the benchmark over the SPC chart's months (dashed, labelled with
    its name), or None without a benchmark or an overlap with the chart."""
    series = ctx.benchmark
    if series is None or result is None:
        return None
    x = result.measure.data["month"]
    months, rate = _rates(series)
    keep = (months >= x.min()) & (months <= x.max())
    if not keep.any():
        return None
    name = ctx.params.benchmark.name

    def draw(ax) -> None:
        ax.plot(months[keep], rate[keep], color=NHS_DARK_GREY, linestyle="--", linewidth=1.2,
                label=name, gid="benchmark")
        draw_legend(ax)  # again, with the benchmark's entry
    return draw


def benchmark_text(ctx, window: tuple[str, str]) -> str:
    """The benchmark in words: its name and its rate over ``window`` (days summed over the
    window's months, then divided; given only when every month is covered), or ''."""
    series = ctx.benchmark
    if series is None:
        return ""
    start, end = window
    w = series[(series["month"] >= start) & (series["month"] <= end)]
    n = (pd.Period(end, freq="M") - pd.Period(start, freq="M")).n + 1
    text = (f"The dashed grey line is the benchmark, {ctx.params.benchmark.name} (NHS Digital "
            "sickness absence publication; days summed over its organisations).")
    if len(w) == n and w["fte_days_available"].sum() > 0:
        rate = 100 * w["fte_days_lost"].sum() / w["fte_days_available"].sum()
        text += (f" Its rate from {month_label(start)} to {month_label(end)} was "
                 f"{narrative.fmt(rate, 'absence_rate_pct')}.")
    return text
