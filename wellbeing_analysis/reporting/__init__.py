"""Report running: params, papermill execution, nbconvert rendering, atomic output."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def source_checkout() -> Path | None:
    """The source checkout the package runs from (its root holds ``pyproject.toml`` and
    ``params/``), or None when the package is installed (e.g. from a wheel)."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "wellbeing_analysis").is_dir():
        return root
    return None
