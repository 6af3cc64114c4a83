"""False-signal rate of each rule set on in-control series, and sensitivity to a real shift.

The measured figures are documented in docs/spc.md (section 'How often the rules raise
false alarms'); these tests re-measure them and fail if the documentation and the code
disagree. Seeded, so the numbers are reproducible:

- 10,000 normal series of 24 points (seed 20240401), share with at least one signal:
  mdc/XmR screened 19.2%, mdc/XmR unscreened 15.8%, anhoej/run 3.1%, anhoej/XmR 13.0%,
  ihi/run 37.2%.
- 2,000 series with a +2 SD shift in the last 8 points (seed 20240402), share flagged within
  the shifted points: mdc 75%, ihi 77%, anhoej/run 43%.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from wellbeing_analysis.spc import labels
from wellbeing_analysis.spc.engine import evaluate_group

DOCS = Path(__file__).resolve().parents[1] / "docs" / "spc.md"
N_SERIES, N_POINTS = 10_000, 24
#: Documented rates are rounded to 0.1 percentage point.
TOLERANCE_PP = 0.1

#: Rule names as the documentation table words them.
RULE_WORDS = {
    "outside limits": labels.OUTSIDE, "shift": labels.SHIFT, "two of three": labels.TWO_IN_THREE,
    "trend": labels.TREND, "too few crossings": labels.FEW_CROSSINGS,
    "long run": labels.LONG_RUN, "too few runs": labels.TOO_FEW_RUNS,
    "too many runs": labels.TOO_MANY_RUNS,
}
#: Documentation table row -> (chart, rule set, screen outliers).
CONFIGS = {
    ("mdc", "XmR, screened (default)"): ("xmr", "mdc", True),
    ("mdc", "XmR, not screened"): ("xmr", "mdc", False),
    ("anhoej", "run chart"): ("run", "anhoej", True),
    ("anhoej", "XmR (qicharts2 style)"): ("xmr", "anhoej", True),
    ("ihi", "run chart"): ("run", "ihi", True),
}


def documented_rates() -> dict[tuple[str, str], tuple[float, dict[str, float]]]:
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("<!-- false-signal-rates: start -->")[1].split(
        "<!-- false-signal-rates: end -->")[0]
    out = {}
    for line in table.strip().splitlines()[2:]:
        rule_set, chart, total, parts = (c.strip() for c in line.strip("|").split("|"))
        per_rule = {RULE_WORDS[m[0].strip()]: float(m[1]) for m in
                    re.findall(r"([a-z ]+?) (\d+\.\d)%", parts.replace(",", ""))}
        out[(rule_set, chart)] = (float(total.rstrip("%")), per_rule)
    return out


def signals_fired(y: np.ndarray, chart: str, rules: str, screen: bool) -> set[str]:
    g = evaluate_group(y, chart=chart, rules=rules, screen_outliers=screen)
    return {r for r, f in g.outcome.points.items() if np.any(f)} | {c.rule for c in
                                                                    g.outcome.chart}


@pytest.fixture(scope="module")
def in_control() -> np.ndarray:
    return np.random.default_rng(20240401).standard_normal((N_SERIES, N_POINTS))


@pytest.mark.slow
@pytest.mark.parametrize("row", list(CONFIGS), ids=lambda r: f"{r[0]}-{r[1]}")
def test_false_signal_rates_match_the_documentation(in_control, row):
    chart, rules, screen = CONFIGS[row]
    fired = [signals_fired(y, chart, rules, screen) for y in in_control]
    total = 100 * np.mean([bool(f) for f in fired])
    doc_total, doc_rules = documented_rates()[row]
    assert total == pytest.approx(doc_total, abs=TOLERANCE_PP)
    for rule, doc_rate in doc_rules.items():
        rate = 100 * np.mean([rule in f for f in fired])
        assert rate == pytest.approx(doc_rate, abs=TOLERANCE_PP), rule


def test_documentation_table_covers_every_rule_set():
    rows = documented_rates()
    assert set(rows) == set(CONFIGS)
    assert {r[0] for r in rows} == set(labels.RULE_SET_NAMES)


@pytest.mark.slow
def test_sensitivity_to_a_real_shift_matches_the_documentation():
    y = np.random.default_rng(20240402).standard_normal((2000, N_POINTS))
    y[:, 16:] += 2.0
    text = DOCS.read_text(encoding="utf-8")
    documented = {
        ("xmr", "mdc"): re.search(r"Making Data Count rules in (\d+)%", text),
        ("run", "ihi"): re.search(r"The IHI rules flag\s+it in (\d+)%", text),
        ("run", "anhoej"): re.search(r"Anhøj run-chart rules in (\d+)%", text),
    }
    for (chart, rules), match in documented.items():
        g = [evaluate_group(s, chart=chart, rules=rules) for s in y]
        hit = np.mean([any(np.any(f[16:]) for f in r.outcome.points.values())
                       or bool(r.outcome.chart) for r in g])
        assert 100 * hit == pytest.approx(float(match[1]), abs=0.5), (chart, rules)
