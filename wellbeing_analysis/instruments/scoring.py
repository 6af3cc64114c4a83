"""Score survey responses: one row per response, one column per subscale.

All rules come from :mod:`~wellbeing_analysis.schema.instruments` (items, reversals,
subscales, missing-item rule, codings). Every bad input — an item code out of range, a
value that is not a whole number, an item column the instrument does not have, an item
column it needs but the file lacks, an undeclared or conflicting response coding — is
reported at once with file, spreadsheet row (header = row 1), column and value, by raising
:class:`~wellbeing_analysis.errors.InputError` (its ``problems`` attribute holds the table).
Nothing is silently dropped, coerced or guessed. Everything is vectorised over responses.

Why one module of this length: item reading, reversal, missing-item rules and scoring are
one pipeline applied to every instrument of the catalogue (schema/instruments.py).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import READ_CACHE_SIZE
from wellbeing_analysis.errors import InputError, empty_problems, format_problems, problems_frame
from wellbeing_analysis.schema import Column
from wellbeing_analysis.schema.instruments import (
    INSTRUMENTS,
    NSS_NUMBERINGS,
    Instrument,
    Subscale,
    get_instrument,
)
from wellbeing_analysis.validation import ROW, coding_problems, parse_column

#: Columns carried through to the score table when present (for grouping).
DEFAULT_KEEP = ("wave_date", "team", "staff_group")
#: Last NHS Staff Survey year whose numbering the package table confirms (column
#: ``q_2023_2025``); later years are not matched across years until the table is extended.
NSS_LAST_TABLED_YEAR = 2025


# ---------------------------------------------------------------------------
# Reference tables (package data)
# ---------------------------------------------------------------------------
def _package_csv(name: str) -> pd.DataFrame:
    with resources.files("wellbeing_analysis.data").joinpath(name).open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str)


@cache
def swemwbs_conversion_table() -> pd.Series:
    """SWEMWBS raw total (7-35) -> metric score, from the package copy of the published
    conversion table (``data/swemwbs_conversion.csv``)."""
    table = _package_csv("swemwbs_conversion.csv")
    return pd.Series(table["metric"].astype(float).to_numpy(),
                     index=table["raw"].astype(int).to_numpy(), name="metric")


@cache
def nss_question_table() -> pd.DataFrame:
    """NHS Staff Survey theme/sub-score items with 2021, 2022 and 2023-2025 numbering
    (package copy of ``nhs_nss_theme_items.csv``)."""
    return _package_csv("nhs_nss_theme_items.csv")


# ---------------------------------------------------------------------------
# Reading and checking item columns
# ---------------------------------------------------------------------------
def resolve_instrument(name: str | Instrument) -> Instrument:
    if isinstance(name, Instrument):
        return name
    try:
        return get_instrument(name)
    except KeyError as exc:
        raise InputError(str(exc.args[0])) from None


def _rows(data: pd.DataFrame) -> pd.Series:
    """Spreadsheet row numbers: the loader's ``_row`` column, else file order (header = 1)."""
    if ROW in data.columns:
        return pd.Series(data[ROW].to_numpy(), index=data.index)
    return pd.Series(np.arange(len(data)) + 2, index=data.index)


def _raise(problems: pd.DataFrame, source: str) -> None:
    errors = problems[problems["severity"] == "error"]
    if errors.empty:
        return
    exc = InputError(f"{len(errors)} problem(s) in {source}:\n" + format_problems(errors))
    exc.problems = errors.reset_index(drop=True)  # type: ignore[attr-defined]
    raise exc


def _known_columns(inst: Instrument) -> set[str]:
    """Item columns of every instrument sharing ``inst``'s column pattern (the NHS Staff
    Survey instruments share 'nss_q…')."""
    return {c for i in INSTRUMENTS.values() if i.pattern == inst.pattern for c in i.all_columns}


def _item_values(
    data: pd.DataFrame, inst: Instrument, source: str, rows: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse the instrument's item columns: (raw codes, one column per scored item, float
    with NaN for a blank answer; problems)."""
    problems = [empty_problems()]
    columns = [str(c) for c in data.columns]
    pattern = pd.Series(columns, dtype="string").str.fullmatch(inst.pattern).fillna(False)
    known = _known_columns(inst)
    unknown = [c for c, m in zip(columns, pattern, strict=True) if m and c not in known]
    for c in unknown:
        first = inst.item_columns(inst.all_items[0])[0]
        last = inst.item_columns(inst.all_items[-1])[0]
        problems.append(problems_frame(
            source, [1], c, None,
            f"unknown item column: {inst.name} has items {first} to {last}; rename or remove it"))
    spec = Column("item", "integer", "", (), nullable=True, minimum=inst.scale_min,
                  maximum=inst.scale_max)
    values = pd.DataFrame(index=data.index, columns=list(inst.items), dtype="float64")
    if not any(c in data.columns for c in inst.all_columns):
        first = inst.item_columns(inst.items[0])[0]
        last = inst.item_columns(inst.items[-1])[0]
        problems.append(problems_frame(
            source, [1], None, None,
            f"the file has no {inst.name} item columns (expected {first} to {last})"))
        return values, pd.concat(problems, ignore_index=True)
    for item in inst.all_items:
        present = [c for c in inst.item_columns(item) if c in data.columns]
        if not present:
            if item in inst.items:
                problems.append(problems_frame(
                    source, [1], inst.item_columns(item)[0], None,
                    f"{inst.name} item {item} has no column: the file needs "
                    + " or ".join(repr(c) for c in inst.item_columns(item))))
            continue
        parsed = []
        for c in present:
            if pd.api.types.is_numeric_dtype(data[c]):
                # already typed (a loaded, validated table): check codes without re-parsing
                v = data[c].astype("float64")
                fraction = v.notna() & (v % 1 != 0)
                outside = v.notna() & ((v < inst.scale_min) | (v > inst.scale_max))
                for mask, message in ((fraction, "not a whole number"),
                                      (outside, f"outside the allowed range {spec.range_text()}")):
                    if mask.any():
                        problems.append(problems_frame(source, rows[mask], c,
                                                       v[mask].map("{:g}".format), message))
                parsed.append(v.where(~(fraction | outside)))
                continue
            text = data[c].astype("string").fillna("")
            v, p = parse_column(text, Column(**{**spec.__dict__, "name": c}), label=source,
                                rows=rows)
            problems.append(p)
            parsed.append(pd.to_numeric(v, errors="coerce").astype("float64"))
        if len(parsed) > 1:  # the same question in several numberings: one answer per row
            answered = pd.concat([p.notna() for p in parsed], axis=1)
            twice = answered.sum(axis=1) > 1
            if twice.any():
                problems.append(problems_frame(
                    source, rows[twice], present[1], None,
                    f"the row answers {inst.name} item {item} in more than one numbering "
                    f"({', '.join(present)}); keep one"))
        if item in inst.items:
            merged = parsed[0]
            for p in parsed[1:]:
                merged = merged.fillna(p)
            values[item] = merged
    return values, pd.concat(problems, ignore_index=True)


def _row_codings(
    data: pd.DataFrame, inst: Instrument, coding: str | None, answered: pd.Series,
    source: str, rows: pd.Series,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The coding of each row (declared for the file, per row in '<name>_coding', or the
    instrument's only coding) and any problems."""
    column = inst.coding_column
    codings = data[column] if column in data.columns else None
    problems = coding_problems(codings, answered, rows, source, inst, declared=coding)
    if coding is not None:
        per_row = np.full(len(data), coding, dtype=object)
    elif inst.default_coding is not None:
        per_row = np.full(len(data), inst.default_coding, dtype=object)
    elif codings is not None:
        per_row = codings.astype("string").str.strip().fillna("").to_numpy(dtype=object)
    else:
        per_row = np.full(len(data), "", dtype=object)
    return per_row, problems


#: Items read from the same table for the same instrument and coding, by the table's identity
#: (a report scores one survey for many summaries): (weak reference, result).
_READ_CACHE: dict[tuple, tuple[weakref.ref, tuple]] = {}


def read_items(
    data: pd.DataFrame, inst: Instrument, coding: str | None, source: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Checked raw codes, the reversal mask and the per-row coding (raises InputError).

    The result is remembered for the same table object (while it lives), instrument, coding
    and source: summaries, changes and item distributions of one survey read it once. The
    tables passed here are never changed in place, and callers never change the result."""
    key = (id(data), inst.name, coding, source, data.shape)
    hit = _READ_CACHE.get(key)
    if hit is not None and hit[0]() is data:
        return hit[1]
    result = _read_items(data, inst, coding, source)
    if len(_READ_CACHE) > READ_CACHE_SIZE:
        _READ_CACHE.clear()
    _READ_CACHE[key] = (weakref.ref(data), result)
    return result


def _read_items(
    data: pd.DataFrame, inst: Instrument, coding: str | None, source: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rows = _rows(data)
    values, problems = _item_values(data, inst, source, rows)
    answered = values.notna().any(axis=1)
    per_row, coding_probs = _row_codings(data, inst, coding, answered, source, rows)
    _raise(pd.concat([problems, coding_probs], ignore_index=True), source)
    reverse = np.zeros(values.shape, dtype=bool)
    items = np.array(inst.items, dtype=object)
    for c in inst.codings:
        reverse |= np.outer(per_row == c.name, np.isin(items, list(c.reversed_items)))
    return values, reverse, per_row


def apply_scoring(values: pd.DataFrame, reverse: np.ndarray, inst: Instrument) -> pd.DataFrame:
    """Reverse (min + max - x) where required, then rescale when the instrument says so."""
    x = values.to_numpy(dtype=float)
    scored = np.where(reverse, inst.scale_min + inst.scale_max - x, x)
    if inst.rescale_to is not None:
        lo, hi = inst.rescale_to
        scored = lo + (scored - inst.scale_min) * (hi - lo) / (inst.scale_max - inst.scale_min)
    return pd.DataFrame(scored, index=values.index, columns=values.columns)


def item_scores(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    coding: str | None = None,
    source: str = "data",
) -> pd.DataFrame:
    """Item scores after reversal (and rescaling, for the NHS Staff Survey's 0-10 coding):
    one column per scored item key, same index as ``data``, NaN for a blank answer.

    Reversal is ``min + max - x`` for the items the response coding names (e.g. 8 - x on a
    1-7 scale); the coding is ``coding`` if given, else the row's ``<name>_coding`` column,
    else the instrument's only coding. Raises InputError listing every bad cell.
    """
    inst = resolve_instrument(instrument)
    values, reverse, _ = read_items(data, inst, coding, source)
    return apply_scoring(values, reverse, inst)


# ---------------------------------------------------------------------------
# Subscale scores
# ---------------------------------------------------------------------------
def _min_items(sub: Subscale, inst: Instrument, min_share: float | None) -> int:
    if min_share is None:
        return sub.min_items(inst.min_share)
    return Subscale(sub.key, sub.label, sub.items).min_items(min_share)


def _check_share(inst: Instrument, min_share: float | None) -> None:
    if min_share is None:
        return
    if not 0 < min_share <= 1:
        raise InputError(f"min_share must be in (0, 1], got {min_share!r}")
    if inst.total is not None and inst.total.method == "conversion" and min_share != 1:
        raise InputError(f"{inst.name}: every item must be answered (the conversion table is "
                         "defined only for complete raw totals); min_share cannot be changed")


def swemwbs_metric(raw: pd.Series) -> pd.Series:
    """SWEMWBS raw total -> metric score with the published conversion table (V).

    Formula: table look-up, raw 7-35 (integers) -> metric 7.00-35.00 (package data
    ``swemwbs_conversion.csv``; Stewart-Brown et al. 2009). NaN stays NaN; a raw total that
    is not a whole number in 7-35 raises InputError (never interpolated or rounded).
    """
    table = swemwbs_conversion_table()
    raw = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & ~raw.isin(table.index)
    if bad.any():
        raise InputError("SWEMWBS raw totals must be whole numbers from 7 to 35; got "
                         + ", ".join(map(str, raw[bad].unique()[:5])))
    return raw.map(table).astype("float64")


def _prorated_sum(items: pd.DataFrame, answered: pd.Series) -> pd.Series:
    """Sum of the answered items scaled to the full item count (sum x k / answered): the
    plain sum, exactly, when every item is answered."""
    k = items.shape[1]
    total = items.sum(axis=1, min_count=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total.where(answered == k, total * k / answered)


def _scores(scored: pd.DataFrame, inst: Instrument, min_share: float | None) -> pd.DataFrame:
    out = {}
    answered = scored.notna()
    for sub in inst.subscales:
        cols = list(sub.items)
        n = answered[cols].sum(axis=1)
        value = (_prorated_sum(scored[cols], n) if inst.method == "sum"
                 else scored[cols].mean(axis=1, skipna=True))
        out[sub.key] = value.where(n >= _min_items(sub, inst, min_share))
    total = inst.total
    if total is not None:
        if total.method == "item_sum":
            cols = list(inst.items)
            need = Subscale(total.key, total.label, inst.items).min_items(
                inst.min_share if min_share is None else min_share)
            n = answered[cols].sum(axis=1)
            out[total.key] = _prorated_sum(scored[cols], n).where(n >= need)
        elif total.method == "subscale_mean":
            subs = pd.DataFrame({s.key: out[s.key] for s in inst.subscales})
            out[total.key] = subs.mean(axis=1).where(subs.notna().all(axis=1))
        else:  # conversion of the first subscale's (complete) raw total
            out[total.key] = swemwbs_metric(out[inst.subscales[0].key])
    return pd.DataFrame(out, index=scored.index)


def score_responses(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    coding: str | None = None,
    min_share: float | None = None,
    id_column: str = "response_id",
    keep: Sequence[str] | None = None,
    source: str = "data",
) -> pd.DataFrame:
    """Score every response: one row per row of ``data`` (same order and index), with the
    identifier, the ``keep`` columns and one column per subscale (then the total, if any).

    Formula: item scores after reversal (``min + max - x``) for the items the response
    coding names; a subscale is the **mean** (psafe, BPNS, OLBI, NHS Staff Survey) or the
    **sum** (WRQoL, (S)WEMWBS) of its item scores. Missing items follow the instrument's
    declared rule (``Instrument.missing_rule``; ``min_share`` overrides the share where the
    rule allows): a subscale with too few answers is NaN, never silently imputed. Sources
    and V/S/M status are on each instrument and on the ``score_<name>`` functions.

    ``keep`` defaults to whichever of wave_date, team and staff_group are present. Raises
    InputError (naming file ``source``, row, column, value) for any bad input.
    """
    inst = resolve_instrument(instrument)
    _check_share(inst, min_share)
    if id_column not in data.columns:
        raise InputError(f"{source}: required column {id_column!r} is missing; the file has: "
                         + ", ".join(map(str, data.columns)))
    ids = data[id_column]
    rows = _rows(data)
    blank_id = ids.isna() | (ids.astype("string").str.strip() == "")
    dup_id = ~blank_id & ids.duplicated(keep="first")
    id_problems = [empty_problems()]
    if blank_id.any():
        id_problems.append(problems_frame(source, rows[blank_id], id_column, None,
                                          "a response identifier is required"))
    if dup_id.any():
        id_problems.append(problems_frame(source, rows[dup_id], id_column, ids[dup_id],
                                          "duplicate response identifier"))
    try:
        scored = item_scores(data, inst, coding=coding, source=source)
    except InputError as exc:
        item_problems = exc.problems  # type: ignore[attr-defined]
        merged = pd.concat(id_problems + [item_problems], ignore_index=True)
        _raise(merged, source)
        raise
    _raise(pd.concat(id_problems, ignore_index=True), source)
    keep = [c for c in DEFAULT_KEEP if c in data.columns] if keep is None else list(keep)
    missing = [c for c in keep if c not in data.columns]
    if missing:
        raise InputError(f"{source}: column(s) {', '.join(map(repr, missing))} not found")
    head = data[[id_column, *[k for k in keep if k != id_column]]].copy()
    return pd.concat([head, _scores(scored, inst, min_share)], axis=1)


# -- one documented function per instrument ----------------------------------------------
def score_psafe(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Edmondson (1999) team psychological safety, 7 items, status **V**.

    Formula: items 1-7; items 1, 3 and 5 reversed (8 - x); ``psafe`` = mean of the 7 item
    scores. Missing items: scored when at least 80% (6 of 7) are answered (our rule). No
    official cut-offs. Source: Edmondson, Administrative Science Quarterly 1999;44:350-83.
    Keyword arguments as :func:`score_responses`.
    """
    return score_responses(data, "psafe", **kwargs)


def score_bpns(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Basic Psychological Need Satisfaction at Work (Deci & Ryan), 21 items, status **S/V**.

    Formula: items 1-7, reverse = 8 - x; ``autonomy`` = mean(1, 5R, 8, 11R, 13, 17, 20R);
    ``competence`` = mean(3R, 4, 10, 12, 14R, 19R); ``relatedness`` = mean(2, 6, 7R, 9, 15,
    16R, 18R, 21). Missing items: a subscale is scored when at least 80% of its items are
    answered (our rule). Source: selfdeterminationtheory.org scale description.
    """
    return score_responses(data, "bpns", **kwargs)


def score_olbi(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Oldenburg Burnout Inventory, 16 items, status **S**.

    Formula: items 1-4; the response coding must be declared (``coding=`` or an
    ``olbi_coding`` column): under ``agree_1`` (1 = strongly agree) items 2, 3, 4, 6, 8, 9,
    11, 12 are reversed (5 - x); under ``disagree_1`` the other eight, so that higher = more
    burnout either way. ``exhaustion`` = mean(2, 4, 5, 8, 10, 12, 14, 16), ``disengagement``
    = mean(1, 3, 6, 7, 9, 11, 13, 15). Cut-offs (Peterson et al. 2008): exhaustion >= 2.25,
    disengagement >= 2.10, burnout = both (see ``aggregate``). Missing items: 80% rule (ours).
    Source: Demerouti & Bakker 2008.
    """
    return score_responses(data, "olbi", **kwargs)


def score_wrqol(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Work-Related Quality of Life scale, 23 scored items, status **M (awaiting
    confirmation)**.

    Formula: items 1-5; items 7, 9, 19 reversed (6 - x); subscales are sums: ``gwb`` (4, 9,
    10, 15, 17, 21), ``hwi`` (5, 6, 14), ``jcs`` (1, 3, 8, 11, 18, 20), ``caw`` (2, 12, 23),
    ``wcs`` (13, 16, 22), ``saw`` (7, 19); ``wrqol`` = sum of the 23 items (23-115). Item 24
    is not scored. Every item of a scale must be answered (our rule). No norm bands (they are
    in the copyrighted manual). Source: Van Laar, Edwards & Easton 2007.
    """
    return score_responses(data, "wrqol", **kwargs)


def score_swemwbs(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Short Warwick-Edinburgh Mental Wellbeing Scale, 7 items, status **V**.

    Formula: items 1-5, none reversed; ``raw`` = sum (7-35); ``metric`` = the published
    conversion of ``raw`` (package table; never the raw total unconverted). All 7 items
    must be answered. Source: Stewart-Brown et al. 2009.
    """
    return score_responses(data, "swemwbs", **kwargs)


def score_wemwbs(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Warwick-Edinburgh Mental Wellbeing Scale, 14 items, status **V** (missing-item rule
    M).

    Formula: items 1-5, none reversed; ``wemwbs`` = plain sum (14-70). All 14 items must be
    answered by default (our rule; a lower ``min_share`` prorates: mean x 14). Source:
    Tennant et al. 2007.
    """
    return score_responses(data, "wemwbs", **kwargs)


def score_nss_engagement(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """NHS Staff Survey staff engagement from item-level data (e.g. the quarterly pulse),
    status: items **V**, 0-10 coding **S**, minimum answers **M**.

    Formula: answers 1-5 -> 0, 2.5, 5, 7.5, 10 (``(x - 1) x 2.5``); ``motivation`` =
    mean(q2a-c), ``involvement`` = mean(q3c, q3d, q3f), ``advocacy`` = mean(q21a/c/d in
    2021 numbering = q23a/c/d in 2022 = q25a/c/d from 2023), each scored when at least 2 of
    its 3 items are answered (our rule); ``engagement`` = mean of the three sub-scores when
    all are scored (our rule). Local data are not weighted by occupation group (national
    organisation scores are). Source: NHS Staff Survey technical documentation.
    """
    return score_responses(data, "nss_engagement", **kwargs)


def score_nss_morale(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """NHS Staff Survey morale from item-level data, status: items **V**, coding and
    reversals **S**, minimum answers **M**.

    Formula: answers 1-5 -> 0-10 as for engagement, reversed (10 - score) for the
    thinking-about-leaving items (q22a-c in 2021 numbering) and q5a, q5c;
    ``thinking_about_leaving`` = mean(q22a-c), ``work_pressure`` = mean(q3g-i),
    ``stressors`` = mean(q3a, q3e, q5a, q5b, q5c, q7c, q9a), each scored when at least half
    its items are answered (our rule); ``morale`` = mean of the three when all are scored.
    """
    return score_responses(data, "nss_morale", **kwargs)


def nss_item_score(codes: pd.Series, *, reverse: bool = False) -> pd.Series:
    """NHS Staff Survey 0-10 coding of one question's 1-5 answers: 0, 2.5, 5, 7.5, 10, or
    10, 7.5, 5, 2.5, 0 for a negatively worded question (status S). Codes outside 1-5 raise
    InputError."""
    codes = pd.to_numeric(codes, errors="coerce")
    bad = codes.notna() & ~codes.isin([1, 2, 3, 4, 5])
    if bad.any():
        raise InputError("NHS Staff Survey answers must be coded 1-5; got "
                         + ", ".join(map(str, codes[bad].unique()[:5])))
    score = (codes - 1) * 2.5
    return (10 - score) if reverse else score


# ---------------------------------------------------------------------------
# NHS Staff Survey question renumbering (published results)
# ---------------------------------------------------------------------------
def numbering_for_year(years: pd.Series) -> pd.Series:
    """Which tabled numbering ('2021', '2022', '2023') each survey year uses; NA for years
    the package table does not cover (before 2021 or after 2025)."""
    y = pd.to_numeric(years, errors="coerce")
    out = pd.Series(pd.NA, index=years.index, dtype="string")
    out[y == 2021] = NSS_NUMBERINGS[0]
    out[y == 2022] = NSS_NUMBERINGS[1]
    out[(y >= 2023) & (y <= NSS_LAST_TABLED_YEAR)] = NSS_NUMBERINGS[2]
    return out


@cache
def _renumbering() -> pd.DataFrame:
    t = nss_question_table()[["q_2021", "q_2022", "q_2023_2025"]].drop_duplicates()
    t = t.assign(asked_2021=t["q_2021"])
    long = t.melt(id_vars="q_2021", value_vars=["asked_2021", "q_2022", "q_2023_2025"],
                  var_name="numbering", value_name="asked")
    long["numbering"] = long["numbering"].map({"asked_2021": NSS_NUMBERINGS[0],
                                               "q_2022": NSS_NUMBERINGS[1],
                                               "q_2023_2025": NSS_NUMBERINGS[2]})
    return long.drop_duplicates()[["numbering", "asked", "q_2021"]].reset_index(drop=True)


def to_2021_numbering(years: pd.Series, questions: pd.Series) -> pd.Series:
    """The 2021 number of each question asked in ``years`` (vectorised), using the package
    table of 2021, 2022 and 2023-2025 numbering; NA where the year's numbering is not tabled
    or the question is not in the table. E.g. (2023, 'q25c') -> 'q21c'; (2022, 'q9c') ->
    'q9c'."""
    q = questions.astype("string").str.strip().str.lower()
    key = pd.DataFrame({"numbering": numbering_for_year(years), "asked": q})
    merged = key.merge(_renumbering().astype("string"), how="left", on=["numbering", "asked"])
    return pd.Series(merged["q_2021"].to_numpy(), index=questions.index, dtype="string")
