"""The SPC result: construct = validate + compute; ``.data``, ``.summary()``, ``.plot()``,
``.to_dict()`` (the ``wellbeing spc --json`` contract), ``.warnings`` and the icons."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    OVERDISPERSION_WARN_FRACTION,
    SPC_MIN_POINTS,
    SPC_MIN_POINTS_PER_GROUP,
)
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.spc import labels
from wellbeing_analysis.spc.describe import describe_episode, period_unit, readable_name
from wellbeing_analysis.spc.engine import episodes, evaluate_group
from wellbeing_analysis.spc.fit import choose_chart
from wellbeing_analysis.spc.icons import assurance, assurance_text, point_type_text, variation
from wellbeing_analysis.spc.inputs import NO_FACET, format_x, parse_like_x, prepare_series
from wellbeing_analysis.spc.options import SPCOptions, check_values, resolve_chart, resolve_rules

#: Columns of the signals table.
SIGNAL_COLUMNS = ("facet", "rebase_group", "rule", "direction", "start_x", "end_x", "n_points",
                  "description")


def _runs(codes: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) slices of the runs of equal consecutive values in ``codes``."""
    edges = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
    return list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))


class SPCResult:
    """An SPC or run chart of one series (or one per facet), computed on construction.

    Attributes: ``options`` (the validated :class:`SPCOptions`), ``chart`` and ``rules``
    (resolved names), ``data`` (one row per point), ``signals`` (one row per signal: a run
    of consecutive points flagged by one rule, or a chart-level signal), ``warnings``.
    """

    def __init__(self, data: pd.DataFrame, options: SPCOptions) -> None:
        self.options = options
        frame, warnings = prepare_series(data, x=options.x, y=options.y, n=options.n,
                                         facet=options.facet)
        self.x_is_date = pd.api.types.is_datetime64_any_dtype(frame["x"])
        self.warnings: list[str] = warnings
        self.chart, self.chart_reason = self._choose_chart(frame)
        rules = options.rules
        if options.chart is None and self.chart == "run" and rules == "mdc":
            self.warnings.append("the counts are too small for process limits, so a run chart "
                                 "with the Anhøj rules is drawn instead of the Making Data "
                                 "Count rules")
            rules = None
        self.rules = resolve_rules(self.chart, rules)
        check_values(self.chart, frame["y"], frame["x"], options.y)
        self.rebase_reasons: dict[tuple[Any, int], str | None] = {}
        self._chart_signal_text: dict[tuple[Any, int], str] = {}
        # Slice numpy arrays per facet and per rebase group (the frame is sorted by facet, x);
        # per-point columns are gathered as arrays and joined once.
        codes, facet_values = pd.factorize(frame["facet"], sort=False)
        xs, ys = frame["x"].to_numpy(), frame["y"].to_numpy()
        ns = frame["n"].to_numpy() if options.n is not None else None
        groups = np.empty(len(frame), dtype=int)
        columns: dict[str, list[np.ndarray]] = {}
        signals: list[tuple] = []
        for a, b in _runs(codes):
            facet = facet_values[codes[a]]
            groups[a:b] = self._rebase_groups(facet, xs[a:b])
            unit = period_unit(xs[a:b])
            bounds = _runs(groups[a:b])
            for ga, gb in bounds:
                part = slice(a + ga, a + gb)
                cols, rows = self._compute_group(
                    facet, int(groups[a + ga]), xs[part], ys[part],
                    None if ns is None else ns[part], unit=unit, single=len(bounds) == 1)
                for name, values in cols.items():
                    columns.setdefault(name, []).append(values)
                signals.extend(rows)
        self._points = frame.assign(rebase_group=groups, **{
            name: np.concatenate(parts) for name, parts in columns.items()})
        self.signals = pd.DataFrame(signals, columns=list(SIGNAL_COLUMNS))
        if options.facet is None:
            self.signals = self.signals.drop(columns="facet")

    # -- construction ---------------------------------------------------------------------
    def _choose_chart(self, frame: pd.DataFrame) -> tuple[str, str]:
        """(chart, why): as asked; XmR without a denominator; with one, the rule of
        :func:`~wellbeing_analysis.spc.fit.choose_chart` (run chart for thin counts, Laney
        P′/U′ when over-dispersed, else P/U), applied to each facet - one thin facet makes
        the whole chart a run chart, so facets stay comparable."""
        o = self.options
        if o.chart is not None:
            return o.chart, f"{labels.CHART_NAMES[o.chart]}, as asked"
        if o.n is None:
            return "xmr", ("XmR chart: values with no denominator (the Making Data Count "
                           "default)")
        proportion = resolve_chart(o, frame["y"]) == "pprime"
        choices = {}
        for facet, part in frame.groupby("facet", sort=False):
            unit = period_unit(part["x"].to_numpy()) if self.x_is_date else "point"
            choices[facet] = choose_chart(part["y"].to_numpy(), part["n"].to_numpy(),
                                          proportion=proportion, unit=unit)
        order = ("run", "pprime", "uprime", "p", "u")
        chart = min((c.chart for c in choices.values()), key=order.index)
        if o.facet is None:
            return chart, next(iter(choices.values())).reason
        why = "; ".join(f"{f}: {c.reason}" for f, c in choices.items() if c.chart == chart)
        return chart, f"{labels.CHART_NAMES[chart]} for every facet ({why})"

    def _where(self, facet: Any) -> str:
        return "" if self.options.facet is None else f"facet {facet!r}: "

    def _rebase_groups(self, facet: Any, xv: np.ndarray) -> np.ndarray:
        """Group number per point: a rebase value starts a new group at the first point on
        or after it; values at/before the first point or after the last are ignored (warned)."""
        requested = self.options.rebase_for(facet)
        values = parse_like_x([r[0] for r in requested], x_is_date=self.x_is_date,
                              what="rebase values")
        starts = np.zeros(len(xv), dtype=int)
        reason_at: dict[int, str | None] = {}
        for value, (_, reason) in zip(values, requested, strict=True):
            pos = int(np.searchsorted(xv, np.asarray(value, dtype=xv.dtype), side="left"))
            if pos == 0 or pos == len(xv):
                place = "at or before the first point" if pos == 0 else "after the last point"
                self.warnings.append(f"{self._where(facet)}rebase at {format_x(value)} is "
                                     f"{place}; it was ignored")
                continue
            starts[pos] = 1
            if reason_at.get(pos) is None:
                reason_at[pos] = reason
        groups = np.cumsum(starts)
        self.rebase_reasons[(facet, 0)] = None
        for pos, reason in reason_at.items():
            self.rebase_reasons[(facet, int(groups[pos]))] = reason
        sizes = np.bincount(groups)
        if (sizes < SPC_MIN_POINTS).any():
            g = int(np.argmax(sizes < SPC_MIN_POINTS))
            first = xv[np.argmax(groups == g)]
            raise InputError(f"{self._where(facet)}rebasing leaves the group starting "
                             f"{format_x(first)} with fewer than {SPC_MIN_POINTS} points; "
                             "move or remove that rebase")
        return groups

    def _compute_group(self, facet: Any, group: int, xs: np.ndarray, y: np.ndarray,
                       n: np.ndarray | None, *, unit: str, single: bool):
        """Per-point columns and signal rows of one group; adds its warnings."""
        o = self.options
        res = evaluate_group(y, n, chart=self.chart, rules=self.rules,
                             fix_after_n_points=o.fix_after_n_points,
                             screen_outliers=o.screen_outliers,
                             improvement_direction=o.improvement_direction)
        cols = res.columns
        k = len(y)
        cols["short_group_warning"] = np.full(k, k < SPC_MIN_POINTS_PER_GROUP)
        if single:
            where = "the series" if o.facet is None else f"facet {facet!r}"
        else:
            where = f"{self._where(facet)}the group starting {format_x(xs[0])}"
        if k < SPC_MIN_POINTS_PER_GROUP:
            self.warnings.append(f"{where} has only {k} points (fewer than "
                                 f"{SPC_MIN_POINTS_PER_GROUP}): its limits are trial limits")
        self.warnings.extend(f"{where}: {note}" for note in res.outcome.notes)
        if self.chart != "run" and np.all(cols["upl"] == cols["lpl"]):
            self.warnings.append(f"{where} shows no variation, so the limits equal the centre line")
        if self.chart in ("p", "u") and cols["outside"].mean() > OVERDISPERSION_WARN_FRACTION:
            self.warnings.append(
                f"{where}: {int(cols['outside'].sum())} of {k} points are outside the "
                f"{self.chart.upper()} chart limits - the denominators are large and the data "
                f"over-dispersed; a Laney {self.chart.upper()}′ chart ({self.chart}prime) is "
                "the better choice")
        subject = f"the {readable_name(o.y)}"
        centre_word = "median" if self.chart == "run" else "mean"
        rows = []
        for rule, flags in res.outcome.points.items():
            for first, last, sign in episodes(flags):
                rows.append((facet, group, rule, "up" if sign > 0 else "down", xs[first],
                             xs[last], last - first + 1,
                             describe_episode(rule, sign, last - first + 1, start=xs[first],
                                              end=xs[last], subject=subject, unit=unit,
                                              centre_word=centre_word)))
        for cs in res.outcome.chart:
            rows.append((facet, group, cs.rule, None, xs[0], xs[-1], k, cs.description))
        self._chart_signal_text[(facet, group)] = "; ".join(c.description
                                                            for c in res.outcome.chart)
        return cols, rows

    # -- data -----------------------------------------------------------------------------
    @property
    def data(self) -> pd.DataFrame:
        """One row per point: x, y (and n), rebase_group, centre, lpl, upl, near limits,
        rtm, outside, close, one ``signal_<rule>`` column per rule (+1/-1/0),
        special_cause, special_cause_type, signal_direction, point_type, short_group_warning."""
        df = self._points
        drop = [c for c, unused in (("facet", self.options.facet is None),
                                    ("n", self.options.n is None)) if unused]
        return df.drop(columns=drop).copy()

    @property
    def facets(self) -> list:
        """Facet values in sorted order (one, "all", without a facet column)."""
        return list(pd.unique(self._points["facet"]))

    def _assurance_reason(self, facet: Any) -> str:
        if self.chart == "run":
            return "a run chart has no process limits"
        if self.options.improvement_direction == "neutral":
            return "the improvement direction is neutral"
        return "no target was given" if self.options.target_for(facet) is None else ""

    def icons(self) -> pd.DataFrame:
        """One row per facet: variation and assurance icons with their text alternatives."""
        rows = []
        for facet, points in self._points.groupby("facet", sort=False):
            last = points.iloc[-1]  # the latest point and the last group's limits
            target = self.options.target_for(facet)
            v = variation(points["point_type"].to_numpy())
            a = assurance(target, last["lpl"], last["upl"], self.options.improvement_direction)
            rows.append({
                "facet": facet,
                "variation_icon": v,
                "assurance_icon": a,
                "variation_text": point_type_text(v, self.options.improvement_direction),
                "assurance_text": assurance_text(a, target, self._assurance_reason(facet)),
            })
        out = pd.DataFrame(rows)
        # object dtype keeps None (no icon) as None rather than NaN
        out["assurance_icon"] = pd.Series([r["assurance_icon"] for r in rows], dtype=object)
        return out

    def _per_facet(self, column: str):
        icons = self.icons()
        values = dict(zip(icons["facet"], icons[column], strict=True))
        return next(iter(values.values())) if self.options.facet is None else values

    @property
    def variation_icon(self) -> str | dict:
        """The last point's type (a dict facet -> icon when faceted)."""
        return self._per_facet("variation_icon")

    @property
    def assurance_icon(self) -> str | None | dict:
        """consistent_pass / consistent_fail / inconsistent, or None (dict when faceted)."""
        return self._per_facet("assurance_icon")

    @property
    def icon_text(self) -> str | dict:
        """Text alternative of the two icons, e.g. for a report's alt text (dict when faceted)."""
        icons = self.icons()
        text = icons["variation_text"] + " " + icons["assurance_text"]
        values = dict(zip(icons["facet"], text, strict=True))
        return next(iter(values.values())) if self.options.facet is None else values

    # -- outputs --------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """One row per facet and rebase group (NHSRplotthedots ``summary``): dates, points,
        centre and limits (for P/U charts, the limits of the group's last point), counts by
        point type, the group's last point type, assurance (last group only), chart-level
        signals, short-group warning and the rebase reason."""
        p = self._points
        g = p.groupby(["facet", "rebase_group"], sort=False)
        out = g.agg(start_x=("x", "first"), end_x=("x", "last"), n_points=("y", "size"),
                    centre=("centre", "first"), lpl=("lpl", "last"), upl=("upl", "last"),
                    variation_icon=("point_type", "last"),
                    short_group_warning=("short_group_warning", "first"))
        counts = pd.crosstab([p["facet"], p["rebase_group"]], p["point_type"])
        counts = counts.reindex(columns=list(labels.POINT_TYPES), fill_value=0)
        out = out.join(counts).reset_index()
        last_group = out.groupby("facet", sort=False)["rebase_group"].transform("max")
        icons = self.icons().set_index("facet")["assurance_icon"]
        out["assurance_icon"] = pd.Series(
            [icons[f] if g == last else None for f, g, last in
             zip(out["facet"], out["rebase_group"], last_group, strict=True)], dtype=object)
        keys = list(zip(out["facet"], out["rebase_group"], strict=True))
        out["chart_signals"] = [self._chart_signal_text.get(k, "") for k in keys]
        out["rebase_reason"] = pd.Series([self.rebase_reasons.get(k) for k in keys], dtype=object)
        if self.options.facet is None:
            out = out.drop(columns="facet")
        return out

    def to_dict(self) -> dict:
        """The ``wellbeing spc --json`` object: chart, rules, points (x, y, centre, lower,
        upper, special_cause, point_type), variation_icon, assurance_icon, warnings, signals.
        Missing numbers are None; dates are ISO strings."""
        p = self._points

        def num(v):
            return None if pd.isna(v) else float(v)

        points = [
            {"x": format_x(x) if self.x_is_date else num(x), "y": num(y), "centre": num(c),
             "lower": num(lo), "upper": num(up), "special_cause": bool(sc), "point_type": pt}
            | ({"facet": f} if self.options.facet is not None else {})
            for f, x, y, c, lo, up, sc, pt in zip(
                p["facet"], p["x"], p["y"], p["centre"], p["lpl"], p["upl"],
                p["special_cause"], p["point_type"], strict=True)
        ]
        signals = [
            {k: (format_x(v) if k in ("start_x", "end_x") and self.x_is_date else
                 (num(v) if k in ("start_x", "end_x") else (int(v) if k in ("n_points",
                  "rebase_group") else v)))
             for k, v in row.items()}
            for row in self.signals.to_dict("records")
        ]
        return {
            "chart": self.chart,
            "chart_reason": self.chart_reason,
            "rules": self.rules,
            "points": points,
            "variation_icon": self.variation_icon,
            "assurance_icon": self.assurance_icon,
            "warnings": list(self.warnings),
            "signals": signals,
        }

    def plot(self, ax=None, **kwargs):
        """Draw the chart the NHS way; see :func:`wellbeing_analysis.spc.plot.plot_spc`."""
        from wellbeing_analysis.spc.plot import plot_spc

        return plot_spc(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        facets = "" if self.options.facet is None else f", {len(self.facets)} facets"
        return (f"SPCResult({self.chart} chart, {self.rules} rules, {len(self._points)} points"
                f"{facets}, variation={self.variation_icon!r}, assurance={self.assurance_icon!r})")


__all__ = ["SPCResult", "NO_FACET"]
