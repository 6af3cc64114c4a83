"""PDSA cycles judged on their own population and period (docs/spc.md, 'PDSA cycle reviews').

A cycle tested in one team is judged on that team's series, not the service's; its limits
come from the period *before* it starts (the baseline): at most ``PDSA_MAX_BASELINE_POINTS``
points, and none from before an earlier intervention on an overlapping population took
effect (or ended), so the limits never span another change. Interventions and other cycles
running at the same time on an overlapping population are named as a caveat. A cycle whose
group is too small, or whose baseline has fewer than ``PDSA_MIN_BASELINE_POINTS`` points, is
not judged: its agreement is 'cannot tell', with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wellbeing_analysis.constants import PDSA_MAX_BASELINE_POINTS, PDSA_MIN_BASELINE_POINTS
from wellbeing_analysis.schema.scope import Scope, intervention_scope, parse_scope
from wellbeing_analysis.spc.chart import spc
from wellbeing_analysis.spc.describe import format_when, period_unit, plural
from wellbeing_analysis.spc.pdsa import (
    TABLE_COLUMNS,
    PDSAReview,
    prediction_text,
    validate_cycles,
)

#: Agreement of a cycle that could not be judged (group too small, too short a baseline).
CANNOT_TELL = "cannot tell"
#: Columns the scoped cycle table adds to the PDSA cycle table.
SCOPED_COLUMNS = ("population", "baseline", "caveats", "chart", "chart_reason")


@dataclass
class Population:
    """The series a cycle is judged on: its group's ``data`` (x, y and, for attribute charts,
    n), the ``chart`` that fits it, and ``refused`` - why the group cannot be charted (too
    small to publish), when it cannot."""

    scope: Scope
    data: pd.DataFrame | None
    chart: str | None = None
    chart_reason: str = ""
    refused: str = ""


@dataclass
class CycleSetting:
    """Where a cycle's baseline may start, and what else ran at the same time."""

    baseline_from: pd.Timestamp | None = None
    baseline_why: str = ""
    concurrent: list[str] = field(default_factory=list)


def _month(ts: pd.Timestamp) -> str:
    return format_when(ts, "month")


def cycle_settings(cycles: pd.DataFrame, interventions: pd.DataFrame | None = None
                   ) -> dict[str, CycleSetting]:
    """Per cycle id: the earliest date its baseline may use, and the concurrent changes.

    An intervention on an overlapping population, other than the cycle's own, that began
    before the cycle starts moves the baseline start to when it took effect (start +
    phase-in) if it is still running at the cycle's start, or to the day after it ended.
    Interventions and other cycles on an overlapping population whose dates overlap the
    cycle's (to its end, or for ever while it runs) are concurrent.
    """
    cycles = validate_cycles(cycles)
    changes = []
    if interventions is not None and len(interventions):
        for iv in interventions.to_dict("records"):
            start = pd.Timestamp(iv["start_date"])
            phase = iv.get("phase_in_months")
            phase = 0 if phase is None or pd.isna(phase) else int(phase)
            end = iv.get("end_date")
            changes.append({"id": str(iv["intervention_id"]), "kind": "intervention",
                            "name": str(iv.get("name", iv["intervention_id"])),
                            "scope": intervention_scope(iv.get("teams")), "start": start,
                            "effective": start + pd.DateOffset(months=phase),
                            "end": None if end is None or pd.isna(end) else pd.Timestamp(end)})
    for c in cycles.to_dict("records"):
        changes.append({"id": c["cycle_id"], "kind": "cycle", "name": c["title"],
                        "scope": parse_scope(c.get("scope")), "start": c["start_date"],
                        "effective": c["start_date"], "intervention": c["intervention_id"],
                        "end": None if pd.isna(c["end_date"]) else c["end_date"]})
    out = {}
    for c in cycles.to_dict("records"):
        scope, start = parse_scope(c.get("scope")), c["start_date"]
        end = None if pd.isna(c["end_date"]) else c["end_date"]
        setting = CycleSetting()
        for ch in changes:
            if ch["id"] in (c["cycle_id"], c["intervention_id"]) or not scope.overlaps(
                    ch["scope"]):
                continue
            running_at_start = ch["end"] is None or ch["end"] >= start
            if ch["kind"] == "intervention" and ch["start"] < start:
                since = ch["effective"] if running_at_start else ch["end"] + pd.Timedelta(days=1)
                if setting.baseline_from is None or since > setting.baseline_from:
                    verb = "took effect" if running_at_start else "ended"
                    setting.baseline_from = since
                    setting.baseline_why = f"after {ch['id']} ({ch['name']}) {verb}"
            overlaps = ch["start"] <= (end if end is not None else pd.Timestamp.max) and (
                ch["end"] is None or ch["end"] >= start)
            if overlaps:
                until = "ongoing" if ch["end"] is None else f"to {_month(ch['end'])}"
                setting.concurrent.append(
                    f"{ch['kind']} {ch['id']} ({ch['name']}; {ch['scope'].label}, from "
                    f"{_month(ch['start'])}, {until})")
        out[c["cycle_id"]] = setting
    return out


class CycleReview:
    """PDSA cycles of one measure, each judged on its own population's series with limits
    from its own baseline period. ``table``: the PDSA cycle table plus population, baseline,
    caveats and chart; ``charts``: cycle id -> its :class:`PDSAReview` (None when not
    judged); ``signals``; ``warnings``."""

    def __init__(self, cycles: pd.DataFrame, populations: dict[str, Population], *,
                 measure: str, x: str, y: str, n: str | None = None,
                 improvement_direction: str = "increase", target: float | None = None,
                 interventions: pd.DataFrame | None = None,
                 max_baseline_points: int = PDSA_MAX_BASELINE_POINTS,
                 min_baseline_points: int = PDSA_MIN_BASELINE_POINTS) -> None:
        self.measure = measure
        self.cycles = validate_cycles(cycles, measure)
        settings = cycle_settings(cycles, interventions)
        self.x, self.y, self.n = x, y, n
        self.direction, self.target = improvement_direction, target
        self.max_baseline, self.min_baseline = max_baseline_points, min_baseline_points
        self.charts: dict[str, PDSAReview | None] = {}
        self.warnings: list[str] = []
        rows, signals = [], []
        for cycle in self.cycles.to_dict("records"):
            cid = cycle["cycle_id"]
            row, review = self._judge(cycle, populations[cid], settings[cid])
            self.charts[cid] = review
            rows.append(row)
            if review is not None:
                signals.append(review.signals)
                self.warnings.extend(review.warnings)
        self.table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS) + list(SCOPED_COLUMNS))
        self.signals = (pd.concat(signals, ignore_index=True) if signals else
                        pd.DataFrame(columns=["cycle_id"]))

    def _refuse(self, cycle: dict, pop: Population, setting: CycleSetting, why: str,
                baseline: str = "") -> tuple[dict, None]:
        row = {c: cycle.get(c, pd.NA) for c in TABLE_COLUMNS}
        row |= {"prediction": prediction_text(cycle["predicted_direction"],
                                               cycle["predicted_value"]),
                "points_since_start": pd.NA, "signals": "", "agreement": CANNOT_TELL,
                "chart_shows": f"Cannot tell: {why}", "mean_since_start": float("nan"),
                "predicted_value_met": pd.NA, "rebased": False,
                "decision": cycle["decision"] if not pd.isna(cycle["decision"]) else (
                    "ongoing" if pd.isna(cycle["end_date"]) else "not recorded"),
                "population": pop.scope.label, "baseline": baseline,
                "caveats": self._caveats(setting), "chart": pop.chart or "",
                "chart_reason": pop.chart_reason}
        return row, None

    @staticmethod
    def _caveats(setting: CycleSetting) -> str:
        if not setting.concurrent:
            return ""
        return ("Also running at the same time on an overlapping group, so part of any change "
                "may be theirs: " + "; ".join(setting.concurrent) + ".")

    def _judge(self, cycle: dict, pop: Population, setting: CycleSetting
               ) -> tuple[dict, PDSAReview | None]:
        if pop.refused:
            return self._refuse(cycle, pop, setting, pop.refused)
        data = pop.data.sort_values(self.x).reset_index(drop=True)
        xs = pd.to_datetime(data[self.x])
        before = xs < cycle["start_date"]
        if setting.baseline_from is not None:
            before &= xs >= setting.baseline_from
        base_idx = list(data.index[before])[-self.max_baseline:]
        unit = period_unit(xs.to_numpy())
        if base_idx:
            span = (f"{format_when(xs[base_idx[0]], unit)} to "
                    f"{format_when(xs[base_idx[-1]], unit)} ({plural(len(base_idx), unit)}"
                    f"{', ' + setting.baseline_why if setting.baseline_why else ''})")
        else:
            span = ""
        if len(base_idx) < self.min_baseline:
            since = f", {setting.baseline_why}" if setting.baseline_why else ""
            why = (f"the series of {pop.scope.label} has {plural(len(base_idx), unit)} "
                   f"before the cycle started{since}; limits need at least "
                   f"{self.min_baseline}.")
            return self._refuse(cycle, pop, setting, why, span)
        judged = data.loc[base_idx[0]:]
        n = self.n if pop.chart not in ("run", "xmr", "c") else None
        rebase = ({cycle["start_date"]: f"{cycle['cycle_id']}: {cycle['rebase_reason']}"}
                  if cycle["rebase_at_start"] else None)
        chart = spc(judged, x=self.x, y=self.y, n=n, chart=pop.chart,
                    improvement_direction=self.direction, target=self.target,
                    fix_after_n_points=len(base_idx), rebase=rebase)
        chart.chart_reason = pop.chart_reason or chart.chart_reason
        one = self.cycles[self.cycles["cycle_id"] == cycle["cycle_id"]]
        review = PDSAReview(one, chart, measure=self.measure)
        row = review.table.iloc[0].to_dict() | {
            "population": pop.scope.label, "baseline": span, "caveats": self._caveats(setting),
            "chart": chart.chart, "chart_reason": chart.chart_reason}
        return row, review
