"""The answer first: a Making Data Count summary table (indicator, latest value, variation
icon, assurance icon, one line in words) that opens every report and the index, the links
between a service's pages, and the summary each report records in ``run.json`` so that the
index is built from the runs (``docs/reports.md``, 'The summary').

Each row states the comparison it makes: the latest month against the chart's process
limits (variation) and against the target (assurance). Icons are letters in a coloured
badge with their meaning in words beside them, never colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote

import pandas as pd

from wellbeing_analysis import formatting, glossary
from wellbeing_analysis.indicators import INDICATORS
from wellbeing_analysis.reporting import blocks as b
from wellbeing_analysis.reporting.catalogue import INDEX_NAME, REPORTS, SUMMARY_METADATA
from wellbeing_analysis.spc import labels

#: The indicators every report's summary table shows (flow measures charted with SPC).
SUMMARY_INDICATORS = ("absence_rate_pct", "s10_absence_rate_pct", "leaver_rate_pct")

#: Variation icon -> (badge letter or mark, CSS class). 'H'/'L' say which side of the
#: average the signal is on, as the Making Data Count icons do.
_VARIATION_BADGE = {
    labels.COMMON_CAUSE: ("~", "mdc-common"),
    labels.NEUTRAL_HIGH: ("H", "mdc-neutral"),
    labels.NEUTRAL_LOW: ("L", "mdc-neutral"),
}
_ASSURANCE_BADGE = {labels.CONSISTENT_PASS: ("P", "mdc-pass"),
                    labels.CONSISTENT_FAIL: ("F", "mdc-fail"),
                    labels.INCONSISTENT: ("?", "mdc-hit-miss")}


def indicator_row(name: str, result, *, target: float | None) -> dict:
    """One summary row from an SPC result: what was charted, the latest point, the icons and
    the line in words (JSON-able: it is recorded in run.json)."""
    ind = INDICATORS[name]
    last = result.data.iloc[-1]
    variation = str(result.variation_icon)
    assurance = None if result.assurance_icon is None else str(result.assurance_icon)
    value = float(last["y"])
    latest = (formatting.rate(value, ind.decimals) if ind.unit == "%"
              else formatting.significant(value))
    words = glossary.plain(variation)
    if assurance is not None and target is not None:
        words += "; " + glossary.plain(assurance)
    side = "higher" if float(last["y"]) > float(last["centre"]) else "lower"
    return {"indicator": name, "label": ind.label, "month": f"{pd.Timestamp(last['x']):%b %Y}",
            "latest": latest, "side": side, "direction": ind.direction,
            "variation": variation, "assurance": assurance,
            "target": None if target is None else (formatting.rate(target, ind.decimals)
                                                   if ind.unit == "%" else str(target)),
            "words": words[:1].upper() + words[1:] + "."}


def _variation_badge(row: Mapping) -> tuple[str, str]:
    icon = row["variation"]
    if icon in _VARIATION_BADGE:
        return _VARIATION_BADGE[icon]
    letter = "H" if row.get("side") == "higher" else "L"
    return letter, ("mdc-improvement" if icon == labels.IMPROVEMENT else "mdc-concern")


def _badge(letter: str, css: str, words: str) -> str:
    return (f'<span class="mdc-icon {css}" aria-hidden="true">{b.esc(letter)}</span> '
            f"{b.esc(words)}")


def summary_table(rows: Sequence[Mapping], *, caption: str) -> b.Block:
    """The Making Data Count summary table; each row carries its indicator and icons as data
    attributes (the browser test checks them against the library's SPC results)."""
    body = []
    for r in rows:
        letter, css = _variation_badge(r)
        variation = _badge(letter, css, glossary.plain(r["variation"]))
        if r.get("assurance") and r.get("target"):
            a_letter, a_css = _ASSURANCE_BADGE[r["assurance"]]
            assurance = _badge(a_letter, a_css, f"{glossary.plain(r['assurance'])} "
                                                f"(target {r['target']})")
        else:
            assurance = "no target set"
        body.append(
            f'<tr data-indicator="{b.esc(r["indicator"])}" '
            f'data-variation="{b.esc(r["variation"])}" '
            f'data-assurance="{b.esc(r.get("assurance") or "")}">'
            f'<th scope="row">{b.esc(r["label"])}</th>'
            f'<td class="num" data-label="{_HEADS[1][0]}">{b.esc(r["latest"])} '
            f'<span class="muted">({b.esc(r["month"])})</span></td>'
            f'<td class="icon" data-label="{_HEADS[2][0]}">{variation}</td>'
            f'<td class="icon" data-label="{_HEADS[3][0]}">{assurance}</td>'
            f'<td data-label="{_HEADS[4][0]}">{b.esc(r["words"])}</td></tr>')
    head = "".join(f'<th scope="col">{h}</th>' for _, h in _HEADS)
    # on a phone the table reflows into one card per indicator (nhs.css): no sideways scroll
    return b.scroll_region(f'<table class="mdc"><caption>{b.esc(caption)}</caption><thead>'
                           f"<tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
                           label=caption, cue=False)


#: The summary table's columns: (short label on a phone card, heading).
_HEADS = (("indicator", "indicator"), ("latest", "latest month"),
          ("variation", "variation: latest month against its process limits"),
          ("assurance", "assurance: against the target"), ("in words", "in words"))


def evaluation_answer(evaluation) -> str:
    """The evaluation's answer in one sentence, each figure against the counterfactual
    ('expected without the change')."""
    parts = []
    for ev in evaluation.outcomes:
        name = ev.outcome.label
        h = ev.headline
        if ev.verdict == "not enough data" or h is None:
            parts.append(f"{name}: not enough data to judge ({ev.status})")
            continue
        way = "lower" if h.relative < 0 else "higher"
        size = formatting.change(abs(h.relative)).lstrip("+")
        ci = (f"95% CI {formatting.change(h.ci_lower)} to {formatting.change(h.ci_upper)}")
        verdict = {"improved": "improved", "worsened": "worse"}.get(ev.verdict,
                                                                   "no clear change")
        parts.append(f"{name}: {verdict} — {size} {way} than expected without the change "
                     f"({ci})")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def record(rows: Sequence[Mapping], *, answer: str | None = None) -> b.Block:
    """An empty block whose metadata hands the summary to the runner (for run.json)."""
    return b.Block("", metadata={SUMMARY_METADATA: {"indicators": list(rows),
                                                     "answer": answer}})


def report_nav(current: str | None) -> b.Block:
    """Links to the service's index page and its sibling reports (the current one marked)."""
    items = [f'<li><a href="{INDEX_NAME}">All reports for this service</a></li>']
    for key, spec in REPORTS.items():
        if key == current:
            items.append(f'<li><span aria-current="page">{b.esc(spec.title)}</span></li>')
        else:
            items.append(f'<li><a href="{quote(key)}.html">{b.esc(spec.title)}</a></li>')
    return b.Block(f'<nav class="report-nav" aria-label="Reports for this service"><ul>'
                   f"{''.join(items)}</ul></nav>")
