"""Services side by side: the figures a network of services compares, over the same twelve
months, with the counts behind each one (ready for funnel plots), and a service placed among
the organisations of its kind in NHS Digital's sickness absence publication.

Every figure here is a rate or share of a whole service. Disclosure rules apply as in the
service reports (docs/privacy.md): a figure is shown only when the people behind it (staff
off sick, leavers, long-serving staff and the others, survey respondents) are counts that
may be published; otherwise it is left out of the funnel with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    MENTAL_HEALTH_REASON_CODE,
    MIN_SURVEY_GROUP_SIZE,
    ROLLING_WINDOW_MONTHS,
    SUPPRESS_COUNT_BELOW,
    TIER_AGGREGATE,
)
from wellbeing_analysis.disclosure import counts_publishable, share_shown
from wellbeing_analysis.errors import InputError


@dataclass(frozen=True)
class NetworkIndicator:
    """A figure compared across services: a proportion of a count over a denominator."""

    key: str
    label: str
    numerator: str  # what is counted, in words
    denominator: str  # what it is counted out of, in words
    better: str  # 'lower' or 'higher' (said in words; services are never ranked)
    #: the units counted are independent enough for limits without an overdispersion
    #: adjustment to mean something (people: yes; FTE days: no — one episode is many
    #: consecutive days, so unadjusted limits are far too narrow)
    independent_units: bool = True


NETWORK_INDICATORS: dict[str, NetworkIndicator] = {i.key: i for i in (
    NetworkIndicator("absence_rate", "Sickness absence rate, 12 months", "FTE days lost",
                     "FTE days available", "lower", independent_units=False),
    NetworkIndicator("s10_absence_rate", "Absence for anxiety, stress and depression (S10), "
                     "12 months", "FTE days lost to S10", "FTE days available", "lower",
                     independent_units=False),
    NetworkIndicator("turnover", "Staff turnover, 12 months", "leavers",
                     "average staff in post", "lower"),
    NetworkIndicator("stability", "Stability index (staff with a year's service or more)",
                     "staff in post with a year's service", "staff in post", "higher"),
    NetworkIndicator("burnout", "Burnout (OLBI), latest survey wave",
                     "respondents meeting both OLBI cut-offs", "respondents scored", "lower"),
)}

#: Columns of :func:`service_figures` and :func:`network_table`.
FIGURE_COLUMNS = ("indicator", "numerator", "denominator", "value", "shown", "reason")


def common_window(last_months: list[str], months: int = ROLLING_WINDOW_MONTHS
                  ) -> tuple[str, str]:
    """The same twelve months for every service: ending at the latest month complete for
    all of them."""
    if not last_months:
        raise InputError("no service to compare")
    end = min(pd.Period(m, freq="M") for m in last_months)
    return str(end - (months - 1)), str(end)


def service_figures(service, monthly: pd.DataFrame, *, start: str, end: str,
                    threshold: int = SUPPRESS_COUNT_BELOW,
                    min_survey_group: int = MIN_SURVEY_GROUP_SIZE) -> pd.DataFrame:
    """One service's network figures over ``start``..``end`` (YYYY-MM), one row per
    indicator (see :data:`NETWORK_INDICATORS`), with ``shown`` False and the ``reason`` when
    the data cannot support the figure or it would disclose a small count.

    Formulas (docs/metrics.md): absence rates = Σ FTE days lost ÷ Σ FTE days available over
    the window (days summed first); turnover = leavers ÷ mean(staff in post at the end of
    the month before the window, at its end); stability = staff in post with 12+ months'
    continuous service ÷ staff in post at the end; burnout = respondents meeting both OLBI
    cut-offs ÷ respondents scored, in the latest wave. ``monthly`` is the service's monthly
    table (:func:`wellbeing_analysis.workforce.monthly_indicators`).
    """
    from wellbeing_analysis.workforce import absence_by_reason, staff_absent, window_summary

    rows: list[dict] = []

    def add(key, num, den, shown, reason=""):
        value = 100.0 * num / den if den and np.isfinite(den) and den > 0 else np.nan
        rows.append({"indicator": key, "numerator": float(num), "denominator": float(den),
                     "value": value, "shown": bool(shown and np.isfinite(value)),
                     "reason": reason if not shown else ""})

    covered = monthly[(monthly["month"] >= start) & (monthly["month"] <= end)]
    if len(covered) < ROLLING_WINDOW_MONTHS or monthly["month"].min() > start:
        reason = (f"the data do not cover every month from {start} to {end}")
        for key in NETWORK_INDICATORS:
            add(key, np.nan, np.nan, False, reason)
        return pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))
    lost, available = covered["fte_days_lost"].sum(), covered["fte_days_available"].sum()
    few = f"fewer than {threshold}"
    if service.tier == TIER_AGGREGATE:  # no count of the staff behind the days lost
        why = ("the service's data are monthly figures: absence_episodes.csv is needed to "
               "check that enough staff were off sick to publish")
        add("absence_rate", lost, available, False, why)
        add("s10_absence_rate", covered["fte_days_lost_s10"].sum(), available, False, why)
    else:
        spells, episodes = service.staff_spells, service.absence_episodes
        people = staff_absent(spells, episodes, extract_date=service.extract_date,
                              start=start, end=end).iloc[0]
        add("absence_rate", lost, available, counts_publishable([people["staff_absent"]],
                                                                threshold=threshold),
            f"{few} staff were off sick: too few to publish")
        reasons = absence_by_reason(spells, episodes, extract_date=service.extract_date,
                                    start=start, end=end).set_index("reason_code")
        s10_staff = int(reasons["staff"].get(MENTAL_HEALTH_REASON_CODE, 0))
        add("s10_absence_rate", covered["fte_days_lost_s10"].sum(), available,
            counts_publishable([s10_staff], threshold=threshold),
            f"{few} staff were off sick for S10: too few to publish")
    w = window_summary(monthly, start=start, end=end).iloc[0]
    before = monthly.loc[monthly["month"] == str(pd.Period(start, freq="M") - 1), "headcount"]
    mean_hc = (float(before.iloc[0]) if len(before) else np.nan) / 2 + w["headcount"] / 2
    add("turnover", w["leavers"], mean_hc,
        counts_publishable([w["leavers"]], threshold=threshold) and np.isfinite(mean_hc),
        f"{few} staff left: too few to publish" if np.isfinite(mean_hc) else
        "staff in post before the window are not in the data")
    if pd.isna(w["stability_index_strategy_pct"]):
        add("stability", np.nan, w["headcount"], False, "needs staff_spells.csv (the "
            "service's data are monthly figures)")
    else:
        long_serving = round(w["stability_index_strategy_pct"] * w["headcount"] / 100)
        add("stability", long_serving, w["headcount"],
            share_shown(long_serving, w["headcount"], threshold=threshold),
            "the long-serving staff, or the others, are too few to publish")
    add(*_burnout(service, threshold=threshold, min_survey_group=min_survey_group))
    return pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))


def _burnout(service, *, threshold: int, min_survey_group: int) -> tuple:
    """(key, numerator, denominator, shown, reason) of the burnout share in the latest wave
    that answered OLBI items."""
    from wellbeing_analysis.instruments import summarise_scores

    if not service.has("wellbeing_survey"):
        return "burnout", np.nan, np.nan, False, "no wellbeing survey"
    survey = service.table("wellbeing_survey")
    olbi = [c for c in survey.columns if c.startswith("olbi_") and c != "olbi_coding"]
    answered = survey[olbi].notna().any(axis=1) if olbi else pd.Series(False, survey.index)
    if not answered.any():
        return "burnout", np.nan, np.nan, False, "the survey has no OLBI answers"
    wave = survey.loc[answered, "wave_date"].max()
    summary = summarise_scores(survey[survey["wave_date"] == wave], "olbi",
                               min_group_size=1)
    cut = summary.cutoffs
    row = cut[cut["measure"] == "burnout"]
    if row.empty:
        return "burnout", np.nan, np.nan, False, "OLBI could not be scored"
    n, meeting = float(row["n"].iloc[0]), float(row["n_meeting"].iloc[0])
    if n < min_survey_group:
        return ("burnout", meeting, n, False,
                f"fewer than {min_survey_group} respondents in the latest wave")
    return ("burnout", meeting, n, share_shown(meeting, n, threshold=threshold),
            "too few respondents met the cut-offs, or too few did not, to publish")


def network_table(figures: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every service's figures in one table: ``service`` plus :data:`FIGURE_COLUMNS`."""
    frames = [f.assign(service=name) for name, f in figures.items()]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["service", *FIGURE_COLUMNS])
    return out[["service", *FIGURE_COLUMNS]]


def indicator_funnel(table: pd.DataFrame, indicator: str, **funnel_options):
    """The funnel of one indicator across the services that show it (proportions, ×100);
    None when fewer than two services show it."""
    from wellbeing_analysis.funnel import funnel

    shown = table[(table["indicator"] == indicator) & table["shown"]]
    if len(shown) < 2:
        return None
    return funnel(shown, numerator="numerator", denominator="denominator", group="service",
                  data_type="PR", multiplier=100, **funnel_options)


def judged(indicator: str, result) -> tuple[bool, str]:
    """Whether a funnel's limits can judge the services, and why not. Limits without an
    overdispersion adjustment (too few services to estimate it) are valid only for counts
    of independent units: for FTE days they would call almost any service unusual."""
    if result is None:
        return False, "fewer than two services show this figure"
    if not result.adjusted and not NETWORK_INDICATORS[indicator].independent_units:
        return False, (f"not judged: with {result.n_units} services the ordinary variation "
                       "between services cannot be estimated, and FTE days are not "
                       "independent (one absence is many days in a row), so limits without "
                       "that adjustment would mislead")
    return True, ""


# ---------------------------------------------------------------------------
# A service among the organisations of its kind (NHS Digital's publication)
# ---------------------------------------------------------------------------
@dataclass
class Placement:
    """Organisations of one type with funnel limits, and the network's units placed among
    them: ``units`` has one row per service with ``label`` (the trust's name, or the
    service's marked '(service)'), ``org_code`` (when the trust is in the publication),
    ``value`` (%), ``denominator`` and ``assessment`` in words."""

    org_type: str
    months: tuple[str, str]
    funnel: object  # FunnelResult over the organisations
    units: pd.DataFrame

    def plot(self, ax=None, **kwargs):
        """The organisations' funnel (log scale: trusts differ a hundredfold in size) with
        the network's units marked and named."""
        from wellbeing_analysis.style import NHS_BLACK

        trusts = self.units["org_code"].notna()
        highlight = list(self.units.loc[trusts, "label"])
        ax = self.funnel.plot(ax=ax, highlight=highlight or None, xscale="log", **kwargs)
        own = self.units[~trusts]
        if len(own):
            ax.scatter(own["denominator"], own["value"], s=90, marker="*", color=NHS_BLACK,
                       zorder=6, label="A service (not a whole trust)", gid="network-services")
            for _, r in own.iterrows():
                ax.annotate(r["label"], (r["denominator"], r["value"]), xytext=(5, -10),
                            textcoords="offset points", fontsize=8, color=NHS_BLACK)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, ncol=4)
        return ax


def place_among_organisations(publication: pd.DataFrame, units: pd.DataFrame, *,
                              org_type: str, months: tuple[str, str]) -> Placement:
    """Funnel of every organisation of ``org_type`` over ``months`` (days summed first), and
    each unit placed in it.

    ``units``: one row per service with ``service``, ``org_code`` (its trust's code, or
    None), ``fte_days_lost`` and ``fte_days_available`` (the service's own 12 months). A
    service whose trust is in the publication is shown as that trust (labelled with both
    names); otherwise the service itself is placed against the organisations' limits at its
    own size, labelled as a service (it is not part of the funnel's population).
    """
    from wellbeing_analysis.funnel import funnel
    from wellbeing_analysis.funnel.methods import level_key
    from wellbeing_analysis.funnel.population import population_from_publication

    population = population_from_publication(publication, org_type=org_type, months=months)
    result = funnel(population, numerator="fte_days_lost", denominator="fte_days_available",
                    group="org_name", data_type="PR", multiplier=100)
    table = result.table.assign(org_code=population["org_code"].to_numpy())
    rows = []
    for u in units.itertuples(index=False):
        match = table[table["org_code"] == u.org_code] if u.org_code else table.iloc[0:0]
        if len(match):
            t = match.iloc[0]
            rows.append({"service": u.service, "label": t["group"], "org_code": u.org_code,
                         "value": t["indicator"], "denominator": t["denominator"],
                         "assessment": t["assessment"], "as": "its trust"})
            continue
        den = float(u.fte_days_available)
        value = 100.0 * float(u.fte_days_lost) / den
        limits = result.limits_curve([den]).iloc[0]
        assessment = "within the expected range"
        for level in result.levels:  # ascending: the widest limit crossed wins
            key = level_key(level)
            if value > limits[f"upper_{key}"]:
                assessment = f"above the expected range ({level:g}%)"
            elif value < limits[f"lower_{key}"]:
                assessment = f"below the expected range ({level:g}%)"
        rows.append({"service": u.service, "label": f"{u.service} (service)", "org_code": None,
                     "value": value, "denominator": den, "assessment": assessment,
                     "as": "the service itself"})
    return Placement(org_type, months, result, pd.DataFrame(rows))
