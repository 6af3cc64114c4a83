"""``wellbeing report --pdf``: PDFs beside the HTML through headless Chromium, on A4 with
the reports' print stylesheet, and a plain message when Chromium is not installed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wellbeing_analysis.reporting import pdf
from wellbeing_analysis.reporting.catalogue import TEMPLATE_NAME, template_dir

CSS = Path(str(template_dir())) / TEMPLATE_NAME / "nhs.css"


def test_without_chromium_nothing_is_printed_and_it_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "CHROMIUM_CANDIDATES", ("no-such-browser-here",))
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    page = tmp_path / "baseline.html"
    page.write_text("<html></html>", encoding="utf-8")
    outcomes, note = pdf.print_pdfs([page])
    assert outcomes == []
    assert "Chromium is not installed" in note and "apt-get install chromium" in note
    assert not page.with_suffix(".pdf").exists()


@pytest.mark.skipif(pdf.find_chromium() is None, reason="Chromium is not installed")
def test_a_page_prints_to_a4_beside_its_html(tmp_path):
    page = tmp_path / "baseline.html"
    page.write_text(f'<!DOCTYPE html><html lang="en-GB"><head><title>t</title><style>'
                    f'{CSS.read_text(encoding="utf-8")}</style></head><body><main><h1>Report'
                    "</h1><details><summary>More</summary><p>hidden on screen</p></details>"
                    "</main></body></html>", encoding="utf-8")
    outcomes, note = pdf.print_pdfs([page])
    assert [o.pdf for o in outcomes] == [str(page.with_suffix(".pdf"))], note
    data = page.with_suffix(".pdf").read_bytes()
    assert data.startswith(b"%PDF")
    # A4 is 595 x 842 points (210 x 297 mm); US Letter would be 612 x 792
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)
    assert box and round(float(box[1])) == 595 and round(float(box[2])) == 842
    assert not list(tmp_path.glob(".*partial"))
