"""Headless Chromium opens each rendered demo report (and the index pages): no console
error, no uncaught page error, no failed request, no request for anything but the file
itself or embedded data, every image decoded; a full-page screenshot goes to
``tests/artifacts/`` for a human to look at.

Uses Debian's ``chromium`` (installed by ``.ci/run``) through the Python ``playwright``
package. Without it the tests are skipped, unless ``WELLBEING_REQUIRE_BROWSER=1`` (CI), when
they fail.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import REPORT_KEYS

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
REQUIRE_ENV = "WELLBEING_REQUIRE_BROWSER"


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


def open_page(browser, path: Path) -> dict:
    """Load ``path`` and return what the page did: console errors, page errors, failed and
    non-local requests, and the state of its images."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
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
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"{report}.png"
        seen["page"].screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
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
            assert Path(unquote(href.removeprefix("file://"))).is_file(), href
    finally:
        seen["page"].close()
