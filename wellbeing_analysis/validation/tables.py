"""Checks of the core tables beyond their columns: overlaps, leavers without a reason,
absence outside employment, unique IDs, PDSA cycles' interventions, exit/stay records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import HISTORY_GAP_MONTHS, PDSA_SCOPE_KINDS
from wellbeing_analysis.errors import empty_problems, problems_frame
from wellbeing_analysis.schema.scope import parse_scope, scope_errors
from wellbeing_analysis.validation.reading import ROW
from wellbeing_analysis.workforce.rules import ONE_DAY, employment_periods


def _latest_earlier(
    ends: pd.Series, rows: pd.Series, ids: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """For rows sorted by (id, start): the latest end among the same ID's earlier rows, and
    the spreadsheet row holding it. A row overlaps an earlier one exactly when it starts on or
    before that end (comparing with the previous row only would miss e.g. a third spell inside
    a long first one)."""
    run_max = ends.groupby(ids, sort=False).cummax()
    holder = rows.where(ends.eq(run_max)).groupby(ids, sort=False).ffill()
    return run_max.groupby(ids, sort=False).shift(), holder.groupby(ids, sort=False).shift()


def _overlaps(rows: pd.DataFrame, end: pd.Series, label: str, what: str) -> pd.DataFrame:
    """Rows (sorted by staff ID and start) that start on or before the latest end of an
    earlier row of the same staff ID: every overlap, not just with the previous row."""
    prev_end, prev_row = _latest_earlier(end, rows[ROW], rows["staff_id"])
    overlap = prev_end.notna() & (rows["start_date"] <= prev_end)
    if not overlap.any():
        return empty_problems()
    return problems_frame(
        label, rows.loc[overlap, ROW], "start_date",
        rows.loc[overlap, "start_date"].dt.strftime("%Y-%m-%d"),
        f"{what} overlaps another {what} of the same staff_id (row "
        + prev_row[overlap].astype("Int64").astype(str) + ")")


def check_staff_spells(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Overlapping spells for one staff ID; leavers without a reason (warning)."""
    problems = [empty_problems()]
    s = df.dropna(subset=["staff_id", "start_date"])
    # integer keys: the sort and every groupby below reuse them instead of hashing text
    s = s.assign(staff_id=pd.factorize(s["staff_id"])[0])
    s = s.sort_values(["staff_id", "start_date"], kind="stable")
    end_eff = s["end_date"].fillna(pd.Timestamp.max)
    problems.append(_overlaps(s, end_eff, label, "spell"))
    # a spell that ends with no spell the next day is a leaving; it should carry a reason
    next_start = s["start_date"].groupby(s["staff_id"]).shift(-1)
    leaves = s["end_date"].notna() & ~(next_start == s["end_date"] + ONE_DAY)
    no_reason = leaves & s["leaving_reason"].isna()
    if no_reason.any():
        problems.append(problems_frame(
            label, s.loc[no_reason, ROW], "leaving_reason", None,
            "the staff member leaves the service here but no leaving reason is given "
            "(counted as an unknown reason, not as voluntary)", severity="warning"))
    return pd.concat(problems, ignore_index=True)


def check_absence_episodes(df: pd.DataFrame, label: str, ctx: dict) -> pd.DataFrame:
    """Overlapping episodes for one staff ID; episodes outside every spell of that staff ID."""
    problems = [empty_problems()]
    extract = ctx["extract_date"]
    e = df.dropna(subset=["staff_id", "start_date"])
    spells = ctx.get("tables", {}).get("staff_spells")
    spells = None if spells is None else spells.dropna(subset=["staff_id", "start_date"])
    # integer keys shared by both tables: sorts, groupbys and the merge never hash text
    ids = e["staff_id"] if spells is None else pd.concat([e["staff_id"], spells["staff_id"]])
    codes = pd.factorize(ids)[0]
    shown_ids = df.set_index(ROW)["staff_id"]
    e = e.assign(staff_id=codes[:len(e)], end_eff=e["end_date"].fillna(extract)).sort_values(
        ["staff_id", "start_date"], kind="stable")
    problems.append(_overlaps(e, e["end_eff"], label, "episode"))

    if spells is None or spells.empty:
        return pd.concat(problems, ignore_index=True)
    spells = spells.assign(staff_id=codes[len(e):])
    problems.append(_history_gap(e, spells, label))
    periods = employment_periods(spells, extract)[["staff_id", "period_start", "period_end"]]
    periods = periods.drop_duplicates()
    m = e[[ROW, "staff_id", "start_date", "end_date", "end_eff"]].merge(
        periods, on="staff_id", how="left")
    starts_in = (m["start_date"] >= m["period_start"]) & (m["start_date"] <= m["period_end"])
    ends_in = m["end_eff"] <= m["period_end"]
    flags = {
        "known": m["period_start"].notna(),
        "inside": starts_in & ends_in,
        "starts_in": starts_in,
        "ongoing_after_leaving": starts_in & ~ends_in & m["end_date"].isna(),
    }
    # any() per episode row over its periods; bincount is ~10x faster than groupby().any()
    codes, episode_rows = pd.factorize(m[ROW], sort=True)
    status = pd.DataFrame(
        {name: np.bincount(codes, weights=flag.to_numpy(dtype=float),
                           minlength=len(episode_rows)) > 0 for name, flag in flags.items()},
        index=pd.Index(episode_rows, name=ROW))
    e_idx = e.set_index(ROW)
    unknown = status.index[~status["known"]]
    if len(unknown):
        problems.append(problems_frame(label, unknown, "staff_id", shown_ids.loc[unknown],
                                       "this staff_id has no spell in staff_spells"))
    outside = status.index[status["known"] & ~status["inside"] & ~status["ongoing_after_leaving"]]
    if len(outside):
        problems.append(problems_frame(
            label, outside, "start_date", e_idx.loc[outside, "start_date"].dt.strftime("%Y-%m-%d"),
            "the episode falls (partly) outside every spell of this staff_id in staff_spells"))
    after = status.index[status["ongoing_after_leaving"] & ~status["inside"]]
    if len(after):
        problems.append(problems_frame(
            label, after, "end_date", None,
            "ongoing episode for a staff member who has left: days after leaving are not "
            "counted; close the episode", severity="warning"))
    return pd.concat(problems, ignore_index=True)


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

