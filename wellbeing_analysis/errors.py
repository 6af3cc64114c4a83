"""Exceptions for user mistakes, and the problem list that input validation returns.

A *user's* mistake (bad file, bad option, bad value) raises a subclass of
:class:`WellbeingError`; the command line prints its message and exits 1 without a
traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Columns of a problem table (one row per problem), in display order.
PROBLEM_COLUMNS = ("file", "row", "column", "value", "problem", "severity")
#: Problem lines printed per rule (file, column, problem) before '... and N more'.
PROBLEMS_SHOWN_PER_RULE = 20
#: Columns whose values are never printed or stored with a problem: staff identifiers (the
#: row and column locate the cell).
IDENTIFIER_COLUMNS = ("staff_id",)


class WellbeingError(Exception):
    """Base class for errors caused by input or options, shown to users without a traceback."""

    #: the command line's exit code for this error
    exit_code = 1


class InputError(WellbeingError):
    """A bad argument, option or value given by the user (the message says what to fix)."""


class BatchInterrupted(WellbeingError):
    """Ctrl-C during a batch of reports: the message says what finished and what did not."""

    exit_code = 130


class ParamsError(WellbeingError):
    """A params file is invalid (the message names the file, the key and the problem)."""


@dataclass
class ValidationFailed(WellbeingError):
    """Input tables failed validation; ``problems`` holds every problem found, not just the first."""

    problems: pd.DataFrame = field(default_factory=lambda: empty_problems())

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        errors = self.problems[self.problems["severity"] == "error"]
        return f"{len(errors)} problem(s) found in the input data:\n" + format_problems(errors)


def empty_problems() -> pd.DataFrame:
    """An empty problem table with the standard columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in PROBLEM_COLUMNS})


def problems_frame(
    file: str,
    rows: pd.Series | list | None,
    column: str | None,
    values: pd.Series | list | None,
    problem: str | pd.Series,
    severity: str = "error",
) -> pd.DataFrame:
    """Build a problem table for many rows at once (vectorised; no per-row loop).

    ``rows`` are spreadsheet row numbers (header = row 1) or None for a whole-file
    problem; ``values`` are the offending cell values as text.
    """
    if rows is None:
        rows = [pd.NA]
    n = len(rows)
    values = [pd.NA] * n if values is None else list(values)
    return pd.DataFrame(
        {
            "file": [file] * n,
            "row": pd.array(list(rows), dtype="Int64"),
            "column": [column if column is not None else pd.NA] * n,
            "value": values,
            "problem": list(problem) if isinstance(problem, pd.Series) else [problem] * n,
            "severity": [severity] * n,
        }
    )


def format_problems(problems: pd.DataFrame, *, per_rule: int | None = PROBLEMS_SHOWN_PER_RULE,
                    show_values: bool = True) -> str:
    """Render a problem table as one readable line per problem, in file and row order.

    ``per_rule`` caps the lines shown for each rule (same file, column and problem) and
    says how many more there are, so the output never grows with the size of a bad file
    (None shows every problem: ``wellbeing validate --all``). Values of identifier columns
    (:data:`IDENTIFIER_COLUMNS`) are never shown: the row and column locate the cell.
    ``show_values=False`` leaves out every value (for files that are kept, e.g. run.json).
    """
    if problems.empty:
        return ""
    ordered = problems.sort_values(["file", "row"], na_position="first", kind="stable")
    rule = [ordered[c].astype("string").fillna("") for c in ("file", "column", "problem")]
    if per_rule is not None:
        rank = ordered.groupby(rule, sort=False).cumcount().to_numpy()
        totals = ordered.groupby(rule, sort=False)["problem"].transform("size").to_numpy()
        shown = ordered[rank < per_rule]
        last_shown = (rank == per_rule - 1) & (totals > per_rule)
        more = pd.Series(totals - per_rule, index=ordered.index)[last_shown]
    else:
        shown, more = ordered, pd.Series(dtype="int64")
    lines = []
    for rec in shown.itertuples():  # capped problem lines only, never data rows
        where = rec.file
        if not pd.isna(rec.row):
            where += f", row {int(rec.row)}"
        if not pd.isna(rec.column):
            where += f", column '{rec.column}'"
        hidden = not show_values or (not pd.isna(rec.column) and rec.column in IDENTIFIER_COLUMNS)
        value = "" if pd.isna(rec.value) or hidden else f" (value: {rec.value!r})"
        tag = "warning: " if rec.severity == "warning" else ""
        lines.append(f"  {where}: {tag}{rec.problem}{value}")
        if rec.Index in more.index:
            lines.append(f"  ... and {int(more[rec.Index]):,} more row(s) of {rec.file} with "
                         "this problem")
    return "\n".join(lines)


def require_columns(df: pd.DataFrame, columns: Iterable[str | None], source: str | Path) -> None:
    """Raise :class:`InputError` naming every requested column that ``df`` lacks."""
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise InputError(
            f"{source}: unknown column(s) {', '.join(repr(c) for c in missing)}; "
            f"the file has: {', '.join(map(str, df.columns))}"
        )
