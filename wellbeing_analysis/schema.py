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
        Column("measure", "text", "Name of the measure the cycle is judged on: a column of "
               "the monthly indicator table (e.g. absence_rate_pct, leavers) or a survey "
               "measure (e.g. psafe, joy_good_day_pct).",
               ("absence_rate_pct", "absence_rate_pct", "leavers")),
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
