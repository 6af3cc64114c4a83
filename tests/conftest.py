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
