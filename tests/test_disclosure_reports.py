"""Differencing: a small service whose true small counts are known is rendered, and none of
those counts can be worked out from the report, the executed notebook or run.json.

The service (one year reported, July 2025 to June 2026) has: a team of 5 with one
long-serving member (stability 20%: one person); a team of 12 with one member under a year
(stability 91.7%: one person by complement); 28 leavers of whom 4 had under a year's
service (shown beside a suppressed cell, 4 could be worked out as 28 - the rest); and
0-4 leavers a month (a monthly rate beside the headcount gives the count).
"""

from __future__ import annotations

import html as html_module
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import build_once

pytestmark = pytest.mark.slow

EXTRACT = "2026-06-30"
THRESHOLD = 5
MONTHLY_LEAVERS = [2, 3, 1, 4, 2, 3, 2, 3, 1, 2, 3, 2]  # July 2025 .. June 2026: 28
WINDOW = pd.period_range("2025-07", "2026-06", freq="M")


def _spell(i, team, group, start, end=None, reason=""):
    return {"staff_id": f"S{i:04d}", "team": team, "staff_group": group, "band": "Band 5",
            "fte": 1.0, "start_date": start, "end_date": end or "", "leaving_reason": reason}


def build_service(folder: Path) -> Path:
    rows, i = [], 0
    for k in range(5):  # Tiny: one long-serving, four joined in January 2026
        rows.append(_spell(i, "Tiny", "Counsellor", "2020-03-02" if k == 0 else "2026-01-05"))
        i += 1
    for k in range(12):  # Twelve: eleven long-serving, one joined in February 2026
        rows.append(_spell(i, "Twelve", "High Intensity Therapist",
                           "2026-02-02" if k == 0 else "2019-05-01"))
        i += 1
    for _ in range(40):  # Big: long-serving, all still in post
        rows.append(_spell(i, "Big", "Psychological Wellbeing Practitioner", "2019-05-01"))
        i += 1
    # 28 leavers from Big over the year; 4 of them had joined less than a year before
    early = {3, 10, 17, 24}
    n = 0
    for month, count in zip(WINDOW, MONTHLY_LEAVERS, strict=True):
        for k in range(count):
            leave = (month.start_time + pd.Timedelta(days=10 + k)).strftime("%Y-%m-%d")
            start = ((month - 6).start_time.strftime("%Y-%m-%d") if n in early
                     else "2019-05-01")
            rows.append(_spell(i, "Big", "Psychological Wellbeing Practitioner", start, leave,
                               "Voluntary Resignation - Work Life Balance"))
            i += 1
            n += 1
    spells = pd.DataFrame(rows)
    # absence: most long-serving Big staff have one short episode a quarter
    ep = []
    rng = np.random.default_rng(3)
    for sid in spells.loc[spells["team"] == "Big", "staff_id"].head(30):
        for q in pd.period_range("2025-01", "2026-04", freq="Q"):
            day = q.start_time + pd.Timedelta(days=int(rng.integers(0, 60)))
            ep.append({"staff_id": sid, "start_date": day.strftime("%Y-%m-%d"),
                       "end_date": (day + pd.Timedelta(days=2)).strftime("%Y-%m-%d"),
                       "reason_code": "S13", "related_reason": ""})
    folder.mkdir(parents=True, exist_ok=True)
    spells.to_csv(folder / "staff_spells.csv", index=False)
    pd.DataFrame(ep).to_csv(folder / "absence_episodes.csv", index=False)
    return folder


def render(root: Path) -> dict:
    from dataclasses import asdict

    from wellbeing_analysis.reporting.runner import run_reports

    data = build_service(root / "data" / "small")
    params = root / "params" / "small.yaml"
    params.parent.mkdir(parents=True)
    params.write_text(yaml.safe_dump({
        "service_name": "Small differencing service", "data_dir": "../data/small",
        "output_dir": "../reports/small", "extract_date": EXTRACT, "data_start": "2025-01",
        "disclosure": {"min_count": THRESHOLD}}), encoding="utf-8")
    outcomes = run_reports([params], ("baseline",), jobs=1, progress=False)
    return {"outcomes": [asdict(o) for o in outcomes], "data": str(data)}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root, result = build_once(tmp_path_factory, "differencing", render)
    out = root / "reports" / "small"
    assert result["outcomes"][0]["ok"], result["outcomes"][0]["error"]
    return out


class Tables(HTMLParser):
    """Every table in a page as (caption, header, rows of cell text)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[str], list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_caption = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(("", [], []))
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            caption, header, rows = self.tables[-1]
            if not header:
                self.tables[-1] = (caption, self._row, rows)
            else:
                rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_caption:
            caption, header, rows = self.tables[-1]
            self.tables[-1] = (caption + data, header, rows)
        elif self._cell is not None:
            self._cell.append(data)


def visible_text(html: str) -> str:
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text).strip()


def table(html: str, caption_start: str) -> pd.DataFrame:
    for caption, header, rows in Tables(html).tables:
        if caption.startswith(caption_start):
            return pd.DataFrame(rows, columns=header)
    raise AssertionError(f"no table captioned {caption_start!r}")


def number(cell: str) -> float | None:
    try:
        return float(cell.replace(",", ""))
    except ValueError:
        return None


def publishable(k: float, n: float) -> bool:
    small = lambda c: 0 < round(c) < THRESHOLD  # noqa: E731
    return not (small(k) or small(n - k) or small(n))


def test_team_shares_reveal_no_small_count(rendered):
    html = (rendered / "baseline.html").read_text(encoding="utf-8")
    teams = table(html, "By team").set_index("team")
    assert teams.loc["Tiny", "stability index (%)"] == "*"     # 1 of 5
    assert teams.loc["Twelve", "stability index (%)"] == "*"   # 11 of 12: one by complement
    for _, row in teams.iterrows():  # the arithmetic on every row shown
        n, p = number(row["staff in post"]), number(row["stability index (%)"])
        if n is not None and p is not None:
            assert publishable(p * n / 100, n), row.to_dict()


def test_leaver_shares_reveal_no_small_count(rendered):
    html = (rendered / "baseline.html").read_text(encoding="utf-8")
    service = table(html, "Leavers by length of service")
    shares = service["share of leavers (%)"]
    assert service.set_index("length of service").loc["under 1 year",
                                                       "share of leavers (%)"] == "*"
    assert (shares == "*").sum() >= 2  # a lone suppressed share would follow from 100 - rest
    total = len(MONTHLY_LEAVERS) and sum(MONTHLY_LEAVERS)
    for cell in shares:
        p = number(cell)
        if p is not None:
            assert publishable(p * total / 100, total)
    # the sentence never states the early-leaver share (4 of 28)
    assert "had under a year's continuous service" not in html
    assert re.search(r"\b14% of leavers", html) is None


def test_monthly_leaver_counts_are_not_charted_month_by_month(rendered):
    html = (rendered / "baseline.html").read_text(encoding="utf-8")
    assert "Leavers per 100 staff by month" not in html
    assert "of leavers per 100 staff (monthly) by quarter" in html  # alt text, chart named
    assert "too few to publish month by month" in html


def test_executed_notebook_holds_only_the_report_html(rendered):
    nb = nbformat.read(rendered / "_notebooks" / "baseline.ipynb", as_version=4)
    html = (rendered / "baseline.html").read_text(encoding="utf-8")
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type in ("display_data", "execute_result"), out.output_type
            assert set(out.get("data", {})) <= {"text/html", "text/plain"}
            plain = out.get("data", {}).get("text/plain", "")
            assert plain.startswith("<report block:"), plain[:80]
            body = out.get("data", {}).get("text/html", "")
            assert visible_text(body) in visible_text(html)  # nothing beyond the report


def test_run_record_holds_no_counts(rendered):
    record = json.loads((rendered / "run.json").read_text())
    text = json.dumps(record)
    assert "staff" not in text.lower() or "Small differencing service" in text
    numbers = re.findall(r"(?<![\w.:-])\d+(?:\.\d+)?(?![\w:-])", json.dumps(record["reports"]))
    # the seconds each report took, and the summary the report itself shows (the index is
    # built from it): nothing the published page does not already say
    shown = visible_text((rendered / "baseline.html").read_text(encoding="utf-8"))
    extra = [n for n in numbers
             if float(n) != record["reports"]["baseline"]["seconds"] and n not in shown]
    assert not extra, extra
