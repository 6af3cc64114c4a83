"""Fitting the ITS design with each family (statsmodels, and REML GLS in :mod:`.gls`).

- ``ols``: ordinary least squares. Without HAC lags, classical standard errors (independent
  errors). With ``hac_lags = L``, Newey-West (1987) standard errors with Bartlett weights and
  Stata ``newey``'s small-sample scaling ``n / (n - k)``, inference on ``t(n - k)``;
  ``L = 0`` gives White's heteroskedasticity-robust errors, as ``newey, lag(0)``. With a
  comparison series the HAC sums run within each series (statsmodels ``hac-panel``).
- ``glsar``: GLS with AR(p) errors, AR coefficients by REML, ``t`` inference with
  Satterthwaite degrees of freedom (see :mod:`.gls`).
- ``poisson``: Poisson GLM, log link, ``log(exposure)`` offset; Wald inference on the normal.
- ``quasipoisson``: the same estimates with the variance scaled by the dispersion
  ``phi = X2 / (n - k)``, Pearson's chi-squared over residual df (McCullagh & Nelder 1989;
  statsmodels ``fit(scale="X2")``, R's ``quasipoisson``).
- ``negbin``: negative binomial (NB2: ``Var = mu + alpha mu^2``) by maximum likelihood.

Every family reports ``dispersion = X2 / (n - k)`` from its own Pearson residuals: the
residual variance for ``ols`` and ``glsar``, the quasi-Poisson scale, and an overdispersion
check for ``poisson`` (well above 1: overdispersed) and ``negbin`` (near 1 if it fits).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from wellbeing_analysis.constants import ITS_NB_ALPHA_FLOOR
from wellbeing_analysis.its.design import Design
from wellbeing_analysis.its.gls import fit_glsar
from wellbeing_analysis.its.inputs import Prepared
from wellbeing_analysis.its.options import ITSOptions


@dataclass
class ModelFit:
    """What the rest of the engine needs from a fitted model, whatever its family."""

    family: str
    link: str
    params: np.ndarray
    cov: np.ndarray
    nobs: int
    k: int
    dispersion: float
    pearson_chi2: float
    #: Residuals for autocorrelation checks, series by series in time order: raw (ols),
    #: whitened (glsar: what the AR model leaves) or Pearson (count families).
    resid: np.ndarray
    n_series: int
    method: str  # plain-English description of the estimator and its standard errors
    #: An OLS results object whose residuals are ``resid`` (ols, glsar): Breusch-Godfrey.
    ols_results: object | None = None
    ar: np.ndarray | None = None
    nb_alpha: float | None = None
    warnings: list[str] = field(default_factory=list)
    #: Degrees of freedom of contrasts (rows of a matrix); None means the normal distribution.
    df_of: Callable[[np.ndarray], np.ndarray] | None = None

    @property
    def df_resid(self) -> int:
        return self.nobs - self.k

    def df(self, contrasts: np.ndarray) -> np.ndarray:
        """Degrees of freedom for each contrast row (``inf`` for Wald tests on the normal)."""
        m = np.atleast_2d(contrasts).shape[0]
        return np.full(m, np.inf) if self.df_of is None else self.df_of(contrasts)


def _caught(fn):
    """Run ``fn`` and return (result, convergence messages) instead of printing warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", HessianInversionWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in rejected NB steps
        result = fn()
    msgs = [f"the {fn.__name__} fit reported: {w.message}" for w in caught
            if issubclass(w.category, (ConvergenceWarning, HessianInversionWarning))]
    return result, msgs


def fit_model(design: Design, prepared: Prepared, options: ITSOptions) -> ModelFit:
    """Fit ``design`` to the data with ``options.family`` (formulas in the module docstring)."""
    used = design.used
    X, y = design.X[used], prepared.y[used]
    offset = None if design.offset is None else design.offset[used]
    n, k = X.shape
    common = {"family": options.family, "link": options.link, "nobs": n, "k": k,
              "n_series": prepared.n_series}
    family = options.family

    if family == "ols":
        model = sm.OLS(y, X)
        L = options.hac_lags
        if L is None:
            res, method = model.fit(), "OLS, classical standard errors"
        elif prepared.n_series == 1:
            res = model.fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True},
                            use_t=True)
            method = f"OLS, Newey-West standard errors ({L} lags, Stata scaling)"
        else:
            groups = np.unique(prepared.series[used].astype(str), return_inverse=True)[1]
            res = model.fit(cov_type="hac-panel", use_t=True, cov_kwds={
                "groups": groups, "maxlags": L, "use_correction": "hac"})
            method = f"OLS, Newey-West standard errors within series ({L} lags, Stata scaling)"
        df = float(n - k)
        return ModelFit(**common, params=res.params, cov=res.cov_params(),
                        dispersion=float(res.ssr / (n - k)), pearson_chi2=float(res.ssr),
                        resid=res.resid, method=method, ols_results=res,
                        df_of=lambda L_: np.full(np.atleast_2d(L_).shape[0], df))

    if family == "glsar":
        t_block = prepared.t[used & prepared.treated]
        start = None
        if options.ar_order > 1:  # start from the Yule-Walker PACF of the OLS residuals
            from statsmodels.tsa.stattools import pacf
            resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
            start = pacf(resid, nlags=options.ar_order, method="yw")[1:]
        g = fit_glsar(X, y, t_block=t_block, n_groups=prepared.n_series,
                      order=options.ar_order, start_pacf=start)
        res = sm.OLS(g.whitened_endog, g.whitened_exog).fit()
        msgs = [f"the AR coefficient estimate reached the bound (partial autocorrelations "
                f"{np.round(g.pacf, 3).tolist()}): the errors may be non-stationary or the "
                "trend misspecified; degrees of freedom fall back to n - k"] if g.at_bound else []
        method = (f"GLS with AR({options.ar_order}) errors (REML), t tests with "
                  "Satterthwaite degrees of freedom")
        return ModelFit(**common, params=g.params, cov=g.cov, dispersion=g.sigma2,
                        pearson_chi2=g.sigma2 * (n - k), resid=res.resid, method=method,
                        ols_results=res, ar=g.ar, warnings=msgs, df_of=g.satterthwaite_df)

    if family in ("poisson", "quasipoisson"):
        def poisson():
            return sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(
                scale="X2" if family == "quasipoisson" else None)
        res, msgs = _caught(poisson)
        method = ("quasi-Poisson GLM (dispersion = Pearson X2 / df)" if family == "quasipoisson"
                  else "Poisson GLM")
        return ModelFit(**common, params=res.params, cov=res.cov_params(),
                        dispersion=float(res.pearson_chi2 / (n - k)),
                        pearson_chi2=float(res.pearson_chi2), resid=res.resid_pearson,
                        method=method, warnings=msgs)

    # negative binomial (NB2) by maximum likelihood: Newton from statsmodels' start values
    # (Poisson estimates and a moment estimate of alpha), BFGS if Newton fails
    poisson = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit()
    msgs: list[str] = []
    # The NB2 log-likelihood's slope in alpha at alpha = 0 is sum((y - mu)^2 - y) / 2 at the
    # Poisson fit (Cameron & Trivedi 1990): if it is not positive, the ML estimate of alpha is
    # its boundary 0, the Poisson model, and the NB fit is skipped.
    overdispersed = float(((y - poisson.mu) ** 2 - y).sum()) > 0
    for method in ("newton", "bfgs") if overdispersed else ():
        def negative_binomial(method=method):
            return sm.NegativeBinomial(y, X, offset=offset, loglike_method="nb2").fit(
                method=method, disp=0, maxiter=300)
        res, msgs = _caught(negative_binomial)
        params = np.asarray(res.params)
        cov = None if res.normalized_cov_params is None else np.asarray(res.cov_params())
        if (cov is not None and np.isfinite(params).all() and np.isfinite(cov).all()
                and params[-1] > ITS_NB_ALPHA_FLOOR):
            break
    else:
        # alpha's ML estimate is at its boundary, 0: the likelihood is maximised by the
        # Poisson model itself (no overdispersion), where the NB fit cannot invert its Hessian
        params, cov = np.r_[poisson.params, 0.0], np.zeros((k + 1, k + 1))
        cov[:k, :k] = poisson.cov_params()
        msgs = ["negative binomial: no overdispersion (alpha estimated at 0), so the model "
                "reduces to Poisson, whose estimates are shown"]
    alpha = float(params[-1])
    mu = np.exp(X @ params[:-1] + (0.0 if offset is None else offset))
    pearson = (y - mu) / np.sqrt(mu + alpha * mu**2)
    x2 = float(pearson @ pearson)
    return ModelFit(**common, params=params[:-1], cov=cov[:-1, :-1],
                    dispersion=x2 / (n - k), pearson_chi2=x2, resid=pearson,
                    method="negative binomial (NB2) regression", nb_alpha=alpha, warnings=msgs)
