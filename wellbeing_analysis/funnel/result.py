"""``funnel()`` and its result: one row per unit with z-scores, limits and a verdict in words.

Construct = validate + compute. :class:`FunnelResult` has ``.table``, ``.summary()``,
``.limits_curve()``, ``.plot()`` and ``.to_dict()`` (the ``wellbeing funnel --json`` object).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import (
    FUNNEL_CURVE_POINTS,
    FUNNEL_DATA_TYPES,
    FUNNEL_LIMITS,
    FUNNEL_MAX_LISTED_UNITS,
    FUNNEL_MIN_UNITS,
    FUNNEL_MIN_UNITS_FOR_ADJUSTMENT,
    FUNNEL_OD_ADJUSTMENTS,
    FUNNEL_RC_LIMIT_SE,
    FUNNEL_TAU2_METHODS,
    FUNNEL_TRIM_FRACTION,
    FUNNEL_TRIM_METHODS,
)
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.funnel import methods
from wellbeing_analysis.funnel.methods import level_key

WITHIN = "within the expected range"


def _listed(values) -> str:
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:FUNNEL_MAX_LISTED_UNITS])
    more = len(values) - FUNNEL_MAX_LISTED_UNITS
    return shown + (f" and {more} more" if more > 0 else "")


def _check_options(data_type: str, od_adjust: str, tau2_method: str, trim_method: str,
                   trim: float, limits, multiplier: float, rc_limit_se: str) -> tuple[float, ...]:
    for name, value, allowed in (("data_type", data_type, FUNNEL_DATA_TYPES),
                                 ("od_adjust", od_adjust, FUNNEL_OD_ADJUSTMENTS),
                                 ("tau2_method", tau2_method, FUNNEL_TAU2_METHODS),
                                 ("trim_method", trim_method, FUNNEL_TRIM_METHODS),
                                 ("rc_limit_se", rc_limit_se, FUNNEL_RC_LIMIT_SE)):
        if value not in allowed:
            raise InputError(f"{name} must be one of {', '.join(map(repr, allowed))}, "
                             f"not {value!r}")
    if trim_method != "none" and not (0 < trim < 0.5):
        raise InputError(f"trim must be a fraction between 0 and 0.5 (e.g. 0.1 for 10% at "
                         f"each end), not {trim!r}")
    try:
        levels = tuple(sorted(float(v) for v in limits))
    except (TypeError, ValueError):
        raise InputError(f"limits must be coverage percentages such as (95, 99.8), "
                         f"not {limits!r}") from None
    if not levels or any(not (0 < v < 100) for v in levels) or len(set(levels)) < len(levels):
        raise InputError(f"limits must be distinct percentages between 0 and 100 such as "
                         f"(95, 99.8), not {limits!r}")
    if not (isinstance(multiplier, int | float) and math.isfinite(multiplier) and multiplier > 0):
        raise InputError(f"multiplier must be a positive number (e.g. 100 for percentages), "
                         f"not {multiplier!r}")
    return levels


def _prepare(data: pd.DataFrame, numerator: str, denominator: str, group: str,
             data_type: str) -> pd.DataFrame:
    """The units as a frame (group, numerator, denominator), or InputError saying what to fix."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    missing = [c for c in (numerator, denominator, group) if c not in data.columns]
    if missing:
        raise InputError(f"unknown column(s) {_listed(missing)}; the data have: "
                         f"{', '.join(map(str, data.columns))}")
    if len({numerator, denominator, group}) < 3:
        raise InputError("numerator, denominator and group must be three different columns")
    groups = data[group]
    if groups.isna().any():
        raise InputError(f"column {group!r} has {int(groups.isna().sum())} blank group "
                         "name(s); name every unit")
    dup = groups[groups.duplicated()].unique()
    if len(dup):
        raise InputError(f"column {group!r} names a unit more than once: {_listed(dup)}; "
                         "give one row per unit (sum its numerators and denominators first)")
    frame = pd.DataFrame({"group": groups.to_numpy()})
    for role, column in (("numerator", numerator), ("denominator", denominator)):
        raw = data[column]
        values = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
        bad_text = np.isnan(values) & raw.notna().to_numpy()
        if bad_text.any():
            raise InputError(f"column {column!r} ({role}) is not a number for unit(s) "
                             f"{_listed(groups[bad_text])} "
                             f"(values: {_listed(raw[bad_text].astype(str))})")
        if np.isnan(values).any():
            raise InputError(f"column {column!r} ({role}) is missing for unit(s) "
                             f"{_listed(groups[np.isnan(values)])}; fill it in or leave "
                             "those units out")
        if not np.isfinite(values).all():
            raise InputError(f"column {column!r} ({role}) is infinite for unit(s) "
                             f"{_listed(groups[~np.isfinite(values)])}")
        frame[role] = values
    num, den = frame["numerator"].to_numpy(), frame["denominator"].to_numpy()
    if (den <= 0).any():
        raise InputError(f"column {denominator!r} (denominator) must be greater than 0; "
                         f"unit(s) {_listed(groups[den <= 0])} have "
                         f"{_listed(den[den <= 0].tolist())} - leave out units with nothing "
                         "to compare")
    if (num < 0).any():
        raise InputError(f"column {numerator!r} (numerator) cannot be negative: unit(s) "
                         f"{_listed(groups[num < 0])}")
    if data_type == "PR" and (num > den).any():
        raise InputError(f"a proportion's numerator cannot exceed its denominator: unit(s) "
                         f"{_listed(groups[num > den])} (columns {numerator!r} > "
                         f"{denominator!r})")
    if len(frame) < FUNNEL_MIN_UNITS:
        raise InputError(f"a funnel plot compares units: it needs at least {FUNNEL_MIN_UNITS}, "
                         f"the data have {len(frame)}")
    if data_type == "RC" and num.sum() == 0:
        raise InputError(f"every numerator in {numerator!r} is 0, so the pooled ratio is 0 "
                         "and has no logarithm; a ratio-of-counts funnel needs some events")
    return frame


class FunnelResult:
    """A funnel plot of units (services, trusts) computed on construction.

    Attributes: ``table`` (one row per unit), ``target`` (the pooled value, times the
    multiplier), ``target_transformed``, ``phi`` (dispersion ratio), ``tau2`` (between-unit
    variance, transformed scale; 0 unless the additive adjustment is in use), ``adjustment``
    (the adjustment actually applied: 'additive', 'multiplicative' or 'none'), ``adjusted``,
    ``method`` (the method in words, for the chart), ``warnings``; and the options.
    """

    def __init__(self, data: pd.DataFrame, *, numerator: str, denominator: str, group: str,
                 data_type: str, od_adjust: str, tau2_method: str, trim_method: str,
                 trim: float, limits, multiplier: float, rc_limit_se: str) -> None:
        self.levels = _check_options(data_type, od_adjust, tau2_method, trim_method, trim,
                                     limits, multiplier, rc_limit_se)
        self.numerator, self.denominator, self.group = numerator, denominator, group
        self.data_type, self.od_adjust, self.tau2_method = data_type, od_adjust, tau2_method
        self.trim_method, self.trim = trim_method, trim
        self.multiplier, self.rc_limit_se = float(multiplier), rc_limit_se
        self.warnings: list[str] = []
        units = _prepare(data, numerator, denominator, group, data_type)
        num, den = units["numerator"].to_numpy(), units["denominator"].to_numpy()
        self.n_units = len(units)

        target = methods.pooled_target(data_type, num, den)
        self.target_natural = target
        self.target_transformed = methods.transform_target(data_type, target)
        y, s = methods.transform(data_type, num, den)
        z = (y - self.target_transformed) / s
        disp = methods.estimate_dispersion(z, s, trim_method=trim_method, fraction=trim)
        self.phi, self.n_used = disp.phi, disp.n_used

        self.adjustment, self.adjustment_note = self._decide(od_adjust, disp.phi)
        self.tau2 = disp.tau2 if self.adjustment == "additive" else 0.0
        self.tau2_estimate = disp.tau2
        if self.adjustment == "additive":
            z_adj = (y - self.target_transformed) / np.sqrt(s**2 + self.tau2)
        elif self.adjustment == "multiplicative":
            z_adj = z / np.sqrt(self.phi)
        else:
            z_adj = z

        table = pd.DataFrame({
            "group": units["group"], "numerator": num, "denominator": den,
            "indicator": self.multiplier * num / den, "transformed": y, "se": s, "z": z,
            "z_used": disp.z_used, "z_adjusted": z_adj,
        })
        value = num / den
        verdict = np.full(len(units), WITHIN, dtype=object)
        direction = np.full(len(units), None, dtype=object)
        outside_level = np.full(len(units), np.nan)
        for level in self.levels:  # ascending, so the widest limit crossed wins
            lo, hi = self._limits(den, level, self.adjustment)
            key = level_key(level)
            table[f"lower_{key}"] = self.multiplier * lo
            table[f"upper_{key}"] = self.multiplier * hi
            above, below = value > hi, value < lo
            verdict[above] = f"above the expected range ({level:g}%)"
            verdict[below] = f"below the expected range ({level:g}%)"
            direction[above], direction[below] = "above", "below"
            outside_level[above | below] = level
        table["assessment"] = verdict
        table["direction"] = pd.Series(direction, dtype=object)
        table["outside_level"] = outside_level
        self.table = table
        self.method = self._method_text()

    # -- construction ---------------------------------------------------------------------
    def _decide(self, od_adjust: str, phi: float) -> tuple[str, str]:
        """The adjustment applied and, when it differs from the one asked for, why.

        As FunnelPlotR (0.4.2 on): adjusted limits only when phi > 1. Our addition: no
        adjustment from fewer than FUNNEL_MIN_UNITS_FOR_ADJUSTMENT units."""
        if od_adjust == "none":
            return "none", ""
        if self.n_units < FUNNEL_MIN_UNITS_FOR_ADJUSTMENT:
            note = (f"{self.n_units} units are too few to estimate it (at least "
                    f"{FUNNEL_MIN_UNITS_FOR_ADJUSTMENT} are needed)")
            self.warnings.append(f"overdispersion not estimated: {note}; the limits are not "
                                 "adjusted")
            return "none", note
        if not phi > 1:
            return "none", f"none was found (φ = {phi:.3g} ≤ 1)"
        return od_adjust, ""

    def _limits(self, x: np.ndarray, level: float, adjustment: str):
        return methods.limits_at(x, data_type=self.data_type, target=self.target_natural,
                                 level=level, adjustment=adjustment, phi=self.phi,
                                 tau2=self.tau2_estimate, rc_limit_se=self.rc_limit_se)

    def _method_text(self) -> str:
        kind, transformation = methods.DATA_TYPE_TEXT[self.data_type]
        levels = " and ".join(f"{v:g}%" for v in self.levels)
        trimmed = {"winsorise": f"z-scores Winsorised at {self.trim * 100:g}%",
                   "trim": f"z-scores trimmed by {self.trim * 100:g}% at each end",
                   "none": "all z-scores"}[self.trim_method]
        head = f"Funnel plot of a {kind} ({transformation}); {levels} limits"
        if self.adjustment == "additive":
            return (f"{head} adjusted for overdispersion by an additive random-effects model "
                    f"(Spiegelhalter 2005; DerSimonian-Laird τ² = {self.tau2:.3g}, "
                    f"φ = {self.phi:.3g} from {trimmed}).")
        if self.adjustment == "multiplicative":
            return (f"{head} widened by √φ for overdispersion (multiplicative; Spiegelhalter "
                    f"2005; φ = {self.phi:.3g} from {trimmed}).")
        exact = " (exact Poisson)" if self.data_type == "SR" else ""
        if self.adjustment_note:
            return f"{head}{exact} not adjusted for overdispersion: {self.adjustment_note}."
        return (f"{head}{exact} not adjusted for overdispersion (φ = {self.phi:.3g} from "
                f"{trimmed}).")

    # -- outputs --------------------------------------------------------------------------
    @property
    def target(self) -> float:
        """The pooled value (centre line) on the indicator's scale, times the multiplier."""
        return self.multiplier * self.target_natural

    @property
    def adjusted(self) -> bool:
        """Whether the limits and adjusted z-scores allow for overdispersion."""
        return self.adjustment != "none"

    def limits_curve(self, x=None, *, n_points: int = FUNNEL_CURVE_POINTS,
                     adjusted: bool = True) -> pd.DataFrame:
        """The funnel limits as smooth curves: one row per denominator in ``x`` (default:
        ``n_points`` geometrically spaced from half the smallest to 1.1 times the largest
        unit denominator) with ``target`` and ``lower_<level>``/``upper_<level>`` columns
        (times the multiplier). ``adjusted=False`` gives the limits without overdispersion
        adjustment (FunnelPlotR's ``draw_unadjusted``)."""
        den = self.table["denominator"].to_numpy()
        if x is None:
            x = np.geomspace(den.min() / 2, den.max() * 1.1, n_points)
        x = np.atleast_1d(np.asarray(x, dtype=float))
        if (x <= 0).any() or not np.isfinite(x).all():
            raise InputError("limits_curve: denominators must be positive numbers")
        out = pd.DataFrame({"denominator": x, "target": self.target})
        adjustment = self.adjustment if adjusted else "none"
        for level in self.levels:
            lo, hi = self._limits(x, level, adjustment)
            out[f"lower_{level_key(level)}"] = self.multiplier * lo
            out[f"upper_{level_key(level)}"] = self.multiplier * hi
        return out

    def summary(self) -> pd.DataFrame:
        """One row: data type, units, target, phi, tau², the adjustment asked for and the one
        applied, how many units lie above and below each limit, and the method in words."""
        row: dict[str, Any] = {
            "data_type": self.data_type, "n_units": self.n_units, "target": self.target,
            "phi": self.phi, "tau2": self.tau2, "od_adjust": self.od_adjust,
            "adjustment": self.adjustment, "trim_method": self.trim_method,
            "trim": self.trim, "n_used": self.n_used,
        }
        value = self.table["numerator"] / self.table["denominator"] * self.multiplier
        for level in self.levels:
            key = level_key(level)
            row[f"above_{key}"] = int((value > self.table[f"upper_{key}"]).sum())
            row[f"below_{key}"] = int((value < self.table[f"lower_{key}"]).sum())
        row["method"] = self.method
        return pd.DataFrame([row])

    def to_dict(self) -> dict:
        """JSON-safe: options, target, phi, tau², method, warnings and one entry per unit
        (group, numerator, denominator, indicator, z, z_adjusted, limits by level,
        assessment). Missing numbers are None."""

        def num(v) -> float | None:
            return None if v is None or pd.isna(v) else float(v)

        def plain(v):
            return v.item() if isinstance(v, np.generic) else v

        t = self.table
        units = []
        for rec in t.to_dict("records"):
            units.append({
                "group": plain(rec["group"]), "numerator": num(rec["numerator"]),
                "denominator": num(rec["denominator"]), "indicator": num(rec["indicator"]),
                "transformed": num(rec["transformed"]), "se": num(rec["se"]),
                "z": num(rec["z"]), "z_used": num(rec["z_used"]),
                "z_adjusted": num(rec["z_adjusted"]),
                "limits": {f"{v:g}": {"lower": num(rec[f"lower_{level_key(v)}"]),
                                      "upper": num(rec[f"upper_{level_key(v)}"])}
                           for v in self.levels},
                "assessment": rec["assessment"], "direction": rec["direction"],
                "outside_level": num(rec["outside_level"]),
            })
        return {
            "data_type": self.data_type, "numerator": self.numerator,
            "denominator": self.denominator, "group": self.group,
            "od_adjust": self.od_adjust, "adjustment": self.adjustment,
            "adjusted": self.adjusted, "tau2_method": self.tau2_method,
            "trim_method": self.trim_method, "trim": float(self.trim),
            "limits": [float(v) for v in self.levels], "multiplier": self.multiplier,
            "rc_limit_se": self.rc_limit_se, "n_units": self.n_units, "n_used": self.n_used,
            "target": num(self.target), "target_transformed": num(self.target_transformed),
            "phi": num(self.phi), "tau2": num(self.tau2), "method": self.method,
            "warnings": list(self.warnings), "units": units,
        }

    def plot(self, ax=None, **kwargs):
        """Draw the funnel; see :func:`wellbeing_analysis.funnel.plot.plot_funnel`."""
        from wellbeing_analysis.funnel.plot import plot_funnel

        return plot_funnel(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        return (f"FunnelResult({self.data_type}, {self.n_units} units, target={self.target:.4g}, "
                f"phi={self.phi:.4g}, tau2={self.tau2:.4g}, adjustment={self.adjustment!r})")


def funnel(data: pd.DataFrame, *, numerator: str, denominator: str, group: str,
           data_type: str = "PR", od_adjust: str = "additive", tau2_method: str = "DL",
           trim_method: str = "winsorise", trim: float = FUNNEL_TRIM_FRACTION,
           limits=FUNNEL_LIMITS, multiplier: float = 1.0,
           rc_limit_se: str = "expected") -> FunnelResult:
    """A funnel plot of units (one row each) with overdispersion-adjusted limits.

    Method (Spiegelhalter 2005, Stat Med and Qual Saf Health Care; FunnelPlotR):

    1. Target: theta0 = sum(numerator) / sum(denominator) for ``"PR"`` (proportions) and
       ``"RC"`` (ratios of counts), 1 for ``"SR"`` (indirectly standardised ratios O/E).
    2. Each unit's value y and its standard error s on a variance-stabilising scale:
       arcsin(sqrt(p)) with s = 1/(2 sqrt(n)) (PR); log((O+.5)/(D+.5)) with
       s = sqrt(O/(O+.5)² + D/(D+.5)²) (RC); sqrt(O/E) with s = 1/(2 sqrt(E)) (SR).
       z = (y - theta) / s, theta the transformed target.
    3. Dispersion: z-scores Winsorised to their ``trim`` and 1 - ``trim`` quantiles
       (default 10%; or trimmed as NHS Digital's SHMI does, or neither); phi = sum(z²) / n.
    4. ``od_adjust="additive"`` (default, FunnelPlotR's and the Healthcare Commission's
       choice; Spiegelhalter finds it conceptually stronger): a random-effects model with
       DerSimonian-Laird tau² = max(0, (n·phi - (n-1)) / (sum w - sum w² / sum w)),
       w = 1/s²; limits theta ± z_L sqrt(s² + tau²); adjusted z = (y - theta)/sqrt(s² + tau²).
       ``"multiplicative"``: limits theta ± z_L sqrt(phi) s; adjusted z = z / sqrt(phi).
       Adjustment is applied only when phi > 1 (FunnelPlotR) and there are at least
       FUNNEL_MIN_UNITS_FOR_ADJUSTMENT units (our rule); otherwise the result says why.
    5. Limits at each ``limits`` level (two-sided %, default 95 and 99.8) are evaluated at
       every unit's denominator and back-transformed; unadjusted SR limits are exact
       Poisson. A unit is 'above/below the expected range (L%)' when its value lies beyond
       the widest limit L it crosses (inclusive limits count as within, as FunnelPlotR).

    ``multiplier`` scales the indicator, target and limits (100 for percentages), as
    FunnelPlotR's ``multiplier``. Deviations from FunnelPlotR 0.5-0.6, all documented in
    docs/funnel.md: normal quantiles are exact (FunnelPlotR: 1.959964 and 3.090232);
    proportion limits are clamped on the angle scale rather than on a grid; SR limits are
    squared back from the square-root scale; RC limits use the standard error at the
    expected counts (``rc_limit_se="funnelplotr"`` gives FunnelPlotR's curves); SR uses
    the square-root (CQC) method only, not the SHMI log method.
    """
    return FunnelResult(data, numerator=numerator, denominator=denominator, group=group,
                        data_type=data_type, od_adjust=od_adjust, tau2_method=tau2_method,
                        trim_method=trim_method, trim=trim, limits=limits,
                        multiplier=multiplier, rc_limit_se=rc_limit_se)
