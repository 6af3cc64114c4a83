"""Report display blocks: text is always escaped; tables pass through disclosure control
(small counts, their dependent columns, a lone small count protected by a second one) and
mark count cells; figures are embedded PNGs with alt text and are closed."""

from __future__ import annotations

import base64
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from wellbeing_analysis.reporting import blocks as b

NASTY = '<script>alert("x")</script> & "quotes" \'single\''


def cells(block: b.Block) -> list[list[tuple[str, bool]]]:
    """Body rows of a table block: (text, is a count cell)."""
    rows = re.findall(r"<tr>(.*?)</tr>", block.html.split("<tbody>")[1])
    return [[(text, bool(cls)) for cls, text in re.findall(r'<td( class="count")?>(.*?)</td>',
                                                           row)] for row in rows]


def column(block: b.Block, i: int) -> list[str]:
    return [row[i][0] for row in cells(block)]


# ---------------------------------------------------------------------------
# Escaping
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda t: b.heading(t),
    lambda t: b.paragraph(t, css="muted"),
    lambda t: b.bullets([t, "fine"]),
    lambda t: b.callout([t], kind="caution", title=t),
    lambda t: b.key_figures([(t, t, t)]),
    lambda t: b.details(t, b.paragraph(t)),
    lambda t: b.table(pd.DataFrame({t: [t]}), caption=t, suppress=False),
], ids=["heading", "paragraph", "bullets", "callout", "key_figures", "details", "table"])
def test_text_is_escaped(make):
    html = make(NASTY).html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in html


def test_heading_anchor_is_a_slug_and_escaped():
    assert b.heading("Leavers, turnover & stability").html == (
        '<h2 id="leavers-turnover-stability">Leavers, turnover &amp; stability</h2>')
    assert 'id="a&quot;b"' in b.heading("x", 3, anchor='a"b').html


def test_figure_alt_and_caption_are_escaped():
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    html = b.figure(fig, alt=NASTY, caption=NASTY).html
    assert "<script>" not in html
    assert 'alt="&lt;script&gt;alert(&quot;x&quot;)' in html


def test_join_skips_none_and_blocks_add():
    assert b.join([b.Block("a"), None, b.Block("b")]).html == "ab"
    assert (b.Block("a") + b.Block("b"))._repr_html_() == "ab"


# ---------------------------------------------------------------------------
# Tables: disclosure control
# ---------------------------------------------------------------------------
def reasons() -> pd.DataFrame:
    return pd.DataFrame({"reason": ["A", "B", "C", "D"], "staff": [12, 3, 7, 20],
                         "days": [100.0, 30.0, 60.0, 200.0],
                         "share": [25.6, 7.7, 15.4, 51.3]})


def test_small_counts_and_their_dependent_columns_are_suppressed_list_form():
    t = b.table(reasons(), caption="c", count_columns=["staff"],
                derived_columns=["days", "share"], threshold=5, secondary=False)
    assert column(t, 1) == ["12", "*", "7", "20"]
    assert column(t, 2) == ["100.0", "*", "60.0", "200.0"]
    assert column(t, 3) == ["25.6", "*", "15.4", "51.3"]
    assert column(t, 0) == ["A", "B", "C", "D"]  # labels stay


def test_count_cells_are_marked_and_only_them():
    t = b.table(reasons(), caption="c", count_columns=["staff"], derived_columns=["days"],
                threshold=5)
    for row in cells(t):
        assert [is_count for _, is_count in row] == [False, True, False, False]


def test_threshold_is_respected():
    t = b.table(reasons(), caption="c", count_columns=["staff"], threshold=8,
                secondary=False)
    assert column(t, 1) == ["12", "*", "*", "20"]
    default = b.table(reasons(), caption="c", count_columns=["staff"], secondary=False)
    assert column(default, 1) == ["12", "*", "7", "20"]  # default threshold 5


def test_zero_is_shown():
    df = pd.DataFrame({"g": ["a", "b", "c"], "n": [0, 9, 10]})
    t = b.table(df, caption="c", count_columns=["n"], threshold=5)
    assert column(t, 1) == ["0", "9", "10"]


def test_mapping_form_suppresses_only_what_derives_from_the_small_count():
    df = pd.DataFrame({"team": ["T1", "T2", "T3"], "staff": [40, 30, 25],
                       "leavers": [6, 2, 8], "absence": [4.1, 3.9, 5.0],
                       "turnover": [15.0, 6.7, 32.0]})
    t = b.table(df, caption="c", count_columns=["staff", "leavers"],
                derived_columns={"absence": ["staff"], "turnover": ["leavers", "staff"]},
                threshold=5, secondary=False)
    assert column(t, 2) == ["6", "*", "8"]
    assert column(t, 4) == ["15.0", "*", "32.0"]  # derives from leavers: suppressed
    assert column(t, 3) == ["4.1", "3.9", "5.0"]  # derives from staff only: kept
    assert column(t, 1) == ["40", "30", "25"]


def test_a_lone_small_count_is_protected_by_suppressing_the_next_smallest():
    t = b.table(reasons(), caption="c", count_columns=["staff"],
                derived_columns=["days", "share"], threshold=5)
    # B (3) alone would be recoverable from the total: C (7), the next smallest, goes too
    assert column(t, 1) == ["12", "*", "*", "20"]
    assert column(t, 2) == ["100.0", "*", "*", "200.0"]
    assert column(t, 3) == ["25.6", "*", "*", "51.3"]


def test_two_small_counts_need_no_secondary_suppression():
    df = reasons().assign(staff=[12, 3, 2, 20])
    t = b.table(df, caption="c", count_columns=["staff"], threshold=5)
    assert column(t, 1) == ["12", "*", "*", "20"]


def test_suppress_false_shows_everything():
    t = b.table(reasons(), caption="c", count_columns=["staff"], suppress=False)
    assert column(t, 1) == ["12", "3", "7", "20"]


def test_formats_and_missing_values():
    df = pd.DataFrame({"x": [1234.5678, None], "y": [0.1234, 2.0], "z": ["a", None]})
    t = b.table(df, caption="c", formats={"x": ",.1f", "y": ".2f"})
    assert cells(t)[0] == [("1,234.6", False), ("0.12", False), ("a", False)]
    assert cells(t)[1][0][0] == "–" and cells(t)[1][2][0] == "–"


def test_table_does_not_change_its_input():
    df = reasons()
    before = df.copy()
    b.table(df, caption="c", count_columns=["staff"], derived_columns=["days"])
    pd.testing.assert_frame_equal(df, before)


def test_table_has_caption_and_column_headers():
    t = b.table(reasons(), caption="Absence by reason", suppress=False)
    assert "<caption>Absence by reason</caption>" in t.html
    assert '<th scope="col">staff</th>' in t.html


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------
def test_figure_is_an_embedded_png_with_alt_text_and_is_closed():
    fig, ax = plt.subplots()
    ax.plot([1, 3, 2])
    block = b.figure(fig, alt="A line going up then down.", caption="A caption")
    assert not plt.fignum_exists(fig.number)
    m = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" '
                  r'alt="A line going up then down\." width="(\d+)" height="(\d+)">',
                  block.html)
    assert m
    png = base64.b64decode(m.group(1), validate=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    # drawn at twice the size it is shown at (sharp when zoomed on a phone)
    pixels = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (int(m.group(2)), int(m.group(3))) == (pixels[0] // 2, pixels[1] // 2)
    assert pixels[0] >= 2 * 500  # a default 6.4-inch figure at 192 dpi, trimmed
    assert b"Matplotlib version" not in png  # no software version: same inputs, same bytes
    assert "<figcaption>A caption</figcaption>" in block.html


def test_figure_bytes_are_reproducible():
    def draw():
        fig, ax = plt.subplots()
        ax.bar(["a", "b"], [3, 5])
        return b.figure(fig, alt="bars").html

    assert draw() == draw()


def test_tables_scroll_in_a_labelled_region_a_keyboard_can_reach():
    narrow = b.table(pd.DataFrame({"a": [1], "b": [2]}), caption="Two columns", suppress=False)
    assert ('<div class="table-wrap" tabindex="0" role="region" '
            'aria-label="Two columns (table)">') in narrow.html
    assert "scroll-cue" not in narrow.html  # fits a phone: no line saying it scrolls
    wide = b.table(pd.DataFrame({c: [1] for c in "abcdefghi"}), caption="Nine columns",
                   suppress=False)
    assert wide.html.index('class="scroll-cue"') < wide.html.index('class="table-wrap"')
