"""Numbers in words a reader trusts: each kind of figure formatted by what it is (see
``docs/reports.md``, 'Numbers').

- rates and shares: a fixed number of decimals and a per cent sign ('3.92%');
- relative changes: a signed whole per cent with a true minus sign ('−22%', '+5%');
- counts: whole numbers with thousands separators ('1,533');
- ratios (rate ratios of log-link models): three significant digits ('0.912');
- coefficients and other estimates without a natural unit: three significant digits,
  never '-0.00' (a value that rounds to zero is '0');
- p-values: two significant digits, 'p < 0.001' below that;
- degrees of freedom: whole numbers, and 'large sample' where they are infinite (a normal
  rather than a t reference), never 'inf'.

Missing values are shown as an en dash.
"""

from __future__ import annotations

import math

from wellbeing_analysis.constants import SIGNIFICANT_DIGITS, SMALLEST_SHOWN_P_VALUE

#: What a missing value looks like in a report.
MISSING = "–"
#: The typographic minus sign (U+2212): a hyphen is read as a dash by screen readers.
MINUS = "−"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _signed(text: str) -> str:
    """A formatted number with a true minus, and no sign on a value that rounds to zero."""
    if text.startswith("-"):
        body = text[1:]
        return body if not any(c in "123456789" for c in body) else MINUS + body
    return text


def rate(value: float | None, decimals: int = 1, *, unit: str = "%") -> str:
    """A rate or share: '3.92%' (decimals fixed)."""
    if _missing(value):
        return MISSING
    return _signed(f"{float(value):,.{decimals}f}") + unit


def change(value: float | None) -> str:
    """A relative change given as a proportion (observed ÷ expected − 1): '−22%', '+5%',
    '0%'."""
    if _missing(value):
        return MISSING
    text = f"{100 * float(value):+.0f}%"
    return "0%" if text in ("+0%", "-0%") else text.replace("-", MINUS)


def count(value: float | None) -> str:
    """A count (or a total of days): '1,533'."""
    if _missing(value):
        return MISSING
    return _signed(f"{float(value):,.0f}")


def significant(value: float | None, digits: int = SIGNIFICANT_DIGITS) -> str:
    """An estimate to ``digits`` significant digits, in plain (not scientific) notation where
    it is readable: '0.0123', '1,530', '−4.56'; never '-0'."""
    if _missing(value):
        return MISSING
    v = float(value)
    if math.isinf(v):
        return "infinite" if v > 0 else f"{MINUS}infinite"
    if v == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(v)))
    if magnitude < -4 or magnitude >= 9:
        return _signed(f"{v:.{digits - 1}e}")
    places = digits - 1 - magnitude  # negative: round to tens, hundreds, ...
    return _signed(f"{round(v, places):,.{max(places, 0)}f}")


def ratio(value: float | None) -> str:
    """A ratio (e.g. a rate ratio, exp of a log-link coefficient): '0.912'."""
    return significant(value)


def p_value(value: float | None) -> str:
    """'p = 0.034', 'p = 0.41', 'p < 0.001'."""
    if _missing(value):
        return MISSING
    v = float(value)
    if v < SMALLEST_SHOWN_P_VALUE:
        return f"p < {SMALLEST_SHOWN_P_VALUE:g}"
    return f"p = {float(f'{v:.2g}'):g}"


def degrees_of_freedom(value: float | None) -> str:
    """'34', '12.5' (Satterthwaite), or 'large sample' when infinite (a normal reference)."""
    if _missing(value):
        return MISSING
    v = float(value)
    if math.isinf(v):
        return "large sample"
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def coefficient_table(table, *, log_link: bool, term_words=None):
    """A model's coefficients for a report, every cell text: on the log link the rate
    ratio (``exp`` of the coefficient) with its interval, otherwise the coefficient, both to
    three significant digits; p-values and degrees of freedom by their own rules.

    ``table`` has the columns of ``ITSResult.coefficients``; ``term_words`` maps a term to
    its words (the glossary's)."""
    import pandas as pd

    words = term_words or (lambda t: t)
    est, lo, hi = (("ratio", "ratio_ci_lower", "ratio_ci_upper") if log_link
                   else ("estimate", "ci_lower", "ci_upper"))
    out = pd.DataFrame({
        "term": [words(t) for t in table["term"]],
        "rate ratio" if log_link else "coefficient": table[est].map(significant),
        "95% CI": [f"{significant(a)} to {significant(b)}"
                   for a, b in zip(table[lo], table[hi], strict=True)],
        "p-value": table["p_value"].map(p_value).str.removeprefix("p ").str.removeprefix(
            "= "),
        "degrees of freedom": table["df"].map(degrees_of_freedom)})
    return out
