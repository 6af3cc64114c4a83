"""Validate a service's data folder against the table schemas.

Every problem is collected (never just the first), each with the file, the row number as
a spreadsheet shows it (header = row 1), the column and the offending value. Rows are never
dropped or coerced silently: a value that cannot be read is a problem, and the load stops.
All checks are vectorised over rows.

- :mod:`.reading`: finding and reading a table's file as text cells (CSV, XLSX, Parquet);
- :mod:`.mapping`: the folder's optional ``mapping.yaml`` (files, sheets, headings, values);
- :mod:`.record`: the record of every mapping and normalisation applied;
- :mod:`.text`, :mod:`.parsing`: converting columns to their types;
- :mod:`.tables`, :mod:`.surveys`: checks of the core and survey tables;
- :mod:`.folder`: the whole folder, every problem at once.
"""

from wellbeing_analysis.validation.folder import (
    TABLE_CHECKS,
    ValidationReport,
    latest_date,
    validate_folder,
)
from wellbeing_analysis.validation.parsing import parse_column, parse_table
from wellbeing_analysis.validation.reading import (
    ROW,
    FileInfo,
    find_table_file,
    read_raw,
    sha256_file,
)
from wellbeing_analysis.validation.surveys import coding_problems, survey_item_columns

__all__ = [
    "ROW", "TABLE_CHECKS", "FileInfo", "ValidationReport", "coding_problems",
    "find_table_file", "latest_date", "parse_column", "parse_table", "read_raw",
    "sha256_file", "survey_item_columns", "validate_folder",
]
