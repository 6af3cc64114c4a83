"""The PDSA-cycle report: one cycle judged against its measure's chart, and the log of all
cycles so far (the ramp of learning)."""

from __future__ import annotations

from functools import cached_property

import matplotlib.pyplot as plt
import pandas as pd

from wellbeing_analysis import glossary
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.reporting import blocks as b
from wellbeing_analysis.reporting.base import Report, month_label
from wellbeing_analysis.reporting.catalogue import Section
from wellbeing_analysis.reporting.measures import measure_series

_AGREEMENT_TEXT = {
    "agrees": "The chart agrees with the prediction.",
    "disagrees": "The chart disagrees with the prediction: the signal goes the other way, or "
                 "there is a signal where no change was predicted.",
    "no signal yet": "No signal yet: the measure has not moved beyond normal variation since "
                     "the change.",
    "too early": "Too early to tell: too few points since the change for the chart's rules to "
                 "show a signal.",
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
        """One PDSA review per measure named by any cycle."""
        from wellbeing_analysis.spc import review_pdsa

        start, n_fix = self.baseline_fix
        out = {}
        for measure, cycles in self.cycles.groupby("measure", sort=False):
            m = measure_series(self.ctx, measure, start=start)
            with self.ctx.capture_warnings():
                out[measure] = review_pdsa(
                    cycles, m.data, x=m.x, y=m.y, n=m.n, measure=measure, chart=m.chart,
                    improvement_direction=m.direction, target=m.target,
                    fix_after_n_points=n_fix if m.fix_limits else None)
            out[measure].label = m.label
        return out

    @property
    def focus_review(self):
        return self.reviews[self.focus["measure"]]

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
        cards = [("Measure", review.label, "as named in the PDSA log"),
                 ("Started", f"{c['start_date']:%d %b %Y}", f"ends: {end}"),
                 ("Prediction", row["prediction"], "what the team expected"),
                 ("Decision", str(row["decision"]), "adopt, adapt or abandon")]
        kind = {"agrees": "good", "disagrees": "concern"}.get(row["agreement"], "caution")
        parts = [self.section_heading("summary"), self.at_a_glance(), b.key_figures(cards),
                 b.Block("<h3>Plan</h3>"), b.paragraph(str(c["plan"])),
                 b.callout([_AGREEMENT_TEXT[row["agreement"]], str(row["chart_shows"])],
                           kind=kind, title="Prediction against what happened")]
        if not pd.isna(c.get("study_notes")):
            parts += [b.Block("<h3>What the team learned</h3>"),
                      b.paragraph(str(c["study_notes"]))]
        return b.join(parts)

    def chart(self) -> b.Block:
        review = self.focus_review
        fig, ax = plt.subplots(layout="constrained")
        review.plot(ax=ax, title=f"{review.label}: PDSA cycles marked on the chart")
        start, n_fix = self.baseline_fix
        fixed = (f" Limits are calculated from {month_label(self.ctx.baseline_window[0])} to "
                 f"{month_label(self.ctx.baseline_window[1])}." if n_fix and
                 self.reviews[self.focus["measure"]].spc.options.fix_after_n_points else "")
        alt = (f"Control chart of {review.label.lower()} with the start of each PDSA cycle "
               f"marked. {review.spc.icon_text}")
        return b.join([self.section_heading("chart"), b.figure(fig, alt=alt),
                       b.paragraph("Green lines mark where each cycle started; the shaded "
                                   "band runs to its end." + fixed, css="muted")])

    def signals(self) -> b.Block:
        review = self.focus_review
        sig = review.signals[review.signals["cycle_id"] == self.focus["cycle_id"]]
        parts = [self.section_heading("signals")]
        if sig.empty:
            parts.append(b.paragraph("No chart rule has fired since this cycle started."))
        else:
            table = pd.DataFrame({
                "rule": [glossary.plain(r) for r in sig["rule"]], "from": pd.to_datetime(sig["start_x"]).dt.strftime("%b %Y"),
                "to": pd.to_datetime(sig["end_x"]).dt.strftime("%b %Y"),
                "points": sig["n_points"], "what it means": sig["description"]})
            parts.append(b.table(table, caption="Signals since the cycle started",
                                 suppress=False))
        for w in review.warnings:
            parts.append(b.callout(w, kind="caution"))
        return b.join(parts)

    def log(self) -> b.Block:
        rows = pd.concat([r.table.assign(measure=r.label) for r in self.reviews.values()],
                         ignore_index=True).sort_values(["start_date", "cycle_id"])
        table = pd.DataFrame({
            "cycle": rows["cycle_id"], "intervention": rows["intervention_id"].fillna("–"),
            "change tested": rows["title"], "measure": rows["measure"],
            "started": rows["start_date"].dt.strftime("%d %b %Y"),
            "ended": rows["end_date"].dt.strftime("%d %b %Y").fillna("ongoing"),
            "prediction": rows["prediction"], "chart shows": rows["agreement"],
            "decision": rows["decision"]})
        return b.join([self.section_heading("log"),
                       b.paragraph("Every cycle so far, oldest first: each one's prediction, "
                                   "what its measure's chart showed, and the decision taken."),
                       b.table(table, caption="PDSA cycle log", suppress=False)])
