"""PDFs of rendered reports through headless Chromium (``wellbeing report --pdf``): each
HTML page is printed beside itself as ``<report>.pdf`` on A4, with the reports' own print
stylesheet (page numbers, running header, details open; ``docs/reports.md``).

Chromium is optional: without it nothing is printed and the caller is told so plainly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Where Debian puts Chromium, then the names it may go by on PATH.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
#: Environment variable naming another Chromium executable.
CHROMIUM_ENV = "WELLBEING_CHROMIUM"
#: Seconds one page may take to print.
PRINT_TIMEOUT_SECONDS = 180
#: Headless printing: no sandbox (containers run as root), no network, no first-run work,
#: no header or footer of Chromium's own (the reports print their own).
CHROMIUM_PRINT_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                       "--disable-background-networking", "--disable-component-update",
                       "--disable-sync", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw")


@dataclass(frozen=True)
class PdfOutcome:
    """What happened to one page: the PDF written, or why not."""

    html: str
    pdf: str | None
    error: str | None = None


def find_chromium() -> str | None:
    """The Chromium executable to print with (``WELLBEING_CHROMIUM`` first), or None."""
    wanted = os.environ.get(CHROMIUM_ENV)
    for candidate in ((wanted,) if wanted else ()) + CHROMIUM_CANDIDATES:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    return None


def print_pdf(html: Path, chromium: str) -> PdfOutcome:
    """Print ``html`` to ``html`` with the suffix .pdf (written atomically)."""
    target = html.with_suffix(".pdf")
    partial = target.with_name(f".{target.name}.partial")
    try:
        done = subprocess.run(
            [chromium, *CHROMIUM_PRINT_ARGS, f"--print-to-pdf={partial}", html.resolve().as_uri()],
            capture_output=True, text=True, timeout=PRINT_TIMEOUT_SECONDS, check=False)
        if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
            return PdfOutcome(str(html), None, f"Chromium could not print it ({last})")
        os.replace(partial, target)
        return PdfOutcome(str(html), str(target))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return PdfOutcome(str(html), None, f"Chromium could not print it ({exc})")
    finally:
        partial.unlink(missing_ok=True)


def print_pdfs(pages: Iterable[str | Path | None]) -> tuple[list[PdfOutcome], str]:
    """Print every page given (None entries are skipped); returns the outcomes and a
    plain-text note for the terminal."""
    pages = [Path(p) for p in pages if p]
    if not pages:
        return [], "No PDFs: no report was rendered."
    chromium = find_chromium()
    if chromium is None:
        return [], ("No PDFs written: Chromium is not installed (on Debian or Ubuntu: "
                    "apt-get install chromium; or set WELLBEING_CHROMIUM to its path). "
                    "The HTML reports are unchanged; a browser's Print > Save as PDF gives "
                    "the same A4 layout.")
    outcomes = [print_pdf(p, chromium) for p in pages]
    lines = [f"  pdf     {o.pdf}" if o.pdf else f"  no pdf  {o.html}: {o.error}"
             for o in outcomes]
    return outcomes, "\n".join([f"{sum(o.pdf is not None for o in outcomes)} PDF(s) written "
                                "beside the HTML reports:", *lines])
