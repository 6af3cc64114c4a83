"""Controlled vocabularies of the input tables: ESR reason lists (package data), staff
groups, bands, strategy objectives, exit/stay categories, PDSA codes."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd


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


# ---------------------------------------------------------------------------
# Values as exports spell them (docs/esr-export.md): normalised visibly on reading
# ---------------------------------------------------------------------------
_BAND_TEXT = r"(?i)^(?:review\s+body\s+)?(?:band\s*)?([2-9])\s*([a-d])?$"


def band_from_text(text: pd.Series) -> pd.Series:
    """Agenda for Change bands as exports write them ('6', 'band 6', 'Band 8A', '8a',
    'Review Body Band 6') as our values ('Band 6', 'Band 8a'); other text unchanged."""
    parts = text.str.extract(_BAND_TEXT)
    band = ("Band " + parts[0] + parts[1].fillna("").str.lower()).astype("object")
    ok = band.isin(BANDS)
    return text.where(~ok, band)


_CODED_REASON = r"(?i)^(S[0-9]{2})(?:\s*[-:]\s*|\s+)\S"


def absence_code_from_text(text: pd.Series) -> pd.Series:
    """ESR sickness reasons given as text with the code first ('S10 Anxiety/stress/...')
    as the code ('S10'); other text unchanged."""
    code = text.str.extract(_CODED_REASON)[0].str.upper()
    return text.where(code.isna(), code)


#: ESR export headings (compared ignoring case, spaces and underscores) that hold our
#: columns, per table: used to suggest a mapping when a required column is missing.
ESR_HEADINGS: dict[str, dict[str, str]] = {
    "staff_spells": {
        "assignmentnumber": "staff_id", "employeenumber": "staff_id",
        "organisation": "team", "department": "team", "costcentre": "team",
        "staffgroup": "staff_group", "paybandgrade": "band", "payband": "band",
        "grade": "band", "fte": "fte", "assignmentfte": "fte",
        "assignmentstartdate": "start_date", "hiredate": "start_date",
        "terminationdate": "end_date", "assignmentenddate": "end_date",
        "reasonforleaving": "leaving_reason", "leavingreason": "leaving_reason",
    },
    "absence_episodes": {
        "assignmentnumber": "staff_id", "employeenumber": "staff_id",
        "absencestartdate": "start_date", "absenceenddate": "end_date",
        "absencereason": "reason_code", "sicknessreason": "reason_code",
        "relatedreason": "related_reason",
    },
}
