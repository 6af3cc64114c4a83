"""The network report: services side by side over the same twelve months, each indicator as
a funnel plot with overdispersion-adjusted limits (never a league table), the services'
trusts placed among organisations of their kind, and each service's monthly chart on a
common scale. The statistics are in :mod:`wellbeing_analysis.network` and
:mod:`wellbeing_analysis.funnel`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from wellbeing_analysis.network import (
    NETWORK_INDICATORS,
    common_window,
    indicator_funnel,
    judged,
    network_table,
    place_among_organisations,
    service_figures,
)
from wellbeing_analysis.reporting import blocks as b
from wellbeing_analysis.reporting import provenance as prov
from wellbeing_analysis.reporting.base import month_label
from wellbeing_analysis.reporting.catalogue import STATUS_METADATA, Section
from wellbeing_analysis.reporting.context import ReportContext
from wellbeing_analysis.style import apply_style

#: The words for a funnel assessment, from the reader's side of the indicator.
_WITHIN = "within the expected range"


@dataclass
class NetworkContext:
    """The services of a network run: each one's report context (validated once by the
    runner), the services whose data failed with the reason (no values), and the national
    publication (or None)."""

    services: dict[str, ReportContext]
    failed: dict[str, str] = field(default_factory=dict)
    publication: pd.DataFrame | None = None
    publication_path: str | None = None

    @classmethod
    def from_bundles(cls, bundles: list[str], *, failed: dict[str, str] | None = None,
                     publication: str | None = None) -> NetworkContext:
        from wellbeing_analysis.publication import read_publication

        services = {}
        for path in bundles:
            ctx = ReportContext.from_params("", bundle=path)
            services[ctx.params.service_name] = ctx
        frame = read_publication(publication) if publication else None
        return cls(services, dict(failed or {}), frame, publication)


def _name_points(ax, table: pd.DataFrame) -> None:
    """Label each service's point; labels of points at similar values are staggered so
    they do not overprint."""
    order = table.sort_values("indicator").reset_index(drop=True)
    for i, r in order.iterrows():
        ax.annotate(r["group"], (r["denominator"], r["indicator"]),
                    xytext=(6, 4 + 11 * (i % 3) - 11), textcoords="offset points", fontsize=8)


class NetworkReport:
    """Sections of the network report; construct with :meth:`from_run` in the notebook."""

    TITLE = "Services side by side"
    SECTIONS = (
        Section("summary", "Summary", "overview"),
        *(Section(key, i.label, key) for key, i in NETWORK_INDICATORS.items()),
        Section("national", "Among organisations of the same kind", "national"),
        Section("over-time", "Month by month, on one scale", "over_time"),
        Section("method", "Method and services left out", "method"),
        Section("provenance", "How this report was produced", "provenance"),
    )

    def __init__(self, net: NetworkContext) -> None:
        self.net = net
        apply_style()

    @classmethod
    def from_run(cls, bundles: list[str], *, failed: dict[str, str] | None = None,
                 publication: str | None = None) -> NetworkReport:
        return cls(NetworkContext.from_bundles(bundles, failed=failed, publication=publication))

    # -- computed once --------------------------------------------------------------------
    @cached_property
    def threshold(self) -> int:
        """The strictest disclosure threshold among the services' params."""
        return max(c.threshold for c in self.net.services.values())

    @cached_property
    def window(self) -> tuple[str, str]:
        return common_window([c.last_month for c in self.net.services.values()])

    @cached_property
    def table(self) -> pd.DataFrame:
        start, end = self.window
        survey_k = max(c.params.disclosure.min_survey_group for c in self.net.services.values())
        figures = {name: service_figures(c.service, c.monthly, start=start, end=end,
                                         threshold=self.threshold, min_survey_group=survey_k)
                   for name, c in sorted(self.net.services.items())}
        return network_table(figures)

    @cached_property
    def funnels(self) -> dict:
        """Each indicator's funnel (None when fewer than two services show it); the method
        text on each chart says when there were too few services to adjust the limits."""
        return {key: indicator_funnel(self.table, key) for key in NETWORK_INDICATORS}

    # -- sections -------------------------------------------------------------------------
    def section_heading(self, anchor: str) -> b.Block:
        title = next(s.heading for s in self.SECTIONS if s.anchor == anchor)
        return b.heading(title, 2, anchor)

    def title(self) -> b.Block:
        start, end = self.window
        names = ", ".join(sorted(self.net.services))
        sub = (f"{len(self.net.services)} services ({names}) · {month_label(start)} to "
               f"{month_label(end)}")
        return b.Block(f"<h1>{b.esc(self.TITLE)}</h1>") + b.paragraph(sub, css="subtitle")

    def contents(self) -> b.Block:
        items = "".join(f'<li><a href="#{b.esc(s.anchor)}">{b.esc(s.heading)}</a></li>'
                        for s in self.SECTIONS)
        return b.Block(f'<nav class="contents" aria-label="Contents"><h2 id="contents">'
                       f"Contents</h2><ol>{items}</ol></nav>")

    def _assessment(self, key: str) -> pd.DataFrame:
        """Per service: the value and the funnel's reading in words (or why not shown)."""
        rows = self.table[self.table["indicator"] == key].set_index("service")
        result = self.funnels[key]
        ok, why = judged(key, result)
        readings = ({} if not ok else
                    dict(zip(result.table["group"], result.table["assessment"], strict=True)))
        out = []
        for service, r in rows.iterrows():
            if not r["shown"]:
                out.append((service, "not shown", r["reason"]))
            elif not ok:
                out.append((service, f"{r['value']:.1f}%", "not judged (see the chart's note)"))
            else:
                out.append((service, f"{r['value']:.1f}%", readings[service]))
        return pd.DataFrame(out, columns=["service", "value", "compared with the network"])

    def overview(self) -> b.Block:
        start, end = self.window
        lines = []
        for key, ind in NETWORK_INDICATORS.items():
            a = self._assessment(key)
            outside = a[a["compared with the network"].str.contains("expected range \\(")]
            ok, why = judged(key, self.funnels[key])
            if not ok:
                lines.append(f"{ind.label}: {why}.")
            elif outside.empty:
                lines.append(f"{ind.label}: every service shown is within the range expected "
                             "from chance and the usual differences between services.")
            else:
                lines.append(f"{ind.label}: " + "; ".join(
                    f"{s} is {v}" for s, v in zip(outside["service"],
                                                  outside["compared with the network"],
                                                  strict=True)) + ".")
        parts = [self.section_heading("summary"),
                 b.paragraph(f"{len(self.net.services)} services compared over the same twelve "
                             f"months, {month_label(start)} to {month_label(end)}."),
                 b.bullets(lines),
                 b.paragraph("A funnel plot asks whether a service differs from the network "
                             "by more than chance and the ordinary differences between "
                             "services would explain. It is not a ranking: services inside "
                             "the funnel are not better or worse than one another.",
                             css="muted")]
        if self.net.failed:
            parts.append(b.callout(f"{len(self.net.failed)} service(s) could not be included "
                                   "because their data or params failed the checks: "
                                   + ", ".join(sorted(self.net.failed)) + " (see Method).",
                                   kind="caution"))
        return b.join(parts)

    def indicator_section(self, key: str) -> b.Block:
        """One indicator's funnel and its reading per service."""
        ind = NETWORK_INDICATORS[key]
        result = self.funnels[key]
        ok, why = judged(key, result)
        parts = [self.section_heading(key),
                 b.paragraph(f"{ind.numerator[:1].upper()}{ind.numerator[1:]} as a percentage "
                             f"of {ind.denominator}; {ind.better} is better.")]
        if result is not None and not ok:
            parts.append(self._values_figure(key, result, why))
        elif result is not None:
            fig, ax = plt.subplots(layout="constrained")
            result.plot(ax=ax, highlight=None, label_outside=False,
                        title=f"{ind.label} by service", y_label=f"{ind.label} (%)",
                        x_label=ind.denominator)
            _name_points(ax, result.table)  # every service named (never ranked)
            alt = (f"Funnel plot of {ind.label.lower()} for {result.n_units} services with "
                   "95% and 99.8% limits around the network's rate. "
                   + "; ".join(f"{g}: {v:.1f}%, {a}" for g, v, a in zip(
                       result.table["group"], result.table["indicator"],
                       result.table["assessment"], strict=True)) + ".")
            parts.append(b.figure(fig, alt=alt, caption=result.method))
        parts.append(b.table(self._assessment(key), caption=f"{ind.label}: each service "
                             "(in alphabetical order)", suppress=False))
        return b.join(parts)

    def _values_figure(self, key: str, result, why: str) -> b.Block:
        """The services' values without limits, when the limits could not judge them."""
        from wellbeing_analysis.style import NHS_DARK_GREY, SPC_COMMON_CAUSE

        ind = NETWORK_INDICATORS[key]
        t = result.table
        fig, ax = plt.subplots(layout="constrained")
        ax.scatter(t["denominator"], t["indicator"], color=SPC_COMMON_CAUSE, s=36, zorder=3)
        ax.axhline(result.target, color=NHS_DARK_GREY, linewidth=1.2,
                   label=f"Network rate {result.target:.2f}%")
        _name_points(ax, t)
        ax.set_title(f"{ind.label} by service (no limits: see below)")
        ax.set_xlabel(ind.denominator)
        ax.set_ylabel(f"{ind.label} (%)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8)
        alt = (f"Dot chart of {ind.label.lower()} by service with the network's rate, "
               "without funnel limits. " + "; ".join(
                   f"{g}: {v:.1f}%" for g, v in zip(t["group"], t["indicator"], strict=True))
               + ".")
        return b.figure(fig, alt=alt, caption=why[:1].upper() + why[1:] + ".")

    # one method per indicator section (a notebook cell each)
    def absence_rate(self) -> b.Block:
        return self.indicator_section("absence_rate")

    def s10_absence_rate(self) -> b.Block:
        return self.indicator_section("s10_absence_rate")

    def turnover(self) -> b.Block:
        return self.indicator_section("turnover")

    def stability(self) -> b.Block:
        return self.indicator_section("stability")

    def burnout(self) -> b.Block:
        return self.indicator_section("burnout")

    @cached_property
    def placement(self):
        """The services' trusts (or the services themselves) among organisations of their
        type in the publication; None without one."""
        if self.net.publication is None:
            return None
        types = {c.params.organisation.org_type for c in self.net.services.values()
                 if c.params.organisation is not None}
        if len(types) != 1:
            return None
        rows = self.table[self.table["indicator"] == "absence_rate"].set_index("service")
        units = pd.DataFrame([
            {"service": name, "org_code": (c.params.organisation.org_code
                                           if c.params.organisation else None),
             "fte_days_lost": rows.loc[name, "numerator"],
             "fte_days_available": rows.loc[name, "denominator"]}
            for name, c in sorted(self.net.services.items()) if rows.loc[name, "shown"]])
        return place_among_organisations(self.net.publication, units, org_type=types.pop(),
                                         months=self.window)

    def national(self) -> b.Block:
        parts = [self.section_heading("national")]
        p = self.placement
        if p is None:
            reason = ("no national publication was given (organisation.publication in the "
                      "params, or --publication)" if self.net.publication is None else
                      "the services' params name different organisation types (or none)")
            parts.append(b.paragraph(f"Not shown: {reason}."))
            return b.join(parts)
        fig, ax = plt.subplots(layout="constrained")
        p.plot(ax=ax, title=f"Sickness absence, {p.org_type} organisations",
               y_label="Sickness absence rate, 12 months (%)", x_label="FTE days available")
        alt = (f"Funnel plot of the 12-month sickness absence rate of {p.funnel.n_units} "
               f"{p.org_type} organisations, with the network's services marked. "
               + "; ".join(f"{r['label']}: {r['value']:.2f}%, {r['assessment']}"
                           for _, r in p.units.iterrows()) + ".")
        parts += [
            b.paragraph(f"Each service's trust placed among the {p.funnel.n_units} "
                        f"organisations of type '{p.org_type}' in NHS Digital's sickness "
                        f"absence publication, over the same twelve months. A service whose "
                        "trust is not in the publication is placed itself, marked as a "
                        "service: a service is smaller than a trust, so its limits are wider."),
            b.figure(fig, alt=alt, caption=p.funnel.method),
            b.table(p.units[["service", "label", "value", "assessment"]].rename(columns={
                "label": "shown as", "value": "absence rate (%)",
                "assessment": "compared with organisations of the same type"}),
                caption="Each service among organisations of its kind", suppress=False,
                formats={"absence rate (%)": ".2f"}),
        ]
        return b.join(parts)

    def over_time(self) -> b.Block:
        """Each service's monthly sickness absence chart, on one vertical scale."""
        from wellbeing_analysis.indicators import indicator_series
        from wellbeing_analysis.spc import spc

        names = sorted(self.net.services)
        fig, axes = plt.subplots(len(names), 1, sharey=True, squeeze=False, layout="constrained",
                                 figsize=(8, 2.6 * len(names)))
        texts = []
        for ax, name in zip(axes[:, 0], names, strict=True):
            ctx = self.net.services[name]
            s = indicator_series(ctx.complete_monthly, "absence_rate_pct")
            s = s[s["denominator"] > 0].rename(columns={"value": "sickness absence rate"})
            res = spc(s, x="month", y="sickness absence rate", n="denominator",
                      chart="uprime", improvement_direction="decrease")
            res.plot(ax=ax, title=name, y_label="%", x_label="", legend=ax is axes[-1, 0],
                     caption=False)
            texts.append(f"{name}: {res.icon_text}")
        parts = [self.section_heading("over-time"),
                 b.paragraph("Monthly sickness absence of each service on the same vertical "
                             "scale (Laney U′ charts; Making Data Count rules), so levels and "
                             "swings can be compared by eye."),
                 b.figure(fig, alt="Control charts of monthly sickness absence, one per "
                          "service, on a common scale. " + " ".join(texts))]
        return b.join(parts)

    def method(self) -> b.Block:
        ind = NETWORK_INDICATORS
        items = [
            "Each figure sums its counts over the same twelve months for every service, then "
            "divides (days lost ÷ days available; leavers ÷ average staff in post; staff with "
            "a year's service ÷ staff in post; respondents meeting both OLBI cut-offs ÷ "
            "respondents) — see docs/metrics.md.",
            "Funnel limits at 95% and 99.8% around the network's pooled rate, with "
            "Spiegelhalter's additive overdispersion adjustment (DerSimonian–Laird τ² from "
            "z-scores Winsorised at 10%) as FunnelPlotR does it; with fewer than 5 services "
            "the limits are not adjusted and the chart says so (docs/funnel.md).",
            f"A figure is shown only when the people behind it may be published (counts of "
            f"{self.threshold} or more, as in the service reports).",
            "Services are listed alphabetically. Nothing is ranked: " + ", ".join(
                i.label.lower() for i in ind.values()) + " are read only as within, above or "
            "below the expected range.",
        ]
        parts = [self.section_heading("method"), b.bullets(items)]
        if self.net.failed:
            t = pd.DataFrame(sorted(self.net.failed.items()), columns=["service", "why left out"])
            parts.append(b.table(t, caption="Services left out of this report", suppress=False))
        return b.join(parts)

    def provenance(self) -> b.Block:
        rows = []
        for name, ctx in sorted(self.net.services.items()):
            t = prov.input_checksums(ctx.service.files, ctx.params.source)
            rows.append(t.assign(service=name))
        checks = pd.concat(rows, ignore_index=True)[["service", "table", "file", "rows",
                                                     "sha256"]]
        if self.net.publication_path:
            checks = pd.concat([checks, pd.DataFrame([{
                "service": "all", "table": "national publication",
                "file": str(self.net.publication_path).rsplit("/", 1)[-1], "rows": pd.NA,
                "sha256": prov.sha256_file(Path(self.net.publication_path))}])],
                               ignore_index=True)
        parts = [self.section_heading("provenance"),
                 b.paragraph(f"Produced {prov.run_timestamp()} by wellbeing-analysis, code "
                             f"version {prov.code_version()}."),
                 b.table(checks, caption="Input files and their SHA-256 checksums",
                         suppress=False),
                 b.table(prov.package_versions(), caption="Package versions", suppress=False),
                 b.Block("", metadata={STATUS_METADATA: "ok"})]
        return b.join(parts)
