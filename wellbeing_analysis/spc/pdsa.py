"""Judging PDSA cycles against their measure's SPC or run chart.

For each Plan-Do-Study-Act cycle of one measure: the signals that fired on or after the
cycle's start (and on or before its end, if it has one), what the chart shows in plain
English, whether that agrees with the cycle's prediction, and the team's decision - the
cycle table of the PDSA report. The chart is rebased at a cycle's start only when the cycle
asks for it (``rebase_at_start``), and the reason is carried into the table and the chart.

The ``pdsa_cycles`` table is the foundation loader's (schema ``pdsa_cycles``): cycle_id,
intervention_id, cycle_number, title, plan, measure, predicted_direction, predicted_value,
start_date, end_date, study_notes, decision, rebase_at_start, rebase_reason, scope
(the population the cycle was tested on; :mod:`.cycles` judges it on that group's series).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import PDSA_MIN_POINTS_AFTER_START
from wellbeing_analysis.errors import InputError, require_columns
from wellbeing_analysis.schema import PDSA_DECISIONS, PREDICTED_DIRECTIONS
from wellbeing_analysis.schema.scope import scope_errors
from wellbeing_analysis.spc import labels
from wellbeing_analysis.spc.chart import spc
from wellbeing_analysis.spc.describe import (
    describe_episode,
    format_when,
    period_unit,
    plural,
    readable_name,
    span,
)
from wellbeing_analysis.spc.engine import episodes
from wellbeing_analysis.spc.inputs import parse_dates
from wellbeing_analysis.spc.result import SPCResult

# Agreement between a cycle's prediction and its chart.
AGREES = "agrees"
DISAGREES = "disagrees"
NO_SIGNAL_YET = "no signal yet"
TOO_EARLY = "too early"
AGREEMENTS: tuple[str, ...] = (AGREES, DISAGREES, NO_SIGNAL_YET, TOO_EARLY)

#: Columns the cycles table must have; the others are optional (blank when absent).
REQUIRED_COLUMNS = ("cycle_id", "cycle_number", "title", "plan", "measure",
                    "predicted_direction", "start_date")
OPTIONAL_COLUMNS = ("intervention_id", "predicted_value", "end_date", "study_notes", "decision",
                    "rebase_at_start", "rebase_reason", "scope")

#: Columns of the cycle table, in display order.
TABLE_COLUMNS = ("cycle_id", "intervention_id", "cycle_number", "title", "plan", "measure",
                 "start_date", "end_date", "prediction", "points_since_start", "signals",
                 "chart_shows", "agreement", "mean_since_start", "predicted_value_met",
                 "decision", "study_notes", "rebased", "rebase_reason")
SIGNAL_COLUMNS = ("cycle_id", "rule", "label", "direction", "start_x", "end_x", "n_points",
                  "description")


def _as_dates(values: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.astype("datetime64[ns]")
    parsed = parse_dates(values.astype(object).where(values.notna(), None))
    if parsed is None:
        raise InputError(f"pdsa_cycles: column {column!r} must hold dates (YYYY-MM-DD or "
                         "DD/MM/YYYY)")
    return parsed


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype("string").str.strip().eq("").fillna(True)


def validate_cycles(cycles: pd.DataFrame, measure: str | None = None) -> pd.DataFrame:
    """Check the cycles table and return it tidy (dates parsed, booleans filled), sorted by
    start date, keeping only ``measure``'s cycles when given.

    Errors name the cycle: blank start dates, end before start, unknown predicted
    directions or decisions, duplicated cycle ids, a rebase without a reason.
    """
    if not isinstance(cycles, pd.DataFrame):
        raise InputError(f"pdsa_cycles must be a pandas DataFrame, not {type(cycles).__name__}")
    require_columns(cycles, REQUIRED_COLUMNS, "pdsa_cycles")
    c = cycles.copy()
    for col in OPTIONAL_COLUMNS:
        if col not in c.columns:
            c[col] = pd.NA
    c["cycle_id"] = c["cycle_id"].astype(str)
    dup = c["cycle_id"].duplicated(keep=False)
    if dup.any():
        raise InputError(f"pdsa_cycles: cycle_id must be unique; repeated: "
                         f"{', '.join(sorted(set(c.loc[dup, 'cycle_id'])))}")

    def fail(mask: pd.Series, problem: str) -> None:
        if mask.any():
            ids = ", ".join(c.loc[mask, "cycle_id"])
            raise InputError(f"pdsa_cycles: {problem} (cycle(s) {ids})")

    c["start_date"] = _as_dates(c["start_date"], "start_date")
    c["end_date"] = _as_dates(c["end_date"], "end_date")
    fail(c["start_date"].isna(), "start_date is blank; every cycle needs its first day")
    fail(c["end_date"].notna() & (c["end_date"] < c["start_date"]),
         "end_date is before start_date")
    fail(~c["predicted_direction"].isin(PREDICTED_DIRECTIONS),
         f"predicted_direction must be one of {', '.join(PREDICTED_DIRECTIONS)}")
    fail(c["decision"].notna() & ~c["decision"].isin(PDSA_DECISIONS),
         f"decision must be blank or one of {', '.join(PDSA_DECISIONS)}")
    c["predicted_value"] = pd.to_numeric(c["predicted_value"], errors="coerce").astype(float)
    rebase = c["rebase_at_start"].astype("boolean").fillna(False).astype(bool)
    fail(rebase & _blank(c["rebase_reason"]),
         "rebase_at_start is true but rebase_reason is blank; say why the chart is rebased")
    c["rebase_at_start"] = rebase
    bad_scope = scope_errors(c["scope"])
    fail(c["scope"].isin(list(bad_scope)), "; ".join(sorted(set(bad_scope.values()))))
    if measure is not None:
        known = sorted(c["measure"].dropna().astype(str).unique())
        c = c[c["measure"] == measure]
        if c.empty:
            raise InputError(f"pdsa_cycles: no cycle is judged on measure {measure!r}; the "
                             f"measures are {', '.join(known) or 'none'}")
    return c.sort_values(["start_date", "cycle_number"], kind="stable").reset_index(drop=True)


def prediction_text(direction: str, value: float) -> str:
    words = {"increase": "increase", "decrease": "decrease", "no_change": "no change"}[direction]
    if pd.isna(value):
        return words
    return f"{words} to {value:g}" if direction != "no_change" else f"no change (about {value:g})"


class PDSAReview:
    """PDSA cycles of one measure judged against its chart; computed on construction.

    Attributes: ``cycles`` (the measure's validated cycles), ``spc`` (the
    :class:`~wellbeing_analysis.spc.SPCResult`, rebased at the starts of cycles that ask),
    ``table`` (one row per cycle, see ``TABLE_COLUMNS``), ``signals`` (one row per signal
    per cycle), ``warnings``.
    """

    def __init__(self, cycles: pd.DataFrame, chart: SPCResult, *, measure: str,
                 min_points_after_start: int = PDSA_MIN_POINTS_AFTER_START) -> None:
        """``cycles`` validated for ``measure``; ``chart`` the measure's chart, rebased at the
        cycles that ask (built by :func:`review_pdsa`)."""
        self.measure = measure
        self.cycles = cycles
        self.min_points_after_start = min_points_after_start
        self.spc = chart
        self.warnings = list(self.spc.warnings)
        points = self.spc._points
        self._unit = period_unit(points["x"])
        rows, signal_rows = [], []
        for cycle in self.cycles.to_dict("records"):
            row, sigs = self._review(cycle, points)
            rows.append(row)
            signal_rows.extend(sigs)
        self.table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
        self.signals = pd.DataFrame(signal_rows, columns=list(SIGNAL_COLUMNS))

    # -- one cycle ------------------------------------------------------------------------
    def _window_signals(self, cycle: dict, in_window: pd.Series) -> tuple[list[dict], list[dict]]:
        """(new, continuing) signals of a cycle, found per rebase group (a run never spans a
        rebase). *New* signals began on or after the cycle's start and on or before its end:
        the runs of flagged points whose first point lies in the window (kept whole, so a
        shift that began during the cycle shows its full length). *Continuing* signals began
        before the start and are still flagged in the window: reported, not credited."""
        points = self.spc._points
        subject = f"the {readable_name(self.spc.options.y)}"
        centre_word = "median" if self.spc.chart == "run" else "mean"
        centre_name = "Median" if self.spc.chart == "run" else "CL"
        rule_columns = [c for c in points.columns if c.startswith("signal_")
                        and c != "signal_direction"]
        new, continuing = [], []
        for group, g in points.groupby("rebase_group", sort=True):
            win = in_window.loc[g.index].to_numpy()
            if not win.any():
                continue
            xs = g["x"].to_numpy()
            for col in rule_columns:
                rule = col.removeprefix("signal_")
                for first, last, sign in episodes(g[col].to_numpy()):
                    if win[first]:
                        target = new
                    elif xs[first] < cycle["start_date"] and win[first:last + 1].any():
                        target = continuing
                    else:
                        continue
                    k = last - first + 1
                    target.append({
                        "cycle_id": cycle["cycle_id"], "rule": rule,
                        "label": labels.special_cause_label(rule, sign, self.spc.rules,
                                                            centre_name),
                        "direction": "up" if sign > 0 else "down",
                        "start_x": xs[first], "end_x": xs[last], "n_points": k,
                        "description": describe_episode(rule, sign, k, start=xs[first],
                                                        end=xs[last], subject=subject,
                                                        unit=self._unit,
                                                        centre_word=centre_word),
                    })
            # Chart-level signals describe a whole group: they are new for the cycle only when
            # the group starts within it (the chart was rebased at or after the start).
            if win[0]:
                whole = self.spc.signals[(self.spc.signals["rebase_group"] == group)
                                         & self.spc.signals["rule"].isin(labels.CHART_LEVEL_RULES)]
                for sig in whole.to_dict("records"):
                    new.append({"cycle_id": cycle["cycle_id"], "rule": sig["rule"],
                                "label": sig["rule"].replace("_", " "), "direction": None,
                                "start_x": sig["start_x"], "end_x": sig["end_x"],
                                "n_points": sig["n_points"], "description": sig["description"]})

        def order(sigs: list[dict]) -> list[dict]:
            return sorted(sigs, key=lambda sig: (sig["start_x"], sig["end_x"]))

        return order(new), order(continuing)

    def _review(self, cycle: dict, points: pd.DataFrame) -> tuple[dict, list[dict]]:
        start, end = cycle["start_date"], cycle["end_date"]
        in_window = (points["x"] >= start) & (pd.isna(end) | (points["x"] <= end))
        window = points[in_window]
        k = len(window)
        sigs, continuing = self._window_signals(cycle, in_window)
        directional = [s for s in sigs if s["direction"] is not None]
        predicted = cycle["predicted_direction"]
        if directional:
            latest = max(directional, key=lambda s: s["end_x"])
            shown = "increase" if latest["direction"] == "up" else "decrease"
            agreement = AGREES if shown == predicted else DISAGREES
        elif sigs:  # only chart-level signals: non-random, but no direction
            agreement = DISAGREES if predicted == "no_change" else NO_SIGNAL_YET
        elif k < self.min_points_after_start:
            agreement = TOO_EARLY
        else:
            agreement = AGREES if predicted == "no_change" else NO_SIGNAL_YET

        reading = []
        rebased = False
        if cycle["rebase_at_start"] and k:
            group = window["rebase_group"].iloc[0]
            first_of_group = points.loc[points["rebase_group"] == group, "x"].min()
            rebased = bool(group > 0 and first_of_group == window["x"].iloc[0])
            if rebased:
                before = points.loc[points["rebase_group"] == group - 1, "centre"].iloc[-1]
                after = window["centre"].iloc[0]
                reading.append(f"Limits recalculated from the cycle's start "
                               f"({cycle['rebase_reason']}): the centre line moved from "
                               f"{before:.3g} to {after:.3g}.")
        if sigs:
            text = "; ".join(sig["description"] for sig in sigs)
            reading.append(text[:1].upper() + text[1:] + ".")
        elif k == 0:
            reading.append("Too early to tell: no points since the start yet.")
        elif agreement == TOO_EARLY:
            reading.append(f"Too early to tell: only {plural(k, self._unit)} since the start, "
                           "and no new signal yet.")
        elif continuing:
            reading.append(f"No new signal since the start ({plural(k, self._unit)}).")
        else:
            reading.append(f"No signal: the changes are within normal variation "
                           f"({plural(k, self._unit)} since the start).")
        if continuing:
            text = "; ".join(sig["description"] for sig in continuing)
            reading.append(f"Continuing from before the start: {text}.")
        value = cycle["predicted_value"]
        mean_since = float(window["y"].mean()) if k else np.nan
        value_met: Any = pd.NA
        if not pd.isna(value) and k:
            if predicted == "increase":
                value_met = bool(mean_since >= value)
            elif predicted == "decrease":
                value_met = bool(mean_since <= value)
            elif self.spc.chart != "run":
                last = window.iloc[-1]
                value_met = bool(last["lpl"] <= value <= last["upl"])
            reading.append(f"The average since the start is {mean_since:.3g} against a "
                           f"predicted {value:g}.")
        decision = cycle["decision"]
        if pd.isna(decision):
            decision = "ongoing" if pd.isna(end) else "not recorded"
        row = {
            "cycle_id": cycle["cycle_id"],
            "intervention_id": cycle["intervention_id"],
            "cycle_number": cycle["cycle_number"],
            "title": cycle["title"],
            "plan": cycle["plan"],
            "measure": cycle["measure"],
            "start_date": start,
            "end_date": end,
            "prediction": prediction_text(predicted, value),
            "points_since_start": k,
            "signals": "; ".join(f"{s['label']} ({span(s['start_x'], s['end_x'], self._unit)})"
                                 for s in sigs),
            "chart_shows": " ".join(reading),
            "agreement": agreement,
            "mean_since_start": mean_since,
            "predicted_value_met": value_met,
            "decision": decision,
            "study_notes": cycle["study_notes"],
            "rebased": rebased,
            "rebase_reason": cycle["rebase_reason"] if cycle["rebase_at_start"] else pd.NA,
        }
        if cycle["rebase_at_start"] and not rebased:
            self.warnings.append(f"cycle {cycle['cycle_id']} asks to rebase at its start "
                                 f"({format_when(start, self._unit)}) but the series has no "
                                 "point there to start new limits; not rebased")
        return row, sigs

    # -- outputs --------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """The cycle table as the PDSA report shows it: cycle, plan, prediction, what the
        chart shows, agreement, decision."""
        return self.table[["cycle_id", "title", "plan", "start_date", "end_date", "prediction",
                           "chart_shows", "agreement", "decision"]].copy()

    def to_dict(self) -> dict:
        """Measure, chart, rules, the cycle table and signals (dates as ISO text), warnings."""
        def clean(records: list[dict]) -> list[dict]:
            out = []
            for r in records:
                out.append({k: (None if v is None or (not isinstance(v, str) and pd.isna(v))
                                else v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp)
                                else v.item() if isinstance(v, np.generic) else v)
                            for k, v in r.items()})
            return out

        return {"measure": self.measure, "chart": self.spc.chart, "rules": self.spc.rules,
                "cycles": clean(self.table.to_dict("records")),
                "signals": clean(self.signals.to_dict("records")),
                "warnings": list(self.warnings)}

    def plot(self, ax=None, *, title: str | None = None):
        """The SPC chart with each cycle's start (solid line), its span to the end (shaded;
        to the last point while ongoing), its id, and rebase breaks with their reasons."""
        from wellbeing_analysis.spc.plot import draw_legend
        from wellbeing_analysis.style import NHS_AQUA_GREEN, NHS_DARK_GREY

        if title is None:
            name = readable_name(self.spc.options.y)
            title = (f"{name[:1].upper()}{name[1:]}: PDSA cycles on the "
                     f"{labels.CHART_NAMES[self.spc.chart]}")
        ax = self.spc.plot(ax=ax, title=title)
        first_x, last_x = self.spc._points["x"].min(), self.spc._points["x"].max()
        right_third = first_x + (last_x - first_x) * 2 / 3
        for i, cycle in enumerate(self.table.to_dict("records")):
            start = cycle["start_date"]
            end = last_x if pd.isna(cycle["end_date"]) else cycle["end_date"]
            ax.axvline(start, color=NHS_AQUA_GREEN, linewidth=1.5, gid="pdsa-cycle-start",
                       label="PDSA cycle start" if i == 0 else "_nolegend_")
            if end > start:
                ax.axvspan(start, end, color=NHS_AQUA_GREEN, alpha=0.08, gid="pdsa-cycle-span",
                           label="_nolegend_")
            # Labels near the right edge run leftwards; rows stagger so neighbours don't collide.
            leftwards = start > right_third
            ax.annotate(f"{cycle['cycle_id']}: {cycle['title']}", xy=(start, 1.0),
                        xycoords=("data", "axes fraction"),
                        xytext=(-3 if leftwards else 3, -3 - 11 * (i % 3)),
                        textcoords="offset points", va="top",
                        ha="right" if leftwards else "left", fontsize=8, color=NHS_DARK_GREY,
                        gid="pdsa-cycle-label",
                        # a white backing so a limit line never strikes through the label
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
                        zorder=5)
        draw_legend(ax)
        return ax


def review_pdsa(
    cycles: pd.DataFrame,
    series: pd.DataFrame,
    *,
    x: str,
    y: str,
    n: str | None = None,
    measure: str | None = None,
    chart: str | None = None,
    rules: str | None = None,
    improvement_direction: str = "increase",
    target: float | None = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    min_points_after_start: int = PDSA_MIN_POINTS_AFTER_START,
) -> PDSAReview:
    """Judge the PDSA cycles of one measure against its chart; see :class:`PDSAReview`.

    ``series`` has one row per month (or week): the x column (dates), y and optionally a
    denominator ``n``. ``measure`` (default: ``y``) picks the cycles judged on this series;
    chart options are those of :func:`~wellbeing_analysis.spc.spc`. A cycle with no signal
    and fewer than ``min_points_after_start`` points since its start is 'too early'.
    """
    measure = measure or y
    cycles = validate_cycles(cycles, measure)
    rebasing = cycles[cycles["rebase_at_start"]]
    rebase = {start: f"{cid}: {reason}" for start, cid, reason in
              zip(rebasing["start_date"], rebasing["cycle_id"], rebasing["rebase_reason"],
                  strict=True)}
    chart_result = spc(series, x=x, y=y, n=n, chart=chart, rules=rules, rebase=rebase or None,
                       fix_after_n_points=fix_after_n_points, screen_outliers=screen_outliers,
                       improvement_direction=improvement_direction, target=target)
    if not chart_result.x_is_date:
        raise InputError(f"PDSA cycles have dates, so the series' x column {x!r} must hold "
                         "dates")
    return PDSAReview(cycles, chart_result, measure=measure,
                      min_points_after_start=min_points_after_start)
