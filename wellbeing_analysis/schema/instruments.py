"""The survey instruments as pure data: items, response scale, reversed items per response
coding, subscales, missing-item rule, cut-offs and the status of each fact.

Source of every rule: ``docs/instruments.md``. Status letters follow it: **V** checked
against a primary source, **S** secondary source only, **M** not confirmed (kept
configurable; say so wherever it is used). Items are keyed by number only: WRQoL, (S)WEMWBS
and NHS Staff Survey wording is copyrighted and is not shipped. Edmondson's wording is public
and is used to label item-level charts.

This module imports nothing but the standard library and ``constants`` so that ``schema``
and ``validation`` can import it cheaply.

Why one module of this length: it is data (the instrument catalogue: items, ranges,
reversals, scoring rules), one entry per instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Literal

from wellbeing_analysis.constants import (
    NSS_MIN_ITEM_SHARE,
    OLBI_DISENGAGEMENT_CUTOFF,
    OLBI_EXHAUSTION_CUTOFF,
    SURVEY_MIN_ITEM_SHARE,
)

Status = Literal["V", "S", "M"]
Direction = Literal["better", "worse"]

#: Name of the column declaring an instrument's response coding, e.g. ``olbi_coding``.
CODING_COLUMN_SUFFIX = "_coding"


@dataclass(frozen=True)
class Subscale:
    """A scored scale of an instrument: the items it combines and how to read it."""

    key: str  # output column / JSON key, e.g. 'autonomy'
    label: str  # plain-English name for reports
    items: tuple[str, ...]  # item keys (see Instrument.items)
    higher_is: Direction = "better"
    #: minimum number of answered items, when the instrument's rule is a count rather than a
    #: share (NHS Staff Survey burnout: 5 of 7); None -> the instrument's ``min_share``
    min_answered: int | None = None

    def min_items(self, share: float) -> int:
        """Items that must be answered for the subscale to be scored under ``share``."""
        if self.min_answered is not None:
            return self.min_answered
        # tolerance so that e.g. 0.8 * 5 = 4.000000000000001 needs 4, not 5
        return max(1, ceil(share * len(self.items) - 1e-9))


@dataclass(frozen=True)
class Coding:
    """A response-coding convention and the items to reverse under it."""

    name: str
    description: str
    reversed_items: frozenset[str]


@dataclass(frozen=True)
class CutOff:
    """A published threshold on a subscale score: 'meets' means score >= threshold."""

    subscale: str
    threshold: float
    label: str  # what meeting it means, e.g. 'high exhaustion'
    source: str
    status: Status


@dataclass(frozen=True)
class Total:
    """A score over the whole instrument besides its subscales."""

    key: str
    label: str
    #: 'item_sum': sum of all scored items (prorated like a 'sum' subscale);
    #: 'subscale_mean': mean of the subscale scores, only when every subscale is scored;
    #: 'conversion': the first subscale's score converted with ``conversion_table``
    method: Literal["item_sum", "subscale_mean", "conversion"]
    higher_is: Direction = "better"


@dataclass(frozen=True)
class Instrument:
    """One survey instrument: everything needed to validate and score its item columns."""

    name: str  # the CLI name and the item column prefix
    title: str
    source: str
    status: Status
    status_note: str
    items: tuple[str, ...]  # scored item keys, in questionnaire order
    scale_min: int
    scale_max: int
    subscales: tuple[Subscale, ...]
    codings: tuple[Coding, ...]
    #: coding used when none is declared; None means it must be declared (never guessed)
    default_coding: str | None
    #: how a subscale combines its item scores: 'mean', or 'sum' (prorated: mean x items
    #: when the missing-item rule allows missing items)
    method: Literal["mean", "sum"]
    #: missing-item rule: a subscale is scored when at least this share of its items is
    #: answered (unless the subscale sets ``min_answered``)
    min_share: float
    missing_rule: str  # the rule in words, with its status
    total: Total | None = None
    unscored_items: tuple[str, ...] = ()  # asked but not scored (WRQoL item 24)
    cutoffs: tuple[CutOff, ...] = ()
    #: item scores are rescaled linearly from [scale_min, scale_max] to this range after
    #: reversal (NHS Staff Survey: 1-5 becomes 0, 2.5, 5, 7.5, 10)
    rescale_to: tuple[float, float] | None = None
    conversion_table: str | None = None  # package data file used by a 'conversion' total
    #: item key -> accepted column names (several when the question number moved between
    #: survey years); default: one column '<name>_<item>'
    columns_by_item: dict[str, tuple[str, ...]] | None = None
    item_labels: dict[str, str] | None = None  # public wording or a neutral label
    #: regular expression matching column names that look like this instrument's items
    column_pattern: str | None = None

    # ----------------------------------------------------------------- item columns
    def item_columns(self, item: str) -> tuple[str, ...]:
        """Column names accepted for one item (first = the default)."""
        if self.columns_by_item is not None:
            return self.columns_by_item[item]
        return (f"{self.name}_{item}",)

    @property
    def all_items(self) -> tuple[str, ...]:
        """Scored and unscored item keys."""
        return self.items + self.unscored_items

    @property
    def all_columns(self) -> tuple[str, ...]:
        """Every accepted item column name (scored and unscored, every numbering)."""
        return tuple(c for item in self.all_items for c in self.item_columns(item))

    @property
    def pattern(self) -> str:
        """Regular expression for column names that claim to be this instrument's items."""
        return self.column_pattern or rf"^{self.name}_\d+$"

    @property
    def coding_column(self) -> str:
        return f"{self.name}{CODING_COLUMN_SUFFIX}"

    @property
    def needs_declared_coding(self) -> bool:
        return self.default_coding is None

    def coding(self, name: str) -> Coding:
        return next(c for c in self.codings if c.name == name)

    @property
    def coding_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.codings)

    # ----------------------------------------------------------------- outputs
    @property
    def score_keys(self) -> tuple[str, ...]:
        """Output keys, in order: one per subscale, then the total (if any)."""
        keys = tuple(s.key for s in self.subscales)
        return keys + ((self.total.key,) if self.total else ())

    def items_of(self, key: str) -> tuple[str, ...]:
        """Items behind an output key (a total covers all scored items)."""
        for s in self.subscales:
            if s.key == key:
                return s.items
        if self.total and self.total.key == key:
            if self.total.method == "conversion":
                return self.subscales[0].items
            return self.items
        raise KeyError(key)

    def label_of(self, key: str) -> str:
        for s in self.subscales:
            if s.key == key:
                return s.label
        if self.total and self.total.key == key:
            return self.total.label
        raise KeyError(key)

    def higher_is(self, key: str) -> Direction:
        for s in self.subscales:
            if s.key == key:
                return s.higher_is
        if self.total and self.total.key == key:
            return self.total.higher_is
        raise KeyError(key)

    @property
    def scale_text(self) -> str:
        return f"{self.scale_min}–{self.scale_max}"


def _items(n: int) -> tuple[str, ...]:
    return tuple(str(i) for i in range(1, n + 1))


def _keys(*numbers: int) -> tuple[str, ...]:
    return tuple(str(i) for i in numbers)


def _share_rule(share: float) -> str:
    return (f"a subscale is scored when at least {share:.0%} of its items are answered "
            "(mean of the answered items); our rule, not the instrument authors'")


# ---------------------------------------------------------------------------
# Edmondson (1999) team psychological safety (V)
# ---------------------------------------------------------------------------
PSAFE_WORDING: dict[str, str] = {
    "1": "If you make a mistake on this team, it is often held against you.",
    "2": "Members of this team are able to bring up problems and tough issues.",
    "3": "People on this team sometimes reject others for being different.",
    "4": "It is safe to take a risk on this team.",
    "5": "It is difficult to ask other members of this team for help.",
    "6": "No one on this team would deliberately act in a way that undermines my efforts.",
    "7": "Working with members of this team, my unique skills and talents are valued and "
         "utilized.",
}

PSAFE = Instrument(
    name="psafe",
    title="Team psychological safety (Edmondson 1999)",
    source="Edmondson A. Psychological safety and learning behavior in work teams. "
           "Administrative Science Quarterly 1999;44:350-83 (7 items).",
    status="V",
    status_note="Items, 1-7 scale and reversed items 1, 3, 5 checked against the primary "
                "source (V). No official cut-offs.",
    items=_items(7),
    scale_min=1,
    scale_max=7,
    subscales=(Subscale("psafe", "Psychological safety", _items(7)),),
    codings=(Coding("standard", "1 = very inaccurate ... 7 = very accurate; reverse = 8 - x",
                    frozenset(_keys(1, 3, 5))),),
    default_coding="standard",
    method="mean",
    min_share=SURVEY_MIN_ITEM_SHARE,
    missing_rule=_share_rule(SURVEY_MIN_ITEM_SHARE),
    item_labels=PSAFE_WORDING,
)

# ---------------------------------------------------------------------------
# Basic Psychological Need Satisfaction at Work (Deci & Ryan; 21 items) (S/V)
# ---------------------------------------------------------------------------
BPNS = Instrument(
    name="bpns",
    title="Basic Psychological Need Satisfaction at Work",
    source="Deci EL, Ryan RM et al. Basic Psychological Need Satisfaction at Work scale "
           "(21 items; selfdeterminationtheory.org).",
    status="S",
    status_note="Subscale membership and reversed items from secondary sources, partly "
                "checked against the authors' scoring page (S/V).",
    items=_items(21),
    scale_min=1,
    scale_max=7,
    subscales=(
        Subscale("autonomy", "Autonomy", _keys(1, 5, 8, 11, 13, 17, 20)),
        Subscale("competence", "Competence", _keys(3, 4, 10, 12, 14, 19)),
        Subscale("relatedness", "Relatedness (belonging)", _keys(2, 6, 7, 9, 15, 16, 18, 21)),
    ),
    codings=(Coding("standard", "1 = not at all true ... 7 = very true; reverse = 8 - x",
                    frozenset(_keys(5, 11, 20, 3, 14, 19, 7, 16, 18))),),
    default_coding="standard",
    method="mean",
    min_share=SURVEY_MIN_ITEM_SHARE,
    missing_rule=_share_rule(SURVEY_MIN_ITEM_SHARE),
)

# ---------------------------------------------------------------------------
# Oldenburg Burnout Inventory (16 items) (S)
# ---------------------------------------------------------------------------
_OLBI_AGREE_1_REVERSED = frozenset(_keys(2, 3, 4, 6, 8, 9, 11, 12))
OLBI = Instrument(
    name="olbi",
    title="Oldenburg Burnout Inventory",
    source="Demerouti E, Bakker AB (2008) The Oldenburg Burnout Inventory; cut-offs from "
           "Peterson U et al. (2008) J Adv Nurs 62:84-95.",
    status="S",
    status_note="Subscales, reversed items and cut-offs from secondary sources (S). The "
                "response coding must be declared: it is never guessed.",
    items=_items(16),
    scale_min=1,
    scale_max=4,
    subscales=(
        Subscale("exhaustion", "Exhaustion", _keys(2, 4, 5, 8, 10, 12, 14, 16), "worse"),
        Subscale("disengagement", "Disengagement", _keys(1, 3, 6, 7, 9, 11, 13, 15), "worse"),
    ),
    codings=(
        Coding("agree_1", "1 = strongly agree ... 4 = strongly disagree; reverse items 2, 3, "
               "4, 6, 8, 9, 11, 12 (5 - x) so that higher = more burnout",
               _OLBI_AGREE_1_REVERSED),
        Coding("disagree_1", "1 = strongly disagree ... 4 = strongly agree; reverse items 1, "
               "5, 7, 10, 13, 14, 15, 16 (5 - x) so that higher = more burnout",
               frozenset(_items(16)) - _OLBI_AGREE_1_REVERSED),
    ),
    default_coding=None,
    method="mean",
    min_share=SURVEY_MIN_ITEM_SHARE,
    missing_rule=_share_rule(SURVEY_MIN_ITEM_SHARE),
    cutoffs=(
        CutOff("exhaustion", OLBI_EXHAUSTION_CUTOFF, "high exhaustion",
               "Peterson et al. 2008", "S"),
        CutOff("disengagement", OLBI_DISENGAGEMENT_CUTOFF, "high disengagement",
               "Peterson et al. 2008", "S"),
    ),
    item_labels={i: f"OLBI item {i} ("
                 + ("exhaustion" if i in _keys(2, 4, 5, 8, 10, 12, 14, 16) else "disengagement")
                 + ")" for i in _items(16)},
)
#: 'Burnout' in the OLBI sense: meeting both cut-offs (Peterson et al. 2008).
OLBI_BURNOUT_LABEL = "burnout (both cut-offs)"

# ---------------------------------------------------------------------------
# Work-Related Quality of Life scale (WRQoL; 23 scored items) (M)
# ---------------------------------------------------------------------------
WRQOL = Instrument(
    name="wrqol",
    title="Work-Related Quality of Life scale (WRQoL) — awaiting confirmation",
    source="Van Laar D, Edwards JA, Easton S (2007) The Work-Related Quality of Life scale "
           "for healthcare workers. J Adv Nurs 60:325-33. Norm bands are in the copyrighted "
           "user manual and are not reproduced.",
    status="M",
    status_note="Subscale membership, reversed items 7, 9, 19 and sum scoring are NOT "
                "confirmed against the manual (M): confirm before relying on them. No norm "
                "bands are applied.",
    items=_items(23),
    unscored_items=("24",),
    scale_min=1,
    scale_max=5,
    subscales=(
        Subscale("gwb", "General well-being", _keys(4, 9, 10, 15, 17, 21)),
        Subscale("hwi", "Home-work interface", _keys(5, 6, 14)),
        Subscale("jcs", "Job and career satisfaction", _keys(1, 3, 8, 11, 18, 20)),
        Subscale("caw", "Control at work", _keys(2, 12, 23)),
        Subscale("wcs", "Working conditions", _keys(13, 16, 22)),
        Subscale("saw", "Stress at work (higher = less stress)", _keys(7, 19)),
    ),
    codings=(Coding("standard", "1 = strongly disagree ... 5 = strongly agree; reverse = "
                    "6 - x", frozenset(_keys(7, 9, 19))),),
    default_coding="standard",
    method="sum",
    min_share=1.0,
    missing_rule="every item of a subscale must be answered (sum scores are not prorated); "
                 "the overall score needs all 23 items; our rule (M)",
    total=Total("wrqol", "Overall quality of working life (23-115)", "item_sum"),
)

# ---------------------------------------------------------------------------
# (Short) Warwick-Edinburgh Mental Wellbeing Scale (V)
# ---------------------------------------------------------------------------
SWEMWBS = Instrument(
    name="swemwbs",
    title="Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
    source="Stewart-Brown S et al. (2009) Health Qual Life Outcomes 7:15; raw-to-metric "
           "conversion table published with the scale (package data swemwbs_conversion.csv).",
    status="V",
    status_note="7 items scored 1-5, raw total 7-35 converted with the published table (V).",
    items=_items(7),
    scale_min=1,
    scale_max=5,
    subscales=(Subscale("raw", "SWEMWBS raw total (7-35)", _items(7)),),
    codings=(Coding("standard", "1 = none of the time ... 5 = all of the time; no reversed "
                    "items", frozenset()),),
    default_coding="standard",
    method="sum",
    min_share=1.0,
    missing_rule="all 7 items must be answered: the conversion table is defined only for "
                 "complete raw totals (fixed, not a parameter)",
    total=Total("metric", "SWEMWBS metric score (7.00-35.00)", "conversion"),
    conversion_table="swemwbs_conversion.csv",
)

WEMWBS = Instrument(
    name="wemwbs",
    title="Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS, 14 items)",
    source="Tennant R et al. (2007) Health Qual Life Outcomes 5:63.",
    status="V",
    status_note="14 items scored 1-5, plain sum 14-70 (V). Missing-item rule is ours (M).",
    items=_items(14),
    scale_min=1,
    scale_max=5,
    subscales=(Subscale("wemwbs", "WEMWBS total (14-70)", _items(14)),),
    codings=(Coding("standard", "1 = none of the time ... 5 = all of the time; no reversed "
                    "items", frozenset()),),
    default_coding="standard",
    method="sum",
    min_share=1.0,
    missing_rule="all 14 items must be answered (our rule, M; a lower share prorates the sum)",
)

# ---------------------------------------------------------------------------
# NHS Staff Survey engagement and morale from item-level data
# (V for item membership; S/M for coding details)
# ---------------------------------------------------------------------------
#: Survey years whose question numbering is tabled (package data nhs_nss_theme_items.csv).
NSS_NUMBERINGS: tuple[str, ...] = ("2021", "2022", "2023")
#: Questions whose number moved between years, keyed by the 2021 number (from the package
#: table; ``tests`` check this against it).
NSS_RENUMBERED: dict[str, tuple[str, str, str]] = {
    "q21a": ("q21a", "q23a", "q25a"),
    "q21c": ("q21c", "q23c", "q25c"),
    "q21d": ("q21d", "q23d", "q25d"),
    "q22a": ("q22a", "q24a", "q26a"),
    "q22b": ("q22b", "q24b", "q26b"),
    "q22c": ("q22c", "q24c", "q26c"),
}
#: The five questions the strategy's discussion document highlights (2021 numbering):
#: autonomy and control (3d, 3e, 3f), line management (9c), compassionate leadership (9f).
#: Wording is not shipped; these are topic labels.
HIGHLIGHTED_QUESTIONS: dict[str, str] = {
    "q3d": "Autonomy and control (q3d)",
    "q3e": "Autonomy and control (q3e)",
    "q3f": "Autonomy and control (q3f)",
    "q9c": "Line management (q9c)",
    "q9f": "Compassionate leadership (q9f)",
}


def _nss_columns(items: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Accepted columns per item: 'nss_' + the question number in each tabled numbering."""
    return {q: tuple(dict.fromkeys(f"nss_{n}" for n in NSS_RENUMBERED.get(q, (q,))))
            for q in items}


def _nss_rule(subscales: tuple[Subscale, ...]) -> str:
    parts = [f"{s.label} {s.min_items(NSS_MIN_ITEM_SHARE)} of {len(s.items)}" for s in subscales]
    return ("a sub-score is the mean of the items answered, scored when at least: "
            + ", ".join(parts) + " items are answered (our rule, M: the national minimum per "
            "sub-score is confirmed only for burnout, 5 of 7, which the pulse does not ask); "
            "the theme score is the mean of the sub-scores, only when every sub-score is "
            "scored (our rule, M)")


_NSS_CODING_NOTE = ("1-5 in questionnaire order (1 = strongly disagree / never ... 5 = "
                    "strongly agree / always) become 0, 2.5, 5, 7.5, 10; negatively worded "
                    "items reverse to 10, 7.5, 5, 2.5, 0")
_NSS_SOURCE = ("NHS Staff Survey technical documentation and questionnaires 2021-2023 "
               "(package data nhs_nss_theme_items.csv). Local item-level data are not "
               "weighted by occupation group.")

_ENGAGEMENT_SUBSCALES = (
    Subscale("motivation", "Motivation", ("q2a", "q2b", "q2c")),
    Subscale("involvement", "Involvement", ("q3c", "q3d", "q3f")),
    Subscale("advocacy", "Advocacy", ("q21a", "q21c", "q21d")),
)
NSS_ENGAGEMENT = Instrument(
    name="nss_engagement",
    title="NHS Staff Survey staff engagement (9 questions, 0-10)",
    source=_NSS_SOURCE,
    status="S",
    status_note="Item membership V; 0-10 coding S; minimum answers per sub-score M.",
    items=("q2a", "q2b", "q2c", "q3c", "q3d", "q3f", "q21a", "q21c", "q21d"),
    scale_min=1,
    scale_max=5,
    subscales=_ENGAGEMENT_SUBSCALES,
    codings=(Coding("standard", _NSS_CODING_NOTE, frozenset()),),
    default_coding="standard",
    method="mean",
    min_share=NSS_MIN_ITEM_SHARE,
    missing_rule=_nss_rule(_ENGAGEMENT_SUBSCALES),
    total=Total("engagement", "Staff engagement (0-10)", "subscale_mean"),
    rescale_to=(0.0, 10.0),
    columns_by_item=_nss_columns(("q2a", "q2b", "q2c", "q3c", "q3d", "q3f", "q21a", "q21c",
                                  "q21d")),
    column_pattern=r"^nss_q\w+$",
)

_MORALE_SUBSCALES = (
    Subscale("thinking_about_leaving", "Thinking about leaving (reversed)",
             ("q22a", "q22b", "q22c")),
    Subscale("work_pressure", "Work pressure", ("q3g", "q3h", "q3i")),
    Subscale("stressors", "Stressors", ("q3a", "q3e", "q5a", "q5b", "q5c", "q7c", "q9a")),
)
_MORALE_ITEMS = ("q22a", "q22b", "q22c", "q3g", "q3h", "q3i", "q3a", "q3e", "q5a", "q5b",
                 "q5c", "q7c", "q9a")
NSS_MORALE = Instrument(
    name="nss_morale",
    title="NHS Staff Survey morale (0-10)",
    source=_NSS_SOURCE,
    status="S",
    status_note="Item membership V; 0-10 coding and reversals S; minimum answers M.",
    items=_MORALE_ITEMS,
    scale_min=1,
    scale_max=5,
    subscales=_MORALE_SUBSCALES,
    codings=(Coding("standard", _NSS_CODING_NOTE,
                    frozenset(("q22a", "q22b", "q22c", "q5a", "q5c"))),),
    default_coding="standard",
    method="mean",
    min_share=NSS_MIN_ITEM_SHARE,
    missing_rule=_nss_rule(_MORALE_SUBSCALES),
    total=Total("morale", "Morale (0-10)", "subscale_mean"),
    rescale_to=(0.0, 10.0),
    columns_by_item=_nss_columns(_MORALE_ITEMS),
    column_pattern=r"^nss_q\w+$",
)

#: Every instrument, by name (the ``wellbeing score`` choices, in this order).
INSTRUMENTS: dict[str, Instrument] = {
    i.name: i for i in (PSAFE, BPNS, OLBI, WRQOL, SWEMWBS, WEMWBS, NSS_ENGAGEMENT, NSS_MORALE)
}
#: Instruments of the local wellbeing survey table (item columns '<name>_<number>').
LOCAL_SURVEY_INSTRUMENTS: tuple[str, ...] = ("psafe", "bpns", "olbi", "wrqol", "swemwbs",
                                             "wemwbs")
#: Instruments of the pulse survey table (NHS Staff Survey items 'nss_q…').
PULSE_SURVEY_INSTRUMENTS: tuple[str, ...] = ("nss_engagement", "nss_morale")


def get_instrument(name: str) -> Instrument:
    """The instrument called ``name``; KeyError listing the known names otherwise."""
    try:
        return INSTRUMENTS[name]
    except KeyError:
        raise KeyError(f"unknown instrument {name!r}; known: {', '.join(INSTRUMENTS)}") from None


def pulse_columns() -> tuple[str, ...]:
    """Every accepted NHS Staff Survey item column of the pulse survey, without duplicates."""
    cols: dict[str, None] = {}
    for name in PULSE_SURVEY_INSTRUMENTS:
        cols.update(dict.fromkeys(INSTRUMENTS[name].all_columns))
    return tuple(cols)


def nss_numbering_of_column(column: str) -> str | None:
    """The survey year numbering a renumbered NHS Staff Survey column belongs to, or None
    for a column whose number is the same in every tabled year."""
    for numbers in NSS_RENUMBERED.values():
        for year, q in zip(NSS_NUMBERINGS, numbers, strict=True):
            if column == f"nss_{q}" and len(set(numbers)) > 1:
                return year
    return None
