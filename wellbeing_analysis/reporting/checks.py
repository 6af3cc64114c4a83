"""Checks that a service's params fit its data before any report runs (dates in range,
the intervention and PDSA cycles named in the params exist)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from wellbeing_analysis.errors import ParamsError


def check_report_inputs(params, report, reports: Sequence[str]) -> None:
    """Raise :class:`ParamsError` listing every mismatch between params and data.

    ``report`` is the :class:`~wellbeing_analysis.validation.ValidationReport` of the
    service's data folder.
    """
    src = params.source
    problems: list[str] = []
    spells = report.tables.get("staff_spells")
    first_month = (spells["start_date"].min().to_period("M") if spells is not None
                   and spells["start_date"].notna().any() else None)
    extract_month = params.extract_timestamp.to_period("M")

    def in_data(key: str, month: str) -> None:
        m = pd.Period(month, freq="M")
        if first_month is not None and m < first_month:
            problems.append(f"key '{key}': {month} is before the data start ({first_month})")
        if m > extract_month:
            problems.append(f"key '{key}': {month} is after the extract date "
                            f"({params.extract_date})")

    if params.baseline is not None:
        in_data("baseline.start", params.baseline.start)
        in_data("baseline.end", params.baseline.end)

    if "evaluation" in reports:
        ev = params.evaluation
        interventions = report.tables.get("interventions")
        if ev is None:
            problems.append("key 'evaluation': required for the intervention-evaluation report")
        elif interventions is None or ev.intervention not in set(interventions["intervention_id"]):
            problems.append(f"key 'evaluation.intervention': no intervention "
                            f"{ev.intervention!r} in interventions.csv")
        else:
            start = interventions.loc[interventions["intervention_id"] == ev.intervention,
                                      "start_date"].iloc[0]
            in_data("evaluation.intervention (its start date)", str(start.to_period("M")))
            comparison = params.comparison_path()
            if comparison is not None and not comparison.is_file():
                problems.append(f"key 'evaluation.comparison.csv': file {comparison} not "
                                "found")
            elif comparison is not None:  # read it now: bad rows fail before any kernel
                from wellbeing_analysis.errors import InputError
                from wellbeing_analysis.loading import load_comparison

                try:
                    load_comparison(comparison, org_code=ev.comparison.org_code)
                except InputError as exc:
                    problems.append(f"key 'evaluation.comparison.csv': {exc}")
            if ev.analysis_start is not None:
                in_data("evaluation.analysis_start", ev.analysis_start)
                if pd.Period(ev.analysis_start, freq="M") >= start.to_period("M"):
                    problems.append("key 'evaluation.analysis_start': must be before the "
                                    f"intervention starts ({start.date()})")

    if "pdsa" in reports:
        cycles = report.tables.get("pdsa_cycles")
        if cycles is None or cycles.empty:
            problems.append("the PDSA report needs pdsa_cycles.csv in the data folder")
        else:
            if params.pdsa.cycle is not None and params.pdsa.cycle not in set(cycles["cycle_id"]):
                problems.append(f"key 'pdsa.cycle': no cycle {params.pdsa.cycle!r} in "
                                "pdsa_cycles.csv")
            from wellbeing_analysis.indicators import INDICATORS
            from wellbeing_analysis.reporting.measures import SURVEY_MEASURES

            known = set(INDICATORS) | set(SURVEY_MEASURES)
            for cycle_id, measure in zip(cycles["cycle_id"], cycles["measure"], strict=True):
                if measure not in known:
                    problems.append(f"pdsa_cycles.csv, cycle {cycle_id}: unknown measure "
                                    f"{measure!r}; use one of {', '.join(sorted(known))}")
    if problems:
        raise ParamsError(f"{len(problems)} problem(s) with {src}:\n"
                          + "\n".join(f"  {src}: {p}" for p in problems))
