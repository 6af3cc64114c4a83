"""Report running: params, papermill execution, nbconvert rendering, atomic output."""

from pathlib import Path

#: The source tree's root (notebooks/ and params/ live here): paths come from the package's
#: own location, not the working directory.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
