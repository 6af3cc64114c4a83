"""Disclosure control: the one place small numbers are suppressed before anything reaches a
report table or chart.

Rules (``docs/metrics.md``, 'Small numbers'; thresholds in ``constants``):

1. **Primary suppression.** A count below the threshold (default
   :data:`~wellbeing_analysis.constants.SUPPRESS_COUNT_BELOW` = 5, the NHS Talking Therapies
   and mental health statistics rule) is replaced by the marker (``*``). Zero is not
   suppressed unless ``suppress_zero`` is set (NHS publications show zeros); survey groups
   use :func:`min_group_size`, where an empty group is suppressed too.
2. **Dependent values.** Every value derived from a suppressed count — a mean, a
   percentage, a confidence limit, an alpha — is suppressed with it. Each dependent column
   names the count columns it derives from (a percentage depends on both its numerator and
   its denominator, so it is suppressed when either is).
3. **Shares and rates of people** (:class:`Share`, :func:`protect`). A share, rate or
   index shown for a group is suppressed when its numerator, its complement (the rest of
   the group) or the group itself is a count below the threshold: '1 of 12 left' and
   '11 of 12 stayed' reveal the same person. The numerator and complement need not be
   shown; they are counted for the rule and dropped. :func:`share_shown` applies the same
   rule to a single figure (a sentence in a report, an alt text).
4. **Secondary suppression (our rule).** When the rows of a *partition* add up to a total
   shown elsewhere (e.g. the team rows of one month, when the service row is published), a
   single suppressed count could be recovered by subtraction. So in every partition
   (rows sharing the values of ``partition_columns``) holding exactly one suppressed cell of
   a count column, the smallest other non-zero count of that column (or, failing that, the
   smallest zero) is suppressed as well, with its dependent values. Partitions with a single
   row cannot be protected this way: the caller must not publish their total separately.
   Differencing across different breakdowns (team x staff group) or across periods is not
   handled: publish one breakdown per table.

The functions take any DataFrame and column names as arguments (workforce tables, survey
summaries, reason counts) and never change their input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    MIN_SURVEY_GROUP_SIZE,
    SUPPRESS_COUNT_BELOW,
    SUPPRESSION_MARKER,
)
from wellbeing_analysis.errors import InputError

#: Name of the flag column added by default: True where any cell of the row was suppressed.
FLAG_COLUMN = "suppressed"

Dependents = Mapping[str, Sequence[str]] | Sequence[str]


def _dependency_map(
    dependent_columns: Dependents, count_columns: Sequence[str]
) -> dict[str, list[str]]:
    if isinstance(dependent_columns, Mapping):
        return {d: list(c) for d, c in dependent_columns.items()}
    return {d: list(count_columns) for d in dependent_columns}


def _check_columns(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"suppress: {what} {', '.join(map(repr, missing))} not in the table "
                         f"(columns: {', '.join(map(str, table.columns))})")


def suppression_masks(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    threshold: float = SUPPRESS_COUNT_BELOW,
    partition_columns: Sequence[str] | None = None,
    suppress_zero: bool = False,
) -> pd.DataFrame:
    """Boolean masks (same index, one column per count column): which counts to suppress,
    after primary and secondary suppression. The rules are in the module docstring."""
    masks = {}
    for column in count_columns:
        counts = pd.to_numeric(table[column], errors="coerce")
        low = counts.notna() & (counts < threshold)
        if not suppress_zero:
            low &= counts != 0
        primary = low.to_numpy(dtype=bool)
        mask = primary.copy()
        if partition_columns:
            keys = [table[c] for c in partition_columns]
            n_suppressed = pd.Series(primary, index=table.index).groupby(
                keys, dropna=False, sort=False).transform("sum").to_numpy()
            # rank candidates: smallest non-zero count first, zeros after, never NaN ones
            values = counts.to_numpy(dtype=float)
            big = np.nanmax(np.abs(values)) + 1 if np.isfinite(values).any() else 1.0
            key = np.where(values > 0, values, values + big)
            key = np.where(~primary & ~np.isnan(values) & (n_suppressed == 1), key, np.inf)
            ranked = pd.Series(key, index=table.index)
            needs = pd.Series(n_suppressed == 1, index=table.index)
            if needs.any():
                groups = ranked[needs].groupby([k[needs] for k in keys], dropna=False, sort=False)
                best = groups.min()
                chosen = groups.idxmin()[np.isfinite(best)]
                mask |= table.index.isin(chosen.to_numpy())
        masks[column] = mask
    return pd.DataFrame(masks, index=table.index)


def suppress(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    dependent_columns: Dependents = (),
    threshold: float = SUPPRESS_COUNT_BELOW,
    partition_columns: Sequence[str] | None = None,
    suppress_zero: bool = False,
    marker: str | None = SUPPRESSION_MARKER,
    flag_column: str | None = FLAG_COLUMN,
) -> pd.DataFrame:
    """Suppress small counts and everything derived from them; returns a new table.

    Parameters
    ----------
    table
        Any DataFrame; one row per group (e.g. month x team).
    count_columns
        Columns holding counts (people, responses, leavers, days...). A count below
        ``threshold`` is suppressed (zero only with ``suppress_zero``).
    dependent_columns
        Columns derived from the counts: a list (each depends on every count column) or a
        mapping ``{column: [count columns it derives from]}``. Suppressed with any of them.
    threshold
        Smallest count shown (default 5, NHS Talking Therapies statistics).
    partition_columns
        Columns identifying rows that add up to a published total; enables secondary
        suppression (module docstring, rule 3). None: no secondary suppression.
    marker
        Replaces suppressed cells (default ``*``; those columns become text). None keeps the
        columns numeric with NaN in suppressed cells.
    flag_column
        Name of a boolean column added to say which rows had a cell suppressed (None: none).
    """
    count_columns = list(count_columns)
    deps = _dependency_map(dependent_columns, count_columns)
    _check_columns(table, count_columns, "count column(s)")
    _check_columns(table, list(deps) + [c for cs in deps.values() for c in cs], "column(s)")
    if partition_columns:
        _check_columns(table, list(partition_columns), "partition column(s)")
    masks = suppression_masks(table, count_columns=count_columns, threshold=threshold,
                              partition_columns=partition_columns, suppress_zero=suppress_zero)
    cell_masks: dict[str, np.ndarray] = {c: masks[c].to_numpy() for c in count_columns}
    for dep, sources in deps.items():
        m = np.zeros(len(table), dtype=bool)
        for s in sources:
            m |= masks[s].to_numpy()
        cell_masks[dep] = cell_masks.get(dep, np.zeros(len(table), dtype=bool)) | m
    out = table.copy()
    for column, m in cell_masks.items():
        if not m.any():
            continue
        if marker is None:
            values = pd.to_numeric(out[column], errors="coerce").astype("float64")
            out[column] = values.mask(m)
        else:
            values = out[column].astype(object)
            values[m] = marker
            out[column] = values
    if flag_column is not None:
        flag = np.zeros(len(table), dtype=bool)
        for m in cell_masks.values():
            flag |= m
        out[flag_column] = flag
    return out


def min_group_size(
    table: pd.DataFrame,
    *,
    count_column: str = "n",
    dependent_columns: Sequence[str] = (),
    threshold: int = MIN_SURVEY_GROUP_SIZE,
    partition_columns: Sequence[str] | None = None,
    hide_count: bool = True,
    marker: str | None = SUPPRESSION_MARKER,
    flag_column: str | None = FLAG_COLUMN,
) -> pd.DataFrame:
    """Suppress survey breakdowns with fewer than ``threshold`` responses (default 11, the
    NHS Staff Survey's rule for local breakdowns), including empty groups.

    Every dependent column (means, CIs, percentages, alphas) of a small group is suppressed,
    and its response count too unless ``hide_count`` is False. ``partition_columns`` enables
    secondary suppression exactly as in :func:`suppress` (e.g. ``['wave_date', 'measure']``
    for a table of teams when the service result is also shown).
    """
    out = suppress(table, count_columns=[count_column], dependent_columns=list(dependent_columns),
                   threshold=threshold, partition_columns=partition_columns, suppress_zero=True,
                   marker=marker, flag_column=flag_column)
    if not hide_count:
        out[count_column] = table[count_column]
    return out


def numeric(table: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A copy of a suppressed table with the marker turned back into NaN in ``columns``
    (default: every column holding the marker), for charts: suppressed values are not drawn."""
    out = table.copy()
    if columns is None:
        columns = [c for c in out.columns if out[c].dtype == object
                   and out[c].eq(SUPPRESSION_MARKER).any()]
    for c in columns:
        out[c] = pd.to_numeric(out[c].mask(out[c].eq(SUPPRESSION_MARKER)), errors="coerce")
    return out


# ---------------------------------------------------------------------------
# Shares and rates of people (rule 3)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Share:
    """How a share, rate or index of people shown in a table is made: the count of people it
    counts (``numerator``, a column that may be hidden), the group's count of people
    (``denominator``), and whether the rest of the group (``denominator - numerator``) is
    people too (``complement``: True for a share of a group such as a stability index;
    False for a rate whose denominator is not a count of the same people)."""

    numerator: str | None
    denominator: str
    complement: bool = True


def _small(count: float, threshold: float) -> bool:
    return 0 < count < threshold


def counts_publishable(counts, *, threshold: float = SUPPRESS_COUNT_BELOW) -> bool:
    """True when every count is 0 or at least the threshold (rule 1), so a series of them
    (or of rates with a published denominator) may be shown as it is."""
    values = pd.to_numeric(pd.Series(counts), errors="coerce").to_numpy(dtype=float)
    return not bool(((values > 0) & (values < threshold)).any())


def share_shown(numerator: float, denominator: float, *,
                threshold: float = SUPPRESS_COUNT_BELOW, complement: bool = True) -> bool:
    """Whether a single share ``numerator / denominator`` of people may be shown (rule 3):
    neither the numerator, the rest of the group nor the group is a count below the
    threshold (zero is shown, as in NHS publications)."""
    if _small(denominator, threshold) or _small(numerator, threshold):
        return False
    return not (complement and _small(denominator - numerator, threshold))


def protect(
    table: pd.DataFrame,
    *,
    counts: Sequence[str] = (),
    shares: Mapping[str, Share] | None = None,
    derived: Dependents = (),
    hidden: Sequence[str] = (),
    threshold: float = SUPPRESS_COUNT_BELOW,
    partition_columns: Sequence[str] | None = None,
    marker: str | None = SUPPRESSION_MARKER,
    flag_column: str | None = None,
) -> pd.DataFrame:
    """Suppress a table of counts, shares and other derived figures in one pass (rules 1-4).

    ``counts`` are shown counts of people; ``shares`` maps each shown share column to the
    :class:`Share` it is made of; ``derived`` lists further columns computed from the counts
    (as :func:`suppress`'s ``dependent_columns``); ``hidden`` names count columns used only
    for the rule (e.g. the numerator of a share), dropped from the result. With
    ``partition_columns`` a lone suppressed cell of any count, numerator or complement is
    protected by secondary suppression.
    """
    shares = dict(shares or {})
    work = table.copy()
    count_cols = list(dict.fromkeys(counts))
    deps = _dependency_map(derived, list(counts))
    extra: list[str] = []
    for column, share in shares.items():
        sources = [share.denominator]
        if share.numerator is not None:
            sources.append(share.numerator)
            if share.complement:
                name = f"__rest_of_{column}__"
                work[name] = (pd.to_numeric(work[share.denominator], errors="coerce")
                              - pd.to_numeric(work[share.numerator], errors="coerce"))
                sources.append(name)
                extra.append(name)
        for s in sources:
            if s not in count_cols:
                count_cols.append(s)
        deps[column] = list(dict.fromkeys([*deps.get(column, []), *sources]))
    out = suppress(work, count_columns=count_cols, dependent_columns=deps,
                   threshold=threshold, partition_columns=partition_columns, marker=marker,
                   flag_column=flag_column)
    return out.drop(columns=[*extra, *[h for h in hidden if h in out.columns]])


def rule_statement(*, min_count: int = SUPPRESS_COUNT_BELOW,
                   min_survey_group: int = MIN_SURVEY_GROUP_SIZE) -> str:
    """The disclosure rule in one paragraph, as every report's footer states it (the rules
    in this module's docstring, with the thresholds a report used)."""
    return (f"Small numbers: counts of fewer than {min_count} people are shown as "
            f"'{SUPPRESSION_MARKER}', with every figure worked out from them; a share or rate "
            f"for a group is not shown when the people it counts, the rest of the group or the "
            f"group itself number fewer than {min_count}; where rows add up to a total shown "
            "elsewhere, a second figure is hidden so the first cannot be worked out by "
            f"subtraction. Survey results are shown for groups of {min_survey_group} or more "
            "responses. Leavers are charted by quarter, or not at all, when monthly counts "
            "would be too small to publish. No staff identifiers or free text appear in "
            "this report.")
