"""The input tables: one declarative schema per table, the single source of truth.

The loader validates against these schemas, and the data templates
(``data_templates/*.csv``) and the data dictionary (``data_templates/data_dictionary.md``)
are generated from them (``wellbeing templates data_templates``), so the contract users see
and the checks the code runs cannot drift apart; a test compares the committed files with
freshly generated ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import pandas as pd

from wellbeing_analysis.constants import FTE_MAX_INCLUSIVE, FTE_MIN_EXCLUSIVE

ColumnType = Literal["id", "text", "free_text", "date", "number", "integer", "code", "boolean"]

#: Human names of the column types, for the data dictionary.
TYPE_LABELS: dict[str, str] = {
    "id": "identifier (text)",
    "text": "text",
    "free_text": "free text (never shown in reports)",
    "date": "date (YYYY-MM-DD or DD/MM/YYYY)",
    "number": "number",
    "integer": "whole number",
    "code": "code from a fixed list",
    "boolean": "yes/no (true/false, yes/no, 1/0)",
}

#: Accepted spellings of booleans (compared case-insensitively).
TRUE_VALUES = ("true", "yes", "y", "1")
FALSE_VALUES = ("false", "no", "n", "0")


@dataclass(frozen=True)
class Column:
    """One column of an input table and the rules its values must satisfy."""

    name: str
    type: ColumnType
    description: str
    examples: tuple[str, ...]
    required: bool = True  # the column must be present in the header
    nullable: bool = False  # a blank cell is allowed
    #: for code columns: the exact accepted values, or a function returning them (reference
    #: lists read from package data)
    allowed: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    allowed_note: str | None = None  # where the allowed values come from (dictionary text)
    minimum: float | None = None
    minimum_inclusive: bool = True
    maximum: float | None = None
    maximum_inclusive: bool = True

    def range_text(self) -> str | None:
        """The numeric range as text, e.g. '(0, 1.5]'."""
        if self.minimum is None and self.maximum is None:
            return None
        lo = "-inf" if self.minimum is None else f"{self.minimum:g}"
        hi = "inf" if self.maximum is None else f"{self.maximum:g}"
        return ("[" if self.minimum_inclusive else "(") + f"{lo}, {hi}" + (
            "]" if self.maximum_inclusive else ")"
        )


@dataclass(frozen=True)
class TableSchema:
    """An input table: file stem, purpose, columns and table-level rules."""

    name: str  # file stem: <name>.csv or <name>.xlsx in the data folder
    description: str
    columns: tuple[Column, ...]
    required: bool = False  # must every data folder have this table?
    #: pairs (start column, end column) where end must not be before start
    date_order: tuple[tuple[str, str], ...] = ()
    #: regular expression for further allowed columns (e.g. survey item columns), with the
    #: column spec applied to them
    extra_columns_pattern: str | None = None
    extra_column: Column | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# ---------------------------------------------------------------------------
# Controlled vocabularies
# ---------------------------------------------------------------------------
@cache
def esr_absence_reasons() -> pd.DataFrame:
    """ESR sickness absence reason codes S10–S99 (package copy of the NHS Digital list)."""
    with resources.files("wellbeing_analysis.data").joinpath(
        "esr_sickness_absence_reasons.csv"
    ).open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str)


@cache
def esr_leaving_reasons() -> pd.DataFrame:
    """ESR reasons for leaving with our voluntary grouping (one table, one place)."""
    with resources.files("wellbeing_analysis.data").joinpath(
        "esr_reasons_for_leaving.csv"
    ).open(encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str)
    df["voluntary"] = df["voluntary"].eq("true")
    return df


STAFF_GROUPS: tuple[str, ...] = (
    "Psychological Wellbeing Practitioner",
    "Trainee Psychological Wellbeing Practitioner",
    "High Intensity Therapist",
    "Trainee High Intensity Therapist",
    "Counsellor",
    "Clinical/Counselling Psychologist",
    "Employment Adviser",
    "Peer Support Worker",
    "Admin and Clerical",
    "Manager",
    "Other",
)

BANDS: tuple[str, ...] = (
    "Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7",
    "Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "Non-AfC",
)

#: Strategy objectives of the Model NHS Talking Therapies Staff Wellbeing Strategy.
STRATEGY_OBJECTIVES: dict[str, str] = {
    "1": "Leading with compassion",
    "2": "Managing collaboratively",
    "3": "Team-working effectively",
    "4": "Belonging for and by all",
}

#: Categories of reasons for leaving or staying (exit interviews, stay conversations).
#: Our list, shared by both kinds so that leaving and staying can be compared.
EXIT_STAY_CATEGORIES: tuple[str, ...] = (
    "Workload and pressure",
    "Work-life balance",
    "Flexible working",
    "Career progression",
    "Training and development",
    "Pay and reward",
    "Line management",
    "Supervision and support",
    "Team and colleagues",
    "Meaningful work",
    "Autonomy and control",
    "Recognition",
    "Health and wellbeing",
    "Relocation",
    "Retirement",
    "Other",
)

PREDICTED_DIRECTIONS: tuple[str, ...] = ("increase", "decrease", "no_change")
PDSA_DECISIONS: tuple[str, ...] = ("adopt", "adapt", "abandon")


def _date(name: str, description: str, examples: tuple[str, ...], **kw) -> Column:
    return Column(name, "date", description, examples, **kw)


# ---------------------------------------------------------------------------
# Core tables (issue 2)
# ---------------------------------------------------------------------------
STAFF_SPELLS = TableSchema(
    name="staff_spells",
    description=(
        "One row per spell of employment in the service (ESR assignment history). A change of "
        "team or FTE ends one spell and starts the next on the following day; a spell's end "
        "date is the last day in post, blank while in post."
    ),
    required=True,
    date_order=(("start_date", "end_date"),),
    columns=(
        Column("staff_id", "id", "Staff identifier (ESR assignment or employee number). "
               "Pseudonymised with a keyed hash as it is loaded; never shown in reports.",
               ("E1001", "E1001", "E1002")),
        Column("team", "text", "Team the spell belongs to.",
               ("North Step 2", "North Step 3", "Central Step 3")),
        Column("staff_group", "code", "Talking Therapies staff group.",
               ("Psychological Wellbeing Practitioner", "Psychological Wellbeing Practitioner",
                "High Intensity Therapist"), allowed=STAFF_GROUPS),
        Column("band", "code", "Agenda for Change band.",
               ("Band 5", "Band 5", "Band 7"), allowed=BANDS),
        Column("fte", "number", "Full-time equivalent of the spell (1.0 = 37.5 hours).",
               ("1.0", "0.6", "0.8"), minimum=FTE_MIN_EXCLUSIVE, minimum_inclusive=False,
               maximum=FTE_MAX_INCLUSIVE),
        _date("start_date", "First day of the spell.", ("2019-04-01", "2021-06-01", "12/09/2020")),
        _date("end_date", "Last day of the spell; blank while in post.",
              ("2021-05-31", "", "31/03/2024"), nullable=True),
        Column("leaving_reason", "code",
               "ESR reason for leaving, on the spell that ends the staff member's time in the "
               "service; blank for spells that continue into another spell or are open.",
               ("", "", "Voluntary Resignation - Work Life Balance"), nullable=True,
               allowed=lambda: tuple(esr_leaving_reasons()["reason"]),
               allowed_note="ESR reasons for leaving (wellbeing_analysis/data/"
               "esr_reasons_for_leaving.csv)"),
    ),
)

ABSENCE_EPISODES = TableSchema(
    name="absence_episodes",
    description=(
        "One row per episode of sickness absence. Dates are inclusive: end_date is the last "
        "day off sick (the day before return), blank while ongoing. Non-working days count."
    ),
    required=True,
    date_order=(("start_date", "end_date"),),
    columns=(
        Column("staff_id", "id", "Staff identifier, as in staff_spells.",
               ("E1001", "E1002", "E1001")),
        _date("start_date", "First day off sick.", ("2020-01-06", "2022-11-14", "03/03/2024")),
        _date("end_date", "Last day off sick; blank while the episode is ongoing.",
              ("2020-01-08", "2022-12-30", ""), nullable=True),
        Column("reason_code", "code", "ESR sickness absence reason code.",
               ("S13", "S10", "S12"), allowed=lambda: tuple(esr_absence_reasons()["code"]),
               allowed_note="ESR sickness absence reasons S10–S99 (wellbeing_analysis/data/"
               "esr_sickness_absence_reasons.csv)"),
        Column("related_reason", "free_text",
               "ESR related reason, e.g. 'COVID-19'; blank if none. Used only to flag "
               "COVID-19 related absence (any value mentioning COVID or coronavirus).",
               ("", "", "COVID-19"), nullable=True),
    ),
)

EXIT_STAY_REASONS = TableSchema(
    name="exit_stay_reasons",
    description=(
        "Reasons for leaving (exit interviews or questionnaires) and for staying (stay "
        "conversations), one row per reason given. Reports show counts by category only; "
        "free-text comments are never shown."
    ),
    date_order=(),
    columns=(
        Column("record_id", "id", "Identifier of the conversation or questionnaire (several "
               "rows may share it when several reasons were given).", ("X001", "X001", "X002")),
        Column("kind", "code", "'leaving' for an exit reason, 'staying' for a stay reason.",
               ("leaving", "leaving", "staying"), allowed=("leaving", "staying")),
        _date("date", "Date of the exit interview, questionnaire or stay conversation.",
              ("2023-05-30", "2023-05-30", "2023-07-12")),
        Column("category", "code", "Reason category.",
               ("Workload and pressure", "Career progression", "Team and colleagues"),
               allowed=EXIT_STAY_CATEGORIES),
        Column("staff_group", "code", "Staff group of the person (optional).",
               ("Psychological Wellbeing Practitioner", "Psychological Wellbeing Practitioner",
                "Counsellor"), nullable=True, required=False, allowed=STAFF_GROUPS),
        Column("team", "text", "Team (optional).", ("North Step 2", "North Step 2", ""),
               nullable=True, required=False),
        Column("voluntary", "boolean", "For leaving reasons: was the leaving voluntary?",
               ("yes", "yes", ""), nullable=True, required=False),
        Column("comment", "free_text", "Free-text comment; kept in the file, never rendered.",
               ("", "", ""), nullable=True, required=False),
    ),
)

INTERVENTIONS = TableSchema(
    name="interventions",
    description=(
        "Wellbeing interventions the service introduced, for intervention-evaluation "
        "reports and chart annotations."
    ),
    date_order=(("start_date", "end_date"),),
    columns=(
        Column("intervention_id", "id", "Short unique identifier.", ("INT1", "INT2", "INT3")),
        Column("name", "text", "Name of the intervention.",
               ("Protected reflective practice time", "Compassionate leadership programme",
                "Flexible rostering")),
        Column("objective", "code", "Strategy objective it serves: 1 leading with compassion, "
               "2 managing collaboratively, 3 team-working effectively, 4 belonging for and by all.",
               ("3", "1", "2"), allowed=tuple(STRATEGY_OBJECTIVES)),
        _date("start_date", "Date the intervention started (first month it applies).",
              ("2023-04-01", "2024-01-01", "01/09/2024")),
        _date("end_date", "Date it ended; blank if continuing.", ("", "", ""), nullable=True),
        Column("phase_in_months", "integer", "Months after the start while it beds in "
               "(excluded from the ITS fit); 0 if none.", ("2", "0", "1"), minimum=0,
               maximum=24),
        Column("teams", "text", "Teams it applies to, separated by ';', or 'all'.",
               ("all", "all", "North Step 2;North Step 3")),
        Column("description", "text", "One or two sentences describing it (shown in reports).",
               ("Fortnightly 90-minute protected reflective practice for all clinicians.",
                "Leadership course for all band 7+ managers.",
                "Self-rostering pilot for step 2 teams."), nullable=True, required=False),
    ),
)

PDSA_CYCLES = TableSchema(
    name="pdsa_cycles",
    description=(
        "Plan-Do-Study-Act cycles testing changes, one row per cycle; the PDSA report judges "
        "each against its measure's run/SPC chart."
    ),
    date_order=(("start_date", "end_date"),),
    columns=(
        Column("cycle_id", "id", "Short unique identifier.", ("C1", "C2", "C3")),
        Column("intervention_id", "id", "Intervention the cycle belongs to (from "
               "interventions); blank if none.", ("INT1", "INT1", "INT2"), nullable=True),
        Column("cycle_number", "integer", "Sequence number of the cycle within its "
               "intervention.", ("1", "2", "1"), minimum=1),
        Column("title", "text", "Short name of the change tested.",
               ("Pilot reflective practice in one team", "Extend to all step 3 teams",
                "Leadership course cohort 1")),
        Column("plan", "text", "What is tested and how.",
               ("Run fortnightly sessions in North Step 2 for 3 months.",
                "Roll out to all step 3 teams.", "First cohort of managers.")),
        Column("measure", "text", "Name of the measure the cycle is judged on: a monthly "
               "indicator (e.g. absence_rate_pct, leaver_rate_pct; the list is in "
               "params/README.md) or a survey measure (psafe, nss_engagement, "
               "joy_good_day_pct).",
               ("absence_rate_pct", "absence_rate_pct", "leaver_rate_pct")),
        Column("predicted_direction", "code", "Predicted change in the measure.",
               ("decrease", "decrease", "no_change"), allowed=PREDICTED_DIRECTIONS),
        Column("predicted_value", "number", "Predicted value of the measure, if stated.",
               ("4.5", "", ""), nullable=True),
        _date("start_date", "First day of the cycle.", ("2023-04-01", "2023-07-01", "2024-01-01")),
        _date("end_date", "Last day of the cycle; blank while it runs.",
              ("2023-06-30", "", ""), nullable=True),
        Column("study_notes", "text", "What was learned (shown in the PDSA report; keep it "
               "free of personal details).", ("Attendance 80%; positive feedback.", "", ""),
               nullable=True, required=False),
        Column("decision", "code", "Adopt, adapt or abandon; blank while the cycle runs.",
               ("adapt", "", ""), nullable=True, allowed=PDSA_DECISIONS),
        Column("rebase_at_start", "boolean", "Start new SPC limits at this cycle's start? "
               "Only when a sustained signal justifies it.", ("no", "no", "no"),
               nullable=True, required=False),
        Column("rebase_reason", "text", "Why the chart is rebased (required when "
               "rebase_at_start is yes).", ("", "", ""), nullable=True, required=False),
    ),
)

#: Every input table, in load order. Survey tables are appended by the instruments module's
#: schema section below.
TABLES: dict[str, TableSchema] = {
    t.name: t for t in (STAFF_SPELLS, ABSENCE_EPISODES, EXIT_STAY_REASONS, INTERVENTIONS,
                        PDSA_CYCLES)
}


def allowed_values(column: Column) -> tuple[str, ...] | None:
    """Accepted values of a code column (reference lists are read from the package data)."""
    return column.allowed() if callable(column.allowed) else column.allowed


# ---------------------------------------------------------------------------
# Survey tables (issue 5)
# ---------------------------------------------------------------------------
# Item columns are declared one by one from the instrument definitions, so the templates show
# them, the dictionary documents each, and the generic parser checks each item's range.
from wellbeing_analysis.instruments import definitions as _inst  # noqa: E402

#: Values of ``value_type`` in staff_survey_results: a 0-10 score or a % positive.
NSS_VALUE_TYPES: tuple[str, ...] = ("score", "percent_positive")
#: Values of ``measure_type`` in staff_survey_results.
NSS_MEASURE_TYPES: tuple[str, ...] = ("theme", "sub_score", "question")


def _example_codes(lo: int, hi: int, seed: int) -> tuple[str, str, str]:
    """Three in-range example answers for an item (deterministic, varied across items)."""
    span = hi - lo + 1
    a, b, c = (str(lo + (seed * 3 + r * 2 + r * seed) % span) for r in range(3))
    return a, b, c


def _local_item_column(inst: _inst.Instrument, item: str, n: int) -> Column:
    coding = inst.codings[0] if inst.default_coding else None
    where = [s.key.upper() if inst.name == "wrqol" else s.key for s in inst.subscales
             if item in s.items]
    parts = [f"{inst.title.split(' (')[0].split(' —')[0]} item {item}"]
    if inst.name in ("bpns", "olbi", "wrqol") and where:
        parts[0] += f" ({where[0]})"
    if item in inst.unscored_items:
        parts.append("asked but not scored")
    elif coding is not None and item in coding.reversed_items:
        parts.append("reversed when scored")
    elif inst.needs_declared_coding:
        reversed_under = [c.name for c in inst.codings if item in c.reversed_items]
        parts.append(f"reversed when scored under coding {reversed_under[0]}")
    text = "; ".join(parts) + "."
    if inst.item_labels and inst.name == "psafe":
        text += f" “{inst.item_labels[item]}”"
    text += f" Answer code {inst.scale_text}"
    text += (f" in the coding declared in `{inst.coding_column}`." if inst.needs_declared_coding
             else f" ({coding.description.split(';')[0]}).")
    return Column(f"{inst.name}_{item}", "integer", text,
                  _example_codes(inst.scale_min, inst.scale_max, n), required=False,
                  nullable=True, minimum=inst.scale_min, maximum=inst.scale_max)


def _local_item_columns() -> tuple[Column, ...]:
    cols = []
    for name in _inst.LOCAL_SURVEY_INSTRUMENTS:
        inst = _inst.INSTRUMENTS[name]
        cols += [_local_item_column(inst, item, n) for n, item in enumerate(inst.all_items)]
    return tuple(cols)


def _pulse_item_columns() -> tuple[Column, ...]:
    cols: dict[str, Column] = {}
    n = 0
    for name in _inst.PULSE_SURVEY_INSTRUMENTS:
        inst = _inst.INSTRUMENTS[name]
        for item in inst.items:
            sub = next(s for s in inst.subscales if item in s.items)
            reverse = item in inst.codings[0].reversed_items
            numbers = _inst.NSS_RENUMBERED.get(item)
            for column in inst.item_columns(item):
                if column in cols:
                    continue
                q = column.removeprefix("nss_")
                year = _inst.nss_numbering_of_column(column)
                theme = inst.title.split(" (")[0].removeprefix("NHS Staff Survey ")
                text = (f"NHS Staff Survey question {q} ({theme}: {sub.label.lower()}"
                        f"{'; reversed when scored' if reverse else ''}).")
                if numbers is not None:
                    others = [f"{y}: nss_{other}" for y, other in
                              zip(_inst.NSS_NUMBERINGS, numbers, strict=True) if other != q]
                    text += (f" Numbered as in the {year}{'+' if year == '2023' else ''} "
                             f"questionnaire (other years: {', '.join(others)}); fill the "
                             "column of the numbering your survey used.")
                text += " Answer code 1-5 in questionnaire order."
                examples = (_example_codes(1, 5, n) if year in (None, "2023")
                            else ("", "", ""))
                cols[column] = Column(column, "integer", text, examples, required=False,
                                      nullable=True, minimum=1, maximum=5)
                n += 1
    return tuple(cols.values())


WELLBEING_SURVEY = TableSchema(
    name="wellbeing_survey",
    description=(
        "Local wellbeing survey responses: one row per anonymous response, with the item "
        "columns of each instrument the service uses (remove the columns of instruments it "
        "does not use). Items are keyed by number; WRQoL and (S)WEMWBS wording is "
        "copyrighted and not reproduced. Reports show group results only for groups of at "
        "least the minimum group size (default 11 responses)."
    ),
    notes=(
        "psafe_1-7: Edmondson team psychological safety, 1-7, items 1, 3, 5 reversed.",
        "bpns_1-21: Basic Psychological Need Satisfaction at Work, 1-7 (autonomy, competence, "
        "relatedness).",
        "olbi_1-16: Oldenburg Burnout Inventory, 1-4; declare the response coding in "
        "`olbi_coding` on every row that answers OLBI items (it is never guessed).",
        "wrqol_1-24: Work-Related Quality of Life scale, 1-5 (item 24 is not scored); its "
        "scoring awaits confirmation.",
        "swemwbs_1-7 / wemwbs_1-14: (Short) Warwick-Edinburgh Mental Wellbeing Scale, 1-5.",
        "A blank item is a missing answer; each instrument's missing-item rule decides "
        "whether a subscale is still scored.",
    ),
    columns=(
        Column("response_id", "id", "Identifier of the anonymous response (unique in the "
               "file; not linked to staff records).", ("R0001", "R0002", "R0003")),
        _date("wave_date", "Date of the survey wave, the same for every response of a wave "
              "(e.g. the day it opened).", ("2024-04-01", "2024-04-01", "2024-10-01")),
        Column("team", "text", "Team of the respondent; blank if not given (counted in "
               "service totals only).", ("North Step 2", "North Step 3", "North Step 2"),
               nullable=True),
        Column("staff_group", "code", "Staff group of the respondent (optional).",
               ("Psychological Wellbeing Practitioner", "High Intensity Therapist", ""),
               nullable=True, required=False, allowed=STAFF_GROUPS),
        Column("olbi_coding", "code", "Response coding of the OLBI items on this row: "
               "'agree_1' (1 = strongly agree ... 4 = strongly disagree) or 'disagree_1' "
               "(1 = strongly disagree ... 4 = strongly agree). Required when any OLBI item "
               "is answered.", ("agree_1", "agree_1", "disagree_1"), nullable=True,
               required=False, allowed=_inst.OLBI.coding_names),
        Column("nps", "integer", "Net Promoter question, 0-10 (e.g. 'How likely are you to "
               "recommend this service as a place to work?'): promoters 9-10, detractors "
               "0-6 (optional).", ("9", "6", "10"), nullable=True, required=False,
               minimum=0, maximum=10),
    ) + _local_item_columns(),
)

PULSE_SURVEY = TableSchema(
    name="pulse_survey",
    description=(
        "Item-level responses to a local or quarterly pulse survey asking NHS Staff Survey "
        "questions (the nine engagement questions, optionally the morale questions): one row "
        "per anonymous response. Columns are named 'nss_' + the question number; answers "
        "are coded 1-5 in questionnaire order and scored 0-10 (0, 2.5, 5, 7.5, 10; "
        "reversed for negatively worded questions). Question wording is not reproduced."
    ),
    notes=(
        "Advocacy and thinking-about-leaving questions were renumbered: q21a/c/d and "
        "q22a-c (2021), q23a/c/d and q24a-c (2022), q25a/c/d and q26a-c (2023 on). A row "
        "must use one numbering.",
    ),
    columns=(
        Column("response_id", "id", "Identifier of the anonymous response (unique in the "
               "file).", ("P0001", "P0002", "P0003")),
        _date("wave_date", "Date of the pulse survey wave (the same for every response of a "
              "wave).", ("2024-07-01", "2024-07-01", "2024-10-01")),
        Column("team", "text", "Team of the respondent; blank if not given.",
               ("North Step 2", "North Step 3", ""), nullable=True),
        Column("staff_group", "code", "Staff group of the respondent (optional).",
               ("Psychological Wellbeing Practitioner", "", "Counsellor"), nullable=True,
               required=False, allowed=STAFF_GROUPS),
    ) + _pulse_item_columns(),
)

STAFF_SURVEY_RESULTS = TableSchema(
    name="staff_survey_results",
    description=(
        "NHS Staff Survey results as the service receives them: one row per year, measure "
        "(theme, sub-score or question) and breakdown group. Themes and sub-scores are "
        "0-10 scores; questions are usually % positive. Rows with fewer responses than the "
        "minimum group size (default 11, as the survey itself) are suppressed in reports."
    ),
    notes=(
        "Question numbers are given as numbered in that year's questionnaire; questions "
        "that moved are matched across years with the package table of 2021, 2022 and "
        "2023+ numbering (reports use 2021 numbering). Numbering before 2021 is not tabled, "
        "so earlier question rows are not matched across years.",
    ),
    columns=(
        Column("year", "integer", "Survey year (fieldwork in the autumn of this year).",
               ("2023", "2023", "2023"), minimum=2003, maximum=2100),
        Column("measure_type", "code", "What the row measures: a theme (or People Promise "
               "element), a sub-score, or a single question.",
               ("theme", "sub_score", "question"), allowed=NSS_MEASURE_TYPES),
        Column("measure", "text", "Theme or sub-score name as published (e.g. 'Staff "
               "engagement', 'Morale', 'Motivation'), or the question number as numbered "
               "in that year's questionnaire (e.g. 'q25c').",
               ("Staff engagement", "Advocacy", "q25c")),
        Column("value", "number", "The published result: a 0-10 score, or a % positive "
               "(see value_type).", ("6.9", "7.1", "58.2"), minimum=0, maximum=100),
        Column("value_type", "code", "'score' (0-10) or 'percent_positive' (0-100).",
               ("score", "score", "percent_positive"), allowed=NSS_VALUE_TYPES),
        Column("responses", "integer", "Number of responses behind the result.",
               ("84", "84", "83"), minimum=0),
        Column("comparator_average", "number", "Comparator group average (or median), if "
               "given.", ("7.0", "7.2", "61.0"), nullable=True, required=False, minimum=0,
               maximum=100),
        Column("comparator_best", "number", "Best result in the comparator group, if given.",
               ("7.6", "7.9", "72.3"), nullable=True, required=False, minimum=0, maximum=100),
        Column("comparator_worst", "number", "Worst result in the comparator group, if "
               "given.", ("6.3", "6.5", "47.9"), nullable=True, required=False, minimum=0,
               maximum=100),
        Column("breakdown", "text", "Breakdown group the row describes (e.g. a team or "
               "directorate); blank for the whole service.", ("", "", ""), nullable=True,
               required=False),
    ),
)

JOY_TALLIES = TableSchema(
    name="joy_tallies",
    description=(
        "'Joy at work' marble-jar tallies: one row per team and week, with the number of "
        "'good day' marbles and the total number of marbles (one per person per day "
        "worked). Reports show the share of good days per week or month."
    ),
    columns=(
        _date("week_start", "First day (Monday) of the week the tally covers.",
              ("2024-04-01", "2024-04-01", "2024-04-08")),
        Column("team", "text", "Team whose jar it is.",
               ("North Step 2", "North Step 3", "North Step 2")),
        Column("good_days", "integer", "Number of 'good day' marbles in the week.",
               ("31", "22", "28"), minimum=0),
        Column("total_days", "integer", "Total number of marbles in the week (good and not "
               "good).", ("44", "35", "41"), minimum=0),
    ),
)

#: The survey tables, in load order.
SURVEY_TABLES: tuple[TableSchema, ...] = (WELLBEING_SURVEY, PULSE_SURVEY, STAFF_SURVEY_RESULTS,
                                          JOY_TALLIES)
TABLES.update({t.name: t for t in SURVEY_TABLES})
