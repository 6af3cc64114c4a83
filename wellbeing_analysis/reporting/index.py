"""Index pages: one per service folder linking its reports, and one per reports root
listing the services in it. Both are built from the service folders' run records
(``run.json``), so they say exactly what is on disk."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from urllib.parse import quote

from wellbeing_analysis.reporting.blocks import esc
from wellbeing_analysis.reporting.catalogue import INDEX_NAME, MANIFEST, REPORTS, TEMPLATE_NAME
from wellbeing_analysis.reporting.io import write_atomic_text
from wellbeing_analysis.reporting.outcomes import read_manifest
from wellbeing_analysis.reporting.outputs import OWNER_MARK


def _css() -> str:
    return (resources.files("wellbeing_analysis.reporting") / "nbconvert_templates"
            / TEMPLATE_NAME / "nhs.css").read_text(encoding="utf-8")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">'
            f"<title>{esc(title)}</title><style>{_css()}</style></head>"
            f'<body class="nhs-report"><header class="nhs-header"><span class="nhs-logo" '
            f'aria-hidden="true">NHS</span><span class="nhs-header-text">Staff wellbeing '
            f"analysis</span></header><main><h1>{esc(title)}</h1>{body}</main></body></html>")


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
            f"</p><ul>{''.join(rows)}</ul>")
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
    items = "".join(f'<li><a href="{quote(folder.name)}/{INDEX_NAME}">{esc(name)}</a></li>'
                    for name, folder in sorted(services_in(root)))
    return _page("Staff wellbeing reports", f"<ul>{items}</ul>")


def write_root_index(root: Path) -> Path:
    return write_atomic_text(root / INDEX_NAME, root_index(root))
