"""The aggregate tier: a service's monthly workforce figures as its trust reports them, for a
service that has no row-level HR extract (docs/metrics.md, 'Monthly figures')."""

from __future__ import annotations

import pandas as pd

from wellbeing_analysis.constants import MONTH_PATTERN
from wellbeing_analysis.schema.columns import Column, TableSchema
from wellbeing_analysis.schema.vocabularies import STAFF_GROUPS


def _count(name: str, description: str, examples: tuple[str, ...], *,
           required: bool = True) -> Column:
    return Column(name, "integer", description, examples, required=required,
                  nullable=not required, minimum=0)


def _days(name: str, description: str, examples: tuple[str, ...], *,
          required: bool = True) -> Column:
    return Column(name, "number", description, examples, required=required,
                  nullable=not required, minimum=0)


MONTHLY_WORKFORCE = TableSchema(
    name="monthly_workforce",
    description=(
        "The service's monthly workforce figures as the trust's workforce team reports them, "
        "one row per month (and per team or staff group when those columns are given), "
        "for a service without a row-level HR extract. Used only when staff_spells and "
        "absence_episodes are absent: the monthly indicators are then computed from these "
        "figures with the same definitions. Every month from the first to the last must "
        "be present, once (per team and staff group)."
    ),
    notes=(
        "`month` is `YYYY-MM`. With `team` or `staff_group` columns, each row is one team "
        "(or staff group) in one month and the service's figures are their sums: a team's "
        "`leavers` must then be staff leaving the service, not moves to another team.",
        "An optional column, when present, must be filled in every row; figures the file "
        "does not hold (stability, early leavers, reasons) are not invented: the reports say "
        "what they would need.",
    ),
    columns=(
        Column("month", "text", "Calendar month the figures cover (YYYY-MM).",
               ("2025-04", "2025-05", "2025-06")),
        Column("team", "text", "Team (optional, for breakdowns by team).",
               ("", "", ""), nullable=True, required=False),
        Column("staff_group", "code", "Staff group (optional, for breakdowns by staff group).",
               ("", "", ""), nullable=True, required=False, allowed=STAFF_GROUPS),
        _count("headcount", "Staff in post on the month's last day.", ("42", "43", "41")),
        _days("fte_days_available", "FTE days available in the month: Σ FTE × calendar "
              "days in post (as in NHS Digital's sickness absence statistics).",
              ("1240.5", "1295.0", "1236.0")),
        _days("fte_days_lost", "FTE days lost to sickness absence in the month (calendar "
              "days, FTE-weighted).", ("61.2", "48.0", "70.4")),
        _count("leavers", "Staff who left the service in the month (not moves within it).",
               ("1", "0", "2")),
        Column("fte", "number", "Summed FTE of the staff in post on the month's last day.",
               ("36.4", "37.2", "35.6"), required=False, nullable=True, minimum=0),
        _count("starters", "Staff who joined the service in the month.", ("0", "2", "1"),
               required=False),
        _days("fte_days_lost_s10", "FTE days lost to reason S10 (anxiety, stress, "
              "depression, other psychiatric illnesses).", ("20.0", "12.5", "31.0"),
              required=False),
        _days("fte_days_lost_long_term", "FTE days lost in episodes of 28 days or more.",
              ("30.0", "28.0", "31.0"), required=False),
        _count("leavers_voluntary", "Leavers whose reason was a voluntary resignation.",
               ("1", "0", "1"), required=False),
    ),
)

#: The figures every file gives, and those it may give (their columns, when absent, stay
#: blank in the indicator table), from the schema above.
REQUIRED_FIGURES: tuple[str, ...] = tuple(
    c.name for c in MONTHLY_WORKFORCE.columns if c.required and c.type != "text")
OPTIONAL_FIGURES: tuple[str, ...] = tuple(
    c.name for c in MONTHLY_WORKFORCE.columns if not c.required and c.type in ("number",
                                                                               "integer"))

#: The aggregate-tier tables, in load order.
AGGREGATE_TABLES: tuple[TableSchema, ...] = (MONTHLY_WORKFORCE,)

#: An Excel cell holding a month's first day, as text.
_EXCEL_MONTH = r"^([0-9]{4}-[0-9]{2})-01 00:00:00$"


def parse_months(text: pd.Series) -> pd.Series:
    """``YYYY-MM`` text (or an Excel cell holding the month's first day) as monthly Periods;
    NaT where the text is not such a month."""
    text = text.astype("string").str.strip()
    text = text.str.replace(_EXCEL_MONTH, r"\1", regex=True)
    ok = text.str.fullmatch(MONTH_PATTERN).fillna(False)
    out = pd.Series(pd.NaT, index=text.index, dtype="period[M]")
    if ok.any():
        month = pd.to_numeric(text[ok].str[5:7])
        year = pd.to_numeric(text[ok].str[:4])
        real = ok.copy()
        # years pandas can hold as dates (1678-2261): a typo such as 2999 is not a month
        real[ok] = month.between(1, 12) & year.between(pd.Timestamp.min.year + 1,
                                                       pd.Timestamp.max.year - 1)
        out[real] = pd.PeriodIndex(text[real], freq="M")
    return out
