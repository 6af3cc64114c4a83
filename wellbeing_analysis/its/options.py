"""The options of an ITS analysis, checked once when they are built."""

from __future__ import annotations

from dataclasses import dataclass, replace

from wellbeing_analysis.constants import MONTHS_PER_YEAR
from wellbeing_analysis.errors import InputError

#: Model families: Gaussian ones (identity link) and count ones (log link, optional offset).
GAUSSIAN_FAMILIES = ("ols", "glsar")
COUNT_FAMILIES = ("poisson", "quasipoisson", "quasipoisson_ar", "negbin")
FAMILIES = GAUSSIAN_FAMILIES + COUNT_FAMILIES
#: In an evaluation's params: let the data choose the primary model (see
#: :func:`wellbeing_analysis.evaluation.primary_family`).
AUTO_FAMILY = "auto"
#: Families whose errors follow an AR(p) process (the order is ``ar_order``, default 1).
AR_FAMILIES = ("glsar", "quasipoisson_ar")
#: The default family of continuous outcomes (GLS with AR errors, REML, Satterthwaite df).
DEFAULT_FAMILY = "glsar"
#: Where the level change is measured (where the centred slope term is zero).
LEVEL_AT = ("first_post", "last_pre")


def _nonneg_int(value, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or int(value) < minimum:
        raise InputError(f"{what} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class ITSOptions:
    """Everything that defines one ITS model (see :func:`~wellbeing_analysis.its.fit_its`)."""

    time: str
    outcome: str
    interruptions: tuple = ()
    family: str = DEFAULT_FAMILY
    offset: str | None = None
    season_col: str | None = None
    period: int | None = None
    harmonics: int | None = None
    season_indicators: bool = False
    covariates: tuple[str, ...] = ()
    hac_lags: int | None = None
    ar_order: int | None = None
    slope_change: bool = True
    phase_in: int = 0
    end: object = None
    group: str | None = None
    treated: object = None
    level_at: str = "first_post"

    def __post_init__(self) -> None:
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 - frozen dataclass
        if isinstance(self.interruptions, (str, int, float)) or not hasattr(
                self.interruptions, "__iter__"):
            set_("interruptions", (self.interruptions,))
        set_("interruptions", tuple(self.interruptions))
        if isinstance(self.covariates, str):
            set_("covariates", (self.covariates,))
        set_("covariates", tuple(self.covariates))
        if self.family not in FAMILIES:
            raise InputError(f"unknown family {self.family!r}; choose one of {', '.join(FAMILIES)}")
        if self.offset is not None and self.family in GAUSSIAN_FAMILIES:
            raise InputError(f"an offset (exposure column {self.offset!r}) needs a log-link "
                             f"family ({', '.join(COUNT_FAMILIES)}), not {self.family!r}")
        if self.hac_lags is not None:
            if self.family != "ols":
                raise InputError(f"HAC lags apply to family 'ols' only, not {self.family!r}")
            set_("hac_lags", _nonneg_int(self.hac_lags, "the number of HAC lags"))
        if self.ar_order is not None:
            if self.family not in AR_FAMILIES:
                raise InputError(f"an AR order applies to families {' and '.join(AR_FAMILIES)} "
                                 f"only, not {self.family!r}")
            set_("ar_order", _nonneg_int(self.ar_order, "the AR order", minimum=1))
        elif self.family in AR_FAMILIES:
            set_("ar_order", 1)
        if self.harmonics is not None:
            if self.season_indicators:
                raise InputError("choose Fourier harmonics or season indicators, not both")
            set_("harmonics", _nonneg_int(self.harmonics, "the number of harmonics", minimum=1))
        if self.season_col is not None or self.harmonics is not None or self.season_indicators:
            if self.harmonics is None and not self.season_indicators:
                raise InputError(f"season column {self.season_col!r} given without a model for "
                                 "it: set harmonics (Fourier pairs) or season indicators")
        if self.period is not None:
            set_("period", _nonneg_int(self.period, "the season period", minimum=2))
        elif self.harmonics is not None:
            set_("period", MONTHS_PER_YEAR)
        if self.harmonics is not None and 2 * self.harmonics > self.period:
            raise InputError(f"{self.harmonics} harmonic pairs need a period of at least "
                             f"{2 * self.harmonics} (the period is {self.period}); use at most "
                             f"{self.period // 2}")
        set_("phase_in", _nonneg_int(self.phase_in, "the number of phase-in periods"))
        if (self.group is None) != (self.treated is None):
            raise InputError("a controlled ITS needs both the group column and the treated "
                             "group's value")
        if self.level_at not in LEVEL_AT:
            raise InputError(f"level_at must be one of {', '.join(LEVEL_AT)}, not "
                             f"{self.level_at!r}")

    @property
    def link(self) -> str:
        return "log" if self.family in COUNT_FAMILIES else "identity"

    @property
    def columns(self) -> list[str]:
        """Every column of the input table these options name."""
        cols = [self.time, self.outcome, self.offset, self.season_col, *self.covariates,
                self.group]
        return list(dict.fromkeys(c for c in cols if c is not None))

    def but(self, **changes) -> ITSOptions:
        """A copy with some options changed (validated again)."""
        return replace(self, **changes)
