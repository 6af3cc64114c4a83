"""Column and table contracts: what every input table's columns are and may hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

ColumnType = Literal["id", "text", "free_text", "date", "number", "integer", "code", "boolean"]

#: Human names of the column types, for the data dictionary.
TYPE_LABELS: dict[str, str] = {
    "id": "identifier (text)",
    "text": "text",
    "free_text": "free text (never shown in reports)",
    "date": "date (YYYY-MM-DD, DD/MM/YYYY, DD-Mon-YYYY or DD Mon YYYY)",
    "number": "number",
    "integer": "whole number",
    "code": "code from a fixed list",
    "boolean": "yes/no (true/false, yes/no, 1/0)",
}

#: Accepted spellings of booleans (compared case-insensitively).
TRUE_VALUES = ("true", "yes", "y", "1")
FALSE_VALUES = ("false", "no", "n", "0")


@dataclass(frozen=True)
class Column:
    """One column of an input table and the rules its values must satisfy."""

    name: str
    type: ColumnType
    description: str
    examples: tuple[str, ...]
    required: bool = True  # the column must be present in the header
    nullable: bool = False  # a blank cell is allowed
    #: for code columns: the exact accepted values, or a function returning them (reference
    #: lists read from package data)
    allowed: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    allowed_note: str | None = None  # where the allowed values come from (dictionary text)
    #: for code columns: turns the spellings exports use into allowed values (applied to
    #: distinct values; what it changes is counted in the validation record)
    normalise: Callable[[pd.Series], pd.Series] | None = None
    minimum: float | None = None
    minimum_inclusive: bool = True
    maximum: float | None = None
    maximum_inclusive: bool = True

    def range_text(self) -> str | None:
        """The numeric range as text, e.g. '(0, 1.5]'."""
        if self.minimum is None and self.maximum is None:
            return None
        lo = "-inf" if self.minimum is None else f"{self.minimum:g}"
        hi = "inf" if self.maximum is None else f"{self.maximum:g}"
        return ("[" if self.minimum_inclusive else "(") + f"{lo}, {hi}" + (
            "]" if self.maximum_inclusive else ")"
        )


@dataclass(frozen=True)
class TableSchema:
    """An input table: file stem, purpose, columns and table-level rules."""

    name: str  # file stem: <name>.csv or <name>.xlsx in the data folder
    description: str
    columns: tuple[Column, ...]
    required: bool = False  # must every data folder have this table?
    #: for a required table: what a file with a header and no rows means (it is then valid,
    #: with this note as a warning), e.g. no sickness absence at all; None: rows are needed
    empty_means: str | None = None
    #: pairs (start column, end column) where end must not be before start
    date_order: tuple[tuple[str, str], ...] = ()
    #: regular expression for further allowed columns (e.g. survey item columns), with the
    #: column spec applied to them
    extra_columns_pattern: str | None = None
    extra_column: Column | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)




def allowed_values(column: Column) -> tuple[str, ...] | None:
    """Accepted values of a code column (reference lists are read from the package data)."""
    return column.allowed() if callable(column.allowed) else column.allowed
