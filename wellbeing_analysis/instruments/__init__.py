"""Staff experience measures: survey instruments, NHS Staff Survey results, joy at work and
reasons for leaving and staying.

Modules:

- ``scoring``: per-response subscale scores, SWEMWBS conversion, NHS Staff Survey 0-10
  scoring and question renumbering;
- ``aggregate``: group means with CIs, Cronbach's alpha, % meeting cut-offs;
- ``items``, ``changes``, ``staff_survey``: item distributions, change between waves or
  before/after, NHS Staff Survey trends (all disclosure-controlled);
- ``groups``, ``stats``: grouping and interval statistics they share;
- ``joy``: marble-jar share of good days, Net Promoter Score;
- ``exit_stay``: reasons for leaving and staying;
- ``plot``: the charts.

The instruments themselves (items, reversed items, subscales, missing-item rule, codings,
cut-offs, V/S/M status) are data in :mod:`wellbeing_analysis.schema.instruments`, beside
the table schemas.
"""

from wellbeing_analysis.instruments.aggregate import ScoreSummary, summarise_scores
from wellbeing_analysis.instruments.changes import ScoreChange, before_after, wave_changes
from wellbeing_analysis.instruments.exit_stay import (
    ReasonCounts,
    TopReasons,
    reason_counts,
    top_reasons,
)
from wellbeing_analysis.instruments.items import ItemDistribution, item_distribution
from wellbeing_analysis.instruments.joy import (
    JoyProportion,
    NetPromoter,
    joy_proportion,
    net_promoter_score,
)
from wellbeing_analysis.instruments.scoring import (
    item_scores,
    nss_item_score,
    score_bpns,
    score_nss_engagement,
    score_nss_morale,
    score_olbi,
    score_psafe,
    score_responses,
    score_swemwbs,
    score_wemwbs,
    score_wrqol,
    swemwbs_metric,
    to_2021_numbering,
)
from wellbeing_analysis.instruments.staff_survey import (
    SurveyTrend,
    highlighted_questions,
    staff_survey_trend,
)
from wellbeing_analysis.instruments.stats import cronbach_alpha
from wellbeing_analysis.schema.instruments import (
    HIGHLIGHTED_QUESTIONS,
    INSTRUMENTS,
    Instrument,
    get_instrument,
)

__all__ = [
    "HIGHLIGHTED_QUESTIONS", "INSTRUMENTS", "Instrument", "ItemDistribution", "JoyProportion",
    "NetPromoter", "ReasonCounts", "ScoreChange", "ScoreSummary", "SurveyTrend", "TopReasons",
    "before_after", "cronbach_alpha", "get_instrument", "highlighted_questions",
    "item_distribution", "item_scores", "joy_proportion", "net_promoter_score",
    "nss_item_score", "reason_counts", "score_bpns", "score_nss_engagement",
    "score_nss_morale", "score_olbi", "score_psafe", "score_responses", "score_swemwbs",
    "score_wemwbs", "score_wrqol", "swemwbs_metric", "staff_survey_trend",
    "summarise_scores", "to_2021_numbering", "top_reasons", "wave_changes",
]
