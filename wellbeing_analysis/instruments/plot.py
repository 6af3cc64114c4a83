"""Charts of staff experience measures: plain-English titles, NHS colours, ``ax=None`` then
return the Axes. Every chart draws from an already disclosure-controlled table: suppressed
values are NaN after :func:`~wellbeing_analysis.disclosure.numeric` and are not drawn, and
the footnote says why."""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from wellbeing_analysis.disclosure import numeric
from wellbeing_analysis.style import (
    CATEGORICAL,
    LABEL_WRAP_CHARS,
    NEUTRAL_SEGMENT,
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    NHS_ORANGE,
    NHS_PALE_GREY,
    apply_style,
)


def _axes(ax):
    if ax is None:
        apply_style()
        _, ax = plt.subplots()
    return ax


def _footnote(ax, text: str) -> None:
    ax.annotate(text, xy=(0, -0.18), xycoords="axes fraction", fontsize=8,
                color=NHS_DARK_GREY, va="top")


def _legend_outside(ax) -> None:
    """Legend to the right of the plot, so it never hides a point."""
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _intervention(ax, date, name: str | None = None, phase_in_months: int = 0) -> None:
    """Mark the intervention's start with a named line and shade its phase-in (named)."""
    if date is None:
        return
    start = pd.Timestamp(date)
    ax.axvline(start, color=NHS_DARK_GREY, linestyle=":", linewidth=1.2)
    label = textwrap.fill(f"{name or 'intervention'} starts ({start:%b %Y})", LABEL_WRAP_CHARS)
    # the notes go on the side of the line with more room, so they stay inside the panel
    lo, hi = ax.get_xlim()
    right = mdates.date2num(start) < (lo + hi) / 2
    side = {"ha": "left" if right else "right",
            "xytext": (3 if right else -3, 0), "textcoords": "offset points"}
    ax.annotate(label, xy=(start, 1), xycoords=("data", "axes fraction"), fontsize=8,
                color=NHS_DARK_GREY, va="top", **side)
    if phase_in_months:
        ax.axvspan(start, start + pd.DateOffset(months=phase_in_months), color=NHS_PALE_GREY,
                   zorder=0)
        # inside the shaded months, below the start's note
        ax.annotate("phase-in", xy=(start, 0.80), xycoords=("data", "axes fraction"),
                    xytext=(3, 0), textcoords="offset points", fontsize=8,
                    color=NHS_DARK_GREY, ha="left", va="top")


def _group_columns(by) -> list[str]:
    return [c for c in by if c != "wave_date"]


def plot_score_trend(summary, ax=None, *, measure: str | None = None, intervention_date=None,
                     intervention_name: str | None = None, phase_in_months: int = 0):
    """Mean score per survey wave with its confidence interval, one line per group."""
    ax = _axes(ax)
    inst = summary.instrument
    measure = measure or inst.score_keys[0]
    t = numeric(summary.table, ["n", "mean", "ci_low", "ci_high"])
    t = t[t["measure"] == measure]
    groups = _group_columns(summary.by)
    x_col = "wave_date" if "wave_date" in summary.by else None
    parts = [("All responses", t)] if not groups else [
        (" / ".join(map(str, k if isinstance(k, tuple) else (k,))), g)
        for k, g in t.groupby(groups, sort=True)]
    for i, (name, g) in enumerate(parts):
        colour = CATEGORICAL[i % len(CATEGORICAL)]
        x = g[x_col] if x_col else np.arange(len(g))
        err = np.vstack([g["mean"] - g["ci_low"], g["ci_high"] - g["mean"]])
        ax.errorbar(x, g["mean"], yerr=err, color=colour, marker="o", capsize=3, label=name)
    _intervention(ax, intervention_date, intervention_name, phase_in_months)
    better = "higher is better" if inst.higher_is(measure) == "better" else "lower is better"
    ax.set_title(f"{inst.label_of(measure)}: average score by survey wave ({better})")
    ax.set_ylabel(f"mean score with {summary.confidence:.0%} CI")
    ax.set_xlabel("survey wave" if x_col else "")
    if len(parts) > 1:
        _legend_outside(ax)
    _footnote(ax, f"Groups with fewer than {summary.min_group_size} responses are not shown.")
    return ax


def plot_item_distribution(dist, ax=None, *, wave=None):
    """% answering unfavourably / neutrally / favourably for each statement, for one wave.

    Favourable follows the construct, not the wording: on a negatively worded statement
    ('mistakes are held against you') disagreeing is favourable. Such statements are marked
    in their labels so a reader knows why disagreeing counts as good there."""
    ax = _axes(ax)
    t = numeric(dist.table, ["n", "pct_unfavourable", "pct_neutral", "pct_favourable"])
    if "wave_date" in dist.by and not t.empty:
        wave = pd.Timestamp(wave) if wave is not None else t["wave_date"].max()
        t = t[t["wave_date"] == wave]
    groups = [c for c in dist.by if c != "wave_date"]
    cols = ["pct_unfavourable", "pct_neutral", "pct_favourable"]
    if groups:  # one bar per statement: the first group only would mislead; pool shown
        t = t.groupby(["item", "statement", "reversed"], sort=False, dropna=False)[
            cols].mean().reset_index()
    t = t.dropna(subset=["pct_unfavourable"])
    negative = t["reversed"].fillna(False).astype(bool).to_numpy()
    labels = [textwrap.fill(s + (" (negatively worded)" if neg else ""), 38)
              for s, neg in zip(t["statement"], negative, strict=True)]
    y = np.arange(len(t))[::-1]
    ax.barh(y, t["pct_unfavourable"], color=NHS_ORANGE, label="unfavourable")
    ax.barh(y, t["pct_neutral"], left=t["pct_unfavourable"], color=NEUTRAL_SEGMENT,
            edgecolor="white", linewidth=0.5, label="neutral")
    ax.barh(y, t["pct_favourable"], left=t["pct_unfavourable"] + t["pct_neutral"],
            color=NHS_BLUE, label="favourable")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of answers")
    when = f" ({pd.Timestamp(wave).date()})" if wave is not None else ""
    ax.set_title(f"{dist.instrument.title.split(' (')[0]}: how favourably staff answered "
                 f"each statement{when}")
    _legend_outside(ax)  # beside the bars: below them it covered the last one
    ax.grid(False)
    _footnote(ax, "Favourable means good for the team: on a negatively worded statement, "
              "disagreeing.\nStatements answered by fewer than "
              f"{dist.min_group_size} people are not shown.")
    return ax


def plot_score_change(change, ax=None, *, measure: str | None = None):
    """Forest plot: change in mean score between waves with its confidence interval."""
    ax = _axes(ax)
    t = numeric(change.table, ["change", "ci_low", "ci_high"])
    if measure is not None:
        t = t[t["measure"] == measure]
    t = t.dropna(subset=["change"])
    def _d(v):
        return v.date() if isinstance(v, pd.Timestamp) else v

    groups = (t[list(change.by)].astype(str).agg(" / ".join, axis=1).tolist() if change.by
              else [""] * len(t))
    names = [f"{lab}{' — ' + g if g else ''}: {_d(f)} → {_d(to)}"
             for lab, g, f, to in zip(t["label"], groups, t["from"], t["to"], strict=True)]
    y = np.arange(len(t))[::-1]
    ax.errorbar(t["change"], y, xerr=np.vstack([t["change"] - t["ci_low"],
                                                t["ci_high"] - t["change"]]),
                fmt="o", color=NHS_BLUE, capsize=3)
    ax.axvline(0, color=NHS_MID_GREY, linewidth=1)
    ax.set_yticks(y, names, fontsize=8)
    ax.grid(False)
    ax.set_xlabel(f"change in mean score ({change.confidence:.0%} CI)")
    ax.set_title(f"{change.instrument.title.split(' (')[0]}: change between survey waves")
    _footnote(ax, f"Changes involving fewer than {change.min_group_size} responses on either "
              "side are not shown.\nAn interval crossing 0 is consistent with no change.")
    return ax


def plot_survey_trend(trend, ax=None):
    """NHS Staff Survey results by year; the comparator average dashed in the same colour."""
    ax = _axes(ax)
    t = numeric(trend.table, ["value", "comparator_average"])
    for i, (name, g) in enumerate(t.groupby("measure", sort=True)):
        colour = CATEGORICAL[i % len(CATEGORICAL)]
        ax.plot(g["year"], g["value"], marker="o", color=colour, label=name)
        if g["comparator_average"].notna().any():
            ax.plot(g["year"], g["comparator_average"], linestyle="--", color=colour,
                    alpha=0.7, label=f"{name} — comparator average")
    ax.set_title(trend.title + " by year")
    types = set(trend.table["value_type"].dropna()) if "value_type" in trend.table else set()
    ax.set_ylabel("% positive" if types == {"percent_positive"} else "score (0-10)"
                  if types == {"score"} else "score or % positive")
    ax.set_xlabel("survey year")
    _legend_outside(ax)
    _footnote(ax, f"Results from fewer than {trend.min_group_size} responses are not shown.")
    return ax


def plot_joy(joy, ax=None, *, intervention_date=None, intervention_name: str | None = None,
             phase_in_months: int = 0):
    """Run chart of the % of good days (marble jar) with the median line."""
    ax = _axes(ax)
    t = numeric(joy.table, ["pct_good"])
    parts = [("All teams", t)] if not joy.by else list(t.groupby(list(joy.by), sort=True))
    for i, (name, g) in enumerate(parts):
        colour = CATEGORICAL[i % len(CATEGORICAL)]
        label = name if isinstance(name, str) else " / ".join(map(str, np.atleast_1d(name)))
        ax.plot(g["period"], g["pct_good"], marker="o", markersize=3, color=colour,
                linewidth=1, label=label)
        if len(parts) == 1:
            ax.axhline(g["pct_good"].median(), color=NHS_MID_GREY, linestyle="--",
                       linewidth=1, label="median")
    _intervention(ax, intervention_date, intervention_name, phase_in_months)
    unit = "week" if joy.freq == "W" else "month"
    ax.set_title(f"Joy at work: share of good days per {unit} (marble jar)")
    ax.set_ylabel("% good days")
    ax.legend(fontsize=8)
    _footnote(ax, f"Periods with fewer than {joy.threshold} marbles are not shown.")
    return ax


def plot_nps(nps, ax=None):
    """Net Promoter Score per wave with its confidence interval."""
    ax = _axes(ax)
    t = numeric(nps.table, ["nps", "ci_low", "ci_high"])
    x = t["wave_date"] if "wave_date" in nps.by else np.arange(len(t))
    ax.errorbar(x, t["nps"], yerr=np.vstack([t["nps"] - t["ci_low"], t["ci_high"] - t["nps"]]),
                color=NHS_BLUE, marker="o", capsize=3)
    ax.axhline(0, color=NHS_MID_GREY, linewidth=1)
    ax.set_ylim(-100, 100)
    ax.set_title("Would staff recommend working here? Net Promoter Score by wave")
    ax.set_ylabel(f"NPS (% 9-10 minus % 0-6), {nps.confidence:.0%} CI")
    _footnote(ax, f"Groups with fewer than {nps.min_group_size} answers are not shown.")
    return ax


def plot_reasons(counts, ax=None, *, top: int = 5):
    """Share of records citing each of the most common categories, per period."""
    ax = _axes(ax)
    t = numeric(counts.table, ["count", "share"])
    order = t.groupby("category")["count"].sum().sort_values(ascending=False).index[:top]
    for i, cat in enumerate(order):
        g = t[t["category"] == cat].groupby("period", sort=True)["share"].mean()
        ax.plot(g.index.astype(str), g.to_numpy(), marker="o",
                color=CATEGORICAL[i % len(CATEGORICAL)], label=cat)
    what = "leaving" if counts.kind == "leaving" else "staying"
    ax.set_title(f"Reasons for {what}: share of conversations citing each reason")
    ax.set_ylabel("% of records")
    ax.set_xlabel("period")
    _legend_outside(ax)
    _footnote(ax, f"Counts below {counts.threshold} are not shown. Free-text comments are "
              "never shown.")
    return ax


def plot_top_reasons(top, ax=None):
    """Horizontal bars: share of records citing each top reason."""
    ax = _axes(ax)
    t = numeric(top.table, ["count", "share"])
    y = np.arange(len(t))[::-1]
    shown = t["share"].notna().to_numpy()
    ax.barh(y[shown], t["share"][shown], color=NHS_BLUE)
    for yi in y[~shown]:  # a suppressed share is not a zero: say so where the bar would be
        ax.annotate(f"not shown (fewer than {top.threshold})", xy=(0, yi), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8, color=NHS_DARK_GREY)
    ax.set_yticks(y, t["category"], fontsize=8)
    who = "voluntary leavers" if top.voluntary_only and top.kind == "leaving" else (
        "leavers" if top.kind == "leaving" else "staff who stay")
    ax.set_title(f"Top reasons given by {who}")
    ax.set_xlabel("% of records citing the reason")
    ax.grid(False)
    _footnote(ax, f"Counts below {top.threshold} are not shown (marked 'not shown').")
    return ax
