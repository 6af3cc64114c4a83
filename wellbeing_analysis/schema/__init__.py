"""The contracts at the bottom of the package: one declarative schema per input table and
the survey instrument catalogue, as data.

The loader validates against these schemas, and the data templates
(``data_templates/*.csv``) and the data dictionary (``data_templates/data_dictionary.md``)
are generated from them (``wellbeing templates data_templates``), so the contract users see
and the checks the code runs cannot drift apart; a test compares the committed files with
freshly generated ones.

- :mod:`.columns`: ``Column`` and ``TableSchema``;
- :mod:`.vocabularies`: ESR reason lists, staff groups, bands, codes;
- :mod:`.tables`: the HR, intervention and PDSA tables;
- :mod:`.aggregate`: the trust's monthly workforce figures (the aggregate tier);
- :mod:`.instruments`: each survey instrument as pure data;
- :mod:`.surveys`: the survey tables, their item columns built from the instruments.
"""

from wellbeing_analysis.schema.aggregate import AGGREGATE_TABLES, MONTHLY_WORKFORCE
from wellbeing_analysis.schema.columns import (
    FALSE_VALUES,
    TRUE_VALUES,
    TYPE_LABELS,
    Column,
    ColumnType,
    TableSchema,
    allowed_values,
)
from wellbeing_analysis.schema.surveys import (
    JOY_TALLIES,
    NSS_MEASURE_TYPES,
    NSS_VALUE_TYPES,
    PULSE_SURVEY,
    STAFF_SURVEY_RESULTS,
    SURVEY_TABLES,
    WELLBEING_SURVEY,
)
from wellbeing_analysis.schema.tables import (
    ABSENCE_EPISODES,
    CORE_TABLES,
    EXIT_STAY_REASONS,
    INTERVENTIONS,
    PDSA_CYCLES,
    STAFF_SPELLS,
)
from wellbeing_analysis.schema.vocabularies import (
    BANDS,
    ESR_HEADINGS,
    EXIT_STAY_CATEGORIES,
    PDSA_DECISIONS,
    PREDICTED_DIRECTIONS,
    STAFF_GROUPS,
    STRATEGY_OBJECTIVES,
    esr_absence_reasons,
    esr_leaving_reasons,
)

#: Every input table, in load order.
TABLES: dict[str, TableSchema] = {t.name: t for t in CORE_TABLES + SURVEY_TABLES
                                  + AGGREGATE_TABLES}

__all__ = [
    "ABSENCE_EPISODES", "AGGREGATE_TABLES", "BANDS", "ESR_HEADINGS", "CORE_TABLES", "EXIT_STAY_CATEGORIES", "EXIT_STAY_REASONS",
    "FALSE_VALUES", "INTERVENTIONS", "JOY_TALLIES", "MONTHLY_WORKFORCE", "NSS_MEASURE_TYPES", "NSS_VALUE_TYPES",
    "PDSA_CYCLES", "PDSA_DECISIONS", "PREDICTED_DIRECTIONS", "PULSE_SURVEY", "STAFF_GROUPS",
    "STAFF_SPELLS", "STAFF_SURVEY_RESULTS", "STRATEGY_OBJECTIVES", "SURVEY_TABLES", "TABLES",
    "TRUE_VALUES", "TYPE_LABELS", "WELLBEING_SURVEY", "Column", "ColumnType", "TableSchema",
    "allowed_values", "esr_absence_reasons", "esr_leaving_reasons",
]
