"""NHS Digital's monthly 'NHS Sickness Absence Rates' publication, organisation level: one
reader for the evaluation's comparison series, the baseline's benchmark line and the network
report's population of organisations (docs/metrics.md). The file is downloaded by the
analyst; nothing is fetched.

Layout as published: ``DATE`` (the month's last day, DD/MM/YYYY or ISO YYYY-MM-DD),
``ORG_CODE``, ``ORG_NAME``, ``ORG_TYPE``, ``FTE_DAYS_LOST``, ``FTE_DAYS_AVAILABLE`` and
further columns (ignored). The publication blanks the figures of an organisation's month
with 330 FTE days available or fewer: a blank is 'no figures', never zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import DATE_FORMATS, DATE_PATTERNS, HEADER_ROW_NUMBER
from wellbeing_analysis.errors import PROBLEMS_SHOWN_PER_RULE, InputError
from wellbeing_analysis.validation.reading import read_csv_file

#: Columns every use needs, and those a selection by type or a population needs too.
REQUIRED_COLUMNS = ("DATE", "ORG_CODE", "FTE_DAYS_LOST", "FTE_DAYS_AVAILABLE")
NAME_COLUMNS = ("ORG_NAME", "ORG_TYPE")
#: The typed rows' columns (:func:`publication_rows`).
ROW_COLUMNS = ("row", "month", "org_code", "org_name", "org_type", "fte_days_lost",
               "fte_days_available")


def read_publication(path: str | Path) -> pd.DataFrame:
    """The publication's CSV as text cells (UTF-8, with or without a BOM); a missing or
    unreadable file raises :class:`InputError` naming it."""
    path = Path(path)
    df = read_csv_file(path, dtype=str, keep_default_na=False)
    df.attrs["source"] = path.name
    return df


def _dates(values: pd.Series) -> pd.Series:
    """``DATE`` as timestamps: datetimes as they are, text in DD/MM/YYYY or YYYY-MM-DD
    (NaT where neither)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = values.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for pattern, fmt in zip(DATE_PATTERNS, DATE_FORMATS, strict=True):
        match = text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
        out[match] = pd.to_datetime(text[match], format=fmt, errors="coerce")
    return out


def _blank(values: pd.Series) -> pd.Series:
    return (values.isna() | values.astype("string").str.strip().eq("")).fillna(True)


def publication_rows(frame: pd.DataFrame, *, source: str | None = None,
                     names: bool = False) -> pd.DataFrame:
    """The publication's rows typed and checked, every problem at once.

    Returns :data:`ROW_COLUMNS`: ``row`` (as a spreadsheet shows it, header = row 1),
    ``month`` (monthly Period of ``DATE``), codes, names and types stripped, and the days
    as numbers (NaN where the publication left them blank). ``names``: ``ORG_NAME`` and
    ``ORG_TYPE`` are required too. Raises :class:`InputError` naming the file, row, column
    and value of each problem (a capped list per column): a missing column, a date in
    neither layout, days that are not a number >= 0 (available > 0), days lost above days
    available, a blank organisation code, an organisation twice in one month.
    """
    source = source or frame.attrs.get("source", "the publication")
    need = REQUIRED_COLUMNS + (NAME_COLUMNS if names else ())
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: the publication table lacks column(s) "
                         f"{', '.join(map(repr, missing))}; it has: "
                         f"{', '.join(map(str, frame.columns))}")
    df = frame.reset_index(drop=True)
    row = pd.Series(np.arange(len(df)) + HEADER_ROW_NUMBER + 1, index=df.index)
    problems: list[tuple[str, str, pd.Series]] = []  # (column, problem, rows) per rule

    dates = _dates(df["DATE"])
    problems.append(("DATE", "not a DD/MM/YYYY or YYYY-MM-DD date", dates.isna()))
    days = {}
    for column, floor in (("FTE_DAYS_LOST", "at least 0"), ("FTE_DAYS_AVAILABLE", "above 0")):
        raw = df[column]
        blank = _blank(raw)
        number = pd.to_numeric(raw.where(~blank), errors="coerce").astype(float)
        low = (number < 0 if column == "FTE_DAYS_LOST" else number <= 0).fillna(False)
        problems.append((column, f"not a number of days {floor}",
                         (number.isna() & ~blank) | low))
        days[column] = number.where(~low)
    lost, available = days["FTE_DAYS_LOST"], days["FTE_DAYS_AVAILABLE"]
    problems.append(("FTE_DAYS_LOST", "more than FTE_DAYS_AVAILABLE",
                     (lost > available).fillna(False)))
    codes = df["ORG_CODE"].astype("string").str.strip()
    problems.append(("ORG_CODE", "blank", _blank(df["ORG_CODE"])))
    text = {c: (df[c].astype("string").str.strip() if c in df else
                pd.Series(pd.NA, index=df.index, dtype="string")) for c in NAME_COLUMNS}
    month = dates.dt.to_period("M")
    keyed = (month.notna() & ~_blank(df["ORG_CODE"])).to_numpy(dtype=bool)
    twice = pd.Series(False, index=df.index)
    twice[keyed] = pd.DataFrame({"m": month, "c": codes})[keyed].duplicated(keep="first")
    problems.append(("ORG_CODE", "organisation given twice for one month (one row per "
                     "organisation and month)", twice))
    lines, count = [], 0
    for column, problem, mask in problems:
        hit = mask.to_numpy(dtype=bool)
        count += int(hit.sum())
        shown = np.flatnonzero(hit)[:PROBLEMS_SHOWN_PER_RULE]  # a capped list, not the rows
        lines += [f"  {source}, row {row.iat[i]}, column '{column}': {problem} "
                  f"(value: {df[column].iat[i]!r})" for i in shown]
        if hit.sum() > len(shown):
            lines.append(f"  ... and {int(hit.sum()) - len(shown)} more row(s) of {source} "
                         "with this problem")
    if count:
        raise InputError(f"{count} problem(s) in {source} (NHS sickness absence publication "
                         "layout):\n" + "\n".join(lines))
    return pd.DataFrame({"row": row, "month": month, "org_code": codes,
                         "org_name": text["ORG_NAME"], "org_type": text["ORG_TYPE"],
                         "fte_days_lost": lost, "fte_days_available": available})


def select_organisations(rows: pd.DataFrame, *, org_code: str | Sequence[str] | None = None,
                         org_type: str | None = None, source: str = "the publication"
                         ) -> pd.DataFrame:
    """The rows of the organisations asked for: ``org_code`` (one code or a list) or
    ``org_type`` (e.g. 'Mental Health and Learning Disability'), case and surrounding spaces
    ignored; neither: every organisation. A code or type not in the file is an error naming
    what the file has."""
    if org_code is not None and org_type is not None:
        raise InputError("select organisations by org_code or by org_type, not both")
    if org_code is not None:
        wanted = [org_code] if isinstance(org_code, str) else list(org_code)
        have = rows["org_code"].str.casefold()
        keys = [c.strip().casefold() for c in wanted]
        absent = [c for c, k in zip(wanted, keys, strict=True) if not have.eq(k).any()]
        if absent:
            known = sorted(rows["org_code"].dropna().unique())
            raise InputError(f"{source}: no rows for ORG_CODE {', '.join(map(repr, absent))}; "
                             f"the file has {len(known)} organisation(s), e.g. "
                             f"{', '.join(known[:8])}")
        return rows[have.isin(keys).fillna(False)]
    if org_type is not None:
        if rows["org_type"].isna().all():
            raise InputError(f"{source}: the file has no ORG_TYPE column to select by")
        is_type = rows["org_type"].str.casefold().eq(org_type.strip().casefold()).fillna(False)
        if not is_type.any():
            known = sorted(rows["org_type"].dropna().unique())
            raise InputError(f"{source}: no organisations of ORG_TYPE {org_type!r}; the file "
                             f"has: {', '.join(map(repr, known))}")
        return rows[is_type]
    return rows


def comparison_series(rows: pd.DataFrame) -> pd.DataFrame:
    """One monthly series from the selected organisations: FTE days lost and available
    summed over them each month (days first, then any rate is their ratio: the pooled rate,
    docs/metrics.md).

    The same organisations must stand behind every month, so an organisation without
    figures for some month of the span (blanked, or not yet formed) is left out when others
    have every month (its code in ``attrs['excluded']``); when none has every month, the
    months in which any of them lacks figures are left out of the series. Returns ``month``
    (YYYY-MM), ``fte_days_lost``, ``fte_days_available``, sorted by month.
    """
    has = rows["fte_days_lost"].notna() & rows["fte_days_available"].notna()
    span = (rows["month"].max() - rows["month"].min()).n + 1
    months_with = rows[has].groupby("org_code")["month"].nunique()
    complete = months_with.index[months_with == span]
    excluded = sorted(set(rows["org_code"]) - set(complete))
    if len(complete):
        use = rows[rows["org_code"].isin(complete)]
    else:  # keep the months every organisation reports
        use = rows[has]
        full = use.groupby("month")["org_code"].nunique() == rows["org_code"].nunique()
        use = use[use["month"].isin(full.index[full])]
        excluded = []
    out = use.groupby("month", sort=True)[["fte_days_lost", "fte_days_available"]].sum()
    out = out.reset_index()
    out["month"] = out["month"].dt.strftime("%Y-%m")
    out.attrs["excluded"] = excluded
    return out


def load_publication_series(path: str | Path, *, org_code: str | Sequence[str] | None = None,
                            org_type: str | None = None) -> pd.DataFrame:
    """:func:`comparison_series` of the organisations selected (:func:`select_organisations`)
    from the publication's CSV at ``path``."""
    frame = read_publication(path)
    source = frame.attrs["source"]
    rows = publication_rows(frame, source=source)
    return comparison_series(select_organisations(rows, org_code=org_code, org_type=org_type,
                                                  source=source))
