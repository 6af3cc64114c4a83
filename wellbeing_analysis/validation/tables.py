"""Checks of the core tables beyond their columns: overlaps, leavers without a reason,
absence outside employment, unique IDs, PDSA cycles' interventions, exit/stay records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import HISTORY_GAP_MONTHS, PDSA_SCOPE_KINDS
from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.schema.scope import parse_scope, scope_errors
from wellbeing_analysis.validation.reading import ROW
from wellbeing_analysis.validation.text import (
    arrow_text,
    factorize_text,
    factorize_values,
    positions_in,
)
from wellbeing_analysis.workforce.rules import ONE_DAY, continuous_periods


def _overlaps(key: np.ndarray, start: np.ndarray, end: np.ndarray, rows: np.ndarray,
              label: str, what: str) -> pd.DataFrame:
    """Rows sorted by (staff key, start) that start on or before the latest end among the
    same staff ID's earlier rows: every overlap, not just with the previous row (which would
    miss e.g. a third spell inside a long first one). ``start`` and ``end`` are int64
    nanoseconds (no missing values), ``rows`` the spreadsheet rows; the message names the
    row holding that latest end.

    The running latest end per staff ID is one running maximum over the whole table of
    (key, rank of the end): keys ascend, so no ID's maximum carries into the next."""
    n = len(key)
    if n < 2:
        return empty_problems()
    codes, distinct = factorize_values(end)
    order = np.argsort(distinct, kind="stable")
    ends = distinct[order]
    rank = np.empty(len(distinct), dtype=np.int32)
    rank[order] = np.arange(len(distinct), dtype=np.int32)
    end_rank = rank[codes]
    del codes
    width = np.int64(len(distinct))
    running = key.astype(np.int64)
    running *= width
    running += end_rank
    np.maximum.accumulate(running, out=running)
    np.remainder(running, width, out=running)  # the running latest end's rank, per staff ID
    # the row holding it: the last row so far whose own end is the running latest end
    holder = np.arange(n, dtype=np.int64 if n >= 2**31 else np.int32)
    holder[end_rank != running] = 0
    del end_rank
    np.maximum.accumulate(holder, out=holder)
    overlap = np.zeros(n, dtype=bool)
    overlap[1:] = (key[1:] == key[:-1]) & (start[1:] <= ends[running[:-1]])
    if not overlap.any():
        return empty_problems()
    earlier = np.flatnonzero(overlap) - 1
    return problems_frame(
        label, rows[overlap], "start_date",
        pd.Series(start[overlap].view("datetime64[ns]")).dt.strftime("%Y-%m-%d"),
        f"{what} overlaps another {what} of the same staff_id (row "
        + pd.Series(rows[holder[earlier]]).astype(str) + ")")


def _ns(dates: pd.Series) -> np.ndarray:
    """Dates as int64 nanoseconds (comparable across columns of any resolution)."""
    return dates.to_numpy(dtype="datetime64[ns]").view("i8")


def _ns_ends(ends: pd.Series, take: np.ndarray, extract) -> tuple[np.ndarray, np.ndarray]:
    """End dates at ``take`` (positions or a mask) as int64 nanoseconds, a missing end (open:
    it runs to the extract date) replaced by ``extract``; and which were missing."""
    out = _ns(ends)[take]  # (a copy: filled in place)
    missing = out == np.iinfo(np.int64).min  # NaT
    out[missing] = pd.Timestamp(extract).as_unit("ns").value
    return out, missing


def _first_seen(codes: np.ndarray) -> np.ndarray:
    """``codes`` renumbered in order of first appearance (as :func:`pandas.factorize` numbers
    them), so that a sort by key lists staff IDs in the order they first appear."""
    if len(codes) == 0:
        return codes.astype(np.int64)
    n = int(codes.max()) + 1
    first = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    rank = np.empty(n, dtype=np.int64 if n >= 2**31 else np.int32)
    rank[np.argsort(first, kind="stable")] = np.arange(n)
    return rank[codes]


def _staff_keys(tables: list[tuple[pd.DataFrame, tuple | None]],
                ) -> list[tuple[np.ndarray, np.ndarray]]:
    """One integer key per row of each table's ``staff_id``, shared across the tables
    (equal keys = equal IDs as validated: spaces trimmed, case kept), and the rows to check
    (an ID and a start date given).

    Each table comes with its cached ``(codes, distinct values)`` from parsing (or None: its
    parsed values are factorized here), so only the distinct IDs are hashed again."""
    parts, missing = [], []
    for df, cached in tables:
        if cached is None or len(cached[0]) != len(df):
            codes, uniques = pd.factorize(df["staff_id"], use_na_sentinel=False)
            cached = (codes, pd.Series(uniques, dtype="object"))
            blank = pd.isna(cached[1]).to_numpy()
        else:  # a blank cell was parsed as missing
            blank = (pd.isna(cached[1]) | (cached[1] == "")).to_numpy(dtype=bool)
        parts.append(cached)
        missing.append(blank)
    keep = [~blank[codes] & df["start_date"].notna().to_numpy()
            for (df, _), (codes, _), blank in zip(tables, parts, missing, strict=True)]
    if len(parts) == 1:
        return [(np.asarray(parts[0][0]), keep[0])]
    arrow = [arrow_text(u) for _, u in parts]
    if len(parts) == 2 and all(a is not None and a.null_count == 0 for a in arrow):
        # the second table's distinct IDs looked up among the first's: found, its code;
        # else a new code after them (each distinct ID hashed once, or none for IDs of one
        # width in order: text.positions_in)
        found = positions_in(arrow[1], arrow[0])
        new = found < 0
        mapped = np.where(new, len(arrow[0]) + np.cumsum(new) - 1, found)
        small = len(arrow[0]) + len(arrow[1]) < 2**31
        (codes0, _), (codes1, _) = parts
        return [(np.asarray(codes0), keep[0]),
                (mapped.astype(np.int32 if small else np.int64)[codes1], keep[1])]
    # the distinct IDs of every table, encoded together, map each table's codes
    uniques = [u for _, u in parts]
    if any(pd.api.types.is_object_dtype(u) for u in uniques):
        uniques = [u.astype("object") for u in uniques]
    shared, _ = factorize_text(pd.concat(uniques, ignore_index=True))
    out, offset = [], 0
    for (codes, u), k in zip(parts, keep, strict=True):
        out.append((shared[offset:offset + len(u)][codes], k))
        offset += len(u)
    return out


def _cached_key(ctx: dict, table: str) -> tuple | None:
    """The staff_id (codes, distinct values) that parsing kept for ``table``, if any."""
    return ctx.get("keys", {}).get(table, {}).get("staff_id")


def _sorted_by_staff(df: pd.DataFrame, key: np.ndarray, keep: np.ndarray,
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the ``keep`` rows sorted by staff key (numbered in order of first
    appearance among them) and start date, ties in file order; and the sorted keys.

    Key and the start date's rank among the distinct start dates make one integer, sorted
    stably once (nearly in order already when the file lists staff by ID)."""
    at = np.flatnonzero(keep)
    ranked = _first_seen(key[at])
    starts = _ns(df["start_date"])[at]
    date_codes, dates = factorize_values(starts)
    date_rank = np.empty(len(dates), dtype=np.int64)
    date_rank[np.argsort(dates, kind="stable")] = np.arange(len(dates))
    composite = ranked.astype(np.int64)
    composite *= max(len(dates), 1)
    composite += date_rank[date_codes]
    del date_codes, starts
    order = np.argsort(composite, kind="stable")
    del composite
    return at[order], ranked[order]


def check_staff_spells(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Overlapping spells for one staff ID; leavers without a reason (warning)."""
    problems = [empty_problems()]
    [(key, keep)] = _staff_keys([(df, _cached_key(ctx, "staff_spells"))])
    # integer keys: the sort and every groupby below reuse them instead of hashing text
    at, ranked = _sorted_by_staff(df, key, keep)
    s = df.iloc[at][[ROW, "start_date", "end_date", "leaving_reason"]].assign(staff_id=ranked)
    problems.append(_overlaps(ranked, _ns(s["start_date"]),
                              _ns(s["end_date"].fillna(pd.Timestamp.max)),
                              s[ROW].to_numpy(), label, "spell"))
    problems.append(leavings_without_reason(s, label))
    return pd.concat(problems, ignore_index=True)


def leavings_without_reason(s: pd.DataFrame, label: str) -> pd.DataFrame:
    """Spells (sorted by integer staff key and start) that end with no spell the next day:
    a leaving, which should carry a reason (a warning: counted as an unknown reason)."""
    next_start = s["start_date"].groupby(s["staff_id"]).shift(-1)
    leaves = s["end_date"].notna() & ~(next_start == s["end_date"] + ONE_DAY)
    no_reason = leaves & s["leaving_reason"].isna()
    if not no_reason.any():
        return empty_problems()
    return problems_frame(
        label, s.loc[no_reason, ROW], "leaving_reason", None,
        "the staff member leaves the service here but no leaving reason is given "
        "(counted as an unknown reason, not as voluntary)", severity="warning")


def check_absence_episodes(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Overlapping episodes for one staff ID; episodes outside every spell of that staff ID."""
    problems = [empty_problems()]
    extract = ctx["extract_date"]
    spells = ctx.get("tables", {}).get("staff_spells")
    if spells is None:
        [(key, keep)] = _staff_keys([(df, _cached_key(ctx, "absence_episodes"))])
        spell_key = spell_keep = None
    else:
        (key, keep), (spell_key, spell_keep) = _staff_keys(
            [(df, _cached_key(ctx, "absence_episodes")),
             (spells, _cached_key(ctx, "staff_spells"))])
    at, ranked = _sorted_by_staff(df, key, keep)
    start, rows = _ns(df["start_date"])[at], df[ROW].to_numpy()[at]
    end, _ = _ns_ends(df["end_date"], at, extract)
    del at
    problems.append(_overlaps(ranked, start, end, rows, label, "episode"))
    del ranked, start, end, rows

    if spells is None or not spell_keep.any():
        return pd.concat(problems, ignore_index=True)
    problems.append(_history_gap(df.loc[keep, ["start_date"]],
                                 spells.loc[spell_keep, ["start_date"]], label))
    # periods of employment (workforce.rules), from the spells sorted by staff and start
    at, _ = _sorted_by_staff(spells, spell_key, spell_keep)
    period_key, period_start = spell_key[at], _ns(spells["start_date"])[at]
    end, _ = _ns_ends(spells["end_date"], at, extract)
    heads, period_end = continuous_periods(period_key, period_start, end, ONE_DAY.value)
    periods = (period_key[heads], period_start[heads], period_end)
    del at, period_key, period_start, end, heads, period_end
    end, open_ended = _ns_ends(df["end_date"], keep, extract)
    status = _within_periods(key[keep], _ns(df["start_date"])[keep], end, open_ended, *periods)
    del end, open_ended
    by_row = _any_per_row(df[ROW].to_numpy()[keep], status)
    position = np.flatnonzero(keep)[by_row["first"].to_numpy()]  # of each row in df

    def at_rows(mask: pd.Series) -> tuple[pd.Index, np.ndarray]:
        return by_row.index[mask.to_numpy()], position[mask.to_numpy()]

    unknown, where = at_rows(~by_row["known"])
    if len(unknown):
        problems.append(problems_frame(label, unknown, "staff_id", df["staff_id"].iloc[where],
                                       "this staff_id has no spell in staff_spells"))
    outside, where = at_rows(by_row["known"] & ~by_row["inside"]
                             & ~by_row["ongoing_after_leaving"])
    if len(outside):
        problems.append(problems_frame(
            label, outside, "start_date", df["start_date"].iloc[where].dt.strftime("%Y-%m-%d"),
            "the episode falls (partly) outside every spell of this staff_id in staff_spells"))
    after, _ = at_rows(by_row["ongoing_after_leaving"] & ~by_row["inside"])
    if len(after):
        problems.append(problems_frame(
            label, after, "end_date", None,
            "ongoing episode for a staff member who has left: days after leaving are not "
            "counted; close the episode", severity="warning"))
    return pd.concat(problems, ignore_index=True)


def _within_periods(key: np.ndarray, start: np.ndarray, end_eff: np.ndarray,
                    open_ended: np.ndarray, pk: np.ndarray, ps: np.ndarray, pe: np.ndarray,
                    ) -> dict[str, np.ndarray]:
    """Per episode (staff key, start and end as int64 nanoseconds, open or not), where it
    lies against its staff ID's periods of employment (staff key, start, end as int64
    nanoseconds; a period may repeat): 'known'
    (the ID has a period), 'inside' one, 'starts_in' one, 'ongoing_after_leaving' (starts
    in one, open, and runs past its end).

    A staff ID's periods never overlap (a period starts after every earlier one ends; see
    ``workforce.rules.employment_periods``), so only the period with the latest start on
    or before the episode's start can hold it (of periods starting the same day, the one
    ending last): each episode is matched to that one period, with no table of
    episodes × periods."""
    pk = pk.astype(np.int64)
    if len(pk) == 0:
        none = np.zeros(len(key), dtype=bool)
        return {"known": none, "inside": none, "starts_in": none,
                "ongoing_after_leaving": none}
    order = np.lexsort((pe, ps, pk))  # by key and start; of equal starts, the longest last
    pk, ps, pe = pk[order], ps[order], pe[order]
    n_keys = int(max(pk.max(initial=-1), key.max(initial=-1))) + 1
    small = max(n_keys, len(pk)) < 2**31
    index_type = np.int32 if small else np.int64
    pk = pk.astype(index_type)
    count = np.bincount(pk, minlength=n_keys).astype(index_type)
    # a staff ID with one period (the usual case): that period; with several, a binary
    # search by (key, rank of the start among the distinct period starts) as one integer
    hit = (np.cumsum(count) - count).astype(index_type)[key]
    periods_of = count[key]
    several = periods_of > 1
    if several.any():
        distinct = np.unique(ps)
        base = len(distinct) + 1
        period_code = pk.astype(np.int64) * base + np.searchsorted(distinct, ps, side="right")
        episode_code = (key[several].astype(np.int64) * base
                        + np.searchsorted(distinct, start[several], side="right"))
        hit[several] = np.searchsorted(period_code, episode_code, side="right") - 1
    np.clip(hit, 0, len(pk) - 1, out=hit)  # (none found: the key or start test fails)
    same = periods_of > 0
    del periods_of, several
    same &= pk[hit] == key
    same &= ps[hit] <= start
    end_at = pe[hit]
    del hit
    has_period = count > 0
    starts_in = same & (start <= end_at)
    ends_in = end_eff <= end_at
    return {
        "known": has_period[key],
        "inside": starts_in & ends_in,
        "starts_in": starts_in,
        "ongoing_after_leaving": starts_in & ~ends_in & open_ended,
    }


def _any_per_row(rows: np.ndarray, flags: dict[str, np.ndarray]) -> pd.DataFrame:
    """Each flag's any() per spreadsheet row, in row order, with the position of each row's
    first episode ('first'). Rows are unique and ascending in a file read by
    :func:`.reading.read_raw`; a table built otherwise is grouped by row."""
    if len(rows) < 2 or bool(np.all(rows[1:] > rows[:-1])):
        out = pd.DataFrame(flags, index=pd.Index(rows, name=ROW))
        out["first"] = np.arange(len(rows))
        return out
    codes, distinct = pd.factorize(rows, sort=True)
    out = pd.DataFrame(
        {name: np.bincount(codes, weights=flag.astype(float), minlength=len(distinct)) > 0
         for name, flag in flags.items()}, index=pd.Index(distinct, name=ROW))
    first = np.full(len(distinct), len(rows), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(rows), dtype=np.int64))
    out["first"] = first
    return out


def _history_gap(episodes: pd.DataFrame, spells: pd.DataFrame, label: str) -> pd.DataFrame:
    """A warning when absence records begin long after the staff spells do: an extract of
    the last months' absence beside long-serving staff's spells would read the earlier
    months as free of sickness."""
    if episodes.empty or spells.empty:
        return empty_problems()
    first_episode = episodes["start_date"].min().to_period("M")
    first_spell = spells["start_date"].min().to_period("M")
    if (first_episode - first_spell).n <= HISTORY_GAP_MONTHS:
        return empty_problems()
    return problems_frame(
        label, None, "start_date", None,
        f"absence records begin in {first_episode} but staff spells go back to {first_spell}: "
        "if the extract holds no absence (or leavers) before then, set data_start in the "
        "params so that earlier months are not read as free of sickness", severity="warning")


def unique_ids(df: pd.DataFrame, label: str, column: str) -> pd.DataFrame:
    dup = df[column].notna() & df[column].duplicated(keep="first")
    if not dup.any():
        return empty_problems()
    return problems_frame(label, df.loc[dup, ROW], column, df.loc[dup, column],
                          f"{column} must be unique but this value appears earlier in the file")


def check_interventions(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Intervention IDs are unique."""
    return unique_ids(df, label, "intervention_id")


def check_pdsa_cycles(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Cycle IDs unique; interventions exist; a rebase has a reason."""
    problems = [unique_ids(df, label, "cycle_id")]
    interventions = ctx.get("tables", {}).get("interventions")
    known = set() if interventions is None else set(interventions["intervention_id"].dropna())
    bad = df["intervention_id"].notna() & ~df["intervention_id"].isin(known)
    if bad.any():
        problems.append(problems_frame(label, df.loc[bad, ROW], "intervention_id",
                                       df.loc[bad, "intervention_id"],
                                       "no intervention with this ID in interventions"))
    rebase = df["rebase_at_start"].fillna(False).astype(bool)
    no_reason = rebase & df["rebase_reason"].isna()
    if no_reason.any():
        problems.append(problems_frame(label, df.loc[no_reason, ROW], "rebase_reason", None,
                                       "a rebase needs a reason: say which sustained signal "
                                       "justifies new limits"))
    if "scope" in df.columns:
        problems.append(_check_scopes(df, label, ctx))
    return pd.concat(problems, ignore_index=True)


def _check_scopes(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Each scope is well formed and names teams or staff groups found in staff_spells."""
    spells = ctx.get("tables", {}).get("staff_spells")
    known = {kind: (set() if spells is None or kind not in spells else
                    set(spells[kind].dropna().astype(str))) for kind in PDSA_SCOPE_KINDS}
    verdicts = scope_errors(df["scope"])  # one check per distinct scope text, not per row
    for text in df["scope"].dropna().unique():
        if text in verdicts:
            continue
        scope = parse_scope(text)
        missing = [n for n in scope.names if spells is not None and n not in known[scope.kind]]
        if missing:
            what = scope.kind.replace("_", " ")
            verdicts[text] = (f"no {what} called {', '.join(repr(m) for m in missing)} in "
                              f"staff_spells (known: {', '.join(sorted(known[scope.kind]))})")
    problem = df["scope"].map(verdicts)
    bad = problem.notna()
    if not bad.any():
        return empty_problems()
    return problems_frame(label, df.loc[bad, ROW], "scope", df.loc[bad, "scope"],
                          problem[bad])



def check_exit_stay_reasons(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """One kind and date per record; a category given twice for a record is counted once
    (warning); 'voluntary' applies to leaving reasons only (warning)."""
    problems = [empty_problems()]
    d = df.dropna(subset=["record_id"])
    for column in ("kind", "date"):
        first = d.groupby("record_id")[column].transform("first")
        differs = d[column].notna() & first.notna() & (d[column] != first)
        if differs.any():
            shown = (d.loc[differs, column].dt.strftime("%Y-%m-%d") if column == "date"
                     else d.loc[differs, column])
            problems.append(problems_frame(label, d.loc[differs, ROW], column, shown,
                                           f"rows of one record_id must share one {column}"))
    dup = d.duplicated(subset=["record_id", "category"], keep="first") & d["category"].notna()
    if dup.any():
        problems.append(problems_frame(label, d.loc[dup, ROW], "category", d.loc[dup, "category"],
                                       "this record already gives this category; it is "
                                       "counted once", severity="warning"))
    stay_vol = d["kind"].eq("staying") & d["voluntary"].notna()
    if stay_vol.any():
        problems.append(problems_frame(label, d.loc[stay_vol, ROW], "voluntary", None,
                                       "'voluntary' applies to leaving reasons only; it is "
                                       "ignored on a staying reason", severity="warning"))
    return pd.concat(problems, ignore_index=True)

