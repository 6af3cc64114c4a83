"""What a run leaves behind: each report's outcome, the per-service run record
(``run.json``: exactly what is on disk, a failure's problem without cell values or staff
IDs) and the plain-text summary printed after a batch."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from wellbeing_analysis.reporting import outputs
from wellbeing_analysis.reporting.catalogue import MANIFEST, REPORTS

#: Longest error text kept in run.json for one report.
STORED_ERROR_CHARS = 2000
#: Pseudonymised staff IDs (``P`` + 16 hex digits): redacted from any stored error text.
_PSEUDONYM = re.compile(r"\bP[0-9A-F]{16}\b")


@dataclass
class ReportOutcome:
    """What happened to one report of one service."""

    params_file: str
    service: str
    report: str
    ok: bool
    #: 'ok', 'failed', or the report's own caveat (e.g. 'rendered: not enough data ...')
    status: str = "failed"
    seconds: float = 0.0
    html: str | None = None
    error: str | None = None
    #: the error as stored in run.json: no cell values, no identifiers, bounded length
    stored_error: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: the report's summary (Making Data Count rows, the evaluation's answer) for the index
    summary: dict | None = None


def stored_text(text: str | None) -> str | None:
    """Error text safe to keep on disk: pseudonyms redacted, length bounded."""
    if text is None:
        return None
    text = _PSEUDONYM.sub("[staff ID]", text)
    if len(text) > STORED_ERROR_CHARS:
        text = text[:STORED_ERROR_CHARS] + " ... (cut)"
    return text


def write_manifest(folder: Path, outcomes: list[ReportOutcome], *,
                   service: dict | None = None) -> Path:
    """Record each report's latest run in ``run.json``: what is on disk now (the report
    shown, its executed notebook, a failed notebook kept), when it last succeeded, and for
    a failure the stored error (no values, no identifiers)."""
    from wellbeing_analysis.reporting.io import write_atomic_text
    from wellbeing_analysis.reporting.provenance import run_timestamp

    record = read_manifest(folder)
    previous = record["reports"]
    if service is not None:
        record["service"] = service
    stamp = run_timestamp()
    for o in outcomes:
        spec = REPORTS[o.report]
        entry = previous.get(o.report, {})
        entry.update({"last_run": stamp, "ok": o.ok, "status": o.status,
                      "error": o.stored_error if not o.ok else None,
                      "seconds": round(o.seconds, 1)})
        if o.ok:
            entry["last_success"] = stamp
            # the summary describes the report on disk: kept from the last success
            entry["summary"] = o.summary
        on_disk = {"html": f"{o.report}.html",
                   "notebook": f"{outputs.NOTEBOOKS_DIR}/{spec.notebook}",
                   "failed_notebook": f"{outputs.FAILED_DIR}/{spec.notebook}"}
        entry["files"] = {k: v for k, v in on_disk.items() if (folder / v).exists()}
        previous[o.report] = entry
    path = folder / MANIFEST
    write_atomic_text(path, json.dumps(record, indent=2) + "\n")
    return path


def read_manifest(folder: Path) -> dict:
    """A service folder's run record: ``{"service": {...}, "reports": {key: entry}}`` (an
    unreadable or missing record reads as empty)."""
    path = folder / MANIFEST
    try:
        record = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        record = {}
    if not isinstance(record, dict) or not isinstance(record.get("reports"), dict):
        record = {}
    return {"service": record.get("service", {}), "reports": record.get("reports", {})}




def summarise(outcomes: list[ReportOutcome]) -> str:
    """Plain-text summary: successes, notes and every failure with its reason (a service
    whose reports all failed for the same reason is listed once)."""
    ok = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    lines = [f"{len(ok)} report(s) rendered, {len(failed)} failed."]
    for o in ok:
        caveat = "" if o.status == "ok" else f" — {o.status}"
        lines.append(f"  ok      {o.service}: {o.report} ({o.seconds:.1f} s) -> {o.html}{caveat}")
        lines += [f"          note: {w}" for w in o.warnings]
    groups: dict[tuple[str, str], list[str]] = {}
    for o in failed:
        groups.setdefault((o.params_file, o.error or "unknown error"), []).append(o.report)
    names = {o.params_file: o.service for o in failed}
    for (params_file, error), reports in groups.items():
        lines.append(f"  FAILED  {names[params_file]}: {', '.join(reports)} ({params_file})")
        lines += [f"          {line}" for line in error.splitlines()]
    return "\n".join(lines)


def outcomes_json(outcomes: list[ReportOutcome]) -> str:
    return json.dumps([asdict(o) for o in outcomes], indent=2)
