"""Chart colours that carry meaning have at least 3:1 contrast with the white background."""

from __future__ import annotations

import pytest

from wellbeing_analysis import style


def test_contrast_ratio_matches_the_wcag_formula():
    assert style.contrast_ratio("#000000") == pytest.approx(21.0)
    assert style.contrast_ratio("#ffffff") == pytest.approx(1.0)
    # the pale grey once used for the neutral bar segment: 1.18:1 (published NHS value)
    assert style.contrast_ratio("#E8EDEE") == pytest.approx(1.18, abs=0.01)


@pytest.mark.parametrize("colour", [style.SPC_IMPROVEMENT, style.SPC_CONCERN, style.SPC_NEUTRAL,
                                    style.SPC_COMMON_CAUSE, style.NEUTRAL_SEGMENT,
                                    style.NHS_ORANGE, *style.CATEGORICAL])
def test_meaningful_colours_meet_three_to_one(colour):
    assert style.contrast_ratio(colour) >= 3.0
