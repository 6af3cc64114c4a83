"""Checks of the aggregate tier's monthly figures (``monthly_workforce``) beyond their columns:
months readable and not after the extract, no month twice or missing (per team and staff
group), days lost within days available, parts within wholes, optional columns filled in
every row or in none; and which tier a data folder is."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wellbeing_analysis.constants import AGGREGATE_TABLE, ROW_LEVEL_TABLES
from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.schema import TABLES
from wellbeing_analysis.schema.aggregate import OPTIONAL_FIGURES, parse_months
from wellbeing_analysis.validation.reading import ROW, find_table_file

#: An Excel month cell read as text: the month's first day at midnight.
#: Breakdown columns of the monthly figures: a month appears once per combination.
_KEYS = ("team", "staff_group")
#: (part, whole): a part may not exceed its whole in any row.
_PARTS = (("fte_days_lost", "fte_days_available"), ("fte_days_lost_s10", "fte_days_lost"),
          ("fte_days_lost_long_term", "fte_days_lost"), ("leavers_voluntary", "leavers"))


def header_only(path: Path | None) -> bool:
    """A CSV with a header and no data rows (a blank template); read up to its second
    non-blank line only."""
    if path is None or path.suffix != ".csv":
        return False
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        filled = (line for line in fh if line.strip())
        return next(filled, None) is not None and next(filled, None) is None


def is_aggregate_folder(data_dir: Path) -> bool:
    """A folder is aggregate-tier when it has the monthly figures (with rows) and none of
    the row-level HR tables, or only their blank templates (with both, the row-level tables
    are used)."""
    monthly = find_table_file(data_dir, TABLES[AGGREGATE_TABLE])
    if monthly is None or header_only(monthly):
        return False
    row_level = [find_table_file(data_dir, TABLES[t]) for t in ROW_LEVEL_TABLES]
    return all(p is None or header_only(p) for p in row_level)


def latest_month_end(tables: dict[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The last day of the latest readable month of the monthly figures (the extract date
    when none is given: figures are reported for whole months)."""
    table = tables.get(AGGREGATE_TABLE)
    if table is None or table.empty:
        return None
    months = parse_months(table["month"]).dropna()
    return None if months.empty else months.max().end_time.normalize()


def check_monthly_workforce(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Every problem of the monthly figures at once (rows as a spreadsheet shows them)."""
    problems = [empty_problems()]
    if any(t in ctx.get("tables", {}) for t in ROW_LEVEL_TABLES):
        problems.append(problems_frame(
            label, None, None, None, "not used: the folder has row-level HR tables "
            f"({', '.join(t + '.csv' for t in ROW_LEVEL_TABLES)}), from which every figure "
            "is computed", severity="warning"))
        return pd.concat(problems, ignore_index=True)  # a file not used is not judged
    month = parse_months(df["month"])
    bad = df["month"].notna() & month.isna()
    if bad.any():
        problems.append(problems_frame(label, df.loc[bad, ROW], "month", df.loc[bad, "month"],
                                       "not a month: use YYYY-MM, e.g. 2025-04"))
    extract = ctx.get("extract_date")
    if extract is not None and extract < pd.Timestamp.max:
        late = month.notna() & (month > pd.Period(extract, freq="M"))
        if late.any():
            problems.append(problems_frame(
                label, df.loc[late, ROW], "month", df.loc[late, "month"],
                f"month is after the extract date ({pd.Timestamp(extract).date()})"))
    keys = [k for k in _KEYS if df[k].notna().any()]
    problems += [_partly_blank(df, label, column) for column in (*keys, *OPTIONAL_FIGURES)]
    for part, whole in _PARTS:
        over = (df[part].astype("Float64") > df[whole].astype("Float64")).fillna(False)
        over = over.astype(bool)
        if over.any():
            problems.append(problems_frame(
                label, df.loc[over, ROW], part, df.loc[over, part].astype(str),
                f"{part} is more than {whole} (" + df.loc[over, whole].astype(str) + ")"))
    ok = month.notna() & df[keys].notna().all(axis=1)
    problems += [_twice_or_missing(df[ok], month[ok], keys, label)]
    return pd.concat(problems, ignore_index=True)


def _partly_blank(df: pd.DataFrame, label: str, column: str) -> pd.DataFrame:
    """An optional column filled in some rows but blank in others (a month's figure cannot be
    read as zero or as missing without saying so)."""
    blank = df[column].isna()
    if not blank.any() or blank.all():
        return empty_problems()
    return problems_frame(label, df.loc[blank, ROW], column, None,
                          f"{column} is blank here but given in other rows: give it in every "
                          "row, or leave the column out")


def _twice_or_missing(df: pd.DataFrame, month: pd.Series, keys: list[str],
                      label: str) -> pd.DataFrame:
    """A month given twice (for one team and staff group), and months missing between the
    first and the last (each gap reported at the row after it)."""
    problems = [empty_problems()]
    frame = pd.DataFrame({"row": df[ROW], "m": month.array.asi8}, index=df.index)
    for k in keys:
        frame[k] = df[k]
    who = " for this " + " and ".join(k.replace("_", " ") for k in keys) if keys else ""
    dup = frame.duplicated(["m", *keys], keep="first")
    if dup.any():
        first = frame.groupby(["m", *keys], sort=False)["row"].transform("first")
        problems.append(problems_frame(label, frame.loc[dup, "row"], "month",
                                       df.loc[dup, "month"],
                                       f"month given twice{who} (first in row "
                                       + first[dup].astype(str) + ")"))
    ordered = frame[~dup].sort_values([*keys, "m"], kind="stable")
    step = (ordered.groupby(keys, sort=False)["m"].diff() if keys
            else ordered["m"].diff())
    gap = step > 1
    if gap.any():
        after = ordered[gap]
        first_missing = pd.PeriodIndex.from_ordinals(after["m"] - step[gap] + 1, freq="M")
        last_missing = pd.PeriodIndex.from_ordinals(after["m"] - 1, freq="M")
        span = pd.Series([f"{a}" if a == b else f"{a} to {b}"
                          for a, b in zip(first_missing, last_missing, strict=True)],
                         index=after.index)
        problems.append(problems_frame(label, after["row"], "month", df.loc[after.index, "month"],
                                       f"month(s) missing before this one{who}: " + span
                                       + " (every month from the first to the last is needed)"))
    return pd.concat(problems, ignore_index=True)
