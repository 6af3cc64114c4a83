"""Headless Chromium opens every page of the rendered demo (the reports, the service and
all-services indexes, and the network report): no console error, no uncaught page error, no
failed request, no request for anything but the file itself or embedded data, every image
decoded; full-page screenshots at 1280 and 390 px go to ``tests/artifacts/`` for a human to
look at.

Accessibility is a test: axe-core (from the npm registry, installed into a cache folder on
first use) runs in every page at both widths with every ``<details>`` open and must find no
violation. On a phone the page never scrolls sideways and charts are high-resolution images.
Each report prints to A4 PDF with its details open, and the index's summary table agrees
with the library's SPC results.

Uses Debian's ``chromium`` (installed by ``.ci/run``) through the Python ``playwright``
package, and ``npm`` for axe-core. Without them the tests are skipped, unless
``WELLBEING_REQUIRE_BROWSER=1`` (CI), when they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from conftest import PROJECT_ROOT, REPORT_KEYS, build_once, demo_params_dict

from wellbeing_analysis.constants import (
    DEMO_SERVICES,
    FIGURE_PIXEL_RATIO,
    REPORT_LANGUAGE,
    REPORT_SIZE_BUDGET_BYTES,
)

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
REQUIRE_ENV = "WELLBEING_REQUIRE_BROWSER"
#: axe-core release the accessibility test runs (npm), and where it is cached.
AXE_VERSION = "4.14.1"
AXE_CACHE_ENV = "WELLBEING_AXE_DIR"
AXE_CACHE = Path(os.environ.get(AXE_CACHE_ENV, Path.home() / ".cache" / "wellbeing-analysis"
                                / f"axe-core-{AXE_VERSION}"))
#: Viewport widths: a desktop and a phone (iPhone 12-15: 390 CSS px).
WIDTHS = (1280, 390)
#: Every page, by name: the three reports, the two indexes and the network report.
PAGES = (*REPORT_KEYS, "service index", "all services index", "network")
#: A4 in PDF points (210 x 297 mm).
A4_POINTS = (595, 842)


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 says the browser tests must run")
    pytest.skip(f"{reason} (set {REQUIRE_ENV}=1 to make this a failure)")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser bundle, installed from npm into a cache folder on first use."""
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm not found (needed to install axe-core)")
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--prefix", str(AXE_CACHE), "--no-audit",
                               "--no-fund", f"axe-core@{AXE_VERSION}"],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0 or not script.is_file():
            _unavailable(f"npm could not install axe-core: {done.stderr.strip()[-300:]}")
    return script.read_text(encoding="utf-8")


def _build_network(root: Path, shared_demo_data: Path) -> dict:
    """The demo's three services laid out as the README's ``wellbeing demo --all`` does,
    and ``wellbeing report network params/demo.yaml params/riverside.yaml
    params/hillcrest.yaml`` run on them."""
    from wellbeing_analysis.cli import main
    from wellbeing_analysis.demo import generate_demo
    from wellbeing_analysis.demo.publication import PUBLICATION_FILE, generate_publication

    data, params = root / "data", root / "params"
    shutil.copytree(shared_demo_data, data / "demo")
    params.mkdir(parents=True)
    for name in ("riverside", "hillcrest"):
        generate_demo(data / name, seed=DEMO_SERVICES[name])
        shutil.copy(PROJECT_ROOT / "params" / f"{name}.yaml", params / f"{name}.yaml")
    (data / "national").mkdir()
    generate_publication().to_csv(data / "national" / PUBLICATION_FILE, index=False)
    demo = params / "demo.yaml"
    demo.write_text(yaml.safe_dump(demo_params_dict("../data/demo", "../reports/demo"),
                                   sort_keys=False), encoding="utf-8")
    code = main(["report", "network", str(demo), str(params / "riverside.yaml"),
                 str(params / "hillcrest.yaml")])
    return {"exit": code}


@pytest.fixture(scope="session")
def network_page(tmp_path_factory, shared_demo_data) -> Path:
    root, result = build_once(tmp_path_factory, "browser-network",
                              lambda root: _build_network(root, shared_demo_data))
    assert result["exit"] == 0
    return root / "reports" / "network.html"


def page_path(request, name: str) -> Path:
    if name == "network":
        return request.getfixturevalue("network_page")
    demo = request.getfixturevalue("rendered_demo")
    if name == "service index":
        return demo.output_dir / "index.html"
    if name == "all services index":
        return demo.output_dir.parent / "index.html"
    return demo.html_path(name)


def open_page(browser, path: Path, width: int = 1280) -> dict:
    """Load ``path`` and return what the page did: console errors, page errors, failed and
    non-local requests, and the state of its images."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    seen: dict[str, list] = {"console errors": [], "page errors": [], "failed requests": [],
                             "non-local requests": []}
    page.on("console", lambda m: m.type == "error" and seen["console errors"].append(m.text))
    page.on("pageerror", lambda e: seen["page errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed requests"].append(
        f"{r.url[:120]}: {r.failure}"))
    page.on("request", lambda r: r.url.startswith(("file:", "data:"))
            or seen["non-local requests"].append(r.url[:120]))
    response = page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    seen["loaded"] = response is not None and response.ok
    seen["images"] = page.evaluate(
        "() => Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
    seen["title"] = page.title()
    seen["page"] = page
    return seen


def assert_clean(seen: dict, what: str) -> None:
    assert seen["loaded"], f"{what}: did not load"
    for kind in ("console errors", "page errors", "failed requests", "non-local requests"):
        assert not seen[kind], f"{what}: {kind}: {seen[kind]}"


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_report_opens_cleanly_in_chromium(browser, request, report):
    rendered_demo = request.getfixturevalue("rendered_demo")  # after the browser check
    seen = open_page(browser, rendered_demo.html_path(report))
    try:
        assert_clean(seen, report)
        assert seen["images"], f"{report}: no images"
        broken = [alt[:60] for complete, width, alt in seen["images"]
                  if not complete or width == 0]
        assert not broken, f"{report}: images that did not decode: {broken}"
        assert rendered_demo.params.service_name in seen["title"]
        # the budget for embedded charts (high-resolution PNGs)
        assert rendered_demo.html_path(report).stat().st_size <= REPORT_SIZE_BUDGET_BYTES
    finally:
        seen["page"].close()


@pytest.mark.parametrize("which", ["service", "all services"])
def test_index_pages_open_cleanly_and_link_to_existing_pages(browser, request, which):
    rendered_demo = request.getfixturevalue("rendered_demo")  # after the browser check
    path = rendered_demo.output_dir / "index.html"
    if which == "all services":
        path = rendered_demo.output_dir.parent / "index.html"
    seen = open_page(browser, path)
    try:
        assert_clean(seen, which)
        hrefs = seen["page"].eval_on_selector_all("a", "els => els.map(a => a.href)")
        assert hrefs
        for href in hrefs:  # every link resolves to a file that exists
            assert href.startswith("file://")
            assert Path(unquote(href.removeprefix("file://").split("#")[0])).is_file(), href
    finally:
        seen["page"].close()


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_each_report_links_to_the_index_and_its_siblings(browser, request, report):
    rendered_demo = request.getfixturevalue("rendered_demo")
    seen = open_page(browser, rendered_demo.html_path(report))
    try:
        nav = seen["page"].eval_on_selector_all(
            "nav.report-nav a", "els => els.map(a => a.getAttribute('href'))")
        assert nav == ["index.html", *[f"{k}.html" for k in REPORT_KEYS if k != report]]
        for href in nav:
            assert (rendered_demo.output_dir / href).is_file()
        # the summary table opens the report, before the first section's own content
        first_table = seen["page"].evaluate(
            "() => document.querySelector('main table').className")
        assert first_table == "mdc"
    finally:
        seen["page"].close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_passes_axe_core_with_details_open(browser, request, axe_source, name,
                                                     width):
    path = page_path(request, name)
    seen = open_page(browser, path, width=width)
    page = seen["page"]
    try:
        assert_clean(seen, name)
        assert page.evaluate("() => document.documentElement.lang") == REPORT_LANGUAGE
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        skip = page.eval_on_selector_all("a.skip-link", "els => els.map(a => a.hash)")
        assert skip == ["#main-content"] and page.query_selector("#main-content")
        page.add_script_tag(content=axe_source)
        result = page.evaluate("async () => { const r = await axe.run(document, "
                               "{resultTypes: ['violations']}); return r.violations.map("
                               "v => [v.id, v.impact, v.nodes.slice(0, 3).map("
                               "n => n.target.join(' '))]); }")
        assert result == [], f"{name} at {width} px: axe-core violations: {result}"
        if width < 640:
            # nothing makes the page scroll sideways; charts are high-resolution images
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width
            blurry = page.evaluate(
                "k => Array.from(document.images).filter(i => i.clientWidth > 0 && "
                "i.naturalWidth < k * i.clientWidth).map(i => i.alt.slice(0, 50))",
                FIGURE_PIXEL_RATIO)
            assert not blurry, f"{name}: images below {FIGURE_PIXEL_RATIO}x: {blurry}"
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"{re.sub(r'[^a-z]+', '-', name)}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000
    finally:
        page.close()


def test_scrolling_tables_are_reachable_by_keyboard(browser, request):
    rendered_demo = request.getfixturevalue("rendered_demo")
    seen = open_page(browser, rendered_demo.html_path("pdsa"), width=390)
    try:
        regions = seen["page"].eval_on_selector_all(
            ".table-wrap", "els => els.map(e => [e.tabIndex, e.getAttribute('role'), "
            "e.getAttribute('aria-label'), e.scrollWidth > e.clientWidth])")
        assert regions and all(t == 0 and role == "region" and label
                               for t, role, label, _ in regions)
        # the PDSA log does not fit a phone: it scrolls, with a visible line saying so
        assert any(wide for *_, wide in regions)
        cues = seen["page"].eval_on_selector_all(
            ".scroll-cue", "els => els.filter(e => e.offsetParent !== null).length")
        assert cues > 0
    finally:
        seen["page"].close()


@pytest.mark.parametrize("name", [*REPORT_KEYS, "network"])
def test_each_report_prints_to_a4_with_details_open(browser, request, name, tmp_path):
    path = page_path(request, name)
    seen = open_page(browser, path)
    page = seen["page"]
    try:
        page.emulate_media(media="print")
        hidden = page.evaluate(
            "() => Array.from(document.querySelectorAll('details > :not(summary):not(.scroll-cue)'))"
            ".filter(e => !e.checkVisibility()).length")
        assert hidden == 0, f"{name}: {hidden} closed detail(s) would not print"
        pdf = tmp_path / f"{name}.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True)
        data = pdf.read_bytes()
        box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)
        assert box and (round(float(box[1])), round(float(box[2]))) == A4_POINTS
        pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
        assert pages >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(pdf, ARTIFACTS / pdf.name)
        print(f"{name}: {pages} A4 pages, HTML {path.stat().st_size:,} bytes")
    finally:
        page.close()


def test_index_summary_table_agrees_with_the_library_spc_results(browser, request):
    """Each row of the service index's summary table carries the icons the library's SPC
    gives for that indicator, computed here from the data with the params' baseline."""
    import pandas as pd

    from wellbeing_analysis.reporting.context import ReportContext
    from wellbeing_analysis.reporting.measures import measure_series
    from wellbeing_analysis.reporting.summary import SUMMARY_INDICATORS
    from wellbeing_analysis.spc import spc

    rendered_demo = request.getfixturevalue("rendered_demo")
    seen = open_page(browser, rendered_demo.output_dir / "index.html")
    try:
        rows = seen["page"].eval_on_selector_all(
            "table.mdc tbody tr", "els => els.map(e => [e.dataset.indicator, "
            "e.dataset.variation, e.dataset.assurance, e.innerText])")
    finally:
        seen["page"].close()
    ctx = ReportContext.from_params(rendered_demo.params_file)
    start, end = ctx.baseline_window
    fixed = max((pd.Period(end, freq="M") - pd.Period(start, freq="M")).n + 1, 12)
    expected = []
    for name in SUMMARY_INDICATORS:
        m = measure_series(ctx, name, start=start)
        if not m.chartable:
            continue
        r = spc(m.data, x=m.x, y=m.y, n=m.n, chart=m.chart, improvement_direction=m.direction,
                target=m.target, fix_after_n_points=fixed if m.fix_limits else None)
        expected.append((name, r.variation_icon, r.assurance_icon or ""))
    assert [tuple(r[:3]) for r in rows] == expected
    record = json.loads((rendered_demo.output_dir / "run.json").read_text(encoding="utf-8"))
    assert [r["indicator"] for r in record["reports"]["baseline"]["summary"]["indicators"]] == [
        name for name, *_ in expected]
    answer = record["reports"]["evaluation"]["summary"]["answer"]
    assert "than expected without the change" in answer or "not enough data" in answer
