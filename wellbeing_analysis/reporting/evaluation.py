"""The intervention-evaluation report: interrupted time series of monthly sickness absence
and leaving before and after an intervention (statistics in
:mod:`wellbeing_analysis.evaluation`)."""

from __future__ import annotations

from functools import cached_property

import matplotlib.pyplot as plt
import pandas as pd

from wellbeing_analysis.evaluation import (
    ABSENCE,
    LEAVERS,
    OutcomeEvaluation,
    Period,
    evaluate_outcome,
    verdict,
)
from wellbeing_analysis.reporting import blocks as b
from wellbeing_analysis.reporting.base import Report, month_label
from wellbeing_analysis.reporting.catalogue import Section
from wellbeing_analysis.schema import STRATEGY_OBJECTIVES

_FAMILY_NAMES = {
    "ols": "linear regression (Newey–West standard errors)",
    "glsar": "regression with autocorrelated (AR) errors",
    "poisson": "Poisson regression",
    "quasipoisson": "quasi-Poisson regression (allows for extra variation)",
    "negbin": "negative binomial regression",
}


def _pct(v: float) -> str:
    return "–" if pd.isna(v) else f"{100 * v:+.0f}%"


class EvaluationReport(Report):
    """Evaluation report sections for the params' intervention."""

    TITLE = "Intervention evaluation"
    USES_COMPARISON = True
    SECTIONS = (
        Section("summary", "Summary", "overview"),
        Section("intervention", "The intervention", "intervention_section"),
        Section("absence", "Sickness absence", "absence"),
        Section("leavers", "Leavers", "leavers"),
        Section("checks", "Checks on the models", "checks"),
        Section("sensitivity", "Sensitivity analyses", "sensitivity"),
        Section("power", "How much data is enough?", "power"),
        Section("method", "Method", "method"),
        Section("data-quality", "Data quality and coverage", "data_quality"),
        Section("provenance", "How this report was produced", "provenance"),
    )

    @cached_property
    def intervention(self) -> pd.Series:
        iv = self.ctx.service.table("interventions")
        return iv[iv["intervention_id"] == self.params.evaluation.intervention].iloc[0]

    def _evaluate(self, outcome) -> OutcomeEvaluation:
        ev = self.params.evaluation
        iv = self.intervention
        with self.ctx.capture_warnings():
            return evaluate_outcome(
                self.ctx.monthly, outcome, intervention_start=iv["start_date"],
                phase_in=int(iv["phase_in_months"]), analysis_start=ev.analysis_start,
                end=self.ctx.last_month, family=(ev.absence_family if outcome is ABSENCE
                                                 else ev.leavers_family),
                harmonics=ev.harmonics,
                adjust_for=tuple(Period(p.start, p.end, p.reason) for p in ev.adjust_for),
                horizons=ev.horizons, comparison=self.ctx.comparison,
                comparison_name=(ev.comparison.name if ev.comparison else "comparison series"),
                planner_effects=ev.planner_effects, planner_simulations=ev.planner_simulations)

    @cached_property
    def absence_ev(self) -> OutcomeEvaluation:
        return self._evaluate(ABSENCE)

    @cached_property
    def leavers_ev(self) -> OutcomeEvaluation:
        return self._evaluate(LEAVERS)

    # -- sections -----------------------------------------------------------------------
    def title(self) -> b.Block:
        iv = self.intervention
        sub = (f"{self.params.service_name} · {iv['name']} (from {iv['start_date']:%B %Y}) · "
               f"data to {self.ctx.service.extract_date:%d %B %Y}")
        return b.Block(f"<h1>{b.esc(self.TITLE)}</h1>") + b.paragraph(sub, css="subtitle")

    def overview(self) -> b.Block:
        a, lv = self.absence_ev, self.leavers_ev
        ca = a.cumulative
        kind_a, text_a = verdict(a)
        kind_l, text_l = verdict(lv)
        cards = [
            ("Sickness absence since the change", _pct(ca.relative),
             f"95% CI {_pct(ca.relative_ci_lower)} to {_pct(ca.relative_ci_upper)}"),
            ("FTE days of absence avoided", f"{-ca.estimate:,.0f}",
             f"95% CI {-ca.ci_upper:,.0f} to {-ca.ci_lower:,.0f}, over {ca.n_periods} months"),
            ("Leaving since the change", _pct(lv.cumulative.relative),
             f"95% CI {_pct(lv.cumulative.relative_ci_lower)} to "
             f"{_pct(lv.cumulative.relative_ci_upper)}"),
            ("Months of data", f"{a.months_after} after",
             f"{int(a.primary.diagnostics().segments['n_before'].iloc[0])} before"),
        ]
        return b.join([
            self.section_heading("summary"), b.key_figures(cards),
            b.callout(text_a, kind=kind_a, title="Sickness absence"),
            b.callout(text_l, kind=kind_l, title="Leaving"),
            b.paragraph("'Expected' means the counterfactual: the trend and seasonal pattern "
                        "before the intervention, carried forward. Percentages compare what "
                        "happened with that expectation over all months since the change.",
                        css="muted"),
        ])

    def intervention_section(self) -> b.Block:
        iv = self.intervention
        end = "continuing" if pd.isna(iv["end_date"]) else f"{iv['end_date']:%d %B %Y}"
        rows = [("What", iv["name"]),
                ("Strategy objective", STRATEGY_OBJECTIVES.get(str(iv["objective"]),
                                                               str(iv["objective"]))),
                ("Started", f"{iv['start_date']:%d %B %Y}"), ("Ended", end),
                ("Phase-in", f"{int(iv['phase_in_months'])} month(s), left out of the "
                             "analysis while the change beds in"),
                ("Teams", iv["teams"])]
        parts = [self.section_heading("intervention"),
                 b.table(pd.DataFrame(rows, columns=["", " "]), caption="The intervention",
                         suppress=False)]
        if isinstance(iv.get("description"), str):
            parts.append(b.paragraph(iv["description"]))
        if self.ctx.service.has("pdsa_cycles"):
            cyc = self.ctx.service.table("pdsa_cycles")
            cyc = cyc[cyc["intervention_id"] == iv["intervention_id"]]
            if len(cyc):
                parts.append(b.paragraph(
                    "It was tested in PDSA cycles " + ", ".join(cyc["cycle_id"]) + " (see the "
                    "PDSA cycle report)."))
        if iv["teams"] != "all":
            parts.append(b.callout("The intervention applies to some teams only; this "
                                   "analysis is of the whole service, which dilutes its effect.",
                                   kind="caution"))
        return b.join(parts)

    def _outcome_section(self, anchor: str, ev: OutcomeEvaluation) -> b.Block:
        o = ev.outcome
        r = ev.primary
        fig, ax = plt.subplots(layout="constrained")
        if o is LEAVERS:  # monthly leaver counts are small numbers: chart the rate instead
            r.plot(ax=ax, per_exposure=100, y_label=o.rate_label)
            ax.set_title("Monthly leavers per 100 staff: what happened and what was expected")
        else:
            r.plot(ax=ax, y_label=o.count_label)
            ax.set_title(f"Monthly {o.count_label}: what happened and what was expected")
        ax.set_xlabel("")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=8)
        c = ev.cumulative
        # the observed total is a count of people for leavers: never show a small one
        observed = (f"fewer than {self.ctx.threshold}"
                    if o is LEAVERS and c.observed_total < self.ctx.threshold
                    else f"{c.observed_total:,.0f}")
        alt = (f"Chart of monthly {o.count_label} before and after the intervention, with the "
               f"fitted model and the expected values had nothing changed (with a 95% band). "
               f"Over {c.n_periods} months the total was {observed} against "
               f"{c.counterfactual_total:,.0f} expected.")
        parts = [self.section_heading(anchor), b.figure(fig, alt=alt)]
        kind, text = verdict(ev)
        parts.append(b.callout(text, kind=kind))
        eff = ev.effects
        if len(eff):
            t = pd.DataFrame({
                "months after the start": eff["horizon"],
                "month": eff["time"],
                f"expected {o.count_label}": eff["counterfactual"].round(1),
                f"fitted {o.count_label}": eff["fitted"].round(1),
                "difference": eff["effect"].round(1),
                "95% CI": [f"{lo:,.1f} to {hi:,.1f}" for lo, hi in
                           zip(eff["effect_lower"], eff["effect_upper"], strict=True)],
                "relative": [_pct(v) for v in eff["relative_effect"]],
                "relative 95% CI": [f"{_pct(lo)} to {_pct(hi)}" for lo, hi in
                                    zip(eff["relative_lower"], eff["relative_upper"],
                                        strict=True)],
            })
            parts.append(b.table(t, caption=f"Effect at chosen horizons (model estimates, "
                                 f"{o.count_label} per month)", suppress=False))
        parts.append(b.paragraph(
            f"Over all {c.n_periods} months since the change: {observed} "
            f"{o.count_label} against {c.counterfactual_total:,.0f} expected, a difference of "
            f"{c.estimate:,.0f} (95% CI {c.ci_lower:,.0f} to {c.ci_upper:,.0f})."))
        coef = r.coefficients.copy()
        parts.append(b.details("Model coefficients", b.table(
            coef.round(4), caption=f"{_FAMILY_NAMES[r.family]}: coefficients (log scale for "
            "count models)", suppress=False)))
        return b.join(parts)

    def absence(self) -> b.Block:
        return self._outcome_section("absence", self.absence_ev)

    def leavers(self) -> b.Block:
        return self._outcome_section("leavers", self.leavers_ev)

    def checks(self) -> b.Block:
        parts = [self.section_heading("checks")]
        for ev in (self.absence_ev, self.leavers_ev):
            d = ev.primary.diagnostics()
            seg = d.segments.iloc[0]
            fig, ax = plt.subplots(layout="constrained")
            ev.primary.plot_acf(ax=ax)
            ax.set_title(f"{ev.outcome.label.capitalize()}: correlation of the model's errors "
                         "between months")
            lag1 = float(d.table["acf"].iloc[0])
            items = [
                f"Months before the change: {int(seg['n_before'])}; after: "
                f"{int(seg['n_after'])} (at least 8 of each are recommended).",
                f"Durbin–Watson {d.durbin_watson:.2f} (2 means no autocorrelation); Ljung–Box "
                f"p = {d.ljung_box_p:.3g} at lag {d.ljung_box_lag}.",
                f"Overdispersion (Pearson X² ÷ df): {d.dispersion:.2f}.",
                f"Autocorrelation: {ev.adjusted_reason}",
            ]
            parts += [b.Block(f"<h3>{b.esc(ev.outcome.label.capitalize())}</h3>"),
                      b.bullets(items),
                      b.figure(fig, alt=f"Bar chart of the autocorrelation of the model's "
                               f"residuals at lags 1 to {len(d.table)}; lag 1 is {lag1:.2f}.")]
            for w in list(d.warnings) + list(ev.primary.warnings):
                if w not in self.ctx.notes:
                    self.ctx.notes.append(w)
        return b.join(parts)

    def sensitivity(self) -> b.Block:
        parts = [self.section_heading("sensitivity"),
                 b.paragraph("The same question answered in other reasonable ways. If the "
                             "answers agree, the conclusion does not hang on one modelling "
                             "choice.")]
        for ev in (self.absence_ev, self.leavers_ev):
            s = ev.sensitivity
            t = pd.DataFrame({
                "model": s["model"], "what it checks": s["what it checks"],
                "change since the intervention": [_pct(v) for v in s["relative_effect"]],
                "95% CI": [f"{_pct(lo)} to {_pct(hi)}" for lo, hi in
                           zip(s["relative_lower"], s["relative_upper"], strict=True)]})
            parts.append(b.table(t, caption=f"{ev.outcome.label.capitalize()}: change "
                                 "compared with expected, over all months since the change",
                                 suppress=False))
            if ev.placebo is not None:
                parts.append(b.paragraph(f"Placebo tests ({ev.outcome.label}): "
                                         + ev.placebo.text))
            for note in ev.notes:
                parts.append(b.paragraph(note, css="muted"))
        return b.join(parts)

    def power(self) -> b.Block:
        parts = [self.section_heading("power"),
                 b.paragraph("How many months after a change are needed to detect it 80% of "
                             "the time, simulated from this service's own variation before the "
                             "intervention (its trend, seasonality, month-to-month correlation "
                             "and extra variation).")]
        for ev in (self.absence_ev, self.leavers_ev):
            if ev.power is None:
                continue
            plan = ev.power
            fig, ax = plt.subplots(layout="constrained")
            plan.plot(ax=ax)
            ax.set_title(f"{ev.outcome.label.capitalize()}: chance of detecting a change, by "
                         "months of data after it")
            rows = []
            for effect in sorted(plan.table["effect"].unique()):
                if effect == plan.null_effect:
                    continue
                need = plan.months_needed(effect)
                rows.append((f"{(1 - effect) * 100:.0f}% fall",
                             "more than 48" if need is None else str(need)))
            parts += [b.Block(f"<h3>{b.esc(ev.outcome.label.capitalize())}</h3>"),
                      b.paragraph(plan.text),
                      b.figure(fig, alt=f"Line chart of the simulated power to detect falls in "
                               f"{ev.outcome.label} against months after the change. "
                               + plan.text),
                      b.table(pd.DataFrame(rows, columns=["size of change",
                                                          "months needed for 80% power"]),
                              caption=f"{ev.outcome.label.capitalize()}: months of data "
                              "needed", suppress=False)]
        return b.join(parts)

    def method(self) -> b.Block:
        ev = self.params.evaluation
        adjust = "; ".join(f"{p.reason} ({month_label(p.start)} to {month_label(p.end)})"
                           for p in ev.adjust_for) or "none"
        text = [
            "Interrupted time series (segmented regression) of monthly counts with the "
            "exposure as an offset: FTE days lost with FTE days available, and leavers with "
            "headcount (Lopez Bernal, Cummins & Gasparrini 2017).",
            f"Primary models: {_FAMILY_NAMES[ev.absence_family]} for absence and "
            f"{_FAMILY_NAMES[ev.leavers_family]} for leaving; a level change and a slope "
            "change at the intervention, the slope term centred at the interruption; "
            f"{ev.harmonics} Fourier pair(s) for the seasons; disturbances adjusted for: "
            f"{adjust}.",
            "Confidence intervals are 95%. Effects at horizons and cumulative effects use the "
            "delta method. The autocorrelation-adjusted model is GLS with AR(p) errors "
            "(REML, Satterthwaite degrees of freedom), p chosen from the residuals' partial "
            "autocorrelation.",
            "The analysis starts " + (month_label(ev.analysis_start) if ev.analysis_start else
                                      "at the first month of data") + " and ends "
            f"{month_label(self.ctx.last_month)} (the last complete month).",
        ]
        return b.join([self.section_heading("method"), b.bullets(text)])
