"""SPC plots: inspect the drawn objects (colours, lines, icons, text), not images."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from wellbeing_analysis.errors import InputError
from wellbeing_analysis.spc import spc
from wellbeing_analysis.style import SPC_COMMON_CAUSE, SPC_CONCERN, SPC_IMPROVEMENT, SPC_NEUTRAL


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


@pytest.fixture
def ae(reference_dir):
    data = pd.read_csv(reference_dir / "spc" / "ptd" / "ae_rrk_type1_breaches.csv")
    return spc(data, x="period", y="breaches", improvement_direction="decrease",
               rebase={"2018-07-01": "new department opened"}, target=2000)


def test_points_are_coloured_by_type(ae):
    ax = ae.plot()
    counts = ae.data["point_type"].value_counts()
    for ptype, colour in [("common_cause", SPC_COMMON_CAUSE),
                          ("special_cause_improvement", SPC_IMPROVEMENT),
                          ("special_cause_concern", SPC_CONCERN)]:
        (coll,) = _by_gid(ax, f"spc-points-{ptype}")
        assert len(coll.get_offsets()) == counts[ptype]
        assert to_hex(coll.get_facecolor()[0]) == colour.lower()


def test_centre_limits_target_and_rebase_break(ae):
    ax = ae.plot()
    centres = _by_gid(ax, "spc-centre")
    assert len(centres) == 2  # one centre line per rebase group: a break between them
    assert centres[0].get_ydata()[0] == pytest.approx(1702.5555555555557)
    assert centres[1].get_ydata()[0] == pytest.approx(8646.555555555555)
    assert len(_by_gid(ax, "spc-limits")) == 4
    assert all(line.get_linestyle() == "--" for line in _by_gid(ax, "spc-limits"))
    (target,) = _by_gid(ax, "spc-target")
    assert target.get_ydata()[0] == 2000
    assert len(_by_gid(ax, "spc-rebase")) == 1
    (label,) = _by_gid(ax, "spc-rebase-label")
    assert label.get_text() == "new department opened"


def test_title_labels_and_legend_in_plain_english(ae):
    ax = ae.plot()
    assert ax.get_title(loc="left") == "Breaches: XmR chart (Making Data Count rules)"
    assert ax.get_ylabel() == "breaches"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Mean", "Process limits", "Special cause: improvement", "Special cause: concern",
            "Target (2000)", "Rebased"} <= set(legend)
    assert ae.plot(title="A&E breaches").get_title(loc="left") == "A&E breaches"


def test_icons_are_drawn_with_their_text_alternative(ae):
    ax = ae.plot()
    icons = {child.get_gid(): child for child in ax.child_axes}
    variation, assurance = icons["spc-variation-icon"], icons["spc-assurance-icon"]
    texts = ae.icons().iloc[0]
    assert variation.get_label() == texts["variation_text"]
    assert assurance.get_label() == texts["assurance_text"]
    # Concern about high values (lower is better): an orange 'H'; failing the target: 'F'.
    assert [t.get_text() for t in variation.texts] == ["H"]
    assert to_hex(variation.patches[0].get_edgecolor()) == SPC_CONCERN.lower()
    assert [t.get_text() for t in assurance.texts] == ["F"]
    (caption,) = _by_gid(ax, "spc-icon-text")
    # The caption names the chart in plain words, then reads the icons.
    assert caption.get_text().replace("\n", " ") == (
        "XmR chart: each value, with limits from the average change between neighbours. "
        + ae.icon_text)


def test_chart_is_named_in_the_title_when_there_is_no_caption(ae):
    ax = ae.plot(title="A&E breaches", caption=False)
    assert ax.get_title(loc="left") == "A&E breaches (XmR chart)"


def test_no_assurance_icon_without_target_and_icons_can_be_hidden():
    df = pd.DataFrame({"i": range(20), "y": np.tile([1.0, 2.0, 1.5, 1.8], 5)})
    r = spc(df, x="i", y="y", improvement_direction="neutral")
    ax = r.plot()
    assert [c.get_gid() for c in ax.child_axes] == ["spc-variation-icon"]
    assert r.plot(show_icons=False, caption=False).child_axes == []


def test_neutral_points_are_purple():
    y = np.r_[np.tile([1.0, 1.2], 8), 9.0]
    r = spc(pd.DataFrame({"i": range(y.size), "y": y}), x="i", y="y",
            improvement_direction="neutral")
    ax = r.plot()
    (coll,) = _by_gid(ax, "spc-points-special_cause_neutral_high")
    assert to_hex(coll.get_facecolor()[0]) == SPC_NEUTRAL.lower()


def test_given_axes_are_used_and_returned(ae):
    fig, ax = plt.subplots()
    assert ae.plot(ax=ax) is ax
    assert ax.figure is fig


def test_attribute_chart_limits_are_stepped_and_percent(reference_dir):
    df = pd.read_csv(reference_dir / "spc" / "nhs_accidents_p_pprime.csv")
    r = spc(df.assign(p=df["r"] / df["n"]), x="i", y="p", n="n", chart="pprime")
    ax = r.plot()
    assert all(line.get_drawstyle() == "steps-mid" for line in _by_gid(ax, "spc-limits"))
    assert "%" in ax.yaxis.get_major_formatter()(0.95, 0)


def test_faceted_plot_draws_one_panel_per_facet():
    df = pd.DataFrame({"i": list(range(15)) * 2, "team": ["A"] * 15 + ["B"] * 15,
                       "y": np.r_[np.arange(15.0) % 4, np.arange(15.0) % 3]})
    r = spc(df, x="i", y="y", facet="team")
    axes = r.plot()
    assert [a.get_title(loc="left").endswith(t) for a, t in zip(axes, "AB")] == [True, True]
    with pytest.raises(InputError, match="several facets"):
        r.plot(ax=plt.subplots()[1])
    assert r.plot(ax=plt.subplots()[1], facet="B").get_title(loc="left").endswith("B")
