"""The documentation the code cites is in the repository: every ``docs/*.md`` a module,
benchmark or test names exists, nothing cites the specs outside the repository, and no
comment or docstring carries an issue number instead of a reason."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*ROOT.glob("wellbeing_analysis/**/*.py"), *ROOT.glob("benchmarks/*.py"),
                  *ROOT.glob("tests/*.py"), *ROOT.glob("scripts/*")])
CITED = re.compile(r"\bdocs/([a-z_-]+\.md)")
OUTSIDE = re.compile(r"shared/spec|\.\./shared")
ISSUE = re.compile(r"\bissue\s+#?\d+", re.IGNORECASE)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def test_the_scan_sees_the_package_and_its_citations():
    assert len(SOURCES) > 100
    cited = {m for p in SOURCES for m in CITED.findall(_text(p))}
    assert {"metrics.md", "its.md", "spc.md", "instruments.md"} <= cited


def test_cited_docs_exist_and_nothing_points_outside():
    problems = []
    for path in SOURCES:
        if path.name == "test_docs.py":
            continue
        text = _text(path)
        name = path.relative_to(ROOT)
        problems += [f"{name}: cites docs/{m}, which does not exist"
                     for m in sorted(set(CITED.findall(text))) if not (ROOT / "docs" / m).exists()]
        if OUTSIDE.search(text):
            problems.append(f"{name}: cites a file outside the repository")
        # other projects' trackers may be cited by name ("FunnelPlotR's open issue #33")
        problems += [f"{name}: '{m.group(0)}' instead of a reason" for m in ISSUE.finditer(text)
                     if "open issue" not in text[max(0, m.start() - 5):m.end()]]
    assert not problems, "\n".join(problems)
