"""The words the reports and the README use for indicators, chart rules, icons and models:
one glossary, so a service lead reads the same name everywhere (``docs/reports.md``).

Each :class:`Term` maps a name in the code ('absence_rate_pct', 'two_in_three',
'quasipoisson_ar') to the words a service lead uses and a one-sentence meaning.
:func:`plain` gives the words for any key (a readable fallback for keys not listed);
:func:`markdown` writes the README's glossary section from the same terms
(``python -m wellbeing_analysis.glossary README.md`` rewrites it in place).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from wellbeing_analysis.constants import (
    MDC_SHIFT_POINTS,
    MDC_TREND_POINTS,
    MDC_TWO_OF_THREE_COUNT,
    MDC_TWO_OF_THREE_WINDOW,
)
from wellbeing_analysis.indicators import INDICATORS
from wellbeing_analysis.spc import labels


@dataclass(frozen=True)
class Term:
    """A name in the code, the words for it, and what it means."""

    key: str
    words: str
    meaning: str
    kind: str  # 'indicator', 'column', 'chart rule', 'chart icon', 'model', 'statistic'


def _indicator_terms() -> list[Term]:
    return [Term(k, i.label, i.description, "indicator") for k, i in INDICATORS.items()]


_COLUMNS = [
    Term("fte_days_lost", "days lost to sickness (full-time equivalent)",
         "Calendar days of sickness absence, each weighted by the person's FTE.", "column"),
    Term("fte_days_available", "days available (full-time equivalent)",
         "Calendar days in post, each weighted by the person's FTE.", "column"),
    Term("leavers", "leavers", "Staff who left the service (a move between teams is not "
         "leaving).", "column"),
    Term("comparator_average", "average of similar organisations",
         "The NHS Staff Survey's average for the benchmarking group of similar trusts.",
         "column"),
    Term("comparator_best", "best of similar organisations",
         "The best score in the NHS Staff Survey's benchmarking group.", "column"),
    Term("comparator_worst", "lowest of similar organisations",
         "The lowest score in the NHS Staff Survey's benchmarking group.", "column"),
]

_RULES = [
    Term(labels.OUTSIDE, "a point beyond the process limits",
         "A month above the upper or below the lower process limit: too far from the "
         "average to be everyday variation.", "chart rule"),
    Term(labels.SHIFT, f"a run of {MDC_SHIFT_POINTS} months on one side of the average",
         f"{MDC_SHIFT_POINTS} or more months in a row above (or below) the centre line: the "
         "level has moved.", "chart rule"),
    Term(labels.TREND, f"{MDC_TREND_POINTS} months rising or falling in a row",
         f"{MDC_TREND_POINTS} or more months in a row, each higher (or lower) than the last.",
         "chart rule"),
    Term(labels.TWO_IN_THREE, f"{MDC_TWO_OF_THREE_COUNT} of {MDC_TWO_OF_THREE_WINDOW} months "
         "near a process limit",
         f"{MDC_TWO_OF_THREE_COUNT} of {MDC_TWO_OF_THREE_WINDOW} months in a row closer to the "
         "same process limit than two-thirds of the way from the average.", "chart rule"),
    Term(labels.LONG_RUN, "an unusually long run on one side of the median",
         "More months in a row on one side of the median than chance allows (Anhøj).",
         "chart rule"),
    Term(labels.FEW_CROSSINGS, "too few crossings of the median",
         "The line crosses the median less often than chance allows (Anhøj).", "chart rule"),
    Term(labels.TOO_FEW_RUNS, "too few runs",
         "Fewer runs above and below the median than chance allows (IHI).", "chart rule"),
    Term(labels.TOO_MANY_RUNS, "too many runs",
         "More runs above and below the median than chance allows (IHI).", "chart rule"),
    Term("process_limits", "process limits",
         "The range everyday variation stays within (about three sigma either side of the "
         "average); not targets.", "chart rule"),
]

_ICONS = [
    Term(labels.COMMON_CAUSE, "no signal (everyday variation)",
         "The latest month is within the range the process usually varies over.",
         "chart icon"),
    Term(labels.IMPROVEMENT, "improving (a signal)",
         "A chart rule shows a real change in the better direction.", "chart icon"),
    Term(labels.CONCERN, "getting worse (a signal)",
         "A chart rule shows a real change in the worse direction.", "chart icon"),
    Term(labels.NEUTRAL_HIGH, "higher than usual (a signal)",
         "A real change upwards, for a measure with no better direction.", "chart icon"),
    Term(labels.NEUTRAL_LOW, "lower than usual (a signal)",
         "A real change downwards, for a measure with no better direction.", "chart icon"),
    Term(labels.CONSISTENT_PASS, "target met every month",
         "The whole process range is on the right side of the target.", "chart icon"),
    Term(labels.CONSISTENT_FAIL, "target missed every month",
         "The whole process range is on the wrong side of the target: only a change to "
         "the process will meet it.", "chart icon"),
    Term(labels.INCONSISTENT, "target met in some months only",
         "The target lies inside the process range: it will be met in some months and "
         "missed in others.", "chart icon"),
]

_MODELS = [
    Term("ols", "straight-line regression", "Ordinary least squares: months assumed "
         "independent.", "model"),
    Term("glsar", "regression allowing for related months",
         "Generalised least squares with autocorrelated errors (REML).", "model"),
    Term("poisson", "count model", "Poisson regression of monthly counts with the "
         "exposure as an offset.", "model"),
    Term("quasipoisson", "count model allowing for extra variation",
         "Quasi-Poisson regression: Poisson with its variance scaled by the dispersion.",
         "model"),
    Term("quasipoisson_ar", "count model allowing for extra variation and related months",
         "Quasi-Poisson regression with AR(1) errors: the main model of the evaluation.",
         "model"),
    Term("negbin", "count model for very uneven counts",
         "Negative binomial regression.", "model"),
    Term("intercept", "starting level", "The model's level at the start of the series.",
         "model"),
    Term("time", "trend before the change", "The change per month before the intervention.",
         "model"),
    Term("level_change", "step at the change",
         "The jump in level when the intervention started.", "model"),
    Term("slope_change", "change in trend", "The change in the monthly trend after the "
         "intervention.", "model"),
]

_STATISTICS = [
    Term("counterfactual", "expected without the change",
         "What the model predicts had things carried on as before the intervention.",
         "statistic"),
    Term("confidence_interval", "95% confidence interval",
         "The range of values the data are consistent with.", "statistic"),
    Term("p_value", "p-value", "How surprising the data would be if nothing had changed.",
         "statistic"),
    Term("holm", "Holm's correction", "A stricter bar when two outcomes are judged together, "
         "so that one of them is not declared changed by chance.", "statistic"),
    Term("rate_ratio", "rate ratio", "How many times the rate is multiplied: 0.9 is 10% "
         "lower.", "statistic"),
    Term("dispersion", "extra variation", "How much more the monthly counts vary than pure "
         "chance would make them (1 = no more).", "statistic"),
    Term("autocorrelation", "related months", "How much one month's departure from the "
         "model carries over to the next.", "statistic"),
    Term("phase_in", "phase-in", "Months after the start while a change beds in; left out "
         "of the model.", "statistic"),
]

#: Every term, by key (the first definition of a key wins).
GLOSSARY: dict[str, Term] = {}
for _t in [*_indicator_terms(), *_COLUMNS, *_RULES, *_ICONS, *_MODELS, *_STATISTICS]:
    GLOSSARY.setdefault(_t.key, _t)

#: Headings of the README's glossary section, by kind (in this order).
KIND_HEADINGS = {"indicator": "Indicators", "column": "Columns in the data",
                 "chart rule": "Chart rules", "chart icon": "Chart icons",
                 "model": "Models and model terms", "statistic": "Statistics"}
#: Markers of the generated section in the README.
START_MARK = "<!-- glossary: generated by python -m wellbeing_analysis.glossary -->"
END_MARK = "<!-- glossary: end -->"


def plain(key: str) -> str:
    """The words for a name in the code: 'absence_rate_pct' -> 'Sickness absence rate';
    a key not in the glossary is made readable ('mean_score' -> 'mean score')."""
    term = GLOSSARY.get(key)
    if term is not None:
        return term.words
    text = key[:-4] + " (%)" if key.endswith("_pct") else key
    return text.replace("_", " ").strip()


def meaning(key: str) -> str:
    """One sentence on what ``key`` means ('' when not in the glossary)."""
    term = GLOSSARY.get(key)
    return term.meaning if term is not None else ""


def markdown() -> str:
    """The README's glossary section (between its markers)."""
    lines = [START_MARK, "", "Words the reports use, and what they mean. The same list is "
             "in the library (`wellbeing_analysis.glossary`).", ""]
    for kind, heading in KIND_HEADINGS.items():
        lines += [f"**{heading}**", "", "| in the reports | meaning | name in the code |",
                  "|---|---|---|"]
        lines += [f"| {t.words} | {t.meaning} | `{t.key}` |"
                  for t in GLOSSARY.values() if t.kind == kind]
        lines.append("")
    return "\n".join(lines + [END_MARK])


def update_readme(path: Path) -> bool:
    """Rewrite the glossary section of ``path`` from the terms; True if it changed."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START_MARK) + r".*?" + re.escape(END_MARK), re.S)
    if not pattern.search(text):
        raise ValueError(f"{path}: no glossary section ({START_MARK!r} ... {END_MARK!r})")
    new = pattern.sub(lambda _: markdown(), text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # python -m wellbeing_analysis.glossary README.md
    changed = update_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("glossary updated" if changed else "glossary already up to date")
