"""Loading users' files: a single CSV for the analysis commands, and a service's whole
data folder (validated by ``validation``, staff IDs pseudonymised) for metrics and reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    AGGREGATE_TABLE,
    ROW_LEVEL_TABLES,
    TIER_AGGREGATE,
    TIER_ROW_LEVEL,
)
from wellbeing_analysis.errors import (
    IDENTIFIER_COLUMNS,
    InputError,
    ValidationFailed,
)
from wellbeing_analysis.pseudonymise import pseudonymise, pseudonymise_coded
from wellbeing_analysis.validation import ROW, FileInfo, ValidationReport, validate_folder
from wellbeing_analysis.validation.reading import read_csv_file
from wellbeing_analysis.validation.record import record_frame


def read_csv(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a user's CSV file for analysis (UTF-8 with or without a BOM).

    Blank lines (Excel writes trailing ones) are skipped. A missing, unreadable or empty
    file raises :class:`InputError` naming the file. Extra ``kwargs`` go to
    :func:`pandas.read_csv`.
    """
    return read_csv_file(path, skip_blank_lines=True, **kwargs)


# ---------------------------------------------------------------------------
# A service's data folder
# ---------------------------------------------------------------------------
@dataclass
class ServiceData:
    """A service's validated input tables, with staff IDs already pseudonymised.

    ``tables`` maps table name to a tidy DataFrame (typed columns; absent optional tables
    are missing from the dict). ``files`` records each input file's checksum for provenance;
    ``warnings`` lists non-blocking data-quality findings (file, row, column, problem);
    ``mappings`` every mapping and normalisation applied on reading (file, column, change,
    rows; docs/esr-export.md), so that nothing is recoded silently.
    """

    data_dir: Path
    extract_date: pd.Timestamp
    extract_date_inferred: bool
    tables: dict[str, pd.DataFrame]
    files: dict[str, FileInfo]
    warnings: pd.DataFrame
    mappings: pd.DataFrame = field(default_factory=record_frame)
    #: per table, (the table as loaded, an integer key per row of its staff IDs); the keys
    #: of all tables share one numbering (equal keys = equal pseudonyms)
    keyed_staff: dict[str, tuple[pd.DataFrame, np.ndarray]] = field(
        default_factory=dict, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """One table; a clear error if the folder did not contain it."""
        if name not in self.tables:
            raise InputError(f"{self.data_dir}: table {name}.csv is needed here but was not found")
        return self.tables[name]

    def has(self, name: str) -> bool:
        return name in self.tables

    @property
    def tier(self) -> str:
        """The data tier: 'aggregate' when only the trust's monthly figures are given (no
        staff spells), else 'row-level' (docs/metrics.md, 'Monthly figures')."""
        if not self.has(ROW_LEVEL_TABLES[0]) and self.has(AGGREGATE_TABLE):
            return TIER_AGGREGATE
        return TIER_ROW_LEVEL

    def staff_keys(self, *names: str) -> tuple[np.ndarray, ...] | None:
        """Integer keys of the staff IDs of each named table, on one numbering (equal keys =
        equal pseudonyms), so that the metrics need not hash the pseudonyms again; None
        unless every table is still the one loaded."""
        keyed = [self.keyed_staff.get(name) for name in names]
        # the same table object with as many rows (a table changed in place keeps its
        # identity; one that lost or gained rows must not be matched to these keys)
        if any(k is None or self.tables.get(name) is not k[0] or len(k[0]) != len(k[1])
               for name, k in zip(names, keyed, strict=True)):
            return None
        return tuple(k[1] for k in keyed)

    @property
    def staff_spells(self) -> pd.DataFrame:
        return self.table("staff_spells")

    @property
    def absence_episodes(self) -> pd.DataFrame:
        return self.table("absence_episodes")


#: Columns that hold staff identifiers, per table: pseudonymised on load.
STAFF_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "staff_spells": ("staff_id",),
    "absence_episodes": ("staff_id",),
}


def load_service(
    data_dir: str | Path,
    *,
    extract_date: str | pd.Timestamp | None = None,
    pseudonym_key: str | None = None,
) -> ServiceData:
    """Validate and load a service's data folder.

    Raises :class:`~wellbeing_analysis.errors.ValidationFailed` listing every problem when
    any table fails validation. Staff IDs are pseudonymised here, before anything else
    sees them; the spreadsheet row-number column is dropped.
    """
    report = validate_folder(data_dir, extract_date=extract_date)
    if not report.ok:
        raise ValidationFailed(report.problems)
    return service_from_report(report, pseudonym_key=pseudonym_key)


def service_from_report(report: ValidationReport, *, pseudonym_key: str | None = None
                        ) -> ServiceData:
    """The service data of a clean validation report: staff IDs pseudonymised, the
    spreadsheet row-number column dropped (the report's tables are not changed)."""
    if not report.ok:
        raise ValidationFailed(report.problems)
    tables = {name: df.drop(columns=ROW).reset_index(drop=True)
              for name, df in report.tables.items()}
    encoded = {(name, column): report.keys.get(name, {}).get(column)
               for name in tables for column in STAFF_ID_COLUMNS.get(name, ())}
    # ID columns validation encoded as text (not typed by a Parquet file) are pseudonymised
    # from their codes, together: one hash per distinct ID, keys on one numbering
    coded = [(name, column) for (name, column), e in encoded.items()
             if e is not None and len(e[0]) == len(tables[name])]
    done = pseudonymise_coded([encoded[c] for c in coded], key=pseudonym_key)
    keyed_staff = {}
    for (name, column), (pseudonyms, keys) in zip(coded, done, strict=True):
        df = tables[name]
        df[column] = pd.Series(pseudonyms, index=df.index, dtype="object", copy=False)
        if column == "staff_id":
            keyed_staff[name] = (df, keys)
    for name, column in (c for c in encoded if c not in coded):
        tables[name][column] = pseudonymise(tables[name][column], key=pseudonym_key)
    return ServiceData(
        data_dir=Path(report.data_dir),
        extract_date=report.extract_date,
        extract_date_inferred=report.extract_date_inferred,
        tables=tables,
        files=report.files,
        # identifiers never travel with the warnings (row and column locate the cell)
        warnings=report.warnings.assign(value=report.warnings["value"].where(
            ~report.warnings["column"].isin(IDENTIFIER_COLUMNS))).reset_index(drop=True),
        mappings=report.record.copy(),
        keyed_staff=keyed_staff,
    )


# ---------------------------------------------------------------------------
# Comparison series: NHS Digital's organisation-level sickness absence CSV
# ---------------------------------------------------------------------------
def load_comparison(path: str | Path, *, org_code: str | Sequence[str] | None = None,
                    org_type: str | None = None) -> pd.DataFrame:
    """A comparison series from NHS Digital's monthly organisation-level sickness absence
    CSV (``DATE`` the month's last day, DD/MM/YYYY or ISO; ``ORG_CODE``, ``ORG_TYPE``,
    ``FTE_DAYS_LOST``, ``FTE_DAYS_AVAILABLE``, ...; docs/metrics.md).

    Keeps the organisations of ``org_code`` (one or a list) or of ``org_type``, otherwise
    every organisation in the file (a regional or national series), and sums their days
    each month before any rate is taken (the pooled rate). Returns ``month`` (YYYY-MM),
    ``fte_days_lost``, ``fte_days_available``; raises :class:`InputError` naming the file,
    row and column of every unreadable value
    (:mod:`wellbeing_analysis.publication`, shared with the network report).
    """
    from wellbeing_analysis.publication import load_publication_series

    return load_publication_series(path, org_code=org_code, org_type=org_type)
