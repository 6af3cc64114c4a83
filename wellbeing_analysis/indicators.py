"""The indicators reports track, and how each is derived from the monthly table.

One registry, used by params validation (which names exist), the SPC sections (which chart
suits each measure) and the narrative (plain-English names and units).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wellbeing_analysis.errors import InputError


@dataclass(frozen=True)
class Indicator:
    """A monthly indicator.

    Rate indicators are ``scale × numerator ÷ denominator`` of monthly-table columns
    (summed first, then divided); ``chart`` is the SPC chart that suits the measure:
    Laney P′/U′ for rates with large denominators, ``None`` for stock measures and rolling
    figures, whose month-to-month values are not independent (overlapping windows and the
    same staff each month manufacture autocorrelation, which SPC rules would misread as
    signals).
    """

    name: str
    label: str
    unit: str
    direction: str  # improvement direction: increase, decrease or neutral
    description: str
    numerator: str | None = None
    denominator: str | None = None
    column: str | None = None  # for non-rate indicators: the monthly-table column
    scale: float = 100.0
    chart: str | None = None
    decimals: int = 1
    benchmark: str | None = None  # published comparison figures, with their source
    #: the numerator counts people (leavers), so small values are disclosive: such a series
    #: is charted over periods whose counts may be published (see :func:`publishable_series`)
    counts_people: bool = False
    #: the denominator is a stock (staff in post at month end: averaged over a longer
    #: period) rather than a flow (FTE days available: summed)
    stock_denominator: bool = False

    @property
    def is_rate(self) -> bool:
        return self.numerator is not None


INDICATORS: dict[str, Indicator] = {i.name: i for i in (
    Indicator("absence_rate_pct", "Sickness absence rate", "%", "decrease",
              "FTE days lost to sickness as a share of FTE days available (NHS Digital "
              "definition).", numerator="fte_days_lost", denominator="fte_days_available",
              chart="pprime", decimals=2,
              benchmark="NHS England 5.6% in 2022 and 4.1–4.4% in 2013–19; mental health "
              "and learning disability trusts about 4.8–5.0% a year in 2010–15 (NHS Digital "
              "sickness absence statistics)"),
    Indicator("s10_absence_rate_pct", "Absence for anxiety, stress and depression (S10)", "%",
              "decrease", "FTE days lost to reason S10 as a share of FTE days available.",
              numerator="fte_days_lost_s10", denominator="fte_days_available", chart="pprime",
              decimals=2),
    Indicator("long_term_absence_rate_pct", "Long-term sickness absence rate", "%", "decrease",
              "FTE days lost in episodes of 28 days or more as a share of FTE days available.",
              numerator="fte_days_lost_long_term", denominator="fte_days_available",
              chart="pprime", decimals=2),
    Indicator("leaver_rate_pct", "Leavers per 100 staff (monthly)", "%", "decrease",
              "Staff leaving the service in the month per 100 staff in post.",
              numerator="leavers", denominator="headcount", chart="uprime", decimals=2,
              counts_people=True, stock_denominator=True),
    Indicator("voluntary_leaver_rate_pct", "Voluntary leavers per 100 staff (monthly)", "%",
              "decrease", "Voluntary resignations in the month per 100 staff in post.",
              numerator="leavers_voluntary", denominator="headcount", chart="uprime",
              decimals=2, counts_people=True, stock_denominator=True),
    Indicator("absence_rate_12m_pct", "Sickness absence rate, rolling 12 months", "%",
              "decrease", "12 months' FTE days lost ÷ 12 months' FTE days available.",
              column="absence_rate_12m_pct", decimals=2),
    Indicator("turnover_12m_pct", "Staff turnover, rolling 12 months", "%", "decrease",
              "Leavers in 12 months ÷ average headcount at the start and end (NHS Digital "
              "leaver rate).", column="turnover_12m_pct",
              benchmark="NHS all staff about 8–9.5% (2022–23); clinical staff in mental health "
              "trusts 14–15.5% (2017–18) (NHS Digital workforce statistics); NHS Talking "
              "Therapies: 22% for low-intensity staff (25% for PWPs) and 9% for high-intensity "
              "staff (2015 Adult IAPT Workforce Census, NHS England and Health Education "
              "England, 2016)"),
    Indicator("turnover_voluntary_12m_pct", "Voluntary turnover, rolling 12 months", "%",
              "decrease", "Voluntary leavers in 12 months ÷ average headcount.",
              column="turnover_voluntary_12m_pct"),
    Indicator("stability_index_strategy_pct", "Stability index (strategy definition)", "%",
              "increase", "Staff in post with a year or more of continuous service ÷ all "
              "staff in post (Model Staff Wellbeing Strategy).",
              column="stability_index_strategy_pct"),
    Indicator("stability_index_classical_pct", "Stability index (classical definition)", "%",
              "increase", "Staff in post a year ago who are still in post ÷ staff in post a "
              "year ago (NHS Digital / HR practice).", column="stability_index_classical_pct"),
    Indicator("headcount", "Headcount", "staff", "neutral", "Staff in post at month end.",
              column="headcount", decimals=0),
    Indicator("fte", "Full-time equivalent staff", "FTE", "neutral",
              "Sum of FTE of staff in post at month end.", column="fte"),
)}

#: Indicators each report shows unless the params choose others.
DEFAULT_INDICATORS = ("absence_rate_pct", "s10_absence_rate_pct", "leaver_rate_pct",
                      "absence_rate_12m_pct", "turnover_12m_pct", "stability_index_strategy_pct",
                      "stability_index_classical_pct")


def indicator_series(monthly: pd.DataFrame, name: str) -> pd.DataFrame:
    """One indicator as a tidy monthly series: ``month``, ``value`` and, for rates,
    ``numerator``/``denominator`` (value = scale × numerator ÷ denominator)."""
    if name not in INDICATORS:
        raise InputError(f"unknown indicator {name!r}; known: {', '.join(INDICATORS)}")
    ind = INDICATORS[name]
    out = pd.DataFrame({"month": pd.PeriodIndex(monthly["month"], freq="M").to_timestamp()})
    if ind.is_rate:
        num = monthly[ind.numerator].astype(float).to_numpy()
        den = monthly[ind.denominator].astype(float).to_numpy()
        out["numerator"], out["denominator"] = num, den
        out["value"] = ind.scale * num / pd.Series(den).where(pd.Series(den) > 0).to_numpy()
    else:
        out["value"] = monthly[ind.column].astype(float).to_numpy()
    return out


def window_rate(monthly: pd.DataFrame, name: str, start: str, end: str) -> float:
    """A rate indicator over a window of months: Σ numerator ÷ Σ denominator × scale."""
    ind = INDICATORS[name]
    if not ind.is_rate:
        raise InputError(f"{name} is not a rate indicator")
    rows = monthly[(monthly["month"] >= start) & (monthly["month"] <= end)]
    den = rows[ind.denominator].sum()
    return float(ind.scale * rows[ind.numerator].sum() / den) if den > 0 else float("nan")


#: Periods a monthly rate may be charted over, shortest first, with their pandas frequency.
CHART_PERIODS: tuple[tuple[str, str], ...] = (("month", "M"), ("quarter", "Q"))


def aggregate_series(series: pd.DataFrame, name: str, freq: str) -> pd.DataFrame:
    """A rate indicator's monthly series (:func:`indicator_series`) over longer periods
    (``freq`` 'Q': calendar quarters): numerators summed; denominators summed (flows, e.g.
    FTE days available) or averaged (stocks, e.g. staff in post); value recomputed. Only
    complete periods are kept, so no period is a part-quarter that would look unusual."""
    ind = INDICATORS[name]
    if freq == "M":
        return series
    period = pd.PeriodIndex(series["month"], freq="M").asfreq(freq)
    g = series.groupby(period)
    out = pd.DataFrame({
        "numerator": g["numerator"].sum(),
        "denominator": g["denominator"].mean() if ind.stock_denominator
        else g["denominator"].sum(),
        "months": g.size(),
    })
    per = {"Q": 3}[freq]
    out = out[out["months"] == per]
    out["value"] = ind.scale * out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    out = out.reset_index(names="period")
    out["month"] = out["period"].dt.start_time
    return out[["month", "numerator", "denominator", "value"]]


def publishable_series(monthly: pd.DataFrame, name: str, *, threshold: int
                       ) -> tuple[pd.DataFrame | None, str, str]:
    """The series of an indicator at the shortest period whose counts may be published.

    For an indicator whose numerator counts people (leavers), a monthly rate beside the
    staff in post would let a reader work out each month's count, so the series is charted
    monthly only when every monthly count is 0 or at least ``threshold``. Otherwise it is
    charted by quarter, leaving out any quarter whose count is below the threshold (as a
    table shows '*': the gap says only that the count is small); when more than
    :data:`~wellbeing_analysis.constants.MAX_SUPPRESSED_POINT_SHARE` of the quarters would
    be left out, it is not charted at all. Returns (series or None, period name, a sentence
    saying why when it is not monthly)."""
    from wellbeing_analysis.constants import MAX_SUPPRESSED_POINT_SHARE
    from wellbeing_analysis.disclosure import counts_publishable

    series = indicator_series(monthly, name)
    ind = INDICATORS[name]
    if not ind.counts_people or counts_publishable(series["numerator"], threshold=threshold):
        return series, "month", ""
    what = ind.label.split(" (")[0]
    quarters = aggregate_series(series, name, "Q")
    small = (quarters["numerator"] > 0) & (quarters["numerator"] < threshold)
    if len(quarters) == 0 or small.mean() > MAX_SUPPRESSED_POINT_SHARE:
        return None, "", (f"{what} are not charted: too many months and quarters have fewer "
                          f"than {threshold}, too few to publish; the rolling 12-month "
                          "turnover is shown instead.")
    why = (f"{what} are shown by quarter: some months have fewer than {threshold}, too few "
           "to publish month by month.")
    if small.any():
        why += (f" {int(small.sum())} quarter(s) with fewer than {threshold} are left out of "
                "the chart for the same reason.")
    return quarters[~small].reset_index(drop=True), "quarter", why
