"""Shared test fixtures: headless plotting, figures closed after each test, reference paths."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

REFERENCE_DIR = Path(__file__).parent / "reference"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def reference_dir() -> Path:
    """Folder of public reference datasets (provenance in its README)."""
    return REFERENCE_DIR


# ---------------------------------------------------------------------------
# Report fixtures (test_reports_e2e, test_reports_browser, test_report_runner,
# test_report_params, test_evaluation): the demo service's data, generated once per test
# session, and its three reports rendered once per session with papermill. Under
# pytest-xdist the workers share one copy (a file lock decides who builds it), so a
# parallel run still executes each notebook once.
# ---------------------------------------------------------------------------
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import yaml  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_PARAMS = PROJECT_ROOT / "params" / "demo.yaml"
#: The three reports, in the order the runner knows them.
REPORT_KEYS = ("baseline", "pdsa", "evaluation")
#: A fixed pseudonymisation key (16 bytes) so the tests can compute the pseudonyms.
E2E_PSEUDONYM_KEY = "e2e-test-key-16b"
#: Name of the comparison series the demo writes beside its data.
COMPARISON_CSV = "comparison_sickness_absence.csv"


def _shared_root(tmp_path_factory) -> Path:
    """A folder shared by all xdist workers of this session (per worker without fcntl)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER") and _has_flock():
        base = base.parent
    return base


def _has_flock() -> bool:
    try:
        import fcntl  # noqa: F401
    except ImportError:  # pragma: no cover - Windows: each worker builds its own copy
        return False
    return True


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (no-op where fcntl is missing)."""
    if not _has_flock():  # pragma: no cover
        yield
        return
    import fcntl

    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def demo_params_dict(data_dir: str | Path, output_dir: str | Path) -> dict:
    """The content of ``params/demo.yaml`` with its paths pointed elsewhere (the comparison
    series is always included: it lives beside the demo data)."""
    raw = yaml.safe_load(DEMO_PARAMS.read_text(encoding="utf-8"))
    raw["data_dir"] = str(data_dir)
    raw["output_dir"] = str(output_dir)
    comparison = raw["evaluation"].setdefault(
        "comparison", {"name": "comparison trust (synthetic)"})
    comparison["csv"] = str(Path(data_dir) / COMPARISON_CSV)
    return raw


def write_yaml(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def shared_demo_data(tmp_path_factory) -> Path:
    """The synthetic demo service (default seed), generated once per session. Read-only:
    copy it before changing anything."""
    from wellbeing_analysis.demo import DEFAULT_SEED, generate_demo

    root, _ = build_once(tmp_path_factory, "shared-demo",
                         lambda root: str(generate_demo(root / "data" / "demo",
                                                        seed=DEFAULT_SEED)))
    return root / "data" / "demo"


@pytest.fixture(scope="session")
def make_demo_params() -> Callable[..., Path]:
    """``make_demo_params(path, data_dir, output_dir, **top_level_overrides)`` writes a
    copy of the demo params (absolute paths) and returns its path."""

    def make(path: Path, data_dir: Path, output_dir: Path, **overrides) -> Path:
        raw = demo_params_dict(data_dir, output_dir)
        raw.update(overrides)
        return write_yaml(path, raw)

    return make


@contextmanager
def pseudonym_key_env(key: str) -> Iterator[None]:
    """Set WELLBEING_PSEUDONYM_KEY (inherited by papermill's kernels), then restore it."""
    from wellbeing_analysis.pseudonymise import KEY_ENV_VAR

    old = os.environ.get(KEY_ENV_VAR)
    os.environ[KEY_ENV_VAR] = key
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(KEY_ENV_VAR, None)
        else:
            os.environ[KEY_ENV_VAR] = old


@dataclass(frozen=True)
class RenderedDemo:
    """The demo service rendered once: where everything is, and what the runner said."""

    root: Path
    params_file: Path
    data_dir: Path
    output_dir: Path
    outcomes: list[dict]
    pseudonym_key: str

    @property
    def params(self):
        from wellbeing_analysis.reporting.params import load_params

        return load_params(self.params_file)

    def html_path(self, report: str) -> Path:
        return self.output_dir / f"{report}.html"

    def html(self, report: str) -> str:
        return self.html_path(report).read_text(encoding="utf-8")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _render_demo_copy(root: Path, data_source: Path, reports=REPORT_KEYS, jobs: int = 2):
    """Lay out ``root`` like the repository (params/, data/demo, reports/demo) with
    relative paths, and render ``reports``. Returns (params file, outcomes as dicts)."""
    import shutil
    from dataclasses import asdict

    from wellbeing_analysis.reporting.runner import run_reports

    data = root / "data" / "demo"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(data_source, data)
    params = write_yaml(root / "params" / "demo.yaml",
                        demo_params_dict("../data/demo", "../reports/demo"))
    with pseudonym_key_env(E2E_PSEUDONYM_KEY):
        outcomes = run_reports([params], reports, jobs=jobs, progress=False)
    return params, [asdict(o) for o in outcomes]


def build_once(tmp_path_factory, name: str,
               build: Callable[[Path], object]) -> tuple[Path, object]:
    """Run ``build(folder)`` once per test session, even across xdist workers (the first
    worker builds under a lock, the others wait and reuse it); its JSON-able result is
    cached beside the folder. Returns (folder, result)."""
    shared = _shared_root(tmp_path_factory)
    root = shared / name
    record = shared / f"{name}.json"
    with _exclusive(shared / f"{name}.lock"):
        if not record.exists():
            root.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps(build(root), indent=2))
    return root, json.loads(record.read_text())


@pytest.fixture(scope="session")
def rendered_demo(tmp_path_factory, shared_demo_data) -> RenderedDemo:
    """The demo service's three reports, executed once per session with papermill."""
    root, outcomes = build_once(tmp_path_factory, "e2e",
                                lambda root: _render_demo_copy(root, shared_demo_data)[1])
    return RenderedDemo(root=root, params_file=root / "params" / "demo.yaml",
                        data_dir=root / "data" / "demo", output_dir=root / "reports" / "demo",
                        outcomes=outcomes, pseudonym_key=E2E_PSEUDONYM_KEY)
