"""Every named constant the library uses, in one place, each with its source.

Modules import from here; no magic numbers elsewhere. Where a value is *our* choice
rather than a published definition, the comment says so.
"""

from __future__ import annotations

import os

# ---------------------------------------------------------------------------
# Dates and files
# ---------------------------------------------------------------------------
#: Accepted date formats in input files: ISO and the UK format ESR exports use
#: (the README's data dictionary). Anything else is rejected, never guessed.
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y")
#: Regular expressions matching exactly those two layouts (checked before parsing so that
#: e.g. '2023-1-5' or '5/1/23' are rejected rather than parsed leniently).
DATE_PATTERNS: tuple[str, ...] = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$")
#: Date layouts accepted in a data folder's tables (docs/esr-export.md): name, exact pattern,
#: strptime format. ISO and DD/MM/YYYY as above, plus the layouts ESR exports and Excel
#: write: day and month without leading zeros, a month's short name (any case), and a time
#: of exactly midnight (a date-time cell). Anything else is rejected, never guessed; the
#: layouts other than ISO are counted in the validation record.
INPUT_DATE_LAYOUTS: tuple[tuple[str, str, str], ...] = (
    ("YYYY-MM-DD", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "%Y-%m-%d"),
    ("DD/MM/YYYY", r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$", "%d/%m/%Y"),
    ("DD-Mon-YYYY", r"^[0-9]{1,2}-[A-Za-z]{3}-[0-9]{4}$", "%d-%b-%Y"),
    ("DD Mon YYYY", r"^[0-9]{1,2} [A-Za-z]{3} [0-9]{4}$", "%d %b %Y"),
)
#: A date-time at midnight (ISO, with a space or 'T'; Excel date-time cells read as text):
#: the date part is then read as above. Any other time of day is an error.
MIDNIGHT_SUFFIX = r"[T ]00:00(?::00(?:\.0+)?)?$"
#: Any time-of-day suffix after an ISO date (to name a non-midnight time as the problem).
TIME_SUFFIX = r"[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?$"
#: Rows searched for the header when a file has title rows above it (docs/esr-export.md).
HEADER_SEARCH_ROWS = 20
#: Bytes read to detect a CSV file's delimiter and header row.
SNIFF_BYTES = 1 << 16
#: Delimiters a CSV file may use, with their names in messages.
CSV_DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab"}
#: Name of the optional mapping file in a data folder (docs/esr-export.md).
MAPPING_FILE = "mapping.yaml"
#: Lines of the validation record (mappings and normalisations) shown in a report.
RECORD_LINES_SHOWN = 40
#: Months (the monthly table's ``month`` column, YYYY-MM) are accepted wherever analyses
#: take a time axis (SPC x, ITS time); a month stands for its first day.
MONTH_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
MONTH_FORMAT = "%Y-%m"
#: Dates before the NHS began (5 July 1948) cannot be real service dates: flagged as implausible.
EARLIEST_PLAUSIBLE_DATE = "1948-07-05"
#: Spreadsheet row of the header: data row i (0-based) is shown as row i + 2.
HEADER_ROW_NUMBER = 1
#: The synthetic demo services (name -> generator seed): ``wellbeing demo`` writes their data
#: into ``data/<name>`` and their params ship as ``params/<name>.yaml``.
DEMO_SERVICES: dict[str, int] = {"demo": 20240401, "riverside": 7, "hillcrest": 11}

# ---------------------------------------------------------------------------
# Workforce metrics (docs/metrics.md)
# ---------------------------------------------------------------------------
#: Episodes of this many calendar days or more are long-term (common trust policy;
#: our default, a parameter of the metric functions).
LONG_TERM_ABSENCE_DAYS = 28
#: Continuous service shorter than this (months) makes a leaver an 'early leaver'.
EARLY_LEAVER_MONTHS = 12
#: Stability indices look back this many months (strategy and classical definitions).
STABILITY_LOOKBACK_MONTHS = 12
#: Absence records that begin more than this many months after the first staff spell draw a
#: warning (the extract may hold no earlier absence; our choice).
HISTORY_GAP_MONTHS = 6
#: Rolling windows for absence rate and turnover (months).
ROLLING_WINDOW_MONTHS = 12
#: Lowest and highest acceptable FTE for one spell: FTE must lie in (0, 1.5].
FTE_MIN_EXCLUSIVE = 0.0
FTE_MAX_INCLUSIVE = 1.5
#: Absence reason codes whose days are reported separately (anxiety/stress/depression).
MENTAL_HEALTH_REASON_CODE = "S10"
#: Published precision of the sickness absence rate (NHS Digital publishes 2 decimals).
ABSENCE_RATE_DECIMALS = 2
#: Absence episodes the monthly engine processes at a time: bounds its working memory
#: (about 100 bytes per episode) without changing any result. Our choice, by measurement.
ENGINE_EPISODE_CHUNK_ROWS = 2_000_000
#: Staff with up to this many spells have each of them tried against each of their
#: episodes (one gather); above it a binary search narrows the spells first. A speed
#: setting only (our choice, by measurement); results do not depend on it.
ENGINE_FEW_SPELLS = 4
#: A related reason matching this (case-insensitive regular expression) marks an absence
#: as COVID-19 related (ESR's related-reason field, docs/metrics.md; our matching rule).
COVID_RELATED_PATTERN = "covid|coronavirus"

#: Data tiers: a row-level HR extract (staff spells and absence episodes), or only the trust's
#: monthly figures (monthly_workforce; docs/metrics.md, 'Monthly figures').
TIER_ROW_LEVEL = "row-level"
TIER_AGGREGATE = "aggregate"
#: The tables whose absence (with monthly_workforce present) makes a service aggregate-tier.
ROW_LEVEL_TABLES = ("staff_spells", "absence_episodes")
AGGREGATE_TABLE = "monthly_workforce"

# ---------------------------------------------------------------------------
# Disclosure control (docs/metrics.md, 'Small numbers')
# ---------------------------------------------------------------------------
#: Counts below this are suppressed (NHS Talking Therapies / mental health statistics: < 5).
#: Our default; a parameter everywhere it is used.
SUPPRESS_COUNT_BELOW = 5
#: A chart of people counts (leavers by quarter) is drawn only when no more than this share
#: of its points would be left out as too small to publish (our choice).
MAX_SUPPRESSED_POINT_SHARE = 1 / 3
#: Suppressed cells are shown as this marker (NHS publications use '*').
SUPPRESSION_MARKER = "*"
#: NHS Staff Survey local breakdowns are not shown for fewer than 11 responses.
MIN_SURVEY_GROUP_SIZE = 11
#: The sickness publication blanks organisation rows with this many FTE days available or fewer.
MIN_FTE_DAYS_AVAILABLE_PUBLISHED = 330

# ---------------------------------------------------------------------------
# SPC: XmR charts, Making Data Count semantics (docs/spc.md; NHSRplotthedots)
# ---------------------------------------------------------------------------
#: Process limits are mean ± 2.66 × mean moving range (exactly 2.66, NHSRplotthedots).
XMR_LIMIT_FACTOR = 2.66
#: 'Near' limits sit at two thirds of the way to the process limits.
XMR_NEAR_LIMIT_FRACTION = 2.0 / 3.0
#: Moving ranges at or above 3.267 × mean(MR) are screened out (D4 for n = 2).
MR_SCREEN_FACTOR = 3.267
#: d2 for subgroups of 2: sigma = mean(MR) / 1.128 (Laney P'/U', qicharts2 I charts).
D2_CONSTANT = 1.128
#: Sigma multiplier of attribute (P, U, C) and Laney charts.
SIGMA_LIMIT = 3.0
#: Making Data Count trend rule: this many points rising (or falling) in succession.
MDC_TREND_POINTS = 7
#: Making Data Count shift rule: this many consecutive points on one side of the mean.
MDC_SHIFT_POINTS = 7
#: Making Data Count 'two of three' rule window and count.
MDC_TWO_OF_THREE_WINDOW = 3
MDC_TWO_OF_THREE_COUNT = 2
#: Warn when an SPC group (facet or rebase group) has fewer points than this.
SPC_MIN_POINTS_PER_GROUP = 13
#: fix_after_n_points, when set, must be at least this.
SPC_MIN_FIX_AFTER_N = 12
#: IHI run-chart rules (Perla, Provost & Murray 2011).
IHI_MIN_USEFUL_POINTS = 10
IHI_SHIFT_POINTS = 6
IHI_TREND_POINTS = 5
#: Anhøj rules: longest run limit = round(log2(n)) + 3; crossings below the 5% binomial quantile.
ANHOEJ_RUN_OFFSET = 3
ANHOEJ_CROSSINGS_QUANTILE = 0.05
#: IHI 'too few or too many runs' test: two-sided significance level of the Swed-Eisenhart
#: runs table (Perla, Provost & Murray 2011, table 1).
IHI_RUNS_ALPHA = 0.05
#: Fewest points a group needs for any chart: a moving range needs two points (our rule).
SPC_MIN_POINTS = 2
#: Chart types of `spc()` / `wellbeing spc --chart`.
SPC_CHART_TYPES: tuple[str, ...] = ("xmr", "run", "p", "u", "c", "pprime", "uprime")
#: Named rule sets: Making Data Count (NHSRplotthedots), Anhøj (qicharts2), IHI (Perla 2011).
SPC_RULE_SETS: tuple[str, ...] = ("mdc", "anhoej", "ihi")
#: Improvement directions (NHSRplotthedots `improvement_direction`).
SPC_IMPROVEMENT_DIRECTIONS: tuple[str, ...] = ("increase", "decrease", "neutral")
#: PDSA review: with fewer points than this after a cycle's start and no signal, it is
#: 'too early' to judge the cycle (our choice: a handful of months or weeks).
PDSA_MIN_POINTS_AFTER_START = 5
#: Warn that a plain P or U chart is over-dispersed (suggest Laney P'/U') when more than this
#: fraction of its points fall outside the limits (our choice; docs/spc.md: 16 of 20 on nhs_accidents).
OVERDISPERSION_WARN_FRACTION = 0.5

# SPC chart choice for counts and rates (docs/spc.md, 'Which chart: the rule')
#: Thin counts: with fewer events than this per point on average, 3-sigma limits of P/U
#: charts rest on a normal approximation that fails, and Laney's sigma_z collapses on runs
#: of zeros (our choice, after the usual np >= 5 rule for the normal approximation).
SPC_MIN_EVENTS_PER_POINT = 5.0
#: Thin counts: fewer than this share of points with at least one event (our choice).
SPC_MIN_NONZERO_SHARE = 0.8
#: A thin monthly series is shown by quarter when quarters are not thin and there are at
#: least this many of them (enough points to set limits, as fix_after_n_points); else a run
#: chart at the original period.
SPC_MIN_AGGREGATED_POINTS = 12
#: Laney P'/U' when the between-point variation exceeds what a P/U chart assumes
#: (Laney's sigma_z above this); else the plain P/U chart (Laney 2002).
SPC_OVERDISPERSION_SIGMA_Z = 1.0

# SPC seasonality (docs/spc.md, 'Seasonal measures'; Making Data Count guidance)
#: Months of year tested only with at least this many full years of monthly points.
SPC_SEASONAL_MIN_YEARS = 2
#: A measure is strongly seasonal when month of year (after a linear trend) is significant
#: at this level (F test)...
SPC_SEASONAL_ALPHA = 0.01
#: ...and explains at least this share of the variation left by the trend (partial R²).
SPC_SEASONAL_MIN_PARTIAL_R2 = 0.3
#: Same month last year: the lag, in months, of the year-on-year difference view.
SPC_YEAR_ON_YEAR_LAG = 12

# PDSA cycles judged on their own population and period (docs/spc.md, 'PDSA cycle reviews')
#: Limits come from at most this many points before the cycle starts (our choice: two years
#: of months, the most recent period before the change).
PDSA_MAX_BASELINE_POINTS = 24
#: A cycle is refused ('cannot tell') with fewer baseline points than this: limits fixed on
#: fewer points are unreliable (the same floor as fix_after_n_points).
PDSA_MIN_BASELINE_POINTS = 12
#: Scope of a cycle: the whole service, one or more teams, or one or more staff groups
#: ('team:North Step 2;South Step 2').
PDSA_SCOPE_SERVICE = "service"
PDSA_SCOPE_KINDS: tuple[str, ...] = ("team", "staff_group")
PDSA_SCOPE_SEPARATOR = ";"

# ---------------------------------------------------------------------------
# Interrupted time series (docs/its.md)
# ---------------------------------------------------------------------------
#: Warn when fewer than this many points lie before or after an interruption (Penfold &
#: Zhang, Academic Pediatrics 2013: at least 8 before and 8 after).
ITS_MIN_POINTS_EACH_SIDE = 8
#: Confidence level of every interval the ITS engine reports.
CONFIDENCE_LEVEL = 0.95
#: Target power of the minimum-detectable-effect planner.
PLANNER_TARGET_POWER = 0.80
#: Months in a year, the period of monthly seasonality.
MONTHS_PER_YEAR = 12
#: Every segment (before, between and after interruptions) needs at least this many fitted
#: points, or the fit is refused: two points fix a line, a third gives it a residual
#: (our choice; the warning threshold above is the recommendation).
ITS_MIN_SEGMENT_POINTS = 3
#: Residual autocorrelation is examined up to this lag (a year of monthly lags), and never
#: beyond a quarter of the series (Box & Jenkins 1976: autocorrelations are reliable up to n/4).
ITS_DIAGNOSTIC_MAX_LAG = 12
ITS_DIAGNOSTIC_MAX_LAG_FRACTION = 0.25
#: Ljung-Box portmanteau lag for the autocorrelation warning: 10, or 2 x period when the
#: model is seasonal, capped at n/5 (Hyndman & Athanasopoulos, FPP3 section 5.4).
ITS_LJUNG_BOX_LAG = 10
ITS_LJUNG_BOX_LAG_FRACTION = 0.2
#: suggest_ar_order() looks no further than this lag: higher AR orders are poorly identified
#: in series of 50-100 points (our choice).
ITS_MAX_SUGGESTED_AR_ORDER = 3
#: AR coefficients of the GLS error model are kept within +/- this bound (our choice: a
#: stationary process, away from the unit root where REML is flat).
ITS_AR_BOUND = 0.99
#: Default horizons (periods after the interruption) for effects (docs/its.md: 6 and 12 months).
ITS_DEFAULT_HORIZONS: tuple[int, ...] = (6, 12)
#: Step of the finite differences behind the Satterthwaite degrees of freedom of the GLS
#: family (on log variance and Fisher-z-transformed partial autocorrelations; our choice).
ITS_SATTERTHWAITE_STEP = 1e-3
#: A negative binomial alpha estimate at or below this is its boundary value 0: the model is
#: then Poisson (our numerical tolerance).
ITS_NB_ALPHA_FLOOR = 1e-8
#: Autocorrelations below this are set to zero in GLS whitening (numerically irrelevant; left
#: as they are they become denormal floats that slow the linear algebra a hundredfold).
ITS_NEGLIGIBLE_AUTOCORRELATION = 1e-100
#: Power planner defaults: post-period lengths (months), simulated series per scenario, seed,
#: and effect grid as multiples of the approximate minimum detectable effect (our choices).
PLANNER_N_POST: tuple[int, ...] = (6, 12, 18, 24, 36, 48)
PLANNER_N_SIM = 1000
PLANNER_SEED = 20240401
PLANNER_EFFECT_MULTIPLES: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
#: Step of the grid of AR(1) coefficients (within +/- ITS_AR_BOUND) over which the planner
#: maximises the REML likelihood of every simulated series at once (our choice).
PLANNER_RHO_GRID_STEP = 0.01
#: Future exposure of count outcomes is the mean of the last this-many pre-period exposures.
PLANNER_EXPOSURE_MONTHS = 12
#: The latent AR(1) coefficient of simulated counts is kept within +/- this (our choice).
PLANNER_MAX_LATENT_RHO = 0.9
#: Vectorised quasi-Poisson IRLS: at most this many iterations, stopping when no coefficient
#: moves by more than the tolerance (our choices; statsmodels' GLM uses 1e-8 too).
PLANNER_IRLS_MAX_ITER = 50
PLANNER_IRLS_TOL = 1e-8
#: The planner's vectorised 'quasipoisson_ar' fits: the REML AR(1) coefficient is found on a
#: grid of this step, then by Brent's method inside the best grid cell down to the
#: tolerance; later IRLS steps search only +/- the warm half-width around the previous
#: estimate; IRLS stops when no coefficient
#: of a series moves by more than the tolerance (our choices; the single-series fit agrees
#: to ~1e-5 in the headline).
PLANNER_RHO_COARSE_STEP = 0.1
PLANNER_RHO_TOL = 1e-5
PLANNER_RHO_WARM_HALF_WIDTH = 0.02
PLANNER_GLMAR_TOL = 1e-5
#: At most this many steps of the bracketed search for the REML AR(1) coefficient (Brent's
#: method needs far fewer; golden-section steps alone would need about 21).
PLANNER_RHO_MAX_STEPS = 60
#: Error messages list at most this many offending rows (our choice).
ITS_MAX_LISTED_ROWS = 5

# --- Guardrails: checked before any effect is shown (its/checks.py). Our choices unless a
# --- source is given; benchmarks/bench_evaluation_sim.py measures the behaviour they protect.
#: The period before the first change needs at least this many fitted points per coefficient
#: it alone estimates (intercept, trend, seasonal terms, covariates), and never fewer than
#: ITS_MIN_POINTS_EACH_SIDE (our choice: two points a coefficient).
ITS_MIN_POINTS_PER_PRE_PARAMETER = 2
#: Residual degrees of freedom (fitted points minus coefficients) a model needs before its
#: dispersion, AR coefficient and t quantiles mean anything (our choice).
ITS_MIN_RESIDUAL_DF = 10
#: K Fourier pairs need K + ITS_SEASON_EXTRA_CYCLES full seasonal cycles of fitted points
#: before the first change (1 pair: 2 years of months, 2 pairs: 3 years; our choice: with
#: fewer, the seasonal terms and the trend share the pre-period and can fit it exactly).
ITS_SEASON_EXTRA_CYCLES = 1
#: One indicator per season needs this many full cycles before the first change (our choice).
ITS_MIN_CYCLES_SEASON_INDICATORS = 3
#: Count outcomes need at least this many events (e.g. leavers) before the first change and
#: after each change (our choice: with fewer the rate ratio rests on a handful of people and
#: the model's large-sample intervals are not trustworthy; zero after a change is separation).
ITS_MIN_EVENTS_BEFORE = 10
ITS_MIN_EVENTS_AFTER = 5
#: A level change whose standard error on the log scale exceeds this is absurd: its 95%
#: interval spans a factor of more than 50 either way (our choice).
ITS_MAX_LOG_SE = 2.0
#: On the identity link, a level change SE above this many outcome SDs is absurd (our choice).
ITS_MAX_SE_OUTCOME_SD = 10.0
#: The counterfactual rate may not leave [min / F, max * F] of the rates observed before the
#: change, with F this factor: beyond it the pre-trend has been extrapolated into nonsense
#: (overflow; our choice).
ITS_MAX_EXTRAPOLATION_FACTOR = 10.0
#: Fitted counts below this fraction of the mean count signal separation: a segment's rate has
#: been driven towards zero (our numerical choice).
ITS_SEPARATION_FRACTION = 1e-6
#: A residual dispersion below this (count models: Pearson X2/df; Gaussian: residual variance
#: over the outcome's variance) is a perfect fit: too many terms for the data (our choice).
ITS_PERFECT_FIT_TOLERANCE = 1e-8
#: Quasi-likelihood GLS with AR errors (family 'quasipoisson_ar'): IRLS stops when no
#: coefficient moves by more than the tolerance, after at most the iterations (our choices).
ITS_GLMAR_TOL = 1e-7
ITS_GLMAR_MAX_ITER = 50
#: Newey-West standard errors are not recommended on series shorter than this: in our
#: simulation (benchmarks/bench_evaluation_sim.py: independent Gaussian errors, Stata's lag
#: rule, 400 series) their 95% intervals for the level change covered the truth in 84-90% of
#: series of 24 to 60 points (GLS-AR by REML: 93-96%); Turner et al. (BMC Med Res Methodol
#: 2021) found the same for ITS series of this length.
ITS_NEWEY_WEST_MIN_POINTS = 80
#: Outcomes judged together in the intervention evaluation are tested with Holm's (1979)
#: step-down method at this familywise level (two outcomes: absence and leaving).
EVALUATION_FAMILYWISE_ALPHA = 0.05

# ---------------------------------------------------------------------------
# Survey instruments (docs/instruments.md)
#: Surveys' item reads remembered at once (a report's few instruments; our choice).
READ_CACHE_SIZE = 64
# ---------------------------------------------------------------------------
#: Oldenburg Burnout Inventory cut-offs (Peterson et al. 2008).
OLBI_EXHAUSTION_CUTOFF = 2.25
OLBI_DISENGAGEMENT_CUTOFF = 2.10
#: Missing-item rule of mean-scored subscales: a subscale is scored only when at least this
#: share of its items is answered (i.e. at most 20% missing; our choice, a common convention
#: for prorating short scales; a parameter of the scoring functions).
SURVEY_MIN_ITEM_SHARE = 0.8
#: NHS Staff Survey sub-scores scored from local item-level data need at least this share
#: of their items (our choice, M: the national minimum is confirmed only for burnout, 5 of 7).
NSS_MIN_ITEM_SHARE = 0.5
#: Net Promoter Score: promoters answer 9-10, detractors 0-6 on the 0-10 scale (IHI).
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
#: Exit reasons: how many top reasons of voluntary leavers to report (our default).
TOP_REASONS_COUNT = 5

# ---------------------------------------------------------------------------
# Funnel plots (Spiegelhalter 2005; FunnelPlotR, NHS-R community)
# ---------------------------------------------------------------------------
#: Two-sided coverage (%) of the funnel limits: 95% and 99.8%, about 2 and 3 standard
#: errors (Spiegelhalter, Stat Med 2005; FunnelPlotR; CQC and NHS Digital publications).
FUNNEL_LIMITS: tuple[float, ...] = (95.0, 99.8)
#: Fraction of z-scores Winsorised (or trimmed) at each end before the dispersion ratio phi
#: is estimated (Spiegelhalter, Qual Saf Health Care 2005; FunnelPlotR ``trim_by = 0.1``).
FUNNEL_TRIM_FRACTION = 0.10
#: Indicator types: proportions, ratios of two counts, indirectly standardised ratios
#: (FunnelPlotR ``data_type``).
FUNNEL_DATA_TYPES: tuple[str, ...] = ("PR", "RC", "SR")
#: Overdispersion adjustments: additive random effects (DerSimonian-Laird tau^2, FunnelPlotR's
#: and the default), multiplicative (limits widened by sqrt(phi)), or none (Spiegelhalter 2005).
FUNNEL_OD_ADJUSTMENTS: tuple[str, ...] = ("additive", "multiplicative", "none")
#: How extreme z-scores are handled before phi is estimated: Winsorised (Spiegelhalter, CQC),
#: trimmed (NHS Digital's SHMI truncation, as FunnelPlotR does it) or used as they are.
FUNNEL_TRIM_METHODS: tuple[str, ...] = ("winsorise", "trim", "none")
#: Estimators of the between-unit variance tau^2: DerSimonian & Laird (1986) moment estimator.
FUNNEL_TAU2_METHODS: tuple[str, ...] = ("DL",)
#: Standard error of a ratio of counts on the funnel curve: from the counts expected at the
#: target (our default, consistent with the units' z-scores) or FunnelPlotR 0.5-0.6's
#: 1 / (2 sqrt(denominator)).
FUNNEL_RC_LIMIT_SE: tuple[str, ...] = ("expected", "funnelplotr")
#: 0.5 is added to both counts of a ratio of counts so that zero counts have a log and a
#: standard error (CQC Intelligent Monitoring methodology; FunnelPlotR).
FUNNEL_RC_CONTINUITY = 0.5
#: Target of indirectly standardised ratios (observed / expected): 1 by construction.
FUNNEL_SR_TARGET = 1.0
#: A funnel needs at least this many units (our choice: one unit is its own target).
FUNNEL_MIN_UNITS = 2
#: Overdispersion is estimated only from at least this many units; with fewer, the limits are
#: left unadjusted and the result says why (our choice: the DerSimonian-Laird tau^2 and a
#: 10% Winsorisation mean little with a handful of units; FunnelPlotR sets no minimum).
FUNNEL_MIN_UNITS_FOR_ADJUSTMENT = 5
#: Points on each drawn funnel curve (our choice: smooth at report width).
FUNNEL_CURVE_POINTS = 400
#: Error messages name at most this many offending units (our choice).
FUNNEL_MAX_LISTED_UNITS = 5

# ---------------------------------------------------------------------------
# Running reports
# ---------------------------------------------------------------------------
#: Reports rendered at once by default (``--jobs``): each runs in its own kernel, so two
#: keep two cores busy; one on a one-core machine (our choice, benchmarks/README.md).
DEFAULT_JOBS = min(2, os.cpu_count() or 1)

# ---------------------------------------------------------------------------
# Presentation of reports (docs/reports.md)
# ---------------------------------------------------------------------------
#: Language of every page the tool writes (British English).
REPORT_LANGUAGE = "en-GB"
#: Report charts are embedded as PNG at this many image pixels per CSS pixel, so they stay
#: sharp when a phone reader zooms in (our choice).
FIGURE_PIXEL_RATIO = 2
#: CSS pixels per inch of a matplotlib figure shown at its natural size.
FIGURE_CSS_DPI = 96
#: Largest HTML file of one report (bytes): the budget for its embedded charts (our choice:
#: a report opens quickly over a phone connection).
REPORT_SIZE_BUDGET_BYTES = 4_000_000
#: Significant digits of model coefficients and other estimates without a natural unit.
SIGNIFICANT_DIGITS = 3
#: p-values below this are shown as 'p < 0.001'.
SMALLEST_SHOWN_P_VALUE = 0.001
