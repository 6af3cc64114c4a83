"""Provenance recorded at the end of every report: parameters, input checksums, package
versions, code version and run time — enough to reproduce the numbers."""

from __future__ import annotations

import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
import yaml

from wellbeing_analysis.reporting import source_checkout
from wellbeing_analysis.validation import sha256_file

#: Packages whose versions can change a report's numbers or look.
PACKAGES = ("wellbeing-analysis", "pandas", "numpy", "scipy", "statsmodels", "matplotlib",
            "seaborn", "papermill", "nbconvert", "nbclient", "ipykernel", "pydantic")


def package_versions() -> pd.DataFrame:
    rows = [("python", platform.python_version())]
    for name in PACKAGES:
        try:
            rows.append((name, version(name)))
        except PackageNotFoundError:
            rows.append((name, "not installed"))
    return pd.DataFrame(rows, columns=["package", "version"])


def code_version() -> str:
    """Git commit of the source checkout (with '+changes' when modified), else the installed
    package's version (an installed package is not asked about any enclosing repository)."""
    root = source_checkout()
    installed = f"wellbeing-analysis {version('wellbeing-analysis')}"
    if root is None or not (root / ".git").exists():
        return installed
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root,
                                capture_output=True, text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=5,
                               check=True).stdout.strip()
        return commit + ("+changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return installed


def input_checksums(files: dict, params_path: Path | None) -> pd.DataFrame:
    """One row per input file: table, file name, rows, SHA-256 (the checksums were taken
    when the files were read, once per run), and the params file."""
    rows = [(info.table, info.path.name, info.rows, info.sha256) for info in files.values()]
    if params_path is not None:
        rows.append(("params", params_path.name, None, sha256_file(params_path)))
    out = pd.DataFrame(rows, columns=["table", "file", "rows", "sha256"])
    out["rows"] = out["rows"].astype("Int64")  # whole numbers, blank for files without rows
    return out


def params_yaml(params) -> str:
    """The params as YAML (paths as given in the file)."""
    data = params.model_dump(mode="json", exclude={"source"}, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def run_timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
