"""Index pages: one per service linking its reports, and one across services."""

from __future__ import annotations

import json
from collections import defaultdict
from importlib import resources
from pathlib import Path

from wellbeing_analysis.reporting.blocks import esc
from wellbeing_analysis.reporting.io import write_atomic_text

INDEX_NAME = "index.html"


def _css() -> str:
    return (resources.files("wellbeing_analysis") / "templates" / "nhs_report" / "nhs.css"
            ).read_text(encoding="utf-8")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">'
            f"<title>{esc(title)}</title><style>{_css()}</style></head>"
            f'<body class="nhs-report"><header class="nhs-header"><span class="nhs-logo" '
            f'aria-hidden="true">NHS</span><span class="nhs-header-text">Staff wellbeing '
            f"analysis</span></header><main><h1>{esc(title)}</h1>{body}</main></body></html>")


def service_index(params) -> str:
    """The index page of one service: each report, when it last succeeded, latest status."""
    from wellbeing_analysis.reporting.runner import MANIFEST, REPORTS

    manifest_path = params.output_path / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    rows = []
    for key, (_, title) in REPORTS.items():
        entry = manifest.get(key, {})
        exists = (params.output_path / f"{key}.html").exists()
        link = f'<a href="{key}.html">{esc(title)}</a>' if exists else esc(title)
        when = entry.get("last_success", "never")
        status = "" if entry.get("ok", True) else (
            f" — the latest run on {esc(entry.get('last_run'))} failed; "
            + ("the previous report is shown" if exists else "no report yet"))
        rows.append(f"<li>{link} <span class='muted'>(rendered {esc(when)}{status})"
                    "</span></li>")
    body = (f"<p class='subtitle'>Extract date {esc(params.extract_date)}</p>"
            f"<ul>{''.join(rows)}</ul>")
    return _page(params.service_name, body)


def overall_index(entries: list[tuple[str, str]]) -> str:
    """Index across services: (service name, relative link to its index)."""
    items = "".join(f'<li><a href="{esc(link)}">{esc(name)}</a></li>' for name, link in
                    sorted(entries))
    return _page("Staff wellbeing reports", f"<ul>{items}</ul>")


def write_indexes(services: dict, outcomes) -> list[Path]:
    """Write each service's index and one index per folder holding service folders."""
    written = []
    by_parent: dict[Path, list[tuple[str, str]]] = defaultdict(list)
    for params in services.values():
        path = params.output_path / INDEX_NAME
        write_atomic_text(path, service_index(params))
        written.append(path)
        by_parent[params.output_path.parent].append(
            (params.service_name, f"{params.output_path.name}/{INDEX_NAME}"))
    for parent, entries in by_parent.items():
        # keep services listed by earlier runs into the same folder
        for child in sorted(parent.iterdir()):
            idx = child / INDEX_NAME
            if child.is_dir() and idx.exists() and not any(
                    link.startswith(child.name + "/") for _, link in entries):
                entries.append((child.name, f"{child.name}/{INDEX_NAME}"))
        path = parent / INDEX_NAME
        write_atomic_text(path, overall_index(entries))
        written.append(path)
    return written
