"""A comparison population from NHS Digital's monthly sickness absence publication: every
organisation of one type over twelve months, ready for ``funnel(..., data_type="PR")``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    DATE_FORMATS,
    DATE_PATTERNS,
    FUNNEL_MAX_LISTED_UNITS,
    ROLLING_WINDOW_MONTHS,
)
from wellbeing_analysis.errors import InputError

#: Columns of the organisation-level publication that the population needs.
PUBLICATION_COLUMNS = ("DATE", "ORG_CODE", "ORG_NAME", "ORG_TYPE", "FTE_DAYS_LOST",
                       "FTE_DAYS_AVAILABLE")


def _rows(mask: np.ndarray) -> str:
    """Spreadsheet rows (header = row 1) of the first offending rows."""
    rows = (np.flatnonzero(mask) + 2).tolist()
    shown = ", ".join(map(str, rows[:FUNNEL_MAX_LISTED_UNITS]))
    return shown + (f" and {len(rows) - FUNNEL_MAX_LISTED_UNITS} more"
                    if len(rows) > FUNNEL_MAX_LISTED_UNITS else "")


def _month_end_dates(values: pd.Series) -> pd.Series:
    """``DATE`` as timestamps: datetimes as they are, text in DD/MM/YYYY or YYYY-MM-DD."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = values.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for pattern, fmt in zip(DATE_PATTERNS, DATE_FORMATS, strict=True):
        match = text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
        out[match] = pd.to_datetime(text[match], format=fmt, errors="coerce")
    if out.isna().any():
        bad = out.isna().to_numpy()
        raise InputError(f"column 'DATE' is not a DD/MM/YYYY or YYYY-MM-DD date in row(s) "
                         f"{_rows(bad)} (e.g. {values[bad].iloc[0]!r})")
    return out


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
    missing = [c for c in PUBLICATION_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"the publication table lacks column(s) {', '.join(map(repr, missing))}; "
                         f"it has: {', '.join(map(str, frame.columns))}")
    df = frame.reset_index(drop=True)
    dates = _month_end_dates(df["DATE"])
    values = {}
    for column in ("FTE_DAYS_LOST", "FTE_DAYS_AVAILABLE"):
        raw = df[column]
        blank = raw.isna() | raw.astype("string").str.strip().eq("").fillna(False)
        number = pd.to_numeric(raw.where(~blank), errors="coerce").astype(float)
        bad = (number.isna() & ~blank).to_numpy() | (number < 0).fillna(False).to_numpy()
        if bad.any():
            raise InputError(f"column {column!r} is not a number of days (>= 0) in row(s) "
                             f"{_rows(bad)} (e.g. {raw[bad].iloc[0]!r})")
        values[column] = number
    lost, available = values["FTE_DAYS_LOST"], values["FTE_DAYS_AVAILABLE"]
    over = (lost > available).fillna(False).to_numpy()
    if over.any():
        raise InputError(f"FTE_DAYS_LOST exceeds FTE_DAYS_AVAILABLE in row(s) {_rows(over)}")
    codes = df["ORG_CODE"].astype("string").str.strip()
    no_code = (codes.isna() | codes.eq("")).fillna(True).to_numpy()
    if no_code.any():
        raise InputError(f"column 'ORG_CODE' is blank in row(s) {_rows(no_code)}")
    types = df["ORG_TYPE"].astype("string").str.strip()
    month = dates.dt.to_period("M")

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
    keep = ((month >= first) & (month <= last)).to_numpy()
    if org_type is not None:
        wanted = org_type.strip().casefold()
        is_type = types.str.casefold().eq(wanted).fillna(False).to_numpy()
        if not is_type.any():
            known = sorted(types.dropna().unique())
            raise InputError(f"no organisations of ORG_TYPE {org_type!r}; the table has: "
                             f"{', '.join(map(repr, known))}")
        keep = keep & is_type
    if not keep.any():
        raise InputError(f"no rows between {first} and {last}"
                         + (f" for ORG_TYPE {org_type!r}" if org_type else ""))
    rows = pd.DataFrame({"org_code": codes, "org_name": df["ORG_NAME"].astype("string")
                         .str.strip(), "org_type": types, "month": month,
                         "lost": lost, "available": available})[keep]
    dup = rows.duplicated(["org_code", "month"], keep=False).to_numpy()
    if dup.any():
        first_dup = rows[dup].iloc[0]
        raise InputError(f"organisation {first_dup['org_code']!r} has more than one row for "
                         f"{first_dup['month']}; give one row per organisation and month")
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
