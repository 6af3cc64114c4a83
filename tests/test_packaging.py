"""The wheel ships every package: pyproject's explicit package list (explicit because the
notebooks and the demo params are mapped in from outside the package folder) must name every
folder of the package that has an ``__init__.py``, so an installed copy never lacks a module
a command imports."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "wellbeing_analysis").rglob("__init__.py")}
    mapped = set(config["tool"]["setuptools"]["package-dir"]) - {""}
    assert on_disk - listed == set(), "packages missing from pyproject.toml"
    # a data-only folder (wellbeing_analysis/data) is a package without an __init__.py
    assert {p for p in listed - on_disk - mapped
            if not (ROOT / p.replace(".", "/")).is_dir()} == set(), "listed but not there"
    for package, folder in config["tool"]["setuptools"]["package-dir"].items():
        if package:
            assert (ROOT / folder / "__init__.py").exists(), package


def test_no_rendered_output_or_data_is_tracked():
    """Rendered reports and data extracts are never committed: git tracks nothing under
    reports/ or data/ (the tool creates and marks reports/ on first use)."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "reports", "data"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    assert tracked == []
