"""The optional ``mapping.yaml`` of a data folder: where each table's file is and how its
headings and coded values translate into ours (docs/esr-export.md).

Per table: ``file`` (any name, ``.csv``/``.xlsx``/``.parquet``), ``sheet`` (name or 0-based
index), ``header_row`` (1-based; default detected), ``encoding`` (of a CSV file),
``columns`` (our column -> the file's heading, matched ignoring case and spaces) and
``values`` (our column -> {the file's value -> ours}, matched ignoring case and spaces).
Mapping problems are reported like data problems (file ``mapping.yaml``, the key, the
value), all at once; every mapping applied is counted in the validation record.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wellbeing_analysis.constants import MAPPING_FILE
from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.schema import ESR_HEADINGS, TABLES, TableSchema, allowed_values
from wellbeing_analysis.validation.reading import ROW, ReadOptions, heading_key, read_raw


def value_key(text: pd.Series) -> pd.Series:
    """Cell values compared ignoring case and surrounding or repeated spaces."""
    return text.astype("string").str.split().str.join(" ").str.casefold()


class TableMapping(BaseModel):
    """How one table's file is laid out (every key optional)."""

    model_config = ConfigDict(extra="forbid")

    file: str | None = None
    sheet: str | int | None = None
    header_row: int | None = Field(default=None, ge=1)
    encoding: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("columns", mode="before")
    @classmethod
    def _text_headings(cls, v: Any) -> Any:
        # YAML reads a heading such as 2024 or yes as a number or boolean: headings are text
        return {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else v

    @field_validator("values", mode="before")
    @classmethod
    def _text_values(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        return {str(k): ({str(a): str(b) for a, b in m.items()} if isinstance(m, dict) else m)
                for k, m in v.items()}

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown encoding {v!r} (e.g. utf-8, cp1252, latin-1)") from None
        return v


def _check_table(name: str, tm: TableMapping, schema: TableSchema) -> pd.DataFrame:
    """Keys that name no column of the table, and value targets that are not allowed."""
    problems = [empty_problems()]
    known = schema.column_names
    for section in ("columns", "values"):
        for ours in getattr(tm, section):
            if ours not in known:
                problems.append(problems_frame(
                    MAPPING_FILE, None, f"{name}.{section}", [ours],
                    f"{name} has no column {ours!r} (its columns: {', '.join(known)})"))
    for ours, pairs in tm.values.items():
        if ours not in known:
            continue
        if schema.column(ours).type in ("id", "free_text"):  # identifiers are never listed
            problems.append(problems_frame(
                MAPPING_FILE, None, f"{name}.values", [ours],
                "values can be mapped for coded and text columns only"))
            continue
        allowed = allowed_values(schema.column(ours))
        if allowed is None:
            continue
        bad = [target for target in pairs.values() if target not in allowed]
        if bad:
            problems.append(problems_frame(
                MAPPING_FILE, [pd.NA] * len(bad), f"{name}.values.{ours}", bad,
                f"not an allowed value of {ours}: map to one of the values in the data "
                "dictionary"))
    return pd.concat(problems, ignore_index=True)


def load_mapping(data_dir: Path) -> tuple[dict[str, TableMapping], pd.DataFrame]:
    """The folder's mapping per table ({} when there is no mapping file) and its problems."""
    path = data_dir / MAPPING_FILE
    if not path.is_file():
        return {}, empty_problems()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return {}, problems_frame(MAPPING_FILE, None, None, None,
                                  f"cannot be read as YAML: {exc}")
    if doc is None:
        return {}, empty_problems()
    if not isinstance(doc, dict):
        return {}, problems_frame(MAPPING_FILE, None, None, None,
                                  "expected one entry per table (staff_spells: ..., "
                                  "absence_episodes: ...)")
    problems = [empty_problems()]
    out: dict[str, TableMapping] = {}
    for name, body in doc.items():
        name = str(name)
        if name not in TABLES:
            problems.append(problems_frame(MAPPING_FILE, None, name, None,
                                           f"unknown table (tables: {', '.join(TABLES)})"))
            continue
        try:
            tm = TableMapping.model_validate(body or {})
        except ValidationError as exc:
            for err in exc.errors():
                key = ".".join([name, *(str(p) for p in err["loc"])])
                value = err.get("input")
                problems.append(problems_frame(
                    MAPPING_FILE, None, key,
                    [None if isinstance(value, dict | list) else value], err["msg"]))
            continue
        check = _check_table(name, tm, TABLES[name])
        problems.append(check)
        if check.empty:
            out[name] = tm
    return out, pd.concat(problems, ignore_index=True)


def map_headings(
    raw: pd.DataFrame, schema: TableSchema, tm: TableMapping | None, label: str,
    record: list, protected: tuple[str, ...] = (ROW,),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rename the file's headings to our column names as ``tm.columns`` says.

    A heading named in the mapping but absent from the file is a mapping problem. With a
    mapping for the table, headings that are neither mapped nor ours are left out (the
    record lists them); without one, they reach the schema's unknown-column check.
    Returns (table, problems); ``record`` receives what was renamed or left out.
    """
    if tm is None:
        return raw, empty_problems()
    by_key: dict[str, str] = {}
    for heading in raw.columns:
        if heading not in protected:
            by_key.setdefault(heading_key(heading), heading)
    rename, problems = {}, [empty_problems()]
    for ours, theirs in tm.columns.items():
        found = by_key.get(heading_key(theirs))
        if found is None:
            shown = ", ".join(repr(h) for h in raw.columns if h not in protected)
            problems.append(problems_frame(
                MAPPING_FILE, None, f"{schema.name}.columns.{ours}", [theirs],
                f"no such heading in {label} (its headings: {shown})"))
            continue
        rename[found] = ours
        if found != ours:
            record.append((label, ours, f"heading {found!r} read as {ours}", len(raw)))
    mapped = raw.rename(columns=rename)
    keep = set(schema.column_names) | set(protected)
    pattern = schema.extra_columns_pattern
    ignored = [c for c in mapped.columns if c not in keep
               and not (pattern and pd.Series([c]).str.fullmatch(pattern)[0])]
    if ignored:
        shown = ", ".join(repr(c) for c in ignored[:10]) + (" ..." if len(ignored) > 10 else "")
        record.append((label, None, f"{len(ignored)} heading(s) not in the mapping left "
                       f"out: {shown}", len(raw)))
        mapped = mapped.drop(columns=ignored)
    return mapped, pd.concat(problems, ignore_index=True)


def map_values(raw: pd.DataFrame, tm: TableMapping | None, label: str, record: list
               ) -> pd.DataFrame:
    """Recode cells as ``tm.values`` says (file value matched ignoring case and spaces);
    one ``record`` line per value recoded, with its row count."""
    if tm is None or not tm.values:
        return raw
    raw = raw.copy()
    for ours, pairs in tm.values.items():
        if ours not in raw.columns:
            continue
        lookup = {" ".join(k.split()).casefold(): v for k, v in pairs.items()}
        keys = value_key(raw[ours])
        target = keys.map(lookup)
        hit = target.notna()
        if not hit.any():
            continue
        counts = pd.DataFrame({"from": raw.loc[hit, ours], "to": target[hit]}).value_counts(
            sort=False)
        record += [(label, ours, f"{src!r} read as {dst!r} ({MAPPING_FILE})", int(n))
                   for (src, dst), n in counts.items()]
        raw[ours] = raw[ours].where(~hit, target.astype(raw[ours].dtype))
    return raw


def expected_headings(schema: TableSchema, tm: TableMapping | None) -> frozenset[str]:
    """Heading keys that mark a table's header row: our column names, the mapped headings
    and the known ESR headings."""
    keys = {heading_key(c) for c in schema.column_names}
    keys |= set(ESR_HEADINGS.get(schema.name, {}))
    if tm is not None:
        keys |= {heading_key(h) for h in tm.columns.values()}
    return frozenset(keys)


def read_mapped(path: Path, schema: TableSchema, tm: TableMapping | None, record: list
                ) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """A table's file read as text cells under our column names, its coded values recoded
    as the mapping says. Returns (table or None, problems)."""
    if not path.is_file():
        return None, problems_frame(MAPPING_FILE, None, f"{schema.name}.file", [path.name],
                                    "no such file in the data folder")
    opts = ReadOptions(expected=expected_headings(schema, tm))
    if tm is not None:
        opts = ReadOptions(sheet=tm.sheet, header_row=tm.header_row, encoding=tm.encoding,
                           expected=opts.expected)
    raw, problems = read_raw(path, opts, record=record)
    if raw is None:
        return None, problems
    header_row = raw.attrs.get("header_row", 1)
    raw, heading_problems = map_headings(raw, schema, tm, path.name, record)
    raw = map_values(raw, tm, path.name, record)
    raw.attrs["header_row"] = header_row
    return raw, pd.concat([problems, heading_problems], ignore_index=True)
