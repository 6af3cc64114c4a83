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
                target: float | None, chart: str | None = None) -> str:
    """One sentence reading an SPC chart's icons for an indicator, naming the chart
    ('... (Laney U′ chart)') when ``chart`` is given."""
    from wellbeing_analysis.spc.labels import CHART_NAMES

    label = INDICATORS[name].label
    on = f" ({CHART_NAMES[chart]})" if chart is not None else ""
    text = f"{label}{on}: {_VARIATION.get(variation_icon, 'no reading')}"
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


def signal_sentences(signals: pd.DataFrame, since: pd.Timestamp, *, subject: str | None = None,
                     with_end: bool = False) -> list:
    """Descriptions of SPC signals that end on or after ``since``: most recent first, and
    each signal once (an episode inside a longer one of the same chart, e.g. months near a
    limit within a shift, is the same signal). With ``subject`` the sentence does not
    repeat the indicator's name; with ``with_end`` items are (end, sentence) pairs."""
    if signals is None or signals.empty:
        return []
    recent = signals[pd.to_datetime(signals["end_x"]) >= since].dropna(subset=["description"])
    recent = recent.assign(start=pd.to_datetime(recent["start_x"]),
                           end=pd.to_datetime(recent["end_x"]))
    recent = recent.sort_values(["end", "start"], ascending=[False, True], kind="stable")
    kept: list[tuple[pd.Timestamp, pd.Timestamp, str]] = []
    for start, end, text in zip(recent["start"], recent["end"], recent["description"],
                                strict=True):  # a handful of signals per chart
        if any(start <= k_end and end >= k_start for k_start, k_end, _ in kept):
            continue  # overlaps a signal already listed
        kept.append((start, end, _without_subject(str(text), subject)))
    return [(end, text) if with_end else text for _, end, text in kept]


def _without_subject(text: str, subject: str | None) -> str:
    """'the sickness absence rate stayed below ...' -> 'stayed below ...' when the list
    already names the indicator."""
    if subject:
        lead = f"the {subject.lower()} "
        if text.lower().startswith(lead):
            return text[len(lead):]
    return text


def suppressed_note(threshold: int) -> str:
    return (f"Counts below {threshold} are suppressed (*) so that no individual can be "
            "identified, and so are figures calculated from them.")


def its_verdict(*, verdict: str, outcome: str, status: str = "ok",
                relative: float | None = None, ci_lower: float | None = None,
                ci_upper: float | None = None, p_adjusted: float | None = None,
                n_judged: int = 1, failed=(), mde_ratio: float | None = None,
                largest_planned: float | None = None, diagnostics=()) -> str:
    """Honest verdict on an intervention from the primary model's change since it started
    (``relative`` = observed / expected - 1, with its 95% CI, as proportions).

    ``verdict`` is the evaluation's decision ('improved', 'worsened', 'no clear change' or
    'not enough data'). Only 'improved' and 'worsened' open by stating a change; 'no clear
    change' opens by saying the data do not show one (and, with the power planner's minimum
    detectable ratio ``mde_ratio``, how large a change could have been missed); 'not enough
    data' names the failed checks (``failed``: Check objects) and what data would be needed,
    and gives no effect figure. With ``n_judged`` > 1 outcomes the decision is Holm's, and
    ``p_adjusted`` is the Holm-adjusted p-value. Failed ``diagnostics`` add a caveat.
    """
    if verdict == "not enough data" or relative is None:
        what = "cannot be trusted" if status == "model not trusted" else "has too little data"
        reasons = " ".join(c.detail for c in failed)
        needed = " ".join(dict.fromkeys(c.needed for c in failed if c.needed))
        return (f"No estimate of the change in {outcome} is shown: the analysis {what} to "
                f"judge it. {reasons} {needed}").strip()
    pct = abs(relative) * 100
    fall_lo, fall_hi = -ci_upper * 100, -ci_lower * 100  # as % falls
    together = (f", judged together with the other outcome (Holm-adjusted p = "
                f"{p_adjusted:.2g})" if n_judged > 1 and p_adjusted is not None else "")
    if verdict == "improved":
        text = (f"{_cap(outcome)} fell after the intervention: about {pct:.0f}% lower than "
                f"expected had things continued as before (95% confidence interval "
                f"{fall_lo:.0f}% to {fall_hi:.0f}% lower{together}).")
    elif verdict == "worsened":
        text = (f"{_cap(outcome)} rose after the intervention: about {pct:.0f}% higher than "
                f"expected had things continued as before (95% confidence interval "
                f"{-fall_hi:.0f}% to {-fall_lo:.0f}% higher{together}).")
    else:
        direction = "fall" if relative < 0 else "rise"
        spans = ci_lower <= 0 <= ci_upper
        text = (f"The data do not show a clear change in {outcome}: the best estimate is "
                f"{_a(pct)} {pct:.0f}% {direction}")
        if spans:
            text += (f", but anything from {_a(fall_hi)} {fall_hi:.0f}% fall to "
                     f"{_a(-fall_lo)} {-fall_lo:.0f}% rise fits the data.")
        else:  # the 95% interval excludes no change, but not after Holm's correction
            text += (f" (95% CI {_range(ci_lower, ci_upper)}), but judged together with the "
                     f"other outcome (Holm-adjusted p = {p_adjusted:.2g}) that is not clear "
                     "evidence of a change.")
        if mde_ratio is not None and not pd.isna(mde_ratio):
            text += (f" With this much data only a change of about "
                     f"{abs(1 - mde_ratio) * 100:.0f}% or more would reliably show.")
        elif largest_planned is not None:
            size = abs(1 - largest_planned) * 100
            text += (f" With this much data even {_a(size)} {size:.0f}% change would probably "
                     "be missed: the measure is too noisy at this size of service.")
    if diagnostics:
        text += " Caution: " + " ".join(c.detail for c in diagnostics)
    return text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _range(lo: float, hi: float) -> str:
    """'37% to 4% lower', '5% to 30% higher' or '10% lower to 20% higher'."""
    if hi < 0:
        return f"{-hi * 100:.0f}% to {-lo * 100:.0f}% lower"
    if lo > 0:
        return f"{lo * 100:.0f}% to {hi * 100:.0f}% higher"
    return f"{-lo * 100:.0f}% lower to {hi * 100:.0f}% higher"


def _a(number: float) -> str:
    """The article before a number read aloud: 'an 8%', 'an 11%', 'a 20%'."""
    spoken = f"{abs(number):.0f}"
    return "an" if spoken.startswith("8") or spoken in ("11", "18") else "a"
