"""The intervention-evaluation report: interrupted time series of monthly sickness absence
and leaving before and after an intervention (statistics in
:mod:`wellbeing_analysis.evaluation`).

:func:`evaluate_params` is the one code path behind both this report and
``wellbeing evaluate``: the report renders what it computes.
"""

from __future__ import annotations

from functools import cached_property

import matplotlib.pyplot as plt
import pandas as pd

from wellbeing_analysis import formatting, glossary
from wellbeing_analysis.evaluation import (
    ABSENCE,
    LEAVERS,
    SENSITIVITY_CAVEAT,
    Evaluation,
    OutcomeEvaluation,
    Period,
    evaluate_intervention,
    verdict,
)
from wellbeing_analysis.reporting import blocks as b
from wellbeing_analysis.reporting.base import Report, month_label
from wellbeing_analysis.reporting.catalogue import Section
from wellbeing_analysis.reporting.context import ReportContext
from wellbeing_analysis.reporting.summary import evaluation_answer
from wellbeing_analysis.schema import STRATEGY_OBJECTIVES


def _pct(v: float) -> str:
    return formatting.change(v)


def intervention_row(ctx: ReportContext) -> pd.Series:
    """The params' intervention in the service's interventions table."""
    iv = ctx.service.table("interventions")
    return iv[iv["intervention_id"] == ctx.params.evaluation.intervention].iloc[0]


def evaluate_params(ctx: ReportContext) -> Evaluation:
    """The evaluation the params describe, on the context's data and comparison series
    (both outcomes, judged together). Library warnings become the context's notes."""
    ev = ctx.params.evaluation
    if ev is None:
        from wellbeing_analysis.errors import ParamsError

        raise ParamsError(f"{ctx.params.source}: no 'evaluation' section: name the "
                          "intervention to evaluate (see params/README.md)")
    iv = intervention_row(ctx)
    comparison = ctx.comparison
    with ctx.capture_warnings():
        return evaluate_intervention(
            ctx.monthly, service=ctx.params.service_name, intervention=str(iv["intervention_id"]),
            absence_family=ev.absence_family, leavers_family=ev.leavers_family,
            intervention_start=iv["start_date"], phase_in=int(iv["phase_in_months"]),
            analysis_start=ev.analysis_start, end=ctx.last_month, harmonics=ev.harmonics,
            adjust_for=tuple(Period(p.start, p.end, p.reason) for p in ev.adjust_for),
            horizons=ev.horizons, comparison=comparison,
            comparison_name=(ev.comparison.name if ev.comparison else "comparison series"),
            planner_effects=ev.planner_effects, planner_simulations=ev.planner_simulations,
            suppress_below=ctx.threshold)


class EvaluationReport(Report):
    """Evaluation report sections for the params' intervention."""

    TITLE = "Intervention evaluation"
    KEY = "evaluation"
    EXTRA_INPUTS = ("comparison series",)
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
        return intervention_row(self.ctx)


    @cached_property
    def evaluation(self) -> Evaluation:
        """What ``wellbeing evaluate`` computes for these params (one code path)."""
        return evaluate_params(self.ctx)

    def status(self) -> str:
        """'ok', 'not enough data' or 'model not trusted' (for the run record)."""
        return self.evaluation.status

    @property
    def absence_ev(self) -> OutcomeEvaluation:
        return self.evaluation[ABSENCE.name]

    @property
    def leavers_ev(self) -> OutcomeEvaluation:
        return self.evaluation[LEAVERS.name]

    # -- sections -----------------------------------------------------------------------
    def title(self) -> b.Block:
        iv = self.intervention
        return self._title(f"{self.params.service_name} · {iv['name']} (from "
                           f"{iv['start_date']:%B %Y}) · data to "
                           f"{self.ctx.service.extract_date:%d %B %Y}")

    def overview(self) -> b.Block:
        a, lv = self.absence_ev, self.leavers_ev
        cards = []
        if a.ok:
            ca = a.cumulative
            cards += [
                ("Sickness absence since the change", _pct(ca.relative),
                 f"against expected without the change; 95% CI "
                 f"{_pct(ca.relative_ci_lower)} to {_pct(ca.relative_ci_upper)}"),
                ("FTE days of absence avoided", formatting.count(-ca.estimate),
                 f"against expected; 95% CI {formatting.count(-ca.ci_upper)} to "
                 f"{formatting.count(-ca.ci_lower)}, over {ca.n_periods} months"),
            ]
        else:
            cards.append(("Sickness absence since the change", "not shown", a.status))
        if lv.ok:
            cl = lv.cumulative
            cards.append(("Leaving since the change", _pct(cl.relative),
                          f"against expected without the change; 95% CI "
                          f"{_pct(cl.relative_ci_lower)} to {_pct(cl.relative_ci_upper)}"))
        else:
            cards.append(("Leaving since the change", "not shown", lv.status))
        cards.append(("Months of data", f"{a.months_after} after", f"{a.months_before} before"))
        kind_a, text_a = verdict(a)
        kind_l, text_l = verdict(lv)
        answer = evaluation_answer(self.evaluation)
        return b.join([
            self.section_heading("summary"),
            b.paragraph(answer, css="service-answer"), self.at_a_glance(answer),
            b.key_figures(cards),
            b.callout(text_a, kind=kind_a, title="Sickness absence"),
            b.callout(text_l, kind=kind_l, title="Leaving"),
            b.paragraph("'Expected' means the counterfactual: the trend and seasonal pattern "
                        "before the intervention, carried forward. Percentages compare what "
                        "happened with that expectation over all months since the change. "
                        f"Absence and leaving are two outcomes judged together: a change is "
                        f"declared only with Holm's correction for two tests (familywise "
                        f"{self.evaluation.alpha:.0%}). The table above and the baseline "
                        "report make other comparisons (the latest month against its "
                        "control limits; the last 12 months against the 12 before), so "
                        "their figures can differ from these.", css="muted"),
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
                 b.table(pd.DataFrame(rows, columns=["about the intervention", "detail"]),
                         caption="The intervention",
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

    def _observed_figure(self, ev: OutcomeEvaluation) -> b.Block:
        """The monthly series with the intervention marked, and no model (none is trusted)."""
        from wellbeing_analysis.evaluation import its_frame
        from wellbeing_analysis.style import NHS_BLUE, NHS_ORANGE

        o = ev.outcome
        ev_params = self.params.evaluation
        frame = its_frame(self.ctx.monthly, start=ev_params.analysis_start,
                          end=self.ctx.last_month)
        fig, ax = plt.subplots(layout="constrained")
        y = o.rate(frame) if o.people else frame[o.count]
        ax.plot(frame["date"], y, marker="o", ms=3, color=NHS_BLUE)
        ax.axvline(pd.Timestamp(self.intervention["start_date"]), color=NHS_ORANGE, ls="--")
        ax.set_ylabel(o.rate_label if o.people else o.count_label)
        ax.set_title(f"Monthly {o.rate_label if o.people else o.count_label} (no model shown: "
                     f"{ev.status})")
        return b.figure(fig, alt=f"Chart of the monthly {o.label} series with the start of the "
                        f"intervention marked; no model is shown because the analysis has "
                        f"{ev.status}.")

    def _outcome_section(self, anchor: str, ev: OutcomeEvaluation) -> b.Block:
        o = ev.outcome
        parts = [self.section_heading(anchor)]
        kind, text = verdict(ev)
        if not ev.ok:
            parts += [self._observed_figure(ev), b.callout(text, kind=kind)]
            return b.join(parts)
        r = ev.primary
        windows = [(p.start, p.end, f"{p.reason} (adjusted for)")
                   for p in self.params.evaluation.adjust_for]
        # monthly leaver counts are small numbers: chart the rate instead
        label = o.rate_label if o.people else o.count_label
        fig = r.plot_panels(per_exposure=100 if o.people else None, y_label=label,
                            effect_label=f"difference ({label})",
                            cumulative_label=f"total difference ({o.count_label})",
                            windows=windows)
        fig.axes[0].set_title(f"Monthly {label}: what happened and what was expected")
        c = ev.cumulative
        # the observed total is a count of people for leavers: never show a small one
        observed = (f"fewer than {self.ctx.threshold}"
                    if o.people and c.observed_total < self.ctx.threshold
                    else f"{c.observed_total:,.0f}")
        alt = (f"Three charts of monthly {label} before and after the intervention: what "
               f"happened with the fitted model and the values expected had nothing changed "
               f"(with a 95% band); the difference each month with its band; and the running "
               f"total of the difference with its band. Over {c.n_periods} months the total "
               f"was {observed} {o.count_label} against {c.counterfactual_total:,.0f} "
               f"expected, a difference of {formatting.count(c.estimate)}.")
        parts += [b.figure(fig, alt=alt), b.callout(text, kind=kind),
                  b.paragraph(f"Model: {ev.model}.", css="muted")]
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
            parts.append(b.table(t, caption=f"Effect at chosen horizons, counted from the "
                                 f"intervention's start (model estimates, {o.count_label} per "
                                 "month)", suppress=False))
        parts.append(b.paragraph(
            f"Over all {c.n_periods} months since the change: {observed} "
            f"{o.count_label} against {c.counterfactual_total:,.0f} expected, a difference of "
            f"{c.estimate:,.0f} (95% CI {c.ci_lower:,.0f} to {c.ci_upper:,.0f})."))
        log_link = r.model.link == "log"
        coef = formatting.coefficient_table(r.coefficients, log_link=log_link,
                                            term_words=glossary.plain)
        parts.append(b.details("Model coefficients", b.table(
            coef, caption=f"{o.label.capitalize()}, {ev.model.split(',')[0]}: " + (
                "rate ratios (1 = no effect; 0.9 = 10% lower)" if log_link
                else "coefficients"), suppress=False)))
        return b.join(parts)

    def absence(self) -> b.Block:
        return self._outcome_section("absence", self.absence_ev)

    def leavers(self) -> b.Block:
        return self._outcome_section("leavers", self.leavers_ev)

    def checks(self) -> b.Block:
        parts = [self.section_heading("checks"),
                 b.paragraph("Before any effect is shown the analysis checks that there are "
                             "enough data for the model (months before and after the change, "
                             "full seasonal cycles, events) and that the fitted model can be "
                             "trusted (convergence, plausible estimates and standard errors, "
                             "no separation, overflow or perfect fit). Diagnostics are shown "
                             "beside the results.")]
        for ev in (self.absence_ev, self.leavers_ev):
            items = [f"Primary model: {ev.model}. Status: {ev.status}."]
            for c in ev.checks:
                mark = "passed" if c.passed else ("failed" if c.kind != "diagnostic"
                                                  else "caution")
                items.append(f"{c.name.replace('_', ' ')} ({c.kind}, {mark}): {c.detail}"
                             + (f" {c.needed}" if c.needed and not c.passed else ""))
            items += ev.notes
            parts += [b.Block(f"<h3>{b.esc(ev.outcome.label.capitalize())}</h3>"),
                      b.bullets(items)]
            if ev.primary is not None:
                d = ev.primary.diagnostics()
                fig, ax = plt.subplots(layout="constrained")
                ev.primary.plot_acf(ax=ax)
                ax.set_title(f"{ev.outcome.label.capitalize()}: correlation of the model's "
                             "errors between months")
                lag1 = float(d.table["acf"].iloc[0])
                parts.append(b.figure(fig, alt=f"Bar chart of the autocorrelation of the "
                                      f"model's residuals ({d.residuals}) at lags 1 to "
                                      f"{len(d.table)}; lag 1 is {lag1:.2f}."))
                for w in d.warnings:
                    if w not in self.ctx.notes:
                        self.ctx.notes.append(w)
        return b.join(parts)

    def sensitivity(self) -> b.Block:
        parts = [self.section_heading("sensitivity"),
                 b.paragraph("The same question answered in other reasonable ways. If the "
                             "answers agree, the conclusion does not hang on one modelling "
                             "choice."),
                 b.callout(SENSITIVITY_CAVEAT, kind="info")]
        for ev in (self.absence_ev, self.leavers_ev):
            label = ev.outcome.label.capitalize()
            if not ev.ok:
                parts.append(b.paragraph(f"{label}: no sensitivity analyses, because the "
                                         f"primary analysis has {ev.status}.", css="muted"))
                continue
            s = ev.sensitivity
            t = pd.DataFrame({
                "model": s["model"], "what it checks": s["what it checks"],
                "change since the intervention": [_pct(v) for v in s["relative_effect"]],
                "95% CI": [f"{_pct(lo)} to {_pct(hi)}" if pd.notna(lo) else n for lo, hi, n in
                           zip(s["relative_lower"], s["relative_upper"], s["note"],
                               strict=True)]})
            parts.append(b.table(t, caption=f"{label}: change compared with expected, over "
                                 "all months since the change (descriptive)", suppress=False))
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
                             "and extra variation) and judged by this report's own rule: the "
                             "same checks and the same model, at Holm's first step for two "
                             "outcomes.")]
        for ev in (self.absence_ev, self.leavers_ev):
            plan = ev.power
            if plan is None:
                continue
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
                             f"more than {int(plan.table['n_post'].max())}" if need is None
                             else str(need)))
            parts += [b.Block(f"<h3>{b.esc(ev.outcome.label.capitalize())}</h3>"),
                      b.paragraph(plan.text + " " + ev.power_calibration),
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
        models = "; ".join(f"{o.outcome.label}: {o.model}" for o in self.evaluation.outcomes)
        text = [
            "Interrupted time series (segmented regression) of monthly counts with the "
            "exposure as an offset: FTE days lost with FTE days available, and leavers with "
            "headcount (Lopez Bernal, Cummins & Gasparrini 2017).",
            f"Primary models, chosen by the data: {models}. Each has a level change and a "
            "slope change at the intervention, the slope term centred at the interruption; "
            f"disturbances adjusted for: {adjust}. Monthly counts get quasi-Poisson regression "
            "with AR(1) errors: extra variation (dispersion, never below Poisson's) and "
            "month-to-month correlation (REML), with t tests on Satterthwaite degrees of "
            "freedom; in a simulation of service-sized series its 95% intervals covered the "
            "truth 94-96% of the time, where quasi-Poisson with independent months covered "
            "as little as 70% (benchmarks/bench_evaluation_sim.py).",
            "The headline is the change over all months since the intervention (observed ÷ "
            "expected − 1), with a 95% confidence interval by the delta method. "
            + self.evaluation.multiplicity.capitalize() + ".",
            "Before any effect is shown the data and the fit are checked (see 'Checks on the "
            "models'); when a check fails, no effect figure is shown and the report says what "
            "data would be needed.",
            "The analysis starts " + (month_label(ev.analysis_start) if ev.analysis_start else
                                      "at the first month of data") + " and ends "
            f"{month_label(self.ctx.last_month)} (the last complete month).",
        ]
        return b.join([self.section_heading("method"), b.bullets(text)])
