"""End to end: the demo service's three reports, executed once per session with papermill
(``rendered_demo`` in conftest), checked as a reader and as a privacy reviewer would:
no code, no errors, no staff IDs, no small counts, every chart embedded with alt text,
self-contained, provenance last and correct, indexes and executed notebooks kept; and the
same inputs give the same report."""

from __future__ import annotations

import base64
import html
import json
import platform
import re
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from conftest import E2E_PSEUDONYM_KEY, REPORT_KEYS, sha256_of

from wellbeing_analysis.pseudonymise import pseudonymise
from wellbeing_analysis.reporting.baseline import BaselineReport
from wellbeing_analysis.reporting.catalogue import REPORTS
from wellbeing_analysis.reporting.evaluation import EvaluationReport
from wellbeing_analysis.reporting.params import ReportParams
from wellbeing_analysis.reporting.pdsa import PDSAReport
from wellbeing_analysis.reporting.runner import notebook_path

pytestmark = pytest.mark.slow

REPORT_CLASSES = {"baseline": BaselineReport, "pdsa": PDSAReport, "evaluation": EvaluationReport}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")
#: Attributes whose value the browser fetches (``href`` only on tags other than links).
FETCHED_ATTRS = {"src", "srcset", "data", "poster", "background", "action", "formaction",
                 "xlink:href", "href"}
NAVIGATION_TAGS = {"a", "area"}
#: Classes nbconvert gives to code input, prompts and markdown cells.
CODE_CLASS_PREFIXES = ("jp-InputArea", "jp-CodeMirror", "jp-Editor", "jp-InputPrompt",
                       "jp-OutputPrompt", "highlight", "hl-", "jp-MarkdownCell",
                       "jp-RenderedMarkdown")


# ---------------------------------------------------------------------------
# A small HTML reader (stdlib html.parser: no new dependency)
# ---------------------------------------------------------------------------
class ReportHTML(HTMLParser):
    """Collects tags with attributes, count cells, images, h2 ids, tables and text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.count_cells: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.h2_ids: list[str] = []
        self.tables: list[dict] = []  # {"caption", "header", "rows"}
        self.text_parts: list[str] = []
        self._cell: list[str] | None = None
        self._cell_is_count = False
        self._row: list[str] | None = None
        self._caption: list[str] | None = None
        self._in_head = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "img":
            self.images.append(a)
        elif tag == "h2" and a.get("id"):
            self.h2_ids.append(a["id"])
        elif tag == "table":
            self.tables.append({"caption": "", "header": [], "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            self._cell_is_count = tag == "td" and "count" in (a.get("class") or "").split()

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption).strip()
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            value = "".join(self._cell).strip()
            if self._cell_is_count:
                self.count_cells.append(value)
            if self._row is not None:
                self._row.append(value)
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            key = "header" if self._in_head else "rows"
            if key == "header":
                self.tables[-1]["header"] = self._row
            else:
                self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        self.text_parts.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def table(self, caption_start: str) -> pd.DataFrame:
        found = [t for t in self.tables if t["caption"].startswith(caption_start)]
        assert len(found) == 1, f"expected one table captioned {caption_start!r}, got {found}"
        return pd.DataFrame(found[0]["rows"], columns=found[0]["header"])


@pytest.fixture(scope="module")
def parsed(rendered_demo) -> dict[str, ReportHTML]:
    return {r: ReportHTML(rendered_demo.html(r)) for r in REPORT_KEYS}


def without_images(text: str) -> str:
    """The HTML with embedded PNG data removed (base64 can spell anything by chance)."""
    return DATA_URI.sub("data:image/png;base64,", text)


# ---------------------------------------------------------------------------
# The run itself
# ---------------------------------------------------------------------------
def test_every_report_rendered_without_warnings(rendered_demo):
    by_report = {o["report"]: o for o in rendered_demo.outcomes}
    assert set(by_report) == set(REPORT_KEYS)
    for report, o in by_report.items():
        assert o["ok"], f"{report}: {o['error']}"
        assert o["warnings"] == [], f"{report} wrote to stderr: {o['warnings']}"
        assert Path(o["html"]) == rendered_demo.html_path(report)


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_html_exists_and_is_a_complete_page(rendered_demo, report):
    text = rendered_demo.html(report)
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert text.rstrip().endswith("</html>")
    assert '<h1>' in text


# ---------------------------------------------------------------------------
# No code, no errors
# ---------------------------------------------------------------------------
def executed_notebook(rendered_demo, report: str):
    path = rendered_demo.output_dir / "_notebooks" / REPORTS[report].notebook
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_no_code_input_in_the_report(rendered_demo, parsed, report):
    text = rendered_demo.html(report)
    # (the stylesheet names these classes; no element may carry them)
    classes = {c for _, a in parsed[report].tags for c in (a.get("class") or "").split()}
    assert "jp-OutputArea-output" in classes  # the check looks at the right thing
    code_classes = {c for c in classes if c.startswith(CODE_CLASS_PREFIXES)}
    assert not code_classes, f"{report}: elements of code input: {code_classes}"
    # not one line of the executed notebook's code (incl. papermill's injected parameters)
    shown = html.unescape(without_images(text))
    nb = executed_notebook(rendered_demo, report)
    lines = [line.strip() for cell in nb.cells if cell.cell_type == "code"
             for line in cell.source.splitlines() if len(line.strip()) > 6]
    assert any("from wellbeing_analysis" in line for line in lines)  # the check has teeth
    leaked = [line for line in lines if line in shown]
    assert not leaked, f"{report}: notebook code in the report: {leaked}"
    for fragment in ("report = ", "from wellbeing_analysis", "params_file", "report."):
        assert fragment not in parsed[report].text, f"{report}: {fragment!r} in the text"


ERROR_PATTERNS = {
    "traceback": re.compile(r"Traceback"),
    "exception": re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning):"),
    "ansi escape": re.compile(r"\x1b\[|&#27;|\\u001b"),
    "papermill error": re.compile(r"An Exception was encountered"),
}


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_no_error_output_or_traceback(rendered_demo, parsed, report):
    text = without_images(rendered_demo.html(report))
    for what, pattern in ERROR_PATTERNS.items():
        m = pattern.search(text)
        assert m is None, f"{report}: {what}: ...{text[max(m.start() - 80, 0):m.end() + 80]}..."
    # no element of an error or stderr output, nor ANSI-coloured text
    for tag, attrs in parsed[report].tags:
        classes = (attrs.get("class") or "").split()
        assert "jp-OutputArea-error" not in classes, f"{report}: an error output"
        assert not [c for c in classes if c.startswith("ansi-")], f"{report}: ANSI text"
        assert "stderr" not in (attrs.get("data-mime-type") or ""), f"{report}: stderr"
    # and in the executed notebook: no error output and nothing on stderr
    for cell in executed_notebook(rendered_demo, report).cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{report}: {out.get('ename')}"
            assert not (out["output_type"] == "stream" and out.get("name") == "stderr"), (
                f"{report}: stderr: {out.get('text', '')[:300]}")


# ---------------------------------------------------------------------------
# Privacy
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def staff_ids(rendered_demo) -> tuple[set[str], set[str]]:
    """(raw staff IDs in the inputs, their pseudonyms under the session's key)."""
    ids: set[str] = set()
    for name in ("staff_spells.csv", "absence_episodes.csv"):
        df = pd.read_csv(rendered_demo.data_dir / name, dtype=str)
        ids |= set(df["staff_id"].dropna().str.strip())
    assert len(ids) > 100
    assert rendered_demo.pseudonym_key == E2E_PSEUDONYM_KEY
    pseudonyms = set(pseudonymise(pd.Series(sorted(ids)), key=E2E_PSEUDONYM_KEY))
    return ids, pseudonyms


def word_tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_no_staff_id_raw_or_pseudonymised(rendered_demo, staff_ids, report):
    raw, pseudonyms = staff_ids
    # word-boundary matching: an ID counts only as a whole word (E100001 but not E1000012)
    assert all(re.fullmatch(r"\w+", i) for i in raw | pseudonyms)
    tokens = word_tokens(html.unescape(without_images(rendered_demo.html(report))))
    assert not raw & tokens, f"{report}: raw staff IDs {sorted(raw & tokens)[:5]}"
    assert not pseudonyms & tokens, f"{report}: pseudonyms {sorted(pseudonyms & tokens)[:5]}"
    # nor anything shaped like a pseudonym, whatever key the kernel used
    shaped = {t for t in tokens if re.fullmatch(r"P[0-9A-F]{16}", t)}
    assert not shaped, f"{report}: pseudonym-shaped tokens {sorted(shaped)[:5]}"


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_no_count_below_the_threshold_in_any_table(rendered_demo, parsed, report):
    k = rendered_demo.params.disclosure.min_count
    cells = parsed[report].count_cells
    bad = []
    for value in cells:
        if value in ("*", "–", "0"):
            continue
        number = float(value.replace(",", ""))
        if not (number == 0 or number >= k):
            bad.append(value)
    assert not bad, f"{report}: counts below {k} shown: {bad}"
    if report == "baseline":  # the breakdowns are there, and suppression did happen
        assert len(cells) > 50
        assert "*" in cells


# ---------------------------------------------------------------------------
# Images and self-containment
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("report", REPORT_KEYS)
def test_every_image_is_an_embedded_png_with_alt_text(rendered_demo, parsed, report):
    images = parsed[report].images
    assert images, f"{report}: no charts at all"
    for img in images:
        src = img.get("src") or ""
        assert src.startswith("data:image/png;base64,"), f"{report}: image source {src[:60]}"
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert data[:8] == PNG_SIGNATURE
        assert len(data) > 5_000, f"{report}: a suspiciously small PNG ({len(data)} bytes)"
        alt = (img.get("alt") or "").strip()
        assert len(alt) > 20, f"{report}: image without a useful alt text: {alt!r}"
    # every chart the notebook produced reached the HTML (nothing dropped by nbconvert)
    nb_text = json.dumps([c.get("outputs", []) for c in executed_notebook(rendered_demo,
                                                                          report).cells])
    assert nb_text.count("data:image/png;base64,") == len(images)
    assert '"image/png"' not in nb_text  # no bare matplotlib output (it would lack alt text)


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_report_is_self_contained(rendered_demo, parsed, report):
    fetched = []
    for tag, attrs in parsed[report].tags:
        for name, value in attrs.items():
            if name not in FETCHED_ATTRS or value is None:
                continue
            if name == "href" and tag in NAVIGATION_TAGS:
                continue  # a link is followed only if the reader clicks it
            v = value.strip()
            if not (v.startswith("data:") or v.startswith("#")):
                fetched.append(f"<{tag} {name}={v[:80]!r}>")
    assert not fetched, f"{report}: resources fetched when opened: {fetched}"
    text = without_images(rendered_demo.html(report))
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", text)
    assert all(u.startswith(("data:", "#")) for u in urls), f"{report}: CSS url() {urls}"
    assert "@import" not in text
    assert not re.search(r"<script[^>]*\bsrc\s*=", text)


# ---------------------------------------------------------------------------
# Structure: the report class's sections, provenance last
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("report", REPORT_KEYS)
def test_every_section_is_rendered_in_order(parsed, report):
    anchors = [s.anchor for s in REPORT_CLASSES[report].SECTIONS]
    assert parsed[report].h2_ids == ["contents", *anchors]
    contents = [a["href"][1:] for t, a in parsed[report].tags
                if t == "a" and (a.get("href") or "").startswith("#")]
    assert contents == anchors


@pytest.fixture(scope="module")
def provenance(rendered_demo) -> dict[str, ReportHTML]:
    """The part of each report from the provenance heading to the end."""
    out = {}
    for r in REPORT_KEYS:
        text = rendered_demo.html(r)
        start = text.index('<h2 id="provenance"')
        out[r] = ReportHTML(text[start:])
    return out


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_provenance_is_last(parsed, provenance, report):
    assert parsed[report].h2_ids[-1] == "provenance"
    assert not provenance[report].images
    captions = [t["caption"] for t in provenance[report].tables]
    assert captions == ["Input files and their SHA-256 checksums", "Package versions"]


def _pre_after(text: str, heading: str) -> str:
    m = re.search(re.escape(heading) + r"\s*<pre>(.*?)</pre>", text, re.S)
    assert m, f"no <pre> after {heading}"
    return html.unescape(m.group(1))


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_provenance_records_the_params(rendered_demo, report):
    text = rendered_demo.html(report)
    shown = yaml.safe_load(_pre_after(text[text.index('id="provenance"'):],
                                      "<h3>Parameters</h3>"))
    params = rendered_demo.params
    again = ReportParams.model_validate(shown)  # enough to run the same report again
    assert again.model_dump(exclude={"source"}) == params.model_dump(exclude={"source"})
    given = yaml.safe_load(rendered_demo.params_file.read_text())
    assert shown["data_dir"] == given["data_dir"] == "../data/demo"  # as given, not absolute
    assert shown["evaluation"]["comparison"]["csv"] == given["evaluation"]["comparison"]["csv"]


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_provenance_checksums_match_the_input_files(rendered_demo, provenance, report):
    table = provenance[report].table("Input files and their SHA-256 checksums")
    by_file = dict(zip(table["file"], table["sha256"], strict=True))
    data = rendered_demo.data_dir
    expected = {p.name: sha256_of(p) for p in sorted(data.glob("*.csv"))
                if p.name != "comparison_sickness_absence.csv"}
    expected[rendered_demo.params_file.name] = sha256_of(rendered_demo.params_file)
    if report == "evaluation":  # the comparison series is an input of this report only
        expected["comparison_sickness_absence.csv"] = sha256_of(
            data / "comparison_sickness_absence.csv")
    assert by_file == expected
    # each data table's row count is its whole number of data rows
    for row in table.itertuples(index=False):
        if row.file.endswith(".csv") and row.file != "comparison_sickness_absence.csv":
            assert re.fullmatch(r"[\d,]+", row.rows), row
            assert int(row.rows.replace(",", "")) == len(pd.read_csv(data / row.file)), row
        else:
            assert row.rows == "–", row


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_provenance_lists_package_and_code_versions(provenance, report):
    table = provenance[report].table("Package versions")
    versions = dict(zip(table["package"], table["version"], strict=True))
    assert versions["python"] == platform.python_version()
    for pkg in ("wellbeing-analysis", "pandas", "numpy", "statsmodels", "matplotlib",
                "papermill", "nbconvert"):
        assert versions[pkg] == version(pkg), pkg
    assert re.search(r"code version ([0-9a-f]{12}(\+changes)?|wellbeing-analysis \S+)\.",
                     provenance[report].text)
    assert re.search(r"Produced \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", provenance[report].text)


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_footer_states_the_disclosure_rule_with_the_thresholds_used(provenance, report):
    """The rule README and docs/privacy.md state is printed in every report, with the
    params' thresholds (the demo's defaults: 5 people, 11 survey responses)."""
    text = re.sub(r"\s+", " ", provenance[report].text)
    assert "Small numbers: counts of fewer than 5 people are shown as '*'" in text
    assert "groups of 11 or more responses" in text


# ---------------------------------------------------------------------------
# What the runner leaves behind: executed notebooks, indexes, run record
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("report", REPORT_KEYS)
def test_executed_notebook_is_kept(rendered_demo, report):
    nb = executed_notebook(rendered_demo, report)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert str(rendered_demo.params_file.resolve()) in injected[0].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert sum(len(c.outputs) for c in code) >= len(REPORT_CLASSES[report].SECTIONS)


def test_no_staging_or_failed_leftovers(rendered_demo):
    out = rendered_demo.output_dir
    assert not (out / ".staging").exists()
    assert not (out / "_failed").exists()
    assert not list(out.glob(".*.tmp"))


def _links(path: Path) -> list[str]:
    return [a["href"] for t, a in ReportHTML(path.read_text(encoding="utf-8")).tags
            if t == "a" and a.get("href")]


def test_service_index_links_every_report(rendered_demo):
    index = rendered_demo.output_dir / "index.html"
    links = _links(index)
    assert sorted(links) == sorted(f"{r}.html" for r in REPORT_KEYS)
    assert all((rendered_demo.output_dir / link).is_file() for link in links)
    text = index.read_text(encoding="utf-8")
    assert rendered_demo.params.service_name in text
    assert "failed" not in text


def test_index_across_services_links_the_service_index(rendered_demo):
    top = rendered_demo.output_dir.parent / "index.html"
    assert _links(top) == ["demo/index.html"]
    assert rendered_demo.params.service_name in top.read_text(encoding="utf-8")


def test_run_record_says_every_report_succeeded(rendered_demo):
    record = json.loads((rendered_demo.output_dir / "run.json").read_text())
    assert record["service"]["name"] == rendered_demo.params.service_name
    assert set(record["reports"]) == set(REPORT_KEYS)
    for key, entry in record["reports"].items():
        assert entry["ok"] is True and entry["error"] is None
        assert entry["last_success"] == entry["last_run"]
        # exactly what is on disk
        assert entry["files"] == {"html": f"{key}.html",
                                  "notebook": f"_notebooks/{REPORTS[key].notebook}"}


# ---------------------------------------------------------------------------
# Reproducibility: the same inputs and params give the same report
# ---------------------------------------------------------------------------
def _comparable(text: str, committed_ids: set[str]) -> str:
    """The report without the line that records when and from which commit it was run.
    Every cell in the report is a committed notebook cell (the runner drops the parameters
    cells, including papermill's injected one with its random id)."""
    stamped = re.compile(r"<p>Produced [^<]*? UTC by wellbeing-analysis, code version [^<]*</p>")
    assert len(stamped.findall(text)) == 1
    ids = re.findall(r'id="cell-id=([^"]+)"', text)
    assert ids and set(ids) <= committed_ids
    return stamped.sub("", text)


def test_rendering_the_baseline_again_gives_the_same_report(rendered_demo, tmp_path):
    from conftest import _render_demo_copy

    # a second copy of the service with byte-identical params (same relative paths), so
    # even the params checksum must agree; rendered alone, sequentially this time
    params, outcomes = _render_demo_copy(tmp_path, rendered_demo.data_dir,
                                         reports=("baseline",), jobs=1)
    assert outcomes[0]["ok"], outcomes[0]["error"]
    assert params.read_bytes() == rendered_demo.params_file.read_bytes()
    committed = {c.id for c in nbformat.read(notebook_path(REPORTS["baseline"]),
                                             as_version=4).cells}
    first = _comparable(rendered_demo.html("baseline"), committed)
    second = _comparable((tmp_path / "reports" / "demo" / "baseline.html").read_text(),
                         committed)
    if first != second:  # say where, not just that they differ
        a, b = ReportHTML(first), ReportHTML(second)
        assert [i["src"] for i in a.images] == [i["src"] for i in b.images], "charts differ"
        assert a.tables == b.tables, "tables differ"
        assert first == second
