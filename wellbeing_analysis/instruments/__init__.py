"""Staff experience measures: survey instruments, NHS Staff Survey results, joy at work and
reasons for leaving and staying.

Modules:

- ``definitions``: each instrument as pure data (items, reversed items, subscales,
  missing-item rule, codings, cut-offs, V/S/M status);
- ``scoring``: per-response subscale scores, SWEMWBS conversion, NHS Staff Survey 0-10
  scoring and question renumbering;
- ``aggregate``: group means with CIs, Cronbach's alpha, % meeting cut-offs, item
  distributions, change between waves, NHS Staff Survey trends (all disclosure-controlled);
- ``joy``: marble-jar share of good days, Net Promoter Score;
- ``exit_stay``: reasons for leaving and staying;
- ``plot``: the charts.

The public names below are imported lazily, so that ``schema`` and ``validation`` can import
``definitions`` without pulling in scipy or matplotlib.
"""

from __future__ import annotations

import importlib

_EXPORTS: dict[str, str] = {
    # definitions
    "INSTRUMENTS": "definitions",
    "HIGHLIGHTED_QUESTIONS": "definitions",
    "Instrument": "definitions",
    "get_instrument": "definitions",
    # scoring
    "score_responses": "scoring",
    "item_scores": "scoring",
    "score_psafe": "scoring",
    "score_bpns": "scoring",
    "score_olbi": "scoring",
    "score_wrqol": "scoring",
    "score_swemwbs": "scoring",
    "score_wemwbs": "scoring",
    "score_nss_engagement": "scoring",
    "score_nss_morale": "scoring",
    "swemwbs_metric": "scoring",
    "nss_item_score": "scoring",
    "to_2021_numbering": "scoring",
    # aggregate
    "cronbach_alpha": "aggregate",
    "summarise_scores": "aggregate",
    "item_distribution": "aggregate",
    "wave_changes": "aggregate",
    "before_after": "aggregate",
    "staff_survey_trend": "aggregate",
    "highlighted_questions": "aggregate",
    "ScoreSummary": "aggregate",
    "ItemDistribution": "aggregate",
    "ScoreChange": "aggregate",
    "SurveyTrend": "aggregate",
    # joy
    "joy_proportion": "joy",
    "net_promoter_score": "joy",
    "JoyProportion": "joy",
    "NetPromoter": "joy",
    # exit and stay reasons
    "reason_counts": "exit_stay",
    "top_reasons": "exit_stay",
    "ReasonCounts": "exit_stay",
    "TopReasons": "exit_stay",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
