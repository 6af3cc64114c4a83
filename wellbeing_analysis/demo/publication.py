"""A synthetic copy of NHS Digital's monthly 'NHS Sickness Absence Rates' organisation-level
CSV, in its published layout, for the network report's national comparison in the demo, the
tests and the docs. Never fetched: the real file is downloaded by the analyst.

Organisations of four types with sizes, rates and spreads like the published ones
(docs/metrics.md: mental health and learning disability trusts about 4.8-5.0%, England
4.1-5.6%; trusts differ by whole percentage points; a winter peak), and the demo services'
trusts among them (codes in :data:`DEMO_TRUSTS`). Vectorised over organisations and months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Organisation types: (number of organisations, mean FTE, mean absence rate).
ORG_TYPES: dict[str, tuple[int, float, float]] = {
    "Mental Health and Learning Disability": (30, 4000.0, 0.050),
    "Acute": (40, 7000.0, 0.046),
    "Community": (10, 2500.0, 0.052),
}
#: The demo services' trusts: code -> (name, type, mean FTE, its rate). Hillcrest's trust is
#: not in the file, so the network report places Hillcrest itself, labelled as a service.
DEMO_TRUSTS: dict[str, tuple[str, str, float, float]] = {
    "RX1": ("Demo Mental Health Trust (synthetic)", "Mental Health and Learning Disability",
            3500.0, 0.047),
    "RX2": ("Riverside Mental Health Trust (synthetic)", "Mental Health and Learning Disability",
            5200.0, 0.061),
}
#: Months covered (inclusive) and the file's name in a demo workspace.
MONTHS = ("2024-10", "2026-09")
PUBLICATION_FILE = "nhs_sickness_absence_organisations.csv"
#: Between-organisation spread of the log rate, and month-to-month noise.
ORG_SD, MONTH_SD, WINTER = 0.15, 0.05, 0.12


def generate_publication(seed: int = 2024) -> pd.DataFrame:
    """The synthetic publication (one row per organisation and month), deterministic."""
    rng = np.random.default_rng(seed)
    orgs = []
    for org_type, (n, fte, rate) in ORG_TYPES.items():
        prefix = "".join(w[0] for w in org_type.split()[:2]).upper()
        for i in range(n):
            orgs.append((f"R{prefix}{i:02d}", f"{org_type} Trust {i + 1} (synthetic)",
                         org_type, fte * rng.lognormal(0, 0.45),
                         rate * np.exp(rng.normal(0, ORG_SD))))
    orgs += [(code, name, t, fte, rate) for code, (name, t, fte, rate) in DEMO_TRUSTS.items()]
    table = pd.DataFrame(orgs, columns=["code", "name", "type", "fte", "rate"])
    months = pd.period_range(*MONTHS, freq="M")
    k, m = len(table), len(months)
    org = np.repeat(np.arange(k), m)
    month = np.tile(np.arange(m), k)
    season = 1 + WINTER * np.cos(2 * np.pi * (months.month.to_numpy() - 1) / 12)
    days = months.days_in_month.to_numpy()
    available = table["fte"].to_numpy()[org] * days[month]
    rate = (table["rate"].to_numpy()[org] * season[month]
            * np.exp(rng.normal(0, MONTH_SD, k * m) - MONTH_SD**2 / 2))
    lost = available * rate
    return pd.DataFrame({
        "DATE": months.end_time.strftime("%d/%m/%Y")[month],
        "NHSE_REGION_CODE": "Y99", "NHSE_REGION_NAME": "Synthetic region",
        "ORG_CODE": table["code"].to_numpy()[org], "ORG_NAME": table["name"].to_numpy()[org],
        "ORG_TYPE": table["type"].to_numpy()[org],
        "FTE_DAYS_LOST": np.round(lost, 2), "FTE_DAYS_AVAILABLE": np.round(available, 2),
        "SICKNESS_ABSENCE_RATE_PERCENT": np.round(100 * lost / available, 2),
    })
