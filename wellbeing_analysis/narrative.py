"""Plain-English sentences for service leads: what changed, whether it is a real signal or
noise, and what to look at. Pure functions of analysis results; no numbers are computed here
that the analysis modules do not already give."""

from __future__ import annotations

import pandas as pd

from wellbeing_analysis.indicators import INDICATORS

_VARIATION = {
    "common_cause": "the latest month is within the normal range — month-to-month changes are "
                    "noise, not a signal",
    "special_cause_improvement": "the latest month is part of a real improvement (a signal, "
                                 "not noise)",
    "special_cause_concern": "the latest month is part of a real deterioration (a signal, not "
                             "noise) worth looking into",
    "special_cause_neutral_high": "the latest month is unusually high (a signal, not noise)",
    "special_cause_neutral_low": "the latest month is unusually low (a signal, not noise)",
}
_ASSURANCE = {
    "consistent_pass": "the target of {t} will be met month after month if nothing changes",
    "consistent_fail": "the target of {t} will not be met unless something changes",
    "inconsistent": "the target of {t} will be met in some months and missed in others",
}


def fmt(value: float, name: str) -> str:
    """A value of an indicator with its unit, at its published precision."""
    ind = INDICATORS[name]
    if value is None or pd.isna(value):
        return "not available"
    return f"{value:.{ind.decimals}f}%" if ind.unit == "%" else f"{value:,.{ind.decimals}f}"


def spc_reading(name: str, variation_icon: str, assurance_icon: str | None,
                target: float | None) -> str:
    """One sentence reading an SPC chart's icons for an indicator."""
    label = INDICATORS[name].label
    text = f"{label}: {_VARIATION.get(variation_icon, 'no reading')}"
    if assurance_icon is not None and target is not None:
        text += "; " + _ASSURANCE[assurance_icon].format(t=fmt(target, name))
    return text + "."


def change(name: str, now: float, before: float, *, period: str = "the previous 12 months",
           include_now: bool = True) -> str:
    """'4.9%, up from 4.6% in the previous 12 months' (or without the first value)."""
    if pd.isna(now):
        return "not available"
    lead = f"{fmt(now, name)}, " if include_now else ""
    if pd.isna(before):
        return fmt(now, name) if include_now else f"no figure for {period}"
    ind = INDICATORS[name]
    diff = now - before
    if abs(diff) < 0.5 * 10 ** (-ind.decimals):
        return f"{lead}the same as in {period}"
    word = "up" if diff > 0 else "down"
    return f"{lead}{word} from {fmt(before, name)} in {period}"


def signal_sentences(signals: pd.DataFrame, since: pd.Timestamp) -> list[str]:
    """Descriptions of SPC signals that end on or after ``since``."""
    if signals is None or signals.empty:
        return []
    recent = signals[pd.to_datetime(signals["end_x"]) >= since]
    return [str(d) for d in recent["description"].dropna().unique()]


def suppressed_note(threshold: int) -> str:
    return (f"Counts below {threshold} are suppressed (*) so that no individual can be "
            "identified, and so are figures calculated from them.")


def its_verdict(*, estimate_ratio: float, ci_lower: float, ci_upper: float, outcome: str,
                months_after: int, min_points: int, mde_ratio: float | None = None,
                largest_planned: float | None = None) -> str:
    """Honest verdict on an intervention from a ratio (observed ÷ expected) and its 95% CI.

    Says 'fall'/'rise' only when the CI excludes 1; otherwise says the data cannot tell and,
    with the power planner's minimum detectable ratio (``mde_ratio``), how large a change
    could have been missed (or that even ``largest_planned`` would be missed).
    """
    pct = abs(1 - estimate_ratio) * 100
    fall_lo, fall_hi = (1 - ci_upper) * 100, (1 - ci_lower) * 100  # as % falls
    if months_after < min_points:
        return (f"Too early to tell: only {months_after} month(s) of {outcome} after the "
                f"intervention (at least {min_points} are needed for a trustworthy estimate).")
    if ci_upper < 1:
        return (f"The intervention was followed by a real fall in {outcome}: about {pct:.0f}% "
                f"lower than expected had things continued as before (95% confidence interval "
                f"{fall_lo:.0f}% to {fall_hi:.0f}% lower).")
    if ci_lower > 1:
        return (f"{outcome[:1].upper()}{outcome[1:]} rose after the intervention: about "
                f"{pct:.0f}% higher than expected (95% CI {-fall_hi:.0f}% to {-fall_lo:.0f}% "
                "higher).")
    direction = "fall" if estimate_ratio < 1 else "rise"
    text = (f"The data cannot tell whether the intervention changed {outcome}: the best "
            f"estimate is {_a(pct)} {pct:.0f}% {direction}, but anything from {_a(fall_hi)} "
            f"{fall_hi:.0f}% fall to {_a(-fall_lo)} {-fall_lo:.0f}% rise fits the data.")
    if mde_ratio is not None and not pd.isna(mde_ratio):
        text += (f" With this much data only a change of about {abs(1 - mde_ratio) * 100:.0f}% "
                 "or more would reliably show.")
    elif largest_planned is not None:
        size = abs(1 - largest_planned) * 100
        text += (f" With this much data even {_a(size)} {size:.0f}% change would probably be "
                 "missed: the measure is too noisy at this size of service.")
    return text


def _a(number: float) -> str:
    """The article before a number read aloud: 'an 8%', 'an 11%', 'a 20%'."""
    spoken = f"{abs(number):.0f}"
    return "an" if spoken.startswith("8") or spoken in ("11", "18") else "a"
