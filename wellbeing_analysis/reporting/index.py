"""Index pages: one per service folder linking its reports, and one per reports root
listing the services in it. Both are built from the service folders' run records
(``run.json``), so they say exactly what is on disk."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from urllib.parse import quote

from wellbeing_analysis.constants import REPORT_LANGUAGE
from wellbeing_analysis.reporting.blocks import esc
from wellbeing_analysis.reporting.catalogue import INDEX_NAME, MANIFEST, REPORTS, TEMPLATE_NAME
from wellbeing_analysis.reporting.io import write_atomic_text
from wellbeing_analysis.reporting.outcomes import read_manifest
from wellbeing_analysis.reporting.outputs import OWNER_MARK


def _css() -> str:
    return (resources.files("wellbeing_analysis.reporting") / "nbconvert_templates"
            / TEMPLATE_NAME / "nhs.css").read_text(encoding="utf-8")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="{REPORT_LANGUAGE}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">'
            f"<title>{esc(title)}</title><style>{_css()}</style></head>"
            f'<body class="nhs-report"><a class="skip-link" href="#main-content">Skip to the '
            f'content</a><header class="nhs-header"><span class="nhs-logo" '
            f'aria-hidden="true">NHS</span><span class="nhs-header-text">Staff wellbeing '
            f'analysis</span></header><main id="main-content" tabindex="-1">'
            f"<h1>{esc(title)}</h1>{body}</main></body></html>")


def _answer_first(record: dict, prefix: str = "", name: str | None = None) -> str:
    """The service's summary from its run record: the evaluation's answer and the Making
    Data Count table (from the first report that recorded one), with links to the reports
    they come from (``prefix``: the service folder, from the reports root)."""
    from wellbeing_analysis.reporting.summary import summary_table

    reports = record["reports"]
    parts = []
    answer = (reports.get("evaluation", {}).get("summary") or {}).get("answer")
    if answer:
        parts.append(f'<p class="service-answer"><a href="{prefix}evaluation.html">'
                     f"Intervention evaluation</a>: {esc(answer)}</p>")
    for key in REPORTS:
        rows = (reports.get(key, {}).get("summary") or {}).get("indicators")
        if rows:
            who = f"{name}: " if name else ""  # captions name regions: unique on a page
            caption = (f"{who}at a glance, the latest month of each indicator (from the "
                       f"{REPORTS[key].title.lower()})")
            parts.append(summary_table(rows, caption=caption[:1].upper() + caption[1:]).html)
            parts.append(f'<p class="muted">Variation compares the latest month with its '
                         f"control chart's process limits; assurance compares the process "
                         f'with the target. Details in the <a href="{prefix}{quote(key)}.html">'
                         f"{esc(REPORTS[key].title.lower())}</a>.</p>")
            break
    return "".join(parts)


def service_index(folder: Path) -> str:
    """The index page of one service folder: each report, when it last succeeded, and the
    latest run's status."""
    record = read_manifest(folder)
    service = record["service"]
    rows = []
    for key, spec in REPORTS.items():
        entry = record["reports"].get(key, {})
        exists = (folder / f"{key}.html").exists()
        link = f'<a href="{quote(key)}.html">{esc(spec.title)}</a>' if exists else esc(spec.title)
        when = entry.get("last_success", "never")
        status = "" if entry.get("ok", True) else (
            f" — the latest run on {esc(entry.get('last_run'))} failed; "
            + ("the previous report is shown" if exists else "no report yet"))
        rows.append(f"<li>{link} <span class='muted'>(rendered {esc(when)}{status})"
                    "</span></li>")
    body = (f"<p class='subtitle'>Extract date {esc(service.get('extract_date', 'unknown'))}"
            f"</p>{_answer_first(record)}<h2 id=\"reports\">Reports</h2>"
            f"<ul>{''.join(rows)}</ul>")
    return _page(service.get("name", folder.name), body)


def write_service_index(folder: Path) -> Path:
    return write_atomic_text(folder / INDEX_NAME, service_index(folder))


def services_in(root: Path) -> list[tuple[str, Path]]:
    """(service name, folder) of every service folder the tool wrote inside ``root``."""
    found = []
    for child in sorted(root.iterdir()):
        if child.is_dir() and (child / OWNER_MARK).is_file() and (child / MANIFEST).is_file():
            name = read_manifest(child)["service"].get("name", child.name)
            found.append((name, child))
    return found


def root_index(root: Path) -> str:
    """The index across the services in a reports root."""
    sections = []
    for name, folder in sorted(services_in(root)):
        href = quote(folder.name) + "/"
        sections.append(f'<h2 id="{esc(quote(folder.name))}"><a href="{href}{INDEX_NAME}">'
                        f"{esc(name)}</a></h2>"
                        + _answer_first(read_manifest(folder), prefix=href, name=name))
    network = root / "network.html"
    if network.is_file():
        sections.append('<h2 id="network"><a href="network.html">Services side by side</a>'
                        "</h2>")
    return _page("Staff wellbeing reports", "".join(sections))


def write_root_index(root: Path) -> Path:
    return write_atomic_text(root / INDEX_NAME, root_index(root))
