"""The PDSA-cycle report: one cycle judged against its measure's chart, and the log of all
cycles so far (the ramp of learning)."""

from __future__ import annotations

from functools import cached_property

import matplotlib.pyplot as plt
import pandas as pd

from wellbeing_analysis import glossary
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.reporting import blocks as b
from wellbeing_analysis.reporting.base import Report
from wellbeing_analysis.reporting.catalogue import Section
from wellbeing_analysis.reporting.measures import measure_series, population_measure
from wellbeing_analysis.schema.scope import parse_scope
from wellbeing_analysis.spc import labels

_AGREEMENT_TEXT = {
    "agrees": "The chart agrees with the prediction.",
    "disagrees": "The chart disagrees with the prediction: the signal goes the other way, or "
                 "there is a signal where no change was predicted.",
    "no signal yet": "No signal yet: the measure has not moved beyond normal variation since "
                     "the change.",
    "too early": "Too early to tell: too few points since the change for the chart's rules to "
                 "show a signal.",
    "cannot tell": "Cannot tell: the cycle could not be judged on the group it was tested on.",
}


class PDSAReport(Report):
    """PDSA report sections for the params' focus cycle (default: the latest started)."""

    TITLE = "PDSA cycle report"
    KEY = "pdsa"
    SECTIONS = (
        Section("summary", "Summary of this cycle", "overview"),
        Section("chart", "What the chart shows", "chart"),
        Section("signals", "Signals since the change", "signals"),
        Section("log", "All PDSA cycles so far", "log"),
        Section("data-quality", "Data quality and coverage", "data_quality"),
        Section("provenance", "How this report was produced", "provenance"),
    )

    @cached_property
    def cycles(self) -> pd.DataFrame:
        return self.ctx.service.table("pdsa_cycles")

    @cached_property
    def focus(self) -> pd.Series:
        cycles = self.cycles.sort_values("start_date", kind="stable")
        wanted = self.params.pdsa.cycle
        if wanted is None:
            started = cycles[cycles["start_date"] <= self.ctx.service.extract_date]
            return (started if len(started) else cycles).iloc[-1]
        match = cycles[cycles["cycle_id"] == wanted]
        if match.empty:
            raise InputError(f"pdsa.cycle {wanted!r} is not in pdsa_cycles.csv")
        return match.iloc[0]

    @cached_property
    def reviews(self) -> dict:
        """One :class:`~wellbeing_analysis.spc.CycleReview` per measure named by any cycle:
        each cycle judged on its own group's series, limits from the period before it."""
        from wellbeing_analysis.spc import CycleReview, Population

        interventions = (self.ctx.service.table("interventions")
                         if self.ctx.service.has("interventions") else None)
        out = {}
        for measure, cycles in self.cycles.groupby("measure", sort=False):
            populations, shown = {}, None
            for cycle in cycles.to_dict("records"):
                scope = parse_scope(cycle.get("scope"))
                m, refused = population_measure(self.ctx, measure, scope)
                shown = shown or m
                populations[cycle["cycle_id"]] = Population(
                    scope, None if m is None else m.data, None if m is None else m.chart,
                    "" if m is None else m.chart_reason, refused)
            if shown is None:  # no group chartable: names and direction from the service
                shown = measure_series(self.ctx, measure)
            with self.ctx.capture_warnings():
                out[measure] = CycleReview(
                    self.cycles, populations, measure=measure, x=shown.x, y=shown.y, n="n",
                    improvement_direction=shown.direction, target=shown.target,
                    interventions=interventions)
            out[measure].label = shown.label
        return out

    @property
    def focus_review(self):
        return self.reviews[self.focus["measure"]]

    @property
    def focus_chart(self):
        """The focus cycle's own chart (a PDSAReview), or None when it could not be judged."""
        return self.focus_review.charts[self.focus["cycle_id"]]

    @property
    def focus_row(self) -> pd.Series:
        t = self.focus_review.table
        return t[t["cycle_id"] == self.focus["cycle_id"]].iloc[0]

    def title(self) -> b.Block:
        c = self.focus
        return self._title(f"{self.params.service_name} · cycle {c['cycle_id']}: {c['title']} "
                           f"· data to {self.ctx.service.extract_date:%d %B %Y}")

    def overview(self) -> b.Block:
        c, row = self.focus, self.focus_row
        end = "ongoing" if pd.isna(c["end_date"]) else f"{c['end_date']:%d %B %Y}"
        review = self.focus_review
        cards = [("Measure", review.label, f"judged on {row['population']}"),
                 ("Started", f"{c['start_date']:%d %b %Y}", f"ends: {end}"),
                 ("Prediction", row["prediction"], "what the team expected"),
                 ("Decision", str(row["decision"]), "adopt, adapt or abandon")]
        kind = {"agrees": "good", "disagrees": "concern"}.get(row["agreement"], "caution")
        verdict = [_AGREEMENT_TEXT[row["agreement"]], str(row["chart_shows"])]
        if row["baseline"] and row["agreement"] != "cannot tell":
            verdict.append(f"Judged on {row['population']}, with limits from "
                           f"{row['baseline']}, before the cycle started.")
        if row["caveats"]:
            verdict.append(str(row["caveats"]))
        parts = [self.section_heading("summary"), self.at_a_glance(), b.key_figures(cards),
                 b.Block("<h3>Plan</h3>"), b.paragraph(str(c["plan"])),
                 b.callout(verdict, kind=kind, title="Prediction against what happened")]
        if not pd.isna(c.get("study_notes")):
            parts += [b.Block("<h3>What the team learned</h3>"),
                      b.paragraph(str(c["study_notes"]))]
        return b.join(parts)

    def chart(self) -> b.Block:
        review, row, own = self.focus_review, self.focus_row, self.focus_chart
        if own is None:
            return b.join([self.section_heading("chart"), b.paragraph(
                f"No chart is drawn for this cycle: {row['chart_shows'][len('Cannot tell: '):]}"
            )])
        fig, ax = plt.subplots(layout="constrained")
        kind = labels.CHART_NAMES[own.spc.chart]
        own.plot(ax=ax, title=f"{review.label}, {row['population']}: {kind} with the cycle "
                              "marked")
        alt = (f"{kind[:1].upper()}{kind[1:]} of {review.label.lower()} for "
               f"{row['population']} with the cycle's start marked. {own.spc.icon_text}")
        reason = row["chart_reason"]
        return b.join([self.section_heading("chart"), b.figure(fig, alt=alt),
                       b.paragraph(f"Chart: {reason}. The centre line "
                                   f"and limits come from {row['baseline']}, the period "
                                   "before the cycle; the green line marks its start and the "
                                   "shaded band runs to its end.", css="muted")])

    def signals(self) -> b.Block:
        own = self.focus_chart
        parts = [self.section_heading("signals")]
        if own is None:
            parts.append(b.paragraph("The cycle was not judged, so no chart rule was applied."))
            return b.join(parts)
        sig = own.signals
        if sig.empty:
            parts.append(b.paragraph("No chart rule has fired since this cycle started."))
        else:
            table = pd.DataFrame({
                "rule": [glossary.plain(r) for r in sig["rule"]], "from": pd.to_datetime(sig["start_x"]).dt.strftime("%b %Y"),
                "to": pd.to_datetime(sig["end_x"]).dt.strftime("%b %Y"),
                "points": sig["n_points"], "what it means": sig["description"]})
            parts.append(b.table(table, caption="Signals since the cycle started",
                                 suppress=False))
        for w in own.warnings:
            parts.append(b.callout(w, kind="caution"))
        return b.join(parts)

    def log(self) -> b.Block:
        rows = pd.concat([r.table.assign(measure=r.label) for r in self.reviews.values()],
                         ignore_index=True).sort_values(["start_date", "cycle_id"])
        table = pd.DataFrame({
            "cycle": rows["cycle_id"], "intervention": rows["intervention_id"].fillna("–"),
            "change tested": rows["title"], "measure": rows["measure"],
            "judged on": rows["population"],
            "started": rows["start_date"].dt.strftime("%d %b %Y"),
            "ended": rows["end_date"].dt.strftime("%d %b %Y").fillna("ongoing"),
            "prediction": rows["prediction"], "chart shows": rows["agreement"],
            "decision": rows["decision"]})
        return b.join([self.section_heading("log"),
                       b.paragraph("Every cycle so far, oldest first: each one's prediction, "
                                   "what the chart of the group it was tested on showed "
                                   "against limits from before it started, and the decision "
                                   "taken."),
                       b.table(table, caption="PDSA cycle log", suppress=False)])
