"""The survey input tables. Item columns are declared one by one from the instrument
catalogue (:mod:`.instruments`), so the templates show them, the dictionary documents each,
and the generic parser checks each item's range."""

from __future__ import annotations

from wellbeing_analysis.schema import instruments as _inst
from wellbeing_analysis.schema.columns import Column, TableSchema
from wellbeing_analysis.schema.tables import _date
from wellbeing_analysis.schema.vocabularies import STAFF_GROUPS

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

#: The survey tables, in load order.
SURVEY_TABLES: tuple[TableSchema, ...] = (WELLBEING_SURVEY, PULSE_SURVEY, STAFF_SURVEY_RESULTS,
                                          JOY_TALLIES)
