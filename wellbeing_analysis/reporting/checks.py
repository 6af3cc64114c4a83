"""Checks that a service's params fit its data before any report runs (dates in range,
the intervention and PDSA cycles named in the params exist)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from wellbeing_analysis.constants import AGGREGATE_TABLE, HISTORY_GAP_MONTHS
from wellbeing_analysis.errors import ParamsError


def check_report_inputs(params, report, reports: Sequence[str]) -> dict[str, str]:
    """Check params against the data; every mismatch is listed at once.

    ``report`` is the :class:`~wellbeing_analysis.validation.ValidationReport` of the
    service's data folder. A mismatch that affects every report (dates, the data start)
    raises :class:`ParamsError`; one that affects a single report (the evaluation's
    intervention, the PDSA log) is returned as ``{report: message}``, so the other reports
    still run.
    """
    src = params.source
    problems: list[str] = []
    ev_problems: list[str] = []
    pdsa_problems: list[str] = []
    baseline_problems: list[str] = []
    spells = report.tables.get("staff_spells")
    first_month = (spells["start_date"].min().to_period("M") if spells is not None
                   and spells["start_date"].notna().any() else None)
    extract_month = params.extract_timestamp.to_period("M")
    monthly = report.tables.get(AGGREGATE_TABLE)
    if spells is None and monthly is not None:  # the aggregate tier: the figures' months
        first_month, aggregate_problem = _monthly_figures_span(monthly, params)
        problems += aggregate_problem
    episodes = report.tables.get("absence_episodes")
    first_absence = (episodes["start_date"].min().to_period("M") if episodes is not None
                     and episodes["start_date"].notna().any() else None)
    if params.data_start is not None:
        start = pd.Period(params.data_start, freq="M")
        if start > extract_month:
            problems.append(f"key 'data_start': {params.data_start} is after the extract date "
                            f"({params.extract_date})")
        elif first_month is None or start > first_month:
            first_month = start
    elif (first_month is not None and first_absence is not None
          and (first_absence - first_month).n > HISTORY_GAP_MONTHS):
        # long-serving staff's spells go back years, the absence records do not: the earlier
        # months would be read as free of sickness (and of leavers)
        problems.append(f"key 'data_start' is needed: absence records begin in {first_absence} "
                        f"but staff spells go back to {first_month}. Set data_start: "
                        f"{first_absence} (the first month the extract covers fully), or an "
                        "earlier month if there really was no absence before")
        first_month = first_absence

    def in_data(found: list[str], key: str, month: str) -> None:
        m = pd.Period(month, freq="M")
        if first_month is not None and m < first_month:
            found.append(f"key '{key}': {month} is before the data start ({first_month})")
        if m > extract_month:
            found.append(f"key '{key}': {month} is after the extract date "
                            f"({params.extract_date})")

    if params.baseline is not None:
        in_data(problems, "baseline.start", params.baseline.start)
        in_data(problems, "baseline.end", params.baseline.end)

    if "evaluation" in reports:
        ev = params.evaluation
        interventions = report.tables.get("interventions")
        if ev is None:
            ev_problems.append("key 'evaluation': required for the intervention-evaluation report")
        elif interventions is None or ev.intervention not in set(interventions["intervention_id"]):
            ev_problems.append(f"key 'evaluation.intervention': no intervention "
                            f"{ev.intervention!r} in interventions.csv")
        else:
            start = interventions.loc[interventions["intervention_id"] == ev.intervention,
                                      "start_date"].iloc[0]
            in_data(ev_problems, "evaluation.intervention (its start date)", str(start.to_period("M")))
            series = _series_or_problem(params.comparison_path(), ev.comparison,
                                        "evaluation.comparison", ev_problems)
            if series is not None:
                need_from = ev.analysis_start or (str(first_month) if first_month else None)
                covered = set(series["month"])
                months = [str(m) for m in pd.period_range(need_from, extract_month - 1,
                                                          freq="M")] if need_from else []
                missing = [m for m in months if m not in covered]
                if missing:
                    ev_problems.append(
                        f"key 'evaluation.comparison.csv': the comparison series covers "
                        f"{series['month'].min()} to {series['month'].max()} but the "
                        f"analysis needs every month from {months[0]} to {months[-1]} "
                        f"({len(missing)} missing, e.g. {missing[0]})")
            for i, period in enumerate(ev.adjust_for):
                lo, hi = pd.Period(period.start, freq="M"), pd.Period(period.end, freq="M")
                if (first_month is not None and hi < first_month) or lo > extract_month:
                    ev_problems.append(
                        f"key 'evaluation.adjust_for[{i}]': {period.start} to {period.end} "
                        f"({period.reason}) lies outside the data ({first_month} to "
                        f"{extract_month}); remove it")
            if ev.analysis_start is not None:
                in_data(ev_problems, "evaluation.analysis_start", ev.analysis_start)
                if pd.Period(ev.analysis_start, freq="M") >= start.to_period("M"):
                    ev_problems.append("key 'evaluation.analysis_start': must be before the "
                                    f"intervention starts ({start.date()})")

    if "baseline" in reports and params.benchmark is not None:
        _series_or_problem(params.benchmark_path(), params.benchmark, "benchmark",
                           baseline_problems)

    if "pdsa" in reports:
        cycles = report.tables.get("pdsa_cycles")
        if cycles is None or cycles.empty:
            pdsa_problems.append("the PDSA report needs pdsa_cycles.csv in the data folder")
        else:
            if params.pdsa.cycle is not None and params.pdsa.cycle not in set(cycles["cycle_id"]):
                pdsa_problems.append(f"key 'pdsa.cycle': no cycle {params.pdsa.cycle!r} in "
                                "pdsa_cycles.csv")
            from wellbeing_analysis.indicators import INDICATORS
            from wellbeing_analysis.reporting.measures import SURVEY_MEASURES

            known = set(INDICATORS) | set(SURVEY_MEASURES)
            for cycle_id, measure in zip(cycles["cycle_id"], cycles["measure"], strict=True):
                if measure not in known:
                    pdsa_problems.append(f"pdsa_cycles.csv, cycle {cycle_id}: unknown measure "
                                    f"{measure!r}; use one of {', '.join(sorted(known))}")
                elif spells is None and monthly is not None and measure in INDICATORS:
                    from wellbeing_analysis.workforce.aggregate import (
                        aggregate_columns,
                        needs_for,
                    )

                    ind = INDICATORS[measure]
                    column = ind.numerator or ind.column
                    if column not in aggregate_columns(monthly):
                        pdsa_problems.append(f"pdsa_cycles.csv, cycle {cycle_id}: measure "
                                             f"{measure!r} needs {needs_for(column)}")
    if problems:
        raise ParamsError(_message(src, problems + ev_problems + pdsa_problems
                                   + baseline_problems))
    found = {"evaluation": ev_problems, "pdsa": pdsa_problems, "baseline": baseline_problems}
    return {key: _message(src, found[key]) for key in found if found[key]}


def _series_or_problem(path, spec, key: str, found: list[str]) -> pd.DataFrame | None:
    """A publication series the params name, read now (bad rows fail before any kernel
    starts), or None with the problem added to ``found``."""
    if path is None:
        return None
    if not path.is_file():
        found.append(f"key '{key}.csv': file {path} not found")
        return None
    from wellbeing_analysis.errors import InputError
    from wellbeing_analysis.loading import load_comparison

    try:
        return load_comparison(path, org_code=spec.org_code, org_type=spec.org_type)
    except InputError as exc:
        found.append(f"key '{key}.csv': {exc}")
        return None


def _monthly_figures_span(monthly: pd.DataFrame, params) -> tuple[pd.Period, list[str]]:
    """(first month of the monthly figures, problems): the figures must reach the last
    complete month of the extract, or the reports' latest months would have no data."""
    from wellbeing_analysis.schema.aggregate import parse_months

    months = parse_months(monthly["month"])
    extract = params.extract_timestamp
    complete = extract.to_period("M") - (0 if extract == extract.to_period("M").end_time
                                           .normalize() else 1)
    last = months.max()
    if last >= complete:
        return months.min(), []
    return months.min(), [
        f"key 'extract_date': {params.extract_date} asks for figures to {complete}, but "
        f"{AGGREGATE_TABLE}.csv ends in {last}: set extract_date to "
        f"{last.end_time.date()} (the last day of the last month of figures)"]


def _message(src, problems: list[str]) -> str:
    return (f"{len(problems)} problem(s) with {src}:\n"
            + "\n".join(f"  {src}: {p}" for p in problems))
