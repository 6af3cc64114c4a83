"""A comparison population from NHS Digital's monthly sickness absence publication: every
organisation of one type over twelve months, ready for ``funnel(..., data_type="PR")``."""

from __future__ import annotations

import pandas as pd

from wellbeing_analysis.constants import ROLLING_WINDOW_MONTHS
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.publication import publication_rows, select_organisations


def _month(value, what: str) -> pd.Period:
    try:
        return pd.Period(pd.Timestamp(value), freq="M")
    except (ValueError, TypeError):
        raise InputError(f"months: {what} {value!r} is not a month such as '2024-04'") from None


def population_from_publication(frame: pd.DataFrame, *, org_type: str | None = None,
                                months=None, complete_only: bool = True) -> pd.DataFrame:
    """One row per organisation: FTE days lost and available summed over twelve months.

    ``frame`` is NHS Digital's organisation-level 'NHS Sickness Absence Rates' table as
    loaded (columns ``DATE`` - the month's last day, DD/MM/YYYY or ISO -, ``ORG_CODE``,
    ``ORG_NAME``, ``ORG_TYPE``, ``FTE_DAYS_LOST``, ``FTE_DAYS_AVAILABLE``; others are
    ignored). ``org_type`` keeps one type (e.g. 'Mental Health'; case and surrounding
    spaces ignored); ``months=(first, last)`` gives the window ('YYYY-MM' or dates,
    inclusive; default: the latest ``ROLLING_WINDOW_MONTHS`` months in the data).

    Days are summed first, then divided: the rate is sum(lost) / sum(available), the
    publication's own 12-month definition (docs/metrics.md). Organisations without both values
    for every month of the window are left out when ``complete_only`` (the publication
    blanks months with 330 FTE days available or fewer, and a partial year is not
    comparable); their codes are in ``result.attrs["excluded"]``.

    Returns ``org_code``, ``org_name``, ``org_type``, ``fte_days_lost``,
    ``fte_days_available``, ``months`` (months with data) and ``absence_rate`` (a
    proportion), sorted by code: pass it to ``funnel(population, numerator="fte_days_lost",
    denominator="fte_days_available", group="org_name", data_type="PR")``.

    Why the overdispersion adjustment matters here: the proportion funnel treats every FTE
    day as an independent trial, so its limits shrink with 1/sqrt(days). A trust has
    hundreds of thousands of FTE days a year, so unadjusted 95% limits are about ±0.1
    percentage points around a rate near 5%. But days are not independent: one episode
    takes many consecutive days, long-term absences concentrate in few people, and trusts
    differ for real reasons (staff mix, local policy, recording practice). Their rates
    spread by whole percentage points, phi runs into the hundreds, and unadjusted limits
    would call almost every trust 'special'. The additive adjustment (tau²) widens the
    limits by the between-organisation spread actually seen, so 'outside' means unusual
    among organisations of its kind, not merely different from the pooled rate.
    """
    rows = publication_rows(frame, names=True)
    month = rows["month"]
    if months is None:
        last = month.max()
        first = last - (ROLLING_WINDOW_MONTHS - 1)
    else:
        try:
            first_value, last_value = months
        except (TypeError, ValueError):
            raise InputError(f"months must be a pair (first, last), not {months!r}") from None
        first, last = _month(first_value, "first month"), _month(last_value, "last month")
        if first > last:
            raise InputError(f"months: the first month {first} is after the last {last}")
    if org_type is not None:
        rows = select_organisations(rows, org_type=org_type,
                                    source=frame.attrs.get("source", "the publication"))
    rows = rows[(rows["month"] >= first) & (rows["month"] <= last)]
    if rows.empty:
        raise InputError(f"no rows between {first} and {last}"
                         + (f" for ORG_TYPE {org_type!r}" if org_type else ""))
    rows = rows.rename(columns={"fte_days_lost": "lost", "fte_days_available": "available"})
    has_data = rows["lost"].notna() & rows["available"].notna()
    rows = rows.assign(lost=rows["lost"].where(has_data, 0.0),
                       available=rows["available"].where(has_data, 0.0),
                       reported=has_data.astype(int))
    out = rows.groupby("org_code", sort=True).agg(
        org_name=("org_name", "last"), org_type=("org_type", "last"),
        fte_days_lost=("lost", "sum"), fte_days_available=("available", "sum"),
        months=("reported", "sum")).reset_index()
    window = (last - first).n + 1
    excluded = out.loc[(out["months"] < window) | (out["fte_days_available"] <= 0), "org_code"]
    if complete_only:
        out = out[~out["org_code"].isin(excluded)]
    else:
        out = out[out["fte_days_available"] > 0]
    out = out.assign(absence_rate=out["fte_days_lost"] / out["fte_days_available"])
    out = out.reset_index(drop=True)
    out.attrs["excluded"] = excluded.tolist() if complete_only else []
    out.attrs["months"] = (str(first), str(last))
    return out
