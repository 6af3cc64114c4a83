"""What every report starts from: validated params, the validated and pseudonymised service
data, and the monthly indicator tables (service, by team, by staff group).

In a report run the service is validated once, before any kernel starts, and handed to the
notebooks as a :class:`RunBundle` file in the run's staging folder (removed when the run
ends); a notebook opened in JupyterLab without a bundle validates the data itself.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from wellbeing_analysis.loading import ServiceData, load_service
from wellbeing_analysis.reporting import source_checkout
from wellbeing_analysis.reporting.params import ReportParams, load_params
from wellbeing_analysis.validation import FileInfo
from wellbeing_analysis.workforce import from_data_start, service_monthly_indicators


def resolve_params_path(path: str | Path) -> Path:
    """A params path as given, or relative to the source checkout's root (so a notebook
    opened in JupyterLab from ``notebooks/`` finds ``params/demo.yaml`` too)."""
    p = Path(path)
    root = source_checkout()
    if p.is_absolute() or p.exists() or root is None:
        return p
    candidate = root / p
    return candidate if candidate.exists() else p


def comparison_input(params: ReportParams, *, which: str = "comparison"
                     ) -> tuple[pd.DataFrame | None, dict[str, FileInfo]]:
    """The params' comparison series (``evaluation.comparison``) or, with
    ``which='benchmark'``, the baseline's benchmark (``benchmark``), read and checked, and
    its file's provenance; (None, {}) when the params name none."""
    from wellbeing_analysis.loading import load_comparison
    from wellbeing_analysis.validation import sha256_file

    if which == "benchmark":
        spec, path = params.benchmark, params.benchmark_path()
    else:
        spec = params.evaluation.comparison if params.evaluation else None
        path = params.comparison_path()
    if spec is None or path is None:
        return None, {}
    series = load_comparison(path, org_code=spec.org_code, org_type=spec.org_type)
    label = f"{which} series"
    # rows: None (the publication's rows are organisations x months, not our rows)
    return series, {label: FileInfo(label, path, sha256_file(path), None)}


@dataclass(frozen=True)
class RunBundle:
    """The params, the validated, pseudonymised service and the other inputs of one run,
    written once by the runner's preflight and read by each report's kernel (nothing is
    read or validated again there). It holds pseudonymised row-level data: it lives only in
    the run's staging folder."""

    params: ReportParams
    service: ServiceData
    comparison: pd.DataFrame | None = None
    extra_files: dict[str, FileInfo] = field(default_factory=dict)
    benchmark: pd.DataFrame | None = None

    def save(self, path: Path) -> Path:
        with path.open("wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    @staticmethod
    def load(path: str | Path) -> RunBundle:
        # only files the runner itself wrote into its own staging folder are read here
        with Path(path).open("rb") as fh:
            bundle = pickle.load(fh)  # noqa: S301 - see above
        if not isinstance(bundle, RunBundle):
            raise TypeError(f"{path} is not a run bundle")
        return bundle


@dataclass
class ReportContext:
    """Params + service data + monthly indicators, computed once per report."""

    params: ReportParams
    service: ServiceData
    #: the comparison series (NHS Digital layout) and the extra input files' provenance
    comparison: pd.DataFrame | None = None
    extra_files: dict[str, FileInfo] = field(default_factory=dict)
    #: the baseline's benchmark series (NHS Digital layout), when the params give one
    benchmark: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    #: 'run bundle' when the data were validated once by the runner, else 'data folder'
    loaded_from: str = "data folder"

    @classmethod
    def from_params(cls, params_file: str | Path, *, bundle: str | Path | None = None
                    ) -> ReportContext:
        if bundle is not None:
            run = RunBundle.load(bundle)
            return cls(params=run.params, service=run.service, comparison=run.comparison,
                       extra_files=run.extra_files, benchmark=run.benchmark,
                       loaded_from="run bundle")
        params = load_params(resolve_params_path(params_file))
        service = load_service(params.data_path, extract_date=params.extract_timestamp)
        comparison, extra = comparison_input(params)
        benchmark, more = comparison_input(params, which="benchmark")
        return cls(params=params, service=service, comparison=comparison,
                   extra_files={**extra, **more}, benchmark=benchmark)

    # -- monthly tables ---------------------------------------------------------------------
    def _monthly(self, by: str | None) -> pd.DataFrame:
        """The monthly table from the params' ``data_start`` on, look-back figures blank until
        their whole look-back is covered (:func:`~wellbeing_analysis.workforce.from_data_start`)."""
        table = service_monthly_indicators(self.service, by=by)
        return from_data_start(table, self.params.data_start)

    @cached_property
    def monthly(self) -> pd.DataFrame:
        return self._monthly(None)

    @cached_property
    def monthly_by_team(self) -> pd.DataFrame:
        return self._monthly("team")

    @cached_property
    def monthly_by_group(self) -> pd.DataFrame:
        return self._monthly("staff_group")

    # -- windows ------------------------------------------------------------------------------
    @property
    def last_month(self) -> str:
        """The latest complete month (the extract's month when the extract is a month end)."""
        extract = self.service.extract_date
        month = extract.to_period("M")
        complete = extract == month.end_time.normalize()
        return str(month if complete else month - 1)

    @property
    def reporting_window(self) -> tuple[str, str]:
        end = pd.Period(self.last_month, freq="M")
        return str(end - (self.params.reporting_months - 1)), str(end)

    @property
    def baseline_window(self) -> tuple[str, str] | None:
        b = self.params.baseline
        return None if b is None else (b.start, b.end)

    @property
    def complete_monthly(self) -> pd.DataFrame:
        """The service table without a part month at the end (a part month's rate is biased
        by the short exposure and would look like a signal)."""
        return self.monthly[self.monthly["month"] <= self.last_month]

    @property
    def threshold(self) -> int:
        return self.params.disclosure.min_count

    @contextmanager
    def capture_warnings(self) -> Iterator[None]:
        """Turn library warnings into report notes instead of stderr output."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for w in caught:
            text = str(w.message).split("\n")[0]
            if text not in self.notes:
                self.notes.append(text)
