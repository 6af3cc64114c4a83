"""Placebo interruptions: the same model refitted on the pre-period with a fake interruption.

A falsification test. Where nothing happened, a placebo level change should be
"significant" in about ``1 - CONFIDENCE_LEVEL`` of placebo times; many significant placebos
mean the model finds changes that are not there (misspecified trend, seasonality or
autocorrelation). The real level change is also ranked among the placebos by its test
statistic ``|estimate / SE|``, in the spirit of a permutation test (our choice of summary).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wellbeing_analysis.constants import CONFIDENCE_LEVEL
from wellbeing_analysis.errors import InputError
from wellbeing_analysis.its.design import build_design
from wellbeing_analysis.its.effects import Estimate, contrasts
from wellbeing_analysis.its.inputs import locate
from wellbeing_analysis.its.models import fit_model


@dataclass(frozen=True)
class PlaceboResult:
    """Placebo level changes in the pre-period and how the real one compares."""

    table: pd.DataFrame  # one row per placebo time
    actual: Estimate
    share_significant: float
    n_exceeding: int  # placebos whose |statistic| is at least the real one's
    text: str

    def to_dict(self) -> dict:
        rows = self.table.replace({np.nan: None}).to_dict("records")
        return {"placebos": rows, "share_significant": self.share_significant,
                "n_exceeding": self.n_exceeding, "text": self.text}


def run_placebo(result, *, min_points: int, times=None) -> PlaceboResult:
    """Refit ``result``'s model on the periods before its first interruption, once per
    placebo time (each with at least ``min_points`` periods either side, or ``times``)."""
    p = result._prepared
    n_pre = p.interruption_t[0]
    if times is None:
        candidates = list(range(min_points, n_pre - min_points + 1))
        if not candidates:
            raise InputError(f"the pre-period has {n_pre} periods; placebo interruptions need at "
                             f"least {2 * min_points} ({min_points} either side)")
    else:
        candidates = [locate(v, p.axis, "placebo time", n_pre) for v in times]
    sub = p.subset(p.t < n_pre, end_t=None, n_periods=n_pre)
    options = result.options.but(end=None, phase_in=0)
    rows, L = [], None
    for tp in candidates:  # one refit per placebo time (a few dozen at most)
        pre = sub.subset(np.ones(len(sub.t), dtype=bool), interruption_t=(tp,))
        design = build_design(pre, options)
        fit = fit_model(design, pre, options)
        L = design.vector("level_change")
        row = contrasts(fit, L).iloc[0].to_dict()
        rows.append({"time": p.axis.label(tp), **row})
    table = pd.DataFrame(rows)
    table["significant"] = table["p_value"] < 1 - CONFIDENCE_LEVEL
    actual = result.level_change
    stat = np.abs(table["estimate"] / table["std_error"])
    n_exceeding = int((stat >= abs(actual.estimate / actual.std_error)).sum())
    share = float(table["significant"].mean())
    text = (f"{int(table['significant'].sum())} of {len(table)} placebo interruptions in the "
            f"pre-period show a 'significant' level change ({share:.0%}; about "
            f"{1 - CONFIDENCE_LEVEL:.0%} is expected where nothing happened). "
            f"{n_exceeding} of {len(table)} placebo test statistics are at least as large as "
            f"the real one.")
    return PlaceboResult(table=table, actual=actual, share_significant=share,
                         n_exceeding=n_exceeding, text=text)
