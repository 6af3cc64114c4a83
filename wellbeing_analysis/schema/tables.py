"""The core input tables: staff spells, absence episodes, exit/stay reasons, interventions
and PDSA cycles."""

from __future__ import annotations

from wellbeing_analysis.constants import FTE_MAX_INCLUSIVE, FTE_MIN_EXCLUSIVE
from wellbeing_analysis.schema.columns import Column, TableSchema
from wellbeing_analysis.schema.vocabularies import (
    BANDS,
    EXIT_STAY_CATEGORIES,
    PDSA_DECISIONS,
    PREDICTED_DIRECTIONS,
    STAFF_GROUPS,
    STRATEGY_OBJECTIVES,
    absence_code_from_text,
    band_from_text,
    esr_absence_reasons,
    esr_leaving_reasons,
)


def _date(name: str, description: str, examples: tuple[str, ...], **kw) -> Column:
    return Column(name, "date", description, examples, **kw)


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
               ("Band 5", "Band 5", "Band 7"), allowed=BANDS, normalise=band_from_text),
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
    empty_means=("no sickness absence is recorded in this extract: every absence figure "
                 "will be zero; check this is right"),
    date_order=(("start_date", "end_date"),),
    columns=(
        Column("staff_id", "id", "Staff identifier, as in staff_spells.",
               ("E1001", "E1002", "E1001")),
        _date("start_date", "First day off sick.", ("2019-09-02", "2022-11-14", "03/03/2024")),
        _date("end_date", "Last day off sick; blank while the episode is ongoing.",
              ("2019-09-04", "2022-12-30", ""), nullable=True),
        Column("reason_code", "code", "ESR sickness absence reason code.",
               ("S13", "S10", "S12"), allowed=lambda: tuple(esr_absence_reasons()["code"]),
               normalise=absence_code_from_text,
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
        Column("scope", "text", "Who the change was tested on; the cycle is judged on that "
               "group's own monthly series: blank or 'service' (the whole service), "
               "'team:<team>' or 'staff_group:<staff group>'; several names separated by "
               "';' (e.g. 'team:North Step 2;South Step 2'). Names must match staff_spells.",
               ("service", "", "staff_group:High Intensity Therapist"), nullable=True,
               required=False),
    ),
)

#: Every input table, in load order. Survey tables are appended by the instruments module's

#: The core tables, in load order.
CORE_TABLES: tuple[TableSchema, ...] = (STAFF_SPELLS, ABSENCE_EPISODES, EXIT_STAY_REASONS,
                                        INTERVENTIONS, PDSA_CYCLES)
