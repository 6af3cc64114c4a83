"""The monthly workforce indicator table, for the service and by team or staff group.

How it scales: cost is one sort of the spells, one hash pass over the staff IDs (none when
a load's integer staff keys are given), and a constant number of vectorised passes over
spells and episodes; memory is O(spells + groups × months + one chunk of episodes), plus an
int32 staff code per episode. Nothing is expanded to spell × month or episode × day rows.

- A spell covers a *range* of months. Its days available are a partial first month, a
  partial last month and the full months between; the full months are added with a
  difference array over months (+FTE at the first full month, −FTE after the last,
  cumulative sum, × days in the month). Headcount, FTE in post, long-serving staff and
  classical-stability stayers are ranges of months too (found with ``searchsorted`` on the
  months' reference days) and use the same difference arrays.
- An episode is cut to the spells of the same staff member it overlaps: spells are sorted
  by (staff code, start), so a staff member's spells are one slice, found by the code; for
  staff with many spells a binary search on (staff code, date) keys narrows the slice.
  Episodes are short, so a piece is split by month only when it crosses a month end;
  episodes are processed in chunks so memory stays bounded.
- Strings (staff IDs, teams, reasons) are turned into integer codes once; every sum is a
  ``numpy.bincount`` into a groups × months grid.

Sums of FTE days are added in a different order than a row-by-row ``groupby`` would, so
they can differ from it in the last bits (about 1e-15 relative); counts are exact.

Why one module of this length: it is the monthly engine, one interval-arithmetic algorithm
whose steps share the same arrays; the definitions it implements are in docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wellbeing_analysis.constants import (
    COVID_RELATED_PATTERN,
    EARLY_LEAVER_MONTHS,
    ENGINE_EPISODE_CHUNK_ROWS,
    ENGINE_FEW_SPELLS,
    LONG_TERM_ABSENCE_DAYS,
    MENTAL_HEALTH_REASON_CODE,
    STABILITY_LOOKBACK_MONTHS,
)
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.workforce.rates import monthly_rates
from wellbeing_analysis.workforce.rules import continuous_periods, is_voluntary

#: Breakdown columns the monthly table may be split by.
GROUP_COLUMNS = ("team", "staff_group")

#: Core columns of the monthly table, in order (a contract with analysts' spreadsheets).
CORE_COLUMNS = (
    "month", "headcount", "fte", "fte_days_available", "fte_days_lost",
    "fte_days_lost_short_term", "fte_days_lost_long_term", "fte_days_lost_s10",
    "fte_days_lost_covid", "absence_rate_pct", "absence_rate_12m_pct", "starters", "leavers",
    "leavers_voluntary", "leavers_early", "turnover_12m_pct", "turnover_voluntary_12m_pct",
    "stability_index_strategy_pct", "stability_index_classical_pct",
)
#: Extra columns of a breakdown by team or staff group.
GROUP_ONLY_COLUMNS = ("moves_in", "moves_out")

# ---------------------------------------------------------------------------
# Codes and day numbers
# ---------------------------------------------------------------------------
def _days(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(int64 day numbers since 1970-01-01, missing mask) of a datetime column."""
    values = dates.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(values)
    return values.astype("datetime64[D]").astype(np.int64), missing


def _flag_by_value(values: pd.Series, test) -> np.ndarray:
    """``test`` applied once per distinct value (an extract repeats few) and mapped back;
    missing values are False."""
    codes, uniques = pd.factorize(values)
    if len(uniques) == 0:
        return np.zeros(len(values), dtype=bool)
    hit = np.append(np.asarray(test(pd.Series(uniques)), dtype=bool), False)
    return hit[codes]  # code -1 (missing) picks the appended False


class _StaffCodes:
    """Integer codes for staff IDs, shared by spells and episodes.

    ``spells`` holds the spells' codes; :meth:`of` maps episodes' IDs to the same codes,
    −1 for an ID with no spell. Arrow-backed strings are hashed in Arrow (no Python string
    objects); a categorical column is looked up through its categories only. A missing ID
    is a value of its own, as a join on the column would treat it.
    """

    def __init__(self, spell_ids: pd.Series) -> None:
        self._arrow: pa.Array | pa.ChunkedArray | None = None
        self._index: pd.Index | None = None
        arrow = _arrow_strings(spell_ids)
        if isinstance(spell_ids.dtype, pd.CategoricalDtype):
            codes = spell_ids.cat.codes.to_numpy().astype(np.int64)
            uniques = spell_ids.cat.categories
            self.spells = np.where(codes < 0, len(uniques), codes)  # missing: a code of its own
            self._index = uniques.append(pd.Index([None], dtype=uniques.dtype))
            self._arrow = _arrow_strings(self._index)
        elif arrow is not None:
            encoded = pc.dictionary_encode(arrow.combine_chunks(), null_encoding="encode")
            self.spells = encoded.indices.to_numpy().astype(np.int64)
            self._arrow = encoded.dictionary
        else:
            codes, uniques = pd.factorize(spell_ids, use_na_sentinel=False)
            self.spells = codes.astype(np.int64)
            self._index = pd.Index(uniques)
        # every code a lookup can return (a category no spell uses included)
        self.n_codes = len(self._index) if self._index is not None else len(self._arrow)

    @staticmethod
    def from_keys(spell_keys: np.ndarray, episode_keys: np.ndarray,
                  ) -> tuple[np.ndarray, np.ndarray, int]:
        """(spells' codes, episodes' codes, number of codes) from integer keys of the IDs
        on one numbering (non-negative, as a factorize numbers them): the codes the IDs
        themselves would get (spells numbered in order of first appearance, −1 for an
        episode's ID with no spell), by integer lookups instead of hashing text."""
        codes, distinct = pd.factorize(spell_keys)
        size = int(max(spell_keys.max(initial=-1), episode_keys.max(initial=-1))) + 1
        lookup = np.full(size, -1, dtype=np.int32)
        lookup[distinct] = np.arange(len(distinct), dtype=np.int32)
        return codes.astype(np.int64), lookup[episode_keys], len(distinct)

    def _lookup(self, values: pd.Series | pd.Index) -> np.ndarray:
        """Codes of the values (−1 where no spell has the value)."""
        arrow = _arrow_strings(values)
        if arrow is not None and self._arrow is not None:
            value_set = (self._arrow if self._arrow.type == arrow.type
                         else self._arrow.cast(arrow.type))  # string vs large_string
            found = pc.index_in(arrow, value_set=value_set, skip_nulls=False)
            return found.fill_null(-1).to_numpy().astype(np.int32)
        if self._index is None:
            self._index = pd.Index(self._arrow.to_pandas())
        return self._index.get_indexer(values).astype(np.int32)

    def of(self, ids: pd.Series) -> np.ndarray:
        """Codes (int32) of a whole column of episodes' staff IDs, in one hash pass."""
        if isinstance(ids.dtype, pd.CategoricalDtype):
            cats = ids.cat.categories
            lookup = self._lookup(cats.append(pd.Index([None], dtype=cats.dtype)))
            return lookup[ids.cat.codes.to_numpy()]  # missing (code −1) picks the last
        return self._lookup(ids)


def _arrow_strings(values: pd.Series | pd.Index) -> pa.Array | pa.ChunkedArray | None:
    """The Arrow string data behind a pyarrow-backed string column, else None."""
    dtype = values.dtype
    arrow_backed = ((isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow")
                    or (isinstance(dtype, pd.ArrowDtype)
                        and pa.types.is_string(dtype.pyarrow_dtype)))
    return values.array.__arrow_array__() if arrow_backed else None  # zero-copy


def _group_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels) of a breakdown column: labels are the values present, sorted;
    a missing value gets code −1 (left out)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.cat.remove_unused_categories()
        values = values.cat.reorder_categories(sorted(values.cat.categories))
        return (values.cat.codes.to_numpy().astype(np.int64),
                np.asarray(values.cat.categories, dtype=object))
    codes, labels = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(labels, dtype=object)


# ---------------------------------------------------------------------------
# Calendar and the groups × months grid
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Calendar:
    """Reporting months (first spell's month .. extract month) with their day bounds and
    reference day (the month's last day, or the extract date in the extract's month)."""

    months: np.ndarray       # month ordinals since January 1970
    first_day: np.ndarray    # day number of each month's first day
    last_day: np.ndarray     # ... and last day
    ref_day: np.ndarray      # day number of each month's reference date
    year_before: np.ndarray  # (reference day + 1) − 1 year: a year's service started by it
    month_of_day: np.ndarray  # month position of each calendar day (a small look-up table)

    @classmethod
    def build(cls, first_day: int, extract_day: int) -> _Calendar:
        m0 = np.datetime64(first_day, "D").astype("datetime64[M]").astype(np.int64)
        m1 = np.datetime64(extract_day, "D").astype("datetime64[M]").astype(np.int64)
        months = np.arange(m0, m1 + 1)
        first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        last = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1
        ref = np.minimum(last, extract_day)
        # a year's service is complete at the end of the day before the anniversary
        # (inclusive dates, as for early leavers): started on or before (ref + 1) − 1 year
        year_before = (pd.to_datetime(ref + 1, unit="D") - pd.DateOffset(years=1))
        year_before = year_before.to_numpy(dtype="datetime64[D]").astype(np.int64)
        month_of_day = np.repeat(np.arange(len(months)), last - first + 1)
        return cls(months, first, last, ref, year_before, month_of_day)

    def __len__(self) -> int:
        return len(self.months)

    def month_of(self, day: np.ndarray) -> np.ndarray:
        """Position (0..K−1) of the month holding each day (days within the calendar): a
        look-up in a table of the calendar's days, which stays in cache."""
        # validated spells never start after the extract date; clip rather than fail if so
        return self.month_of_day[np.clip(day - self.first_day[0], 0, len(self.month_of_day) - 1)]

    @property
    def labels(self) -> np.ndarray:
        return np.asarray(pd.PeriodIndex.from_ordinals(self.months, freq="M").strftime("%Y-%m"),
                          dtype=object)


class _Grid:
    """Sums into a groups × months array with ``bincount`` (one flat index per cell)."""

    def __init__(self, n_groups: int, n_months: int) -> None:
        self.g, self.k = n_groups, n_months

    def at(self, group: np.ndarray, month: np.ndarray,
           weight: np.ndarray | None = None) -> np.ndarray:
        """Σ weight (or a count) of entries at (group, month)."""
        flat = group * self.k + month
        out = np.bincount(flat, weights=weight, minlength=self.g * self.k)
        return out.reshape(self.g, self.k)

    def ranges(self, group: np.ndarray, lo: np.ndarray, hi: np.ndarray,
               weight: np.ndarray | None = None) -> np.ndarray:
        """Σ weight (or a count) of entries over every month lo..hi (inclusive; rows with
        lo > hi add nothing), by a difference array and a cumulative sum over months.

        A float sum is set to exactly 0 where no entry covers the cell: a cumulative sum
        of +w and −w can leave a residue of 1e-16 that would turn a blank rate into a
        number.
        """
        keep = lo <= hi
        group, lo, hi = group[keep], lo[keep], hi[keep]
        w = None if weight is None else weight[keep]
        width = self.k + 1
        size = self.g * width
        diff = (np.bincount(group * width + lo, weights=w, minlength=size)
                - np.bincount(group * width + hi + 1, weights=w, minlength=size))
        out = np.cumsum(diff.reshape(self.g, width), axis=1)[:, :self.k]
        if weight is not None:
            covered = self.ranges(group, lo, hi)
            out[covered == 0] = 0.0
        return out


# ---------------------------------------------------------------------------
# Spells: continuous service, starters and leavers
# ---------------------------------------------------------------------------
@dataclass
class _Spells:
    """Spell arrays sorted by (staff code, start day)."""

    staff: np.ndarray         # staff code
    first: np.ndarray         # start day
    last: np.ndarray          # end day, or the extract day if open; never after it
    fte: np.ndarray
    group: np.ndarray         # group code (0 for the service; −1: no group, left out)
    period: np.ndarray        # continuous-service chain number
    period_start: np.ndarray
    period_end: np.ndarray    # never after the extract day
    is_start: np.ndarray
    is_leave: np.ndarray
    voluntary: np.ndarray
    early: np.ndarray


def _add_months_to_days(days: np.ndarray, months: int) -> np.ndarray:
    """``days + DateOffset(months=months)`` computed once per distinct day."""
    uniq, inverse = np.unique(days, return_inverse=True)
    shifted = pd.to_datetime(uniq, unit="D") + pd.DateOffset(months=months)
    return shifted.to_numpy(dtype="datetime64[D]").astype(np.int64)[inverse]


def _staff_order(staff: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Positions sorting spells by (staff code, start day), ties in file order. An extract
    listing staff in order (codes number them by first appearance) is sorted already: one
    pass checks it, a hundred times cheaper than the sort."""
    step = np.diff(staff)
    if np.all((step > 0) | ((step == 0) & (first[1:] >= first[:-1]))):
        return np.arange(len(staff))
    return np.lexsort((first, staff))


def _prepare(spells: pd.DataFrame, staff: np.ndarray, extract_day: int,
             by: str | None) -> tuple[_Spells, np.ndarray]:
    """Sorted spell arrays and the sorted group labels (one ``service`` label if ``by`` is
    None). Definitions as :func:`~wellbeing_analysis.workforce.prepare_spells`."""
    first, _ = _days(spells["start_date"])
    end, open_ = _days(spells["end_date"])
    end = np.where(open_, extract_day, end)  # open spells run to the extract date
    order = _staff_order(staff, first)
    staff, first, end, open_ = staff[order], first[order], end[order], open_[order]
    # periods of continuous service (the rule of workforce.rules), per spell
    heads, head_end = continuous_periods(staff, first, end, 1)
    period = np.repeat(np.arange(len(heads)), np.diff(np.append(heads, len(staff))))
    p_start, p_end = first[heads][period], head_end[period]
    last = np.minimum(end, extract_day)
    p_end = np.minimum(p_end, extract_day)
    fte = spells["fte"].to_numpy(dtype=float)[order]
    if by:
        group, labels = _group_codes(spells[by])
        group = group[order]
    else:
        group, labels = np.zeros(len(first), dtype=np.int64), np.array(["service"], dtype=object)
    is_start = first == p_start
    is_leave = ~open_ & (end == p_end)
    voluntary = is_leave & _flag_by_value(spells["leaving_reason"], is_voluntary)[order]
    # early leaver: last day + 1 before the start of continuous service + 12 months
    early = np.zeros(len(first), dtype=bool)
    leave = np.flatnonzero(is_leave)
    early[leave] = end[leave] + 1 < _add_months_to_days(p_start[leave], EARLY_LEAVER_MONTHS)
    return _Spells(staff, first, last, fte, group, period, p_start, p_end, is_start,
                   is_leave, voluntary, early), labels


def _moves(sp: _Spells, grid: _Grid, cal: _Calendar) -> dict[str, np.ndarray]:
    """Internal moves into and out of each group: a spell following (preceding) one of the
    same continuous period in another group; counted in its first (last) month."""
    same_prev = np.concatenate(([False], sp.period[1:] == sp.period[:-1]))
    moved_in = same_prev & np.concatenate(([True], sp.group[1:] != sp.group[:-1]))
    same_next = np.concatenate((sp.period[:-1] == sp.period[1:], [False]))
    moved_out = same_next & np.concatenate((sp.group[:-1] != sp.group[1:], [True]))
    inn = moved_in & (sp.group >= 0)
    out = moved_out & (sp.group >= 0)
    return {
        "moves_in": grid.at(sp.group[inn], cal.month_of(sp.first[inn])),
        "moves_out": grid.at(sp.group[out], cal.month_of(sp.last[out])),
    }


def _spell_sums(sp: _Spells, grid: _Grid, cal: _Calendar) -> dict[str, np.ndarray]:
    """Days available, headcount, FTE, long-serving staff, stayers, starters, leavers."""
    ok = (sp.group >= 0) & (sp.last >= sp.first)
    g, f, l, w = sp.group[ok], sp.first[ok], sp.last[ok], sp.fte[ok]
    mf, ml = cal.month_of(f), cal.month_of(l)
    # days available: partial first and last months, full months in between
    one = mf == ml
    first_part = np.where(one, l, cal.last_day[mf]) - f + 1
    last_part = l - cal.first_day[ml] + 1
    available = grid.at(g, mf, w * first_part)
    available += grid.at(g[~one], ml[~one], (w * last_part)[~one])
    available += grid.ranges(g, mf + 1, ml - 1, w) * (cal.last_day - cal.first_day + 1)
    # in post at a month's reference day: months a..b
    a = np.searchsorted(cal.ref_day, f, side="left")
    b = np.searchsorted(cal.ref_day, l, side="right") - 1
    headcount = grid.ranges(g, a, b)
    fte = grid.ranges(g, a, b, w)
    # with a year's continuous service at the reference day: from month c on
    c = np.searchsorted(cal.year_before, sp.period_start[ok], side="left")
    long_serving = grid.ranges(g, np.maximum(a, c), b)
    # classical stability: in post at month m and continuously in post at the reference
    # day of m + 12 (period end on or after it): counted in month m + 12
    d = np.searchsorted(cal.ref_day, sp.period_end[ok], side="right") - 1
    lag = STABILITY_LOOKBACK_MONTHS
    stayers = grid.ranges(g, a + lag, np.minimum(b, d - lag) + lag)
    starts, leaves = sp.is_start[ok], sp.is_leave[ok]
    ends = {name: grid.at(g[leaves & flag], ml[leaves & flag]) for name, flag in (
        ("leavers", True), ("leavers_voluntary", sp.voluntary[ok]),
        ("leavers_early", sp.early[ok]))}
    return {"fte_days_available": available, "headcount": headcount, "fte": fte,
            "long_serving": long_serving, "stayers": stayers,
            "starters": grid.at(g[starts], mf[starts]), **ends}


# ---------------------------------------------------------------------------
# Episodes: days lost
# ---------------------------------------------------------------------------
_LOST = ("fte_days_lost", "fte_days_lost_short_term", "fte_days_lost_long_term",
         "fte_days_lost_s10", "fte_days_lost_covid")


@dataclass
class _SpellIndex:
    """Where each staff member's spells sit in the sorted spell arrays, and binary-search
    keys (staff << 32 | day − base) for staff members with many spells."""

    offset: np.ndarray       # position of the staff member's first spell
    count: np.ndarray        # number of spells
    start_key: np.ndarray
    end_key_max: np.ndarray  # running maximum of end keys (per staff: codes dominate)
    base: int

    @classmethod
    def build(cls, sp: _Spells, n_staff: int) -> _SpellIndex:
        count = np.bincount(sp.staff, minlength=n_staff + 1)
        offset = np.concatenate(([0], np.cumsum(count)[:-1]))
        base = int(min(sp.first.min(), sp.last.min())) - 1
        return cls(offset, count, (sp.staff << 32) | (sp.first - base),
                   np.maximum.accumulate((sp.staff << 32) | (sp.last - base)), base)

    def candidates(self, staff: np.ndarray, first: np.ndarray,
                   last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(episode row, spell position) pairs that may overlap: the caller keeps those that
        do. An unknown staff code (−1) has none.

        Most staff have one or two spells: all of them are tried. For staff with more, the
        candidates run from the first spell whose running-maximum end reaches the
        episode's start to the last that starts by its end (binary search); with
        non-overlapping spells (validated data) every one of those overlaps.
        """
        known = staff >= 0
        code = np.where(known, staff, len(self.count) - 1)
        lo = self.offset[code]
        n = np.where(known, self.count[code], 0)
        many = np.flatnonzero(n > ENGINE_FEW_SPELLS)
        if len(many):
            # days before every spell are clipped to the base (a day before the first
            # spell day): the same spells qualify and the key stays non-negative
            k = staff[many] << 32
            f_key = k | (np.maximum(first[many], self.base) - self.base)
            l_key = k | (np.maximum(last[many], self.base) - self.base)
            lo[many] = np.searchsorted(self.end_key_max, f_key, side="left")
            n[many] = (np.searchsorted(self.start_key, l_key, side="right") - lo[many]).clip(0)
        if (n == 1).all():
            return np.arange(len(staff)), lo
        rows = np.repeat(np.arange(len(staff)), n)
        offset = np.arange(len(rows)) - np.repeat(np.cumsum(n) - n, n)
        return rows, lo[rows] + offset


def _covid_flags(related: pd.Series) -> np.ndarray:
    """Related reason mentions COVID-19 or coronavirus (any case)."""
    return _flag_by_value(related, lambda u: u.astype("string").str.contains(
        COVID_RELATED_PATTERN, case=False, na=False))


def _absence_sums(sp: _Spells, episodes: pd.DataFrame, codes: np.ndarray, n_codes: int,
                  extract_day: int, grid: _Grid, cal: _Calendar, long_term_days: int,
                  chunk_rows: int) -> dict[str, np.ndarray]:
    """FTE days lost (all, short/long-term, S10, COVID-related), chunk by chunk.

    ``codes`` are the episodes' staff codes (−1: no spell), ``n_codes`` every code there
    is. Each episode is cut to the spells it overlaps (each piece at that spell's FTE and
    group); a piece crossing a month end is split into one part per month.
    """
    flat_size = grid.g * grid.k
    sums = {name: np.zeros(flat_size) for name in _LOST}
    idx = _SpellIndex.build(sp, n_codes)
    for lo in range(0, len(episodes), chunk_rows):
        e = episodes.iloc[lo:lo + chunk_rows]
        first, _ = _days(e["start_date"])
        last, ongoing = _days(e["end_date"])
        last = np.minimum(np.where(ongoing, extract_day, last), extract_day)
        # long-term by the whole episode's length (to the extract date if ongoing)
        long_term = (last - first + 1) >= long_term_days
        # (compared once per distinct code: a comparison per row of Python strings is slower)
        s10 = _flag_by_value(e["reason_code"], lambda u: u == MENTAL_HEALTH_REASON_CODE)
        covid = (_covid_flags(e["related_reason"]) if "related_reason" in e
                 else np.zeros(len(e), dtype=bool))
        rows, pos = idx.candidates(codes[lo:lo + chunk_rows].astype(np.int64), first, last)
        p_first = np.maximum(first[rows], sp.first[pos])
        p_last = np.minimum(last[rows], sp.last[pos])
        keep = (p_last >= p_first) & (sp.group[pos] >= 0)
        if not keep.all():
            rows, pos, p_first, p_last = rows[keep], pos[keep], p_first[keep], p_last[keep]
        mf, ml = cal.month_of(p_first), cal.month_of(p_last)
        cross = np.flatnonzero(ml > mf)
        if len(cross):  # the few pieces crossing a month end: one more part per month
            n = ml[cross] - mf[cross]
            part = np.repeat(cross, n)
            month = mf[part] + 1 + (np.arange(len(part)) - np.repeat(np.cumsum(n) - n, n))
            more_first = cal.first_day[month]
            more_last = np.minimum(p_last[part], cal.last_day[month])
            p_last[cross] = cal.last_day[mf[cross]]  # the first part ends at its month end
            rows = np.concatenate((rows, rows[part]))
            pos = np.concatenate((pos, pos[part]))
            mf = np.concatenate((mf, month))
            p_first = np.concatenate((p_first, more_first))
            p_last = np.concatenate((p_last, more_last))
        lost = sp.fte[pos] * (p_last - p_first + 1)
        flat = sp.group[pos] * grid.k + mf
        lt = long_term[rows]
        # masked weights (0 outside the category) keep one index array for every sum;
        # adding 0.0 leaves a sum unchanged
        for name, weight in (("fte_days_lost", lost),
                             ("fte_days_lost_short_term", np.where(lt, 0.0, lost)),
                             ("fte_days_lost_long_term", np.where(lt, lost, 0.0)),
                             ("fte_days_lost_s10", np.where(s10[rows], lost, 0.0)),
                             ("fte_days_lost_covid", np.where(covid[rows], lost, 0.0))):
            sums[name] += np.bincount(flat, weights=weight, minlength=flat_size)
    return {name: v.reshape(grid.g, grid.k) for name, v in sums.items()}


# ---------------------------------------------------------------------------
# The monthly table
# ---------------------------------------------------------------------------
def _check_inputs(spells: pd.DataFrame, episodes: pd.DataFrame, by: str | None) -> None:
    need_s = {"staff_id", "team", "staff_group", "fte", "start_date", "end_date", "leaving_reason"}
    need_e = {"staff_id", "start_date", "end_date", "reason_code"}
    for name, df, need in (("staff_spells", spells, need_s), ("absence_episodes", episodes, need_e)):
        missing = need - set(df.columns)
        if missing:
            raise InputError(f"{name}: missing column(s) {', '.join(sorted(missing))}")
    if by is not None and by not in GROUP_COLUMNS:
        raise InputError(f"--by must be one of {', '.join(GROUP_COLUMNS)}, not {by!r}")
    if spells.empty:
        raise InputError("staff_spells has no rows: nothing to compute")


def monthly_indicators(
    spells: pd.DataFrame,
    episodes: pd.DataFrame,
    *,
    extract_date: str | pd.Timestamp,
    by: str | None = None,
    long_term_days: int = LONG_TERM_ABSENCE_DAYS,
    chunk_rows: int = ENGINE_EPISODE_CHUNK_ROWS,
    staff_keys: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Monthly workforce indicators for the service, or by ``team`` / ``staff_group``.

    One row per month (and group) from the first spell's month to the extract month.
    Formulas (NHS Digital sickness absence and workforce statistics; docs/metrics.md):

    - headcount = staff with a spell covering the month's last day (the extract date in the
      extract's month); fte = their summed FTE.
    - fte_days_available = Σ FTE × calendar days in post in the month.
    - fte_days_lost = Σ FTE × calendar days of sickness in the month inside a spell; split
      into short- and long-term (whole episode ``>= long_term_days``), S10, COVID-related.
    - absence_rate_pct = 100 × fte_days_lost ÷ fte_days_available (days summed first);
      absence_rate_12m_pct = 100 × 12 months' days lost ÷ 12 months' days available.
    - starters / leavers: spells starting / ending a continuous period of service (a move or
      FTE change is neither; an open spell is not a leaver); leavers_voluntary uses the
      'Voluntary Resignation' reasons; leavers_early had < 12 months' continuous service.
    - turnover_12m_pct = 100 × leavers in the 12 months to m ÷ mean(headcount at the end of
      month m − 12, headcount at m) (NHS Digital leaver rate); likewise voluntary.
    - stability_index_strategy_pct = 100 × staff in post with ≥ 1 year's continuous service
      ÷ staff in post (Model Strategy definition).
    - stability_index_classical_pct = 100 × staff in post 12 months ago still in post now
      (continuously) ÷ staff in post 12 months ago (NHS Digital / HR practice).
    - by group only: moves_in / moves_out = internal moves into / out of the group.

    Rolling and look-back columns are blank until 12 months of history exist. Spells with
    no ``by`` value are left out of a breakdown. ``chunk_rows`` episodes are processed at a
    time (it bounds memory, not the result). ``staff_keys``, when the caller has them
    (:meth:`~wellbeing_analysis.loading.ServiceData.staff_keys`), are integer keys of the
    spells' and episodes' staff IDs on one numbering (equal keys = equal IDs): the IDs are
    then not hashed again (the result is the same). The method (interval arithmetic, no
    spell × month expansion) is described in this module's docstring.
    """
    _check_inputs(spells, episodes, by)
    extract_day = int(np.datetime64(pd.Timestamp(extract_date).date(), "D").astype(np.int64))
    if staff_keys is None:
        staff = _StaffCodes(spells["staff_id"])
        spell_codes, n_codes = staff.spells, staff.n_codes
    else:
        spell_codes, episode_codes, n_codes = _StaffCodes.from_keys(*staff_keys)
    sp, labels = _prepare(spells, spell_codes, extract_day, by)
    cal = _Calendar.build(int(sp.first.min()), extract_day)
    grid = _Grid(len(labels), len(cal))

    cols = _spell_sums(sp, grid, cal)
    if staff_keys is None:
        episode_codes = staff.of(episodes["staff_id"])
    cols.update(_absence_sums(sp, episodes, episode_codes, n_codes, extract_day, grid, cal,
                              long_term_days, chunk_rows))
    if by:
        cols.update(_moves(sp, grid, cal))
    cols.update(monthly_rates(cols))

    n_groups, n_months = grid.g, grid.k
    out = {"month": np.tile(cal.labels, n_groups)}
    if by:
        out[by] = np.repeat(labels, n_months)
    int_cols = {"headcount", "starters", "leavers", "leavers_voluntary", "leavers_early",
                *GROUP_ONLY_COLUMNS}
    names = list(CORE_COLUMNS[1:]) + (list(GROUP_ONLY_COLUMNS) if by else [])
    for name in names:
        values = cols[name].reshape(-1)
        out[name] = values.astype(np.int64) if name in int_cols else values.astype(float)
    return pd.DataFrame(out)

