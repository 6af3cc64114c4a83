"""Report parameters: one YAML file per service run, validated before anything runs.

Errors name the file, the key (dotted path) and the problem, all at once. Paths in the file
are relative to the file's own folder. Dates may be written ``YYYY-MM-DD`` or ``DD/MM/YYYY``
(as in the data), months ``YYYY-MM``. No key makes a report generate data: the demo's
synthetic data belong to ``wellbeing demo`` alone.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wellbeing_analysis.constants import DEMO_SERVICES, MIN_SURVEY_GROUP_SIZE, SUPPRESS_COUNT_BELOW
from wellbeing_analysis.errors import ParamsError
from wellbeing_analysis.indicators import INDICATORS
from wellbeing_analysis.its.options import AUTO_FAMILY, FAMILIES

Direction = Literal["increase", "decrease", "neutral"]
#: The evaluation's model families: 'auto' lets the data choose the primary model
#: (:mod:`wellbeing_analysis.evaluation`), or one of the ITS families (declared once, in the
#: ITS options).
Family = Literal[(AUTO_FAMILY, *FAMILIES)]
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _date(value: object) -> object:
    """Accept a date as YAML gives it, ``YYYY-MM-DD`` text, or ``DD/MM/YYYY`` as in the data."""
    if isinstance(value, str):
        m = _UK_DATE.match(value.strip())
        if m:
            day, month, year = (int(g) for g in m.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise ValueError(f"{value!r} is not a real calendar date") from None
    return value


def _month(value: object) -> str:
    """Accept 'YYYY-MM' (or a date, YAML's or DD/MM/YYYY, reduced to its month)."""
    value = _date(value)
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip()
    if not _MONTH.match(text) or not 1 <= int(text[5:]) <= 12:
        raise ValueError(f"{value!r} is not a month in YYYY-MM form")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MonthWindow(_Strict):
    """An inclusive range of months."""

    start: str
    end: str

    _check = field_validator("start", "end", mode="before")(_month)

    @model_validator(mode="after")
    def _ordered(self) -> MonthWindow:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class AdjustPeriod(MonthWindow):
    """A disturbance (e.g. the pandemic) modelled with its own indicator term in the ITS."""

    reason: str


class IndicatorParams(_Strict):
    direction: Direction | None = None  # default: the indicator's own
    target: float | None = None


class DisclosureParams(_Strict):
    min_count: int = Field(SUPPRESS_COUNT_BELOW, ge=1, le=50)
    min_survey_group: int = Field(MIN_SURVEY_GROUP_SIZE, ge=3, le=100)


class ComparisonParams(_Strict):
    """A series from NHS Digital's organisation-level sickness absence publication (as
    downloaded): the organisations of ``org_code`` (one code or a list) or of ``org_type``,
    or every organisation in the file; their days are summed before dividing."""

    csv: str
    name: str = Field(min_length=1)
    org_code: str | tuple[str, ...] | None = None
    org_type: str | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> ComparisonParams:
        if self.org_code is not None and self.org_type is not None:
            raise ValueError("give org_code or org_type, not both")
        return self


class EvaluationParams(_Strict):
    intervention: str
    analysis_start: str | None = None
    adjust_for: tuple[AdjustPeriod, ...] = ()
    horizons: tuple[int, ...] = (6, 12)
    absence_family: Family = "auto"
    leavers_family: Family = "auto"
    harmonics: int = Field(2, ge=0, le=6)
    comparison: ComparisonParams | None = None
    planner_effects: tuple[float, ...] = (0.90, 0.80, 0.70)
    planner_simulations: int = Field(400, ge=100, le=5000)

    _check = field_validator("analysis_start", mode="before")(
        lambda v: None if v is None else _month(v))

    @field_validator("horizons")
    @classmethod
    def _positive(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or any(h < 1 for h in v):
            raise ValueError("horizons must be positive numbers of months, e.g. [6, 12]")
        return v


class OrganisationParams(_Strict):
    """The trust a service belongs to, for the network report's national comparison: its
    code and type in NHS Digital's sickness absence publication, and the publication's
    organisation-level CSV (as downloaded; never fetched by the tool)."""

    org_type: str = Field(min_length=1)
    org_code: str | None = None
    publication: str | None = None


class PDSAParams(_Strict):
    cycle: str | None = None  # focus cycle; default the latest


class ReportParams(_Strict):
    """Everything that changes between runs of the reports for one service."""

    service_name: str = Field(min_length=1)
    data_dir: str
    output_dir: str
    extract_date: date
    #: first month the extract covers fully (absence and leavers): earlier months, in which
    #: only long-serving staff's spells appear, are left out of every figure
    data_start: str | None = None
    reporting_months: int = Field(12, ge=3, le=36)
    baseline: MonthWindow | None = None
    indicators: dict[str, IndicatorParams] = Field(default_factory=dict)
    disclosure: DisclosureParams = DisclosureParams()
    evaluation: EvaluationParams | None = None
    pdsa: PDSAParams = PDSAParams()
    organisation: OrganisationParams | None = None
    #: a benchmark line on the baseline report's absence chart (the publication's layout)
    benchmark: ComparisonParams | None = None

    #: where the file was read from (paths resolve against its folder)
    source: Path | None = Field(default=None, exclude=True)

    _check_date = field_validator("extract_date", mode="before")(_date)
    _check_start = field_validator("data_start", mode="before")(
        lambda v: None if v is None else _month(v))

    @field_validator("extract_date")
    @classmethod
    def _not_in_future(cls, v: date) -> date:
        today = date.today()
        if v > today:
            raise ValueError(f"{v:%Y-%m-%d} is after today ({today:%Y-%m-%d}): an extract "
                             "cannot be taken in the future (open spells and absences would "
                             "be extended to it)")
        return v

    @field_validator("indicators")
    @classmethod
    def _known_indicators(cls, v: dict[str, IndicatorParams]) -> dict[str, IndicatorParams]:
        unknown = [k for k in v if k not in INDICATORS]
        if unknown:
            raise ValueError(f"unknown indicator(s) {', '.join(unknown)}; known: "
                             f"{', '.join(INDICATORS)}")
        return v

    @model_validator(mode="after")
    def _dates_in_range(self) -> ReportParams:
        extract_month = _month(self.extract_date)
        if self.baseline is not None and self.baseline.end > extract_month:
            raise ValueError(f"baseline.end {self.baseline.end} is after the extract date "
                             f"{self.extract_date}")
        if self.evaluation is not None:
            for p in self.evaluation.adjust_for:
                if p.start > extract_month:
                    raise ValueError(f"evaluation.adjust_for period {p.start} starts after "
                                     f"the extract date {self.extract_date}")
        return self

    # -- resolved values ----------------------------------------------------------------
    @property
    def base_dir(self) -> Path:
        return self.source.parent if self.source is not None else Path.cwd()

    @property
    def data_path(self) -> Path:
        return (self.base_dir / self.data_dir).resolve()

    @property
    def output_path(self) -> Path:
        return (self.base_dir / self.output_dir).resolve()

    @property
    def slug(self) -> str:
        """Folder-safe short name of the service (from the output folder's name)."""
        return self.output_path.name

    @property
    def extract_timestamp(self) -> pd.Timestamp:
        return pd.Timestamp(self.extract_date)

    def indicator(self, name: str) -> IndicatorParams:
        """The params of one indicator, with the indicator's default direction filled in."""
        given = self.indicators.get(name, IndicatorParams())
        direction = given.direction or INDICATORS[name].direction
        return IndicatorParams(direction=direction, target=given.target)

    def publication_path(self) -> Path | None:
        if self.organisation is None or self.organisation.publication is None:
            return None
        return (self.base_dir / self.organisation.publication).resolve()

    def benchmark_path(self) -> Path | None:
        if self.benchmark is None:
            return None
        return (self.base_dir / self.benchmark.csv).resolve()

    def comparison_path(self) -> Path | None:
        if self.evaluation is None or self.evaluation.comparison is None:
            return None
        return (self.base_dir / self.evaluation.comparison.csv).resolve()


def _format_errors(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling against params/README.md)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  {path}: key '{key}': {msg}")
    return f"{len(lines)} problem(s) in the params file:\n" + "\n".join(lines)


def load_params(path: str | Path, *, check_paths: bool = True) -> ReportParams:
    """Read and validate a params YAML file; raise :class:`ParamsError` listing all problems.

    Relative paths resolve against the file's own folder. With ``check_paths`` the data folder must exist; report-specific files (the comparison
    series) are checked with the report's other inputs in
    :mod:`~wellbeing_analysis.reporting.checks`.
    """
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: params file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected key: value pairs at the top level")
    try:
        params = ReportParams.model_validate({**raw, "source": path.resolve()})
    except ValidationError as exc:
        raise ParamsError(_format_errors(path, exc)) from None
    if check_paths and not params.data_path.is_dir():
        hint = (" (for the demo services, run `wellbeing demo` first: it creates their "
                "synthetic data)" if params.data_path.name in DEMO_SERVICES else "")
        raise ParamsError(f"  {path}: key 'data_dir': folder {params.data_path} not found"
                          + hint)
    return params
