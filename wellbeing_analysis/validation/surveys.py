"""Checks of the survey tables beyond their columns: response codings, waves, question
numbering, duplicate results, marble-jar tallies."""

from __future__ import annotations

import pandas as pd

from wellbeing_analysis.constants import HEADER_ROW_NUMBER
from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.schema import instruments as _instruments
from wellbeing_analysis.validation.reading import ROW
from wellbeing_analysis.validation.tables import unique_ids


def survey_item_columns(columns, instrument: _instruments.Instrument) -> list[str]:
    """The columns among ``columns`` that are item columns of ``instrument``."""
    accepted = set(instrument.all_columns)
    return [c for c in columns if c in accepted]


def coding_problems(
    codings: pd.Series | None,
    answered: pd.Series,
    rows: pd.Series,
    label: str,
    instrument: _instruments.Instrument,
    *,
    declared: str | None = None,
    check_values: bool = True,
) -> pd.DataFrame:
    """Problems with an instrument's declared response coding (vectorised over rows).

    ``codings`` is the instrument's coding column (e.g. ``olbi_coding``; None when the file
    has none), ``answered`` marks rows answering at least one of its items, ``declared`` a
    coding given for the whole file (the ``--coding`` option). A coding that is needed is
    never guessed: a row answering the items without a coding is a problem.
    """
    column = instrument.coding_column
    names = instrument.coding_names
    shown = ", ".join(names)
    if declared is not None and declared not in names:
        if not instrument.needs_declared_coding and len(names) == 1:
            msg = (f"{instrument.name} has a single response coding ({names[0]}); "
                   f"the coding {declared!r} does not apply to it")
        else:
            msg = f"unknown coding {declared!r} for {instrument.name} (use one of: {shown})"
        return problems_frame(label, None, None, None, msg)
    if not instrument.needs_declared_coding:
        return empty_problems()
    problems = [empty_problems()]
    if codings is None:
        if declared is None and answered.any():
            problems.append(problems_frame(
                label, [HEADER_ROW_NUMBER], column, None,
                f"{instrument.name} items are answered but their response coding is not "
                f"declared: add a '{column}' column ({shown}) or declare it (--coding)"))
        return pd.concat(problems, ignore_index=True)
    text = codings.astype("string").str.strip()
    blank = text.isna() | (text == "")
    if check_values:
        bad = ~blank & ~text.isin(names)
        if bad.any():
            problems.append(problems_frame(label, rows[bad], column, codings[bad],
                                           f"unknown response coding (use one of: {shown})"))
    if declared is None:
        missing = answered & blank
        if missing.any():
            problems.append(problems_frame(
                label, rows[missing], column, None,
                f"{instrument.name} items are answered on this row but the response coding "
                f"is blank: declare it ({shown}); it is never guessed"))
    else:
        conflict = ~blank & (text != declared)
        if conflict.any():
            problems.append(problems_frame(
                label, rows[conflict], column, codings[conflict],
                f"conflicts with the declared coding {declared!r}"))
    return pd.concat(problems, ignore_index=True)


def _wave_problems(df: pd.DataFrame, label: str, item_columns: list[str]) -> pd.DataFrame:
    """Waves with no answered item (error) and responses answering nothing (warning). Small
    waves are not flagged here: reports suppress them with the run's minimum group size."""
    problems = [empty_problems()]
    d = df.dropna(subset=["wave_date"])
    if d.empty:
        return empty_problems()
    answered = (d[item_columns].notna().any(axis=1) if item_columns
                else pd.Series(False, index=d.index))
    waves = pd.DataFrame({"wave": d["wave_date"], "row": d[ROW], "answered": answered})
    per_wave = waves.groupby("wave").agg(rows=("row", "size"), first=("row", "min"),
                                         last=("row", "max"), answered=("answered", "sum"))
    empty = per_wave[per_wave["answered"] == 0]
    if not empty.empty:
        problems.append(problems_frame(
            label, empty["first"], "wave_date", empty.index.strftime("%Y-%m-%d"),
            "this wave has no responses: none of its " + empty["rows"].astype(str)
            + " row(s) (rows " + empty["first"].astype(str) + "-" + empty["last"].astype(str)
            + ") answers any survey item"))
    nothing = ~answered & d["wave_date"].isin(per_wave.index[per_wave["answered"] > 0])
    if nothing.any():
        problems.append(problems_frame(label, d.loc[nothing, ROW], None, None,
                                       "this response answers no survey item; it is not scored",
                                       severity="warning"))
    return pd.concat(problems, ignore_index=True)


def check_wellbeing_survey(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Unique response IDs; declared OLBI coding wherever OLBI items are answered; waves with
    no responses. (Item ranges and unknown item columns are checked by the schema.)"""
    problems = [unique_ids(df, label, "response_id")]
    item_columns: list[str] = []
    for name in _instruments.LOCAL_SURVEY_INSTRUMENTS:
        inst = _instruments.INSTRUMENTS[name]
        cols = survey_item_columns(df.columns, inst)
        item_columns += cols
        if inst.needs_declared_coding and cols:
            answered = df[cols].notna().any(axis=1)
            # an absent optional column arrives all blank: one problem for the file then
            codings = df[inst.coding_column] if df[inst.coding_column].notna().any() else None
            problems.append(coding_problems(codings, answered, df[ROW], label, inst,
                                            check_values=False))
    if "nps" in df and df["nps"].notna().any():
        item_columns.append("nps")
    problems.append(_wave_problems(df, label, item_columns))
    return pd.concat(problems, ignore_index=True)


def check_pulse_survey(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Unique response IDs; one question numbering per row; waves with no responses."""
    problems = [unique_ids(df, label, "response_id")]
    item_columns = [c for c in _instruments.pulse_columns() if c in df.columns]
    by_year: dict[str, list[str]] = {}
    for c in item_columns:
        year = _instruments.nss_numbering_of_column(c)
        if year is not None:
            by_year.setdefault(year, []).append(c)
    if len(by_year) > 1:
        used = pd.DataFrame({y: df[cols].notna().any(axis=1) for y, cols in by_year.items()})
        mixed = used.sum(axis=1) > 1
        if mixed.any():
            years = used[mixed].apply(lambda r: ", ".join(r.index[r]), axis=1)
            problems.append(problems_frame(
                label, df.loc[mixed, ROW], None, None,
                "the row answers renumbered questions in more than one year's numbering ("
                + years + "): use the columns of one numbering per row"))
    problems.append(_wave_problems(df, label, item_columns))
    return pd.concat(problems, ignore_index=True)


def check_staff_survey_results(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Scores within 0-10; question numbers well formed; no duplicate results; pre-2021
    question rows cannot be matched across years (warning)."""
    problems = [empty_problems()]
    is_score = df["value_type"].eq("score")
    for column in ("value", "comparator_average", "comparator_best", "comparator_worst"):
        if column not in df:
            continue
        bad = is_score & (df[column] > 10)
        if bad.any():
            problems.append(problems_frame(label, df.loc[bad, ROW], column,
                                           df.loc[bad, column].astype(str),
                                           "a 'score' result must lie between 0 and 10 (use "
                                           "value_type 'percent_positive' for percentages)"))
    question = df["measure_type"].eq("question") & df["measure"].notna()
    measure = df["measure"].astype("string").str.strip()
    badq = question & ~measure.str.fullmatch(r"(?i)q\d+[a-z]?").fillna(False)
    if badq.any():
        problems.append(problems_frame(label, df.loc[badq, ROW], "measure",
                                       df.loc[badq, "measure"],
                                       "a question must be given by its number, e.g. 'q25c'"))
    early = question & ~badq & (df["year"] < int(_instruments.NSS_NUMBERINGS[0]))
    if early.any():
        problems.append(problems_frame(
            label, df.loc[early, ROW], "measure", df.loc[early, "measure"],
            f"question numbering before {_instruments.NSS_NUMBERINGS[0]} is not tabled: this "
            "row is shown for its year but not matched with other years' questions",
            severity="warning"))
    key = pd.DataFrame({"year": df["year"], "type": df["measure_type"],
                        "measure": measure.str.lower(),
                        "breakdown": df["breakdown"].astype("string").fillna("")})
    dup = key.duplicated(keep="first") & df["measure"].notna()
    if dup.any():
        problems.append(problems_frame(label, df.loc[dup, ROW], "measure",
                                       df.loc[dup, "measure"],
                                       "duplicate result: the same year, measure and breakdown "
                                       "appear earlier in the file"))
    return pd.concat(problems, ignore_index=True)


def check_joy_tallies(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Good days cannot exceed the total; one tally per team and week."""
    problems = [empty_problems()]
    over = df["good_days"] > df["total_days"]
    over = over.fillna(False).astype(bool)
    if over.any():
        problems.append(problems_frame(label, df.loc[over, ROW], "good_days",
                                       df.loc[over, "good_days"].astype(str),
                                       "more good days than marbles in total ("
                                       + df.loc[over, "total_days"].astype(str) + ")"))
    dup = df.duplicated(subset=["week_start", "team"], keep="first") & df["week_start"].notna()
    if dup.any():
        problems.append(problems_frame(label, df.loc[dup, ROW], "week_start",
                                       df.loc[dup, "week_start"].dt.strftime("%Y-%m-%d"),
                                       "a tally for this team and week appears earlier in the "
                                       "file; give one row per team and week"))
    return pd.concat(problems, ignore_index=True)

