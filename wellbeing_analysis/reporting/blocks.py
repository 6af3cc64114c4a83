"""Display blocks for report notebooks: headings, text, call-outs, figures with alt text and
disclosure-controlled tables.

Each block renders itself as HTML (``_repr_html_``), so a notebook cell that returns one
shows it in JupyterLab and nbconvert carries it into the report unchanged. Text is always
escaped; figures are embedded as PNG data URIs (self-contained, no external requests) with
alt text; tables pass through :func:`wellbeing_analysis.disclosure.suppress` first.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.layout_engine import ConstrainedLayoutEngine

from wellbeing_analysis.constants import FIGURE_CSS_DPI, FIGURE_PIXEL_RATIO

#: PNG resolution of report figures: drawn at FIGURE_PIXEL_RATIO image pixels per CSS pixel
#: and shown at the figure's natural CSS size, so charts stay sharp when zoomed on a phone.
FIGURE_DPI = FIGURE_CSS_DPI * FIGURE_PIXEL_RATIO
#: Tables with this many columns or more may not fit a phone: a line above says they scroll.
WIDE_TABLE_COLUMNS = 5


@dataclass(frozen=True)
class Block:
    """A piece of report HTML, with optional display metadata (e.g. the report's status,
    which the runner reads from the executed notebook)."""

    html: str
    metadata: dict | None = None

    def _repr_html_(self) -> str | tuple[str, dict]:
        return self.html if not self.metadata else (self.html, self.metadata)

    def __repr__(self) -> str:  # the plain-text twin of the HTML output: short, not a copy
        return f"<report block: {len(self.html):,} characters of HTML>"

    def __add__(self, other: Block) -> Block:
        merged = {**(self.metadata or {}), **(other.metadata or {})} or None
        return Block(self.html + other.html, merged)


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def join(blocks: Iterable[Block | None]) -> Block:
    """Concatenate blocks (None entries are skipped)."""
    blocks = [b for b in blocks if b is not None]
    merged = {k: v for b in blocks for k, v in (b.metadata or {}).items()} or None
    return Block("".join(b.html for b in blocks), merged)


def heading(text: str, level: int = 2, anchor: str | None = None) -> Block:
    anchor = anchor or slug(text)
    return Block(f'<h{level} id="{esc(anchor)}">{esc(text)}</h{level}>')


def paragraph(text: str, *, css: str | None = None) -> Block:
    cls = f' class="{esc(css)}"' if css else ""
    return Block(f"<p{cls}>{esc(text)}</p>")


def bullets(items: Iterable[str]) -> Block:
    lis = "".join(f"<li>{esc(i)}</li>" for i in items)
    return Block(f"<ul>{lis}</ul>")


def callout(text: str | Sequence[str], *, kind: str = "info", title: str | None = None) -> Block:
    """A highlighted box: ``kind`` is info, good, concern or caution."""
    lines = [text] if isinstance(text, str) else list(text)
    body = "".join(f"<p>{esc(t)}</p>" for t in lines)
    head = f"<p class='callout-title'>{esc(title)}</p>" if title else ""
    return Block(f'<div class="callout callout-{esc(kind)}" role="note">{head}{body}</div>')


def key_figures(items: Sequence[tuple[str, str, str]]) -> Block:
    """A row of headline figures: (label, value, note)."""
    cards = "".join(
        f'<div class="kpi"><p class="kpi-label">{esc(label)}</p>'
        f'<p class="kpi-value">{esc(value)}</p><p class="kpi-note">{esc(note)}</p></div>'
        for label, value, note in items)
    return Block(f'<div class="kpis">{cards}</div>')


def figure(fig: plt.Figure, *, alt: str, caption: str | None = None) -> Block:
    """Embed a matplotlib figure as a PNG with alt text, then close it.

    PNG metadata is stripped of the software version so the same inputs give the same bytes.
    A figure laid out by constrained layout is saved at its own size: the layout already
    fits every label inside it, and trimming to the "tight" box would measure the whole
    figure again (for a three-panel chart, most of its saving time) to trim 0.06 inch.
    Other figures are trimmed to their tight box.
    """
    buf = io.BytesIO()
    constrained = isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, bbox_inches=None if constrained else "tight",
                metadata={"Software": None})
    plt.close(fig)
    png = buf.getvalue()
    # the PNG header holds the pixel size: shown at 1 / FIGURE_PIXEL_RATIO of it
    width, height = (int.from_bytes(png[i:i + 4], "big") // FIGURE_PIXEL_RATIO
                     for i in (16, 20))
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return Block(f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}" '
                 f'width="{width}" height="{height}">{cap}</figure>')


def table(
    df: pd.DataFrame,
    *,
    caption: str,
    count_columns: Sequence[str] = (),
    derived_columns: Sequence[str] | dict[str, Sequence[str]] = (),
    shares: dict | None = None,
    hidden: Sequence[str] = (),
    threshold: int | None = None,
    formats: dict[str, str] | None = None,
    suppress: bool = True,
    secondary: bool = True,
) -> Block:
    """A table for a report, passed through disclosure control first.

    ``count_columns`` hold counts of people; a count below ``threshold`` is suppressed, and
    so is every value in ``derived_columns`` of the same row computed from it (a list: from
    any count column; a mapping: from the count columns named). ``shares`` maps a share or
    rate column to the :class:`~wellbeing_analysis.disclosure.Share` it is made of (its
    numerator, its complement and its group are all checked); ``hidden`` columns are used
    for the rule and not shown. With ``secondary`` the rows are treated as parts of a total
    shown elsewhere, so a lone suppressed count is protected by suppressing the next
    smallest (:mod:`wellbeing_analysis.disclosure`). Count cells carry ``class="count"`` so
    tests can check that no count below the threshold reaches a report.
    """
    from wellbeing_analysis.disclosure import protect

    shown = df.reset_index(drop=True)
    if suppress and (count_columns or shares):
        kwargs = {} if threshold is None else {"threshold": threshold}
        whole = "__all_rows__"
        shown = protect(shown.assign(**{whole: 0}), counts=list(count_columns),
                        shares=shares, derived=(dict(derived_columns)
                                                if isinstance(derived_columns, dict)
                                                else list(derived_columns)),
                        hidden=hidden, partition_columns=[whole] if secondary else None,
                        **kwargs).drop(columns=whole)
    elif hidden:
        shown = shown.drop(columns=list(hidden))
    formats = formats or {}
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in shown.columns)
    body = []
    for row in shown.itertuples(index=False):  # a report table: a few dozen aggregate rows
        cells = []
        for col, value in zip(shown.columns, row, strict=True):
            css = ' class="count"' if col in count_columns else ""
            cells.append(f"<td{css}>{esc(_fmt(value, formats.get(col)))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return scroll_region(f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr>"
                         f"</thead><tbody>{''.join(body)}</tbody></table>", label=caption,
                         cue=len(shown.columns) >= WIDE_TABLE_COLUMNS)


def scroll_region(inner: str, *, label: str, cue: bool = True) -> Block:
    """A table in a sideways-scrolling region a keyboard can reach (``tabindex=0``) and a
    screen reader names (``role=region``, ``aria-label``); on a phone a line above it says
    it scrolls, and a shadow at the edge shows there is more."""
    hint = ('<p class="scroll-cue" aria-hidden="true">Table: scroll sideways to see every '
            'column →</p>') if cue else ""
    return Block(f'{hint}<div class="table-wrap" tabindex="0" role="region" '
                 f'aria-label="{esc(label)} (table)">{inner}</div>')


def _fmt(value: object, fmt: str | None) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "–"
    if fmt and isinstance(value, (int, float)):
        return format(value, fmt)
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def details(summary: str, body: Block) -> Block:
    """A collapsible section (for technical detail service leads can skip)."""
    return Block(f"<details><summary>{esc(summary)}</summary>{body.html}</details>")
