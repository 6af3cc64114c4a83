"""One glossary for reports and README: every indicator, chart rule, icon and model family
has words a service lead uses, and the README's glossary section is generated from it."""

from __future__ import annotations

from pathlib import Path

from wellbeing_analysis import glossary
from wellbeing_analysis.indicators import INDICATORS
from wellbeing_analysis.its.options import FAMILIES
from wellbeing_analysis.spc import labels

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_code_name_has_plain_words():
    keys = [*INDICATORS, *labels.POINT_TYPES, *labels.ASSURANCE_TYPES, *FAMILIES,
            *{r for rules in labels.RULE_SET_RULES.values() for r in rules}]
    for key in keys:
        term = glossary.GLOSSARY[key]
        assert term.words and term.meaning
        assert "_" not in term.words, key  # no code names in the words


def test_plain_words_and_fallback():
    assert glossary.plain("absence_rate_pct") == "Sickness absence rate"
    assert glossary.plain("fte_days_lost") == "days lost to sickness (full-time equivalent)"
    assert glossary.plain("two_in_three") == "2 of 3 months near a process limit"
    assert glossary.plain("mean_score_pct") == "mean score (%)"  # not listed: readable


def test_readme_glossary_section_is_generated_from_the_library(tmp_path):
    text = README.read_text(encoding="utf-8")
    assert glossary.markdown() in text, (
        "README glossary is stale: run python -m wellbeing_analysis.glossary README.md")
    stale = tmp_path / "README.md"
    stale.write_text(text.replace("| Headcount |", "| Staff count |"), encoding="utf-8")
    assert glossary.update_readme(stale) is True
    assert stale.read_text(encoding="utf-8") == text
