"""Domain rules of the workforce data that both validation and the metrics rely on:
continuous periods of service, and which leaving reasons are voluntary (docs/metrics.md)."""

from __future__ import annotations

import pandas as pd

from wellbeing_analysis.schema import esr_leaving_reasons

#: One calendar day: a spell starting the day after another ends continues the service.
ONE_DAY = pd.Timedelta(days=1)


def employment_periods(spells: pd.DataFrame, extract_date: pd.Timestamp) -> pd.DataFrame:
    """Continuous periods of service per staff ID: spells chained when one starts the day
    after (or before) the previous ends. Open spells run to ``extract_date``.

    Returns one row per spell with ``period_start`` and ``period_end`` of its chain.
    """
    s = spells[["staff_id", "start_date", "end_date"]].copy()
    s["end_eff"] = s["end_date"].fillna(extract_date)
    s = s.sort_values(["staff_id", "start_date"], kind="stable")
    prev_end = s.groupby("staff_id", sort=False)["end_eff"].cummax().groupby(s["staff_id"]).shift()
    new_chain = prev_end.isna() | (s["start_date"] > prev_end + ONE_DAY)
    chain = new_chain.cumsum()
    s["period_start"] = s.groupby(chain)["start_date"].transform("min")
    s["period_end"] = s.groupby(chain)["end_eff"].transform("max")
    s["period_id"] = chain
    return s.sort_index()



def is_voluntary(reasons: pd.Series) -> pd.Series:
    """True where an ESR leaving reason is voluntary (our grouping, one table)."""
    mapping = esr_leaving_reasons().set_index("reason")["voluntary"]
    return reasons.map(mapping).fillna(False).astype(bool)
