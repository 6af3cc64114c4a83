"""The synthetic demo services, at the edge of the package: used by ``wellbeing demo`` and
``wellbeing demo-data`` and by the tests, never by a report run.

- :mod:`.service`: staff spells, absence, interventions, PDSA cycles, a comparison trust and
  ``truth.json`` with the injected effects;
- :mod:`.surveys`: the survey tables, exit/stay reasons and joy-at-work tallies.
"""

from wellbeing_analysis.demo.service import (
    COMPARISON_FILE,
    DEFAULT_SEED,
    STORY,
    demo_files,
    generate_demo,
)

__all__ = ["COMPARISON_FILE", "DEFAULT_SEED", "STORY", "demo_files", "generate_demo"]
