"""What all three reports share: title, contents, SPC indicator charts, data quality and
provenance. Each report class lists its sections; each section method returns a
:class:`~wellbeing_analysis.reporting.blocks.Block` that a notebook cell displays."""

from __future__ import annotations

from functools import cached_property

import matplotlib.pyplot as plt
import pandas as pd

from wellbeing_analysis.constants import AGGREGATE_TABLE, RECORD_LINES_SHOWN, TIER_AGGREGATE
from wellbeing_analysis.disclosure import rule_statement
from wellbeing_analysis.indicators import INDICATORS
from wellbeing_analysis.reporting import blocks as b
from wellbeing_analysis.reporting import provenance as prov
from wellbeing_analysis.reporting.catalogue import STATUS_METADATA, Section
from wellbeing_analysis.reporting.context import ReportContext
from wellbeing_analysis.reporting.measures import measure_series
from wellbeing_analysis.spc import labels
from wellbeing_analysis.style import apply_style


def month_label(month: str | pd.Period | pd.Timestamp) -> str:
    """'2026-09' -> 'September 2026'."""
    return pd.Period(month, freq="M").strftime("%B %Y")


class Report:
    """Base of the three reports: construct with :meth:`from_params` in a notebook."""

    #: The report's sections, in order (anchor, heading, method); subclasses fill this in.
    SECTIONS: tuple[Section, ...] = ()
    TITLE = "Report"
    #: the report's key in the catalogue (links between a service's reports)
    KEY: str | None = None
    #: the params' extra input series the report reads (listed in its provenance)
    EXTRA_INPUTS: tuple[str, ...] = ()

    def __init__(self, ctx: ReportContext) -> None:
        self.ctx = ctx
        self.params = ctx.params
        apply_style()

    @classmethod
    def from_params(cls, params_file: str, *, bundle: str | None = None) -> Report:
        """The report for a params file; in a report run, ``bundle`` is the run's validated
        data (the service is validated once per run, not once per report)."""
        return cls(ReportContext.from_params(params_file, bundle=bundle))

    # -- the data tier ----------------------------------------------------------------------
    @property
    def aggregate(self) -> bool:
        """Whether the service has only the trust's monthly figures (no staff-level data)."""
        return self.ctx.service.tier == TIER_AGGREGATE

    def needs(self, what: str, needs: str) -> b.Block:
        """One line in place of a section part the data cannot support, saying what it needs."""
        return b.paragraph(f"{what}: not shown, because it needs {needs}; this service's data "
                           f"are the trust's monthly figures ({AGGREGATE_TABLE}.csv).",
                           css="muted")

    def run_status(self) -> str:
        """The status the runner records: :meth:`status`, with the data tier when the data
        are the trust's monthly figures."""
        status = self.status()
        return (f"{status}; aggregate data tier (monthly figures only)" if self.aggregate
                else status)

    # -- shared sections ------------------------------------------------------------------
    def section_heading(self, anchor: str) -> b.Block:
        title = next(s.heading for s in self.SECTIONS if s.anchor == anchor)
        return b.heading(title, 2, anchor)

    def title(self) -> b.Block:
        start, end = self.ctx.reporting_window
        return self._title(f"{self.params.service_name} · data to "
                           f"{self.ctx.service.extract_date:%d %B %Y} · reporting period "
                           f"{month_label(start)} to {month_label(end)}")

    def _title(self, subtitle: str) -> b.Block:
        """Heading, subtitle, and links to the service's index and sibling reports."""
        from wellbeing_analysis.reporting.summary import report_nav

        return b.join([b.Block(f"<h1>{b.esc(self.TITLE)}</h1>"),
                       b.paragraph(subtitle, css="subtitle"), report_nav(self.KEY)])

    # -- the answer first -----------------------------------------------------------------
    @cached_property
    def spc_results(self) -> dict:
        """SPC results of the summary indicators (limits from the params' baseline window)."""
        from wellbeing_analysis.reporting.summary import SUMMARY_INDICATORS

        start, n_fix = self.baseline_fix
        return {name: self.spc_for(name, start=start, fix_after=n_fix)
                for name in SUMMARY_INDICATORS}

    @cached_property
    def summary_rows(self) -> list[dict]:
        """One Making Data Count summary row per charted summary indicator."""
        from wellbeing_analysis.reporting.summary import indicator_row

        return [indicator_row(name, res, target=self.params.indicator(name).target)
                for name, res in self.spc_results.items() if res is not None]

    def at_a_glance(self, answer: str | None = None) -> b.Block:
        """The summary table that opens the report (recorded in run.json for the index)."""
        from wellbeing_analysis.reporting.summary import record, summary_table

        last = month_label(self.ctx.last_month)
        return b.join([
            summary_table(self.summary_rows, caption=f"At a glance: the latest month "
                          f"({last}) of each indicator, judged on its control chart"),
            record(self.summary_rows, answer=answer)])

    def contents(self) -> b.Block:
        items = "".join(f'<li><a href="#{b.esc(s.anchor)}">{b.esc(s.heading)}</a></li>'
                        for s in self.SECTIONS)
        return b.Block(f'<nav class="contents" aria-label="Contents"><h2 id="contents">'
                       f"Contents</h2><ol>{items}</ol></nav>")

    def data_quality(self) -> b.Block:
        """Which tables were used, months covered, and data-quality warnings as counts."""
        svc = self.ctx.service
        files = pd.DataFrame([(info.table, info.path.name, info.rows)
                              for info in svc.files.values()],
                             columns=["table", "file", "rows"])
        m = self.ctx.monthly
        coverage = (f"Monthly indicators cover {month_label(m['month'].iloc[0])} to "
                    f"{month_label(m['month'].iloc[-1])} ({len(m)} months). "
                    + ("The last month is part of a month (to the extract date) and is left "
                       "out of charts." if self.ctx.last_month != m["month"].iloc[-1] else ""))
        parts = [self.section_heading("data-quality"), b.paragraph(coverage)]
        if self.aggregate:
            parts.append(b.callout(
                f"Data tier: aggregate. The figures come from the trust's monthly figures "
                f"({AGGREGATE_TABLE}.csv) with the same definitions as a staff-level extract; "
                "what they cannot show (stability, length of service, early leavers, reasons "
                "for absence and for leaving) is left out, and each section says what it "
                "would need.", kind="info"))
        parts.append(b.table(files, caption="Input tables used", suppress=False,
                             formats={"rows": ",d"}))
        w = svc.warnings
        if len(w):
            counts = (w.groupby(["file", "problem"]).size().rename("rows affected").reset_index())
            parts.append(b.table(counts, caption="Data-quality warnings (not blocking)",
                                 count_columns=["rows affected"], threshold=self.ctx.threshold,
                                 secondary=False))
        else:
            parts.append(b.paragraph("Validation found no problems and no warnings."))
        applied = svc.mappings
        if len(applied):
            shown = applied.head(RECORD_LINES_SHOWN).fillna({"column": ""})
            parts.append(b.table(
                shown, caption="Mappings and normalisations applied on reading (rows each "
                "touched)" + (f"; the first {RECORD_LINES_SHOWN} of {len(applied)}"
                              if len(applied) > RECORD_LINES_SHOWN else ""),
                count_columns=["rows"], threshold=self.ctx.threshold, secondary=False))
        if svc.extract_date_inferred:
            parts.append(b.callout("No extract date was given; the latest date in the data "
                                   "was used.", kind="caution"))
        return b.join(parts)

    def provenance(self) -> b.Block:
        """Params, input checksums, package versions, code version and run time."""
        ctx = self.ctx
        notes = ctx.notes
        parts = [
            self.section_heading("provenance"),
            b.paragraph(f"Produced {prov.run_timestamp()} by wellbeing-analysis, code version "
                        f"{prov.code_version()}. The same inputs and parameters give the same "
                        "numbers and charts."),
            b.paragraph(rule_statement(min_count=ctx.params.disclosure.min_count,
                                       min_survey_group=ctx.params.disclosure.min_survey_group)),
            b.table(prov.input_checksums(
                {**ctx.service.files, **{k: v for k, v in ctx.extra_files.items()
                                         if k in self.EXTRA_INPUTS}},
                ctx.params.source),
                    caption="Input files and their SHA-256 checksums", suppress=False),
            b.table(prov.package_versions(), caption="Package versions", suppress=False),
            b.Block("<h3>Parameters</h3><pre>" + b.esc(prov.params_yaml(ctx.params)) + "</pre>"),
        ]
        if notes:
            parts.append(b.details("Technical notes from the analysis", b.bullets(notes)))
        # the runner records the report's status (e.g. a caveat) from this metadata
        parts.append(b.Block("", metadata={STATUS_METADATA: self.run_status()}))
        return b.join(parts)

    def status(self) -> str:
        """'ok', or a short caveat the runner shows beside the report (subclasses say when
        the data could not support part of the report)."""
        return "ok"

    # -- SPC charts of indicators ---------------------------------------------------------
    def spc_for(self, name: str, *, start: str | None = None, fix_after: int | None = None,
                rebase=None):
        """The SPC result of a measure (see :mod:`~wellbeing_analysis.reporting.measures`),
        or None when the measure cannot be charted (its note says why)."""
        from wellbeing_analysis.spc import spc

        m = measure_series(self.ctx, name, start=start)
        if not m.chartable:
            return None
        with self.ctx.capture_warnings():
            result = spc(m.data, x=m.x, y=m.y, n=m.n, chart=m.chart,
                         improvement_direction=m.direction, target=m.target,
                         fix_after_n_points=fix_after if m.fix_limits else None, rebase=rebase)
        result.measure = m  # what was charted and why (period, disclosure note)
        result.chart_reason = m.chart_reason or result.chart_reason
        return result

    @cached_property
    def baseline_fix(self) -> tuple[str | None, int | None]:
        """(chart start, points the limits are fixed on) from the params' baseline window."""
        w = self.ctx.baseline_window
        if w is None:
            return None, None
        n = (pd.Period(w[1], freq="M") - pd.Period(w[0], freq="M")).n + 1
        return w[0], max(n, 12)

    def spc_figure(self, name: str, result, *, title: str, annotate=None,
                   alt_extra: str = "") -> b.Block:
        """An SPC chart as a figure block with alt text describing the reading (and
        ``alt_extra``, describing what ``annotate`` draws)."""
        ind = INDICATORS[name]
        fig, ax = plt.subplots(layout="constrained")
        result.plot(ax=ax, title=title, y_label=f"{ind.label} ({ind.unit})", x_label="")
        if annotate is not None:
            annotate(ax)
        m = getattr(result, "measure", None)
        period = m.period if m is not None else "month"
        kind = labels.CHART_NAMES[result.chart]
        alt = (f"{kind[:1].upper()}{kind[1:]} of {ind.label.lower()} by {period}. "
               f"{result.icon_text}" + (f" {alt_extra}" if alt_extra else ""))
        reason = result.chart_reason
        caption = f"Chart: {reason}." if reason else ""
        if m is not None and m.note:
            caption = f"{caption} {m.note}".strip()
        return b.figure(fig, alt=alt, caption=caption or None)

    def seasonal_view(self, name: str, result) -> list[b.Block]:
        """For a strongly seasonal monthly measure: a sentence saying its signals may be the
        season, and an XmR chart of the change on the same month last year (Making Data
        Count guidance; docs/spc.md). Nothing when it is not seasonal or not monthly."""
        from wellbeing_analysis.spc import spc
        from wellbeing_analysis.spc.seasonal import seasonal_sentence, seasonality, year_on_year

        m = getattr(result, "measure", None)
        if result is None or m is None or m.period != "month":
            return []
        ind = INDICATORS[name]
        check = seasonality(m.data[m.x], m.data[m.y])
        if not check.seasonal:
            return []
        change = f"Change on the same month last year ({ind.unit})"
        yoy = year_on_year(m.data, x=m.x, y=m.y, name=change)
        parts = [b.paragraph(seasonal_sentence(check, f"the {ind.label.lower()}"))]
        if len(yoy) < 2:
            return parts
        with self.ctx.capture_warnings():
            chart = spc(yoy, x=m.x, y=change, improvement_direction=m.direction)
        fig, ax = plt.subplots(layout="constrained")
        chart.plot(ax=ax, title=f"{ind.label}: change on the same month last year",
                   y_label=change, x_label="")
        alt = (f"XmR chart of the change in the {ind.label.lower()} on the same month a year "
               f"earlier, by month. {chart.icon_text}")
        parts.append(b.figure(fig, alt=alt, caption=(
            "Chart: XmR chart of each month's change on the same month a year earlier, which "
            "takes the season out; a signal here is a change beyond the usual season.")))
        return parts

