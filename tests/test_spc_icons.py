"""Variation and assurance icons and their text alternatives."""

from __future__ import annotations

import numpy as np
import pytest

from wellbeing_analysis.spc import labels
from wellbeing_analysis.spc.icons import assurance, assurance_text, point_type_text, variation


@pytest.mark.parametrize(("target", "direction", "expected"), [
    (11, "increase", labels.CONSISTENT_FAIL),  # above the upper limit, higher is better
    (11, "decrease", labels.CONSISTENT_PASS),
    (-1, "increase", labels.CONSISTENT_PASS),  # below the lower limit
    (-1, "decrease", labels.CONSISTENT_FAIL),
    (5, "increase", labels.INCONSISTENT),
    (10, "increase", labels.INCONSISTENT),  # equal to a limit: hit and miss
    (0, "decrease", labels.INCONSISTENT),
    (11, "neutral", None),
    (None, "increase", None),
])
def test_assurance_against_limits_0_to_10(target, direction, expected):
    assert assurance(target, 0.0, 10.0, direction) == expected


def test_assurance_needs_limits():
    assert assurance(5, np.nan, np.nan, "increase") is None


def test_variation_is_the_last_point_type():
    assert variation(np.array([labels.CONCERN, labels.COMMON_CAUSE])) == labels.COMMON_CAUSE
    assert variation(np.array([labels.COMMON_CAUSE, labels.IMPROVEMENT])) == labels.IMPROVEMENT


def test_text_alternatives():
    assert "improvement" in point_type_text(labels.IMPROVEMENT, "decrease")
    assert "low values" in point_type_text(labels.IMPROVEMENT, "decrease")
    assert "high values" in point_type_text(labels.CONCERN, "decrease")
    assert "neither better nor worse" in point_type_text(labels.NEUTRAL_LOW, "neutral")
    assert "consistently meet the target (4.5)" in assurance_text(labels.CONSISTENT_PASS, 4.5, "")
    assert "hit and miss" in assurance_text(labels.INCONSISTENT, 3, "")
    assert assurance_text(None, None, "no target was given") == (
        "No assurance icon: no target was given.")
    with pytest.raises(ValueError):
        point_type_text("special", "increase")
