"""The baseline report: where the service stands now, indicator by indicator."""

from __future__ import annotations

from functools import cached_property

import matplotlib.pyplot as plt
import pandas as pd

from wellbeing_analysis import narrative
from wellbeing_analysis.constants import AGGREGATE_TABLE
from wellbeing_analysis.disclosure import Share, share_shown
from wellbeing_analysis.indicators import INDICATORS, window_rate
from wellbeing_analysis.reporting import blocks as b
from wellbeing_analysis.reporting.base import Report, month_label
from wellbeing_analysis.reporting.benchmark import benchmark_line, benchmark_text
from wellbeing_analysis.reporting.catalogue import Section
from wellbeing_analysis.reporting.measures import measure_series
from wellbeing_analysis.style import NHS_BLUE, NHS_DARK_GREY, NHS_ORANGE
from wellbeing_analysis.workforce import (
    absence_by_reason,
    leavers_by,
    leavers_by_length_of_service,
    leavers_in_window,
    staff_absent,
    window_summary,
)
from wellbeing_analysis.workforce.aggregate import needs_for


class BaselineReport(Report):
    """Baseline report sections; each method returns a block for one notebook cell."""

    TITLE = "Staff wellbeing baseline"
    KEY = "baseline"
    EXTRA_INPUTS = ("benchmark series",)
    SECTIONS = (
        Section("summary", "Summary", "overview"),
        Section("absence", "Sickness absence", "absence"),
        Section("turnover", "Leavers, turnover and stability", "turnover"),
        Section("teams", "Teams and staff groups", "teams"),
        Section("surveys", "Staff experience surveys", "surveys"),
        Section("data-quality", "Data quality and coverage", "data_quality"),
        Section("provenance", "How this report was produced", "provenance"),
    )

    # -- computed once --------------------------------------------------------------------
    @cached_property
    def windows(self) -> dict[str, tuple[str, str]]:
        start, end = self.ctx.reporting_window
        n = self.params.reporting_months
        prev_end = str(pd.Period(start, freq="M") - 1)
        prev_start = str(pd.Period(prev_end, freq="M") - (n - 1))
        return {"now": (start, end), "before": (prev_start, prev_end)}

    def rate(self, name: str, which: str = "now") -> float:
        s, e = self.windows[which]
        return window_rate(self.ctx.monthly, name, s, e)

    def latest(self, column: str) -> float:
        row = self.ctx.complete_monthly.iloc[-1]
        return float(row[column])

    @cached_property
    def leavers(self) -> pd.DataFrame:
        s, e = self.windows["now"]
        return leavers_in_window(self.ctx.service.staff_spells,
                                 extract_date=self.ctx.service.extract_date, start=s, end=e)

    # -- sections -----------------------------------------------------------------------
    def overview(self) -> b.Block:
        """Headline figures and the plain-English reading of each indicator."""
        n = self.params.reporting_months
        cards = [
            ("Sickness absence, last 12 months" if n == 12 else f"Sickness absence, last {n} months",
             narrative.fmt(self.rate("absence_rate_pct"), "absence_rate_pct"),
             "before/after: " + narrative.change(
                 "absence_rate_pct", self.rate("absence_rate_pct"),
                 self.rate("absence_rate_pct", "before"), include_now=False)),
            ("Turnover, rolling 12 months",
             narrative.fmt(self.latest("turnover_12m_pct"), "turnover_12m_pct"),
             "leavers ÷ average headcount"),
            ("Stability index (strategy)",
             narrative.fmt(self.latest("stability_index_strategy_pct"),
                           "stability_index_strategy_pct"),
             "needs staff_spells.csv" if self.aggregate
             else "staff with 1+ year of continuous service"),
            ("Staff in post", f"{self.latest('headcount'):,.0f}",
             ("" if pd.isna(self.latest("fte")) else f"{self.latest('fte'):,.1f} FTE ")
             + f"at {month_label(self.ctx.last_month)}"),
        ]
        look = self._what_to_look_at()
        parts = [self.section_heading("summary"), self.at_a_glance(), b.key_figures(cards),
                 b.paragraph("Each figure says what it compares: the control charts judge "
                             "the latest month against the process limits and the target; "
                             "'before/after' compares the last 12 months with the 12 before. "
                             "The intervention evaluation compares months since a change "
                             "with what was expected without it (the counterfactual), so its "
                             "figures can differ from these.", css="muted")]
        if look:
            parts += [b.Block("<h3>What to look at</h3>"),
                      b.paragraph("Most recent first; each signal once."), b.bullets(look)]
        parts.append(b.paragraph(
            "Charts use Statistical Process Control (Making Data Count): points inside the "
            "grey limits are normal variation; coloured points are signals — blue an "
            "improvement, orange a concern.", css="muted"))
        return b.join(parts)

    def _what_to_look_at(self) -> list[str]:
        items = []
        since = pd.Period(self.windows["now"][0], freq="M").to_timestamp()
        for name, result in self.spc_results.items():
            if result is None:
                continue
            label = INDICATORS[name].label
            items += [(end, f"{label}: {sentence}") for end, sentence in
                      narrative.signal_sentences(result.signals, since, subject=label,
                                                 with_end=True)]
        items = [text for _, text in sorted(items, key=lambda item: item[0], reverse=True)]
        if self.aggregate:  # no absence reasons in monthly figures
            return items
        reasons = self.absence_reasons_table
        if (not reasons.empty and reasons.iloc[0]["reason_code"] == "S10"
                and reasons.iloc[0]["staff"] >= self.ctx.threshold):
            items.append(f"Anxiety, stress and depression (S10) is the largest reason for "
                         f"sickness absence: {reasons.iloc[0]['share_pct']:.0f}% of days lost in "
                         "the last 12 months.")
        return items

    @cached_property
    def absence_reasons_table(self) -> pd.DataFrame:
        s, e = self.windows["now"]
        return absence_by_reason(self.ctx.service.staff_spells, self.ctx.service.absence_episodes,
                                 extract_date=self.ctx.service.extract_date, start=s, end=e)

    def absence(self) -> b.Block:
        """Absence rate SPC charts, reasons and the long/short-term split."""
        name = "absence_rate_pct"
        res = self.spc_results[name]
        start, n_fix = self.baseline_fix
        limits = (f"Limits are calculated from {month_label(self.ctx.baseline_window[0])} to "
                  f"{month_label(self.ctx.baseline_window[1])} and extended forward, so later "
                  "months are judged against that baseline." if n_fix else
                  "Limits are calculated from all months shown.")
        ind = INDICATORS[name]
        parts = [
            self.section_heading("absence"),
            b.paragraph(f"{ind.description} Benchmarks: {ind.benchmark}."),
            self.spc_figure(name, res, title="Sickness absence rate by month",
                            annotate=benchmark_line(self.ctx, res),
                            alt_extra=benchmark_text(self.ctx, self.windows["now"])),
            b.paragraph(narrative.spc_reading(name, res.variation_icon, res.assurance_icon,
                                              self.params.indicator(name).target, res.chart)
                        + " " + limits + (" " + benchmark_text(self.ctx, self.windows["now"])
                                          if self.ctx.benchmark is not None else "")),
            *self.seasonal_view(name, res),
        ]
        s10 = self.spc_results["s10_absence_rate_pct"]
        parts.append(b.paragraph(measure_series(self.ctx, "s10_absence_rate_pct").note)
                     if s10 is None else
                     self.spc_figure("s10_absence_rate_pct", s10, title="Absence for anxiety, "
                                     "stress and depression (S10) by month"))
        parts.append(b.paragraph(self._long_term_sentence()))
        if self.aggregate:
            parts.append(self.needs("Sickness absence by reason", "absence_episodes.csv "
                                    "(each episode's ESR reason)"))
            return b.join(parts)
        s, e = self.windows["now"]
        table = self.absence_reasons_table.rename(columns={
            "reason_code": "code", "fte_days_lost": "FTE days lost",
            "share_pct": "share of days lost (%)", "staff": "staff"})
        table = table[["code", "reason", "FTE days lost", "share of days lost (%)", "staff"]]
        parts.append(b.table(table, caption=f"Sickness absence by reason, {month_label(s)} to "
                             f"{month_label(e)}", count_columns=["staff"],
                             derived_columns=["FTE days lost", "share of days lost (%)"],
                             threshold=self.ctx.threshold,
                             formats={"FTE days lost": ",.0f", "share of days lost (%)": ".1f"}))
        parts.append(b.paragraph(narrative.suppressed_note(self.ctx.threshold), css="muted"))
        return b.join(parts)

    def _long_term_sentence(self) -> str:
        """The share of days lost in long-term episodes, when enough people stand behind it
        (a share of days of one or two people would tell their sickness)."""
        m = self.ctx.monthly
        s, e = self.windows["now"]
        w = m[(m["month"] >= s) & (m["month"] <= e)]
        n = self.params.reporting_months
        lost = w["fte_days_lost"].sum()
        if lost == 0:
            return f"No sickness absence was recorded in the last {n} months."
        if self.aggregate:  # no count of the staff behind the days: the share is not shown
            return ("The share of days lost in long-term episodes is not shown: it needs "
                    "absence_episodes.csv, to check that enough staff stand behind it.")
        people = self.people_absent.iloc[0]
        if not share_shown(people["staff_long_term"], people["staff_absent"],
                           threshold=self.ctx.threshold):
            return ("The share of days lost in long-term episodes (28 days or more) is not "
                    "shown: too few staff had such episodes, or too few did not, to publish.")
        share = 100 * w["fte_days_lost_long_term"].sum() / lost
        return (f"In the last {n} months, {share:.0f}% of days lost were in long-term "
                "episodes (28 days or more).")

    @cached_property
    def people_absent(self) -> pd.DataFrame:
        s, e = self.windows["now"]
        svc = self.ctx.service
        return staff_absent(svc.staff_spells, svc.absence_episodes,
                            extract_date=svc.extract_date, start=s, end=e)

    def turnover(self) -> b.Block:
        """Leaver rate SPC chart, rolling turnover and stability trends, leavers' reasons."""
        name = "leaver_rate_pct"
        res = self.spc_results[name]
        parts = [self.section_heading("turnover"),
                 b.paragraph(f"Turnover benchmarks: {INDICATORS['turnover_12m_pct'].benchmark}.")]
        if res is None:
            parts.append(b.paragraph(measure_series(self.ctx, name).note))
        else:
            parts += [
                self.spc_figure(name, res, title=f"Leavers per 100 staff by {res.measure.period}"),
                b.paragraph(narrative.spc_reading(name, res.variation_icon, res.assurance_icon,
                                                  self.params.indicator(name).target,
                                                  res.chart))]
        parts.append(self._trend_figure())
        s, e = self.windows["now"]
        period = f"{month_label(s)} to {month_label(e)}"
        lv = None if self.aggregate else self.leavers
        if lv is None:
            parts.append(self.needs("Leavers by reason and by length of service, and early "
                                    "leavers", "staff_spells.csv (each leaver's reason and "
                                    "length of service)"))
        elif lv.empty:
            parts.append(b.paragraph(f"No staff left the service from {period}."))
        else:
            parts += self._leaver_tables(lv, period)
        from wellbeing_analysis.reporting.surveys import exit_stay_block

        since = pd.Period(self.windows["before"][0], freq="M").to_timestamp()
        parts.append(exit_stay_block(self.ctx, since=since))
        return b.join(parts)

    def _leaver_tables(self, lv: pd.DataFrame, period: str) -> list[b.Block]:
        """Leavers by reason and by length of service, and the early-leaver share: each share
        is shown only when its leavers, the other leavers and all leavers are counts the
        disclosure rule allows (a sentence never reveals a suppressed cell)."""
        share = "share of leavers (%)"
        total = len(lv)
        shares = {share: Share("leavers", "all leavers")}
        blocks = []
        for table, column, label in (
                (leavers_by(lv, "reason_group"), "reason_group", "reason"),
                (leavers_by_length_of_service(lv), "length_of_service", "length of service")):
            blocks.append(b.table(
                table.rename(columns={column: label, "share_pct": share}).assign(
                    **{"all leavers": total}),
                caption=f"Leavers by {label}, {period}", count_columns=["leavers"],
                shares=shares, hidden=["all leavers"], threshold=self.ctx.threshold,
                formats={share: ".0f"}))
        early = int(lv["early"].sum())
        if share_shown(early, total, threshold=self.ctx.threshold):
            blocks.append(b.paragraph(f"{100 * early / total:.0f}% of leavers had under a "
                                      "year's continuous service (early leavers)."))
        else:
            blocks.append(b.paragraph("The early-leaver share is not shown: the numbers of "
                                      "early or other leavers are too small to publish."))
        return blocks

    def _trend_figure(self) -> b.Block:
        """Rolling turnover and stability indices: trends, not SPC (overlapping windows)."""
        m = self.ctx.complete_monthly.dropna(subset=["turnover_12m_pct"])
        x = pd.PeriodIndex(m["month"], freq="M").to_timestamp()
        fig, ax = plt.subplots(layout="constrained")
        lines = {  # column: (label, colour, style); a series the data lack is not drawn
            "turnover_12m_pct": ("Turnover, rolling 12 months", NHS_ORANGE, "-"),
            "turnover_voluntary_12m_pct": ("Voluntary turnover, rolling 12 months",
                                           NHS_ORANGE, "--"),
            "stability_index_strategy_pct": ("Stability index (strategy: 1+ year's service)",
                                             NHS_BLUE, "-"),
            "stability_index_classical_pct": ("Stability index (classical: still in post "
                                              "after a year)", NHS_DARK_GREY, ":")}
        drawn = [c for c in lines if m[c].notna().any()]
        for column in drawn:
            label, colour, style = lines[column]
            ax.plot(x, m[column], color=colour, linestyle=style, label=label)
        ax.set_ylabel("%")
        ax.set_title("Turnover and stability over time (trends, not control charts)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8)
        last = m.iloc[-1]
        alt = ("Line chart of " + ", ".join(lines[c][0].lower() for c in drawn)
               + " by month. Latest: " + ", ".join(
                   f"{lines[c][0].split(' (')[0].split(',')[0].lower()} {last[c]:.1f}%"
                   for c in drawn) + ".")
        note = ("Rolling 12-month figures overlap from month to month, so they are shown as "
                "trends; signals are judged on the monthly leaver rate above.")
        missing = [c for c in lines if c not in drawn]
        if missing:
            note += " Not drawn: " + "; ".join(f"{lines[c][0].lower()} (needs "
                                               f"{needs_for(c)})" for c in missing) + "."
        return b.figure(fig, alt=alt, caption=note)

    def _group_table(self, monthly: pd.DataFrame, column: str, label: str) -> b.Block:
        """One row per group. Stability is a share of the staff in post, so it is shown only
        when the long-serving staff, the others and the group are all publishable counts; the
        absence rate only when enough staff of the group were off sick to publish it."""
        s, e = self.windows["now"]
        summary = window_summary(monthly, start=s, end=e, by=column)
        # the stability index is long-serving staff / staff in post (both whole numbers)
        summary["long serving"] = (summary["stability_index_strategy_pct"]
                                   * summary["headcount"] / 100).round()
        svc = self.ctx.service
        absent = staff_absent(svc.staff_spells, svc.absence_episodes,
                              extract_date=svc.extract_date, start=s, end=e, by=column)
        summary["staff absent"] = summary[column].map(
            absent.set_index(column)["staff_absent"]).fillna(0).astype(int)
        table = summary.rename(columns={
            column: label, "headcount": "staff in post", "absence_rate_pct": "absence rate (%)",
            "turnover_pct": "turnover (%)", "stability_index_strategy_pct": "stability index (%)"})
        return b.table(table, caption=f"By {label}, {month_label(s)} to {month_label(e)} "
                       f"(staff in post at {month_label(e)})",
                       count_columns=["staff in post", "leavers"],
                       derived_columns={"turnover (%)": ["leavers", "staff in post"]},
                       shares={"stability index (%)": Share("long serving", "staff in post"),
                               "absence rate (%)": Share("staff absent", "staff in post",
                                                         complement=False)},
                       hidden=["long serving", "staff absent"], threshold=self.ctx.threshold,
                       formats={"absence rate (%)": ".2f", "turnover (%)": ".1f",
                                "stability index (%)": ".1f"})

    def teams(self) -> b.Block:
        """Absence, turnover and stability by team and by staff group (suppressed)."""
        parts = [self.section_heading("teams"),
                 b.paragraph("Breakdowns over the last 12 months. Figures for small groups are "
                             "suppressed; a move between teams is not counted as leaving.")]
        for column, label, monthly in (("team", "team", "monthly_by_team"),
                                       ("staff_group", "staff group", "monthly_by_group")):
            if not self.aggregate:
                parts.append(self._group_table(getattr(self.ctx, monthly), column, label))
            elif self.ctx.service.table(AGGREGATE_TABLE)[column].notna().any():
                parts.append(self._aggregate_group_table(getattr(self.ctx, monthly), column,
                                                         label))
            else:
                parts.append(self.needs(f"Figures by {label}", f"a {column} column in "
                                        f"{AGGREGATE_TABLE}.csv (one row per {label} and "
                                        "month), or staff_spells.csv"))
        parts.append(b.paragraph(narrative.suppressed_note(self.ctx.threshold), css="muted"))
        return b.join(parts)

    def _aggregate_group_table(self, monthly: pd.DataFrame, column: str, label: str
                               ) -> b.Block:
        """One row per group from the trust's monthly figures: staff in post, leavers and
        turnover (counts suppressed as in every table). A group's absence rate is not shown:
        without episodes nothing says how many staff stand behind its days lost."""
        s, e = self.windows["now"]
        summary = window_summary(monthly, start=s, end=e, by=column)
        table = summary[[column, "headcount", "leavers", "turnover_pct"]].rename(columns={
            column: label, "headcount": "staff in post", "turnover_pct": "turnover (%)"})
        return b.join([
            b.table(table, caption=f"By {label}, {month_label(s)} to {month_label(e)} (staff "
                    f"in post at {month_label(e)})", count_columns=["staff in post", "leavers"],
                    derived_columns={"turnover (%)": ["leavers", "staff in post"]},
                    threshold=self.ctx.threshold, formats={"turnover (%)": ".1f"}),
            self.needs(f"Absence rates and stability by {label}", "absence_episodes.csv and "
                       "staff_spells.csv, to check that enough staff stand behind each rate")])

    def surveys(self) -> b.Block:
        """Survey instrument scores with confidence intervals (when survey data exist)."""
        from wellbeing_analysis.reporting.surveys import survey_section

        return b.join([self.section_heading("surveys"), survey_section(self.ctx)])
