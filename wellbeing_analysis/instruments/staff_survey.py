"""NHS Staff Survey published results: trends by year and the highlighted questions across
renumbering (disclosure-controlled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import MIN_SURVEY_GROUP_SIZE
from wellbeing_analysis.disclosure import min_group_size as _min_group_size
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.instruments.groups import (
    records,
)
from wellbeing_analysis.instruments.scoring import (
    to_2021_numbering,
)
from wellbeing_analysis.schema.instruments import (
    HIGHLIGHTED_QUESTIONS,
)

# ---------------------------------------------------------------------------
# NHS Staff Survey published results
# ---------------------------------------------------------------------------
RESULT_COLUMNS = ("value", "value_type", "responses", "comparator_average", "comparator_best",
                   "comparator_worst")


@dataclass
class SurveyTrend:
    """NHS Staff Survey results by year (themes, sub-scores or questions), disclosure
    controlled; ``notes`` lists rows left out and why."""

    table: pd.DataFrame
    min_group_size: int
    title: str
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """The latest year's row per measure."""
        t = self.table
        if t.empty:
            return t
        latest = t.groupby("measure")["year"].transform("max")
        return t[t["year"] == latest].reset_index(drop=True)

    def to_dict(self) -> dict:
        return {"title": self.title, "table": records(self.table), "notes": self.notes}

    def plot(self, ax=None):
        """Each measure over the years, with the comparator average dashed; returns the Axes."""
        from wellbeing_analysis.instruments.plot import plot_survey_trend

        return plot_survey_trend(self, ax=ax)


def results_frame(results: pd.DataFrame, breakdown: str | None) -> pd.DataFrame:
    need = ["year", "measure_type", "measure", "value", "value_type", "responses"]
    missing = [c for c in need if c not in results.columns]
    if missing:
        raise InputError("staff survey results need column(s) " + ", ".join(map(repr, missing)))
    r = results.copy()
    for c in ("comparator_average", "comparator_best", "comparator_worst", "breakdown"):
        if c not in r:
            r[c] = np.nan if c != "breakdown" else pd.NA
    blank = r["breakdown"].isna() | (r["breakdown"].astype("string").str.strip() == "")
    if breakdown is None:
        r = r[blank.to_numpy()]
    elif breakdown != "all":
        r = r[(r["breakdown"] == breakdown).to_numpy()]
    return r


def staff_survey_trend(
    results: pd.DataFrame,
    *,
    measure_type: str | None = "theme",
    measures: Sequence[str] | None = None,
    breakdown: str | None = None,
    min_group_size: int = MIN_SURVEY_GROUP_SIZE,
) -> SurveyTrend:
    """Published NHS Staff Survey results over the years.

    ``measure_type`` filters themes / sub-scores / questions (None: all); ``measures``
    keeps the named ones; ``breakdown`` None keeps whole-service rows, a name keeps that
    group, 'all' keeps every group (then a lone small group gets secondary suppression
    within its year and measure). Results from fewer than ``min_group_size`` responses are
    suppressed (the survey's own rule is 11).
    """
    r = results_frame(results, breakdown)
    if measure_type is not None:
        r = r[r["measure_type"] == measure_type]
    if measures is not None:
        r = r[r["measure"].isin(list(measures))]
    cols = ["year", "breakdown", "measure_type", "measure", *RESULT_COLUMNS]
    t = r[cols].sort_values(["measure", "breakdown", "year"], kind="stable").reset_index(drop=True)
    part = ["year", "measure"] if breakdown == "all" else None
    t = _min_group_size(t, count_column="responses", dependent_columns=["value"],
                        threshold=min_group_size, partition_columns=part)
    title = "NHS Staff Survey " + ({"theme": "themes", "sub_score": "sub-scores",
                                    "question": "questions"}.get(measure_type or "", "results"))
    return SurveyTrend(t, min_group_size, title)


def highlighted_questions(
    results: pd.DataFrame,
    *,
    questions: Sequence[str] = tuple(HIGHLIGHTED_QUESTIONS),
    breakdown: str | None = None,
    min_group_size: int = MIN_SURVEY_GROUP_SIZE,
) -> SurveyTrend:
    """The strategy's highlighted NHS Staff Survey questions (3d, 3e, 3f, 9c, 9f in 2021
    numbering) tracked across years: each year's question number is translated to 2021
    numbering with the package table (2021, 2022, 2023-2025), so a question that moved is
    followed under one name (``question``; ``asked_as`` keeps that year's number). Years
    whose numbering is not tabled are left out and listed in ``notes``."""
    r = results_frame(results, breakdown)
    r = r[r["measure_type"] == "question"].copy()
    r["asked_as"] = r["measure"].astype("string").str.strip().str.lower()
    r["question"] = to_2021_numbering(r["year"], r["asked_as"])
    wanted = [q.lower() for q in questions]
    untabled = r[r["question"].isna() & r["asked_as"].isin(wanted)]
    notes = []
    if not untabled.empty:
        years = ", ".join(str(int(y)) for y in sorted(untabled["year"].unique()))
        notes.append(f"Question rows from {years} are not shown: the numbering of those years "
                     "is not in the package table, so they cannot be matched safely.")
    r = r[r["question"].isin(wanted)]
    r["measure"] = r["question"].map(lambda q: HIGHLIGHTED_QUESTIONS.get(q, q))
    cols = ["year", "question", "asked_as", "measure", *RESULT_COLUMNS]
    t = r[cols].sort_values(["question", "year"], kind="stable").reset_index(drop=True)
    t = _min_group_size(t, count_column="responses", dependent_columns=["value"],
                        threshold=min_group_size)
    return SurveyTrend(t, min_group_size, "NHS Staff Survey: the strategy's highlighted "
                       "questions", notes)
