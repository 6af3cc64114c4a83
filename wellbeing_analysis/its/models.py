"""Fitting the ITS design with each family (statsmodels, and REML GLS in :mod:`.gls`).

- ``ols``: ordinary least squares. Without HAC lags, classical standard errors (independent
  errors). With ``hac_lags = L``, Newey-West (1987) standard errors with Bartlett weights and
  Stata ``newey``'s small-sample scaling ``n / (n - k)``, inference on ``t(n - k)``;
  ``L = 0`` gives White's heteroskedasticity-robust errors, as ``newey, lag(0)``. With a
  comparison series the HAC sums run within each series (statsmodels ``hac-panel``).
- ``glsar`` (the default): GLS with AR(p) errors, AR coefficients by REML, ``t`` inference
  with Satterthwaite degrees of freedom (see :mod:`.gls`).
- ``poisson``: Poisson GLM, log link, ``log(exposure)`` offset; Wald inference on the normal.
- ``quasipoisson``: the same estimates with the variance scaled by the dispersion
  ``phi = X2 / (n - k)``, Pearson's chi-squared over residual df (McCullagh & Nelder 1989;
  statsmodels ``fit(scale="X2")``, R's ``quasipoisson``), floored at 1 (our choice: a count
  varies at least as much as a Poisson count, so intervals are never narrower than
  Poisson's). With a comparison series each series has its own dispersion
  ``phi_g = X2_g / (n_g - h_g)`` (``h_g`` the sum of its leverages, so the ``h_g`` sum to
  ``k``), each floored at 1, and the fit weights series ``g`` by ``1 / phi_g`` (iterated):
  one pooled dispersion would let a noisy comparison series widen the treated series'
  intervals, or a quiet one narrow them.
- ``quasipoisson_ar``: quasi-Poisson with AR(p) errors by quasi-likelihood GLS, AR
  coefficients and dispersion by REML, dispersion floored at 1, Satterthwaite df (see
  :mod:`.glmar`): the family for monthly counts whose months are correlated.
- ``negbin``: negative binomial (NB2: ``Var = mu + alpha mu^2``) by maximum likelihood.

Every family reports ``dispersion = X2 / (n - k)`` from its own Pearson residuals: the
residual variance for ``ols`` and ``glsar``, the quasi-Poisson scale (before the floor; REML
for ``quasipoisson_ar``), and an overdispersion check for ``poisson`` (well above 1:
overdispersed) and ``negbin`` (near 1 if it fits). ``scale`` is the dispersion the intervals
use.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    HessianInversionWarning,
    PerfectSeparationWarning,
)

from wellbeing_analysis.constants import ITS_GLMAR_MAX_ITER, ITS_GLMAR_TOL, ITS_NB_ALPHA_FLOOR
from wellbeing_analysis.its.design import Design
from wellbeing_analysis.its.glmar import fit_quasipoisson_ar
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
    #: The dispersion the intervals use (quasi-Poisson: floored at 1), if the family has one.
    scale: float | None = None
    #: Per-series dispersions of a controlled ITS (quasi-Poisson families), treated first.
    dispersion_by_series: tuple[float, ...] | None = None
    #: Whether the fitting algorithm reached its convergence criterion.
    converged: bool = True

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
        warnings.simplefilter("always", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in rejected NB steps
        result = fn()
    kinds = (ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning)
    msgs = list(dict.fromkeys(f"the {fn.__name__} fit reported: {w.message}" for w in caught
                              if issubclass(w.category, kinds)))
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
        model = OLS(y, X)
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
        res = OLS(g.whitened_endog, g.whitened_exog).fit()
        msgs = [f"the AR coefficient estimate reached the bound (partial autocorrelations "
                f"{np.round(g.pacf, 3).tolist()}): the errors may be non-stationary or the "
                "trend misspecified; degrees of freedom fall back to n - k"] if g.at_bound else []
        method = (f"GLS with AR({options.ar_order}) errors (REML), t tests with "
                  "Satterthwaite degrees of freedom")
        return ModelFit(**common, params=g.params, cov=g.cov, dispersion=g.sigma2,
                        pearson_chi2=g.sigma2 * (n - k), resid=res.resid, method=method,
                        ols_results=res, ar=g.ar, warnings=msgs, df_of=g.satterthwaite_df)

    if family == "quasipoisson_ar":
        t_block = prepared.t[used & prepared.treated]
        g = fit_quasipoisson_ar(X, y, offset, t_block=t_block, n_groups=prepared.n_series,
                                order=options.ar_order)
        res = OLS(g.gls.whitened_endog, g.gls.whitened_exog).fit()
        per = "per series, " if prepared.n_series > 1 else ""
        method = (f"quasi-Poisson GLM with AR({options.ar_order}) errors (quasi-likelihood "
                  f"GLS; AR coefficient and dispersion {per}by REML, dispersion at least 1), "
                  "t tests with Satterthwaite degrees of freedom")
        mu = g.mu
        x2 = float((((y - mu) ** 2) / mu).sum())
        return ModelFit(**common, params=g.params, cov=g.cov, dispersion=g.dispersion,
                        pearson_chi2=x2, resid=res.resid, method=method, ols_results=res,
                        ar=g.ar, warnings=g.warnings, df_of=g.gls.satterthwaite_df,
                        scale=max(g.dispersion, 1.0),
                        dispersion_by_series=(g.dispersion_by_series if prepared.n_series > 1
                                              else None),
                        converged=g.converged)

    if family in ("poisson", "quasipoisson"):
        def poisson():
            return GLM(y, X, family=families.Poisson(), offset=offset).fit()
        res, msgs = _caught(poisson)
        x2 = float(res.pearson_chi2)
        dispersion = x2 / (n - k)
        cov, scale, by_series = res.cov_params(), 1.0, None
        resid = res.resid_pearson
        method = "Poisson GLM"
        if family == "quasipoisson" and prepared.n_series == 1:
            scale = max(dispersion, 1.0)
            cov = cov * scale
            method = "quasi-Poisson GLM (dispersion = Pearson X2 / df, at least 1)"
        elif family == "quasipoisson":
            # series codes in order of appearance: the treated series (stacked first) is 0
            series = pd.factorize(prepared.series[used])[0]
            res, raw, floored, more = _per_series_quasipoisson(y, X, offset, series)
            msgs += more
            cov, scale = res.cov_params(), float(floored[0])
            resid = (y - res.mu) / np.sqrt(res.mu * floored[series])
            by_series = tuple(float(v) for v in raw)
            method = ("quasi-Poisson GLM (a dispersion per series = Pearson X2 / df, each at "
                      "least 1)")
        return ModelFit(**common, params=np.asarray(res.params), cov=np.asarray(cov),
                        dispersion=dispersion, pearson_chi2=x2, resid=np.asarray(resid),
                        method=method, warnings=msgs, scale=scale,
                        dispersion_by_series=by_series,
                        converged=not any("converge" in m for m in msgs))

    # negative binomial (NB2) by maximum likelihood: Newton from statsmodels' start values
    # (Poisson estimates and a moment estimate of alpha), BFGS if Newton fails
    poisson = GLM(y, X, family=families.Poisson(), offset=offset).fit()
    msgs: list[str] = []
    # The NB2 log-likelihood's slope in alpha at alpha = 0 is sum((y - mu)^2 - y) / 2 at the
    # Poisson fit (Cameron & Trivedi 1990): if it is not positive, the ML estimate of alpha is
    # its boundary 0, the Poisson model, and the NB fit is skipped.
    overdispersed = float(((y - poisson.mu) ** 2 - y).sum()) > 0
    for method in ("newton", "bfgs") if overdispersed else ():
        def negative_binomial(method=method):
            return NegativeBinomial(y, X, offset=offset, loglike_method="nb2").fit(
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


def _per_series_quasipoisson(y, X, offset, series: np.ndarray):
    """Quasi-Poisson with one dispersion per series (see the module docstring).

    Returns the final GLM results (variance weights ``1 / phi_g``, scale 1, so its
    covariance is ``(X' diag(mu / phi_g) X)^-1``), the estimated ``phi_g`` (before the floor),
    the floored ``phi_g`` per series and any convergence messages.
    """
    n_series = int(series.max()) + 1
    phi = np.ones(n_series)
    raw = phi
    msgs: list[str] = []
    for _ in range(ITS_GLMAR_MAX_ITER):  # a few reweighting steps, not a loop over rows
        def poisson(weights=1.0 / phi[series]):
            return GLM(y, X, family=families.Poisson(), offset=offset,
                          var_weights=weights).fit()
        res, msgs = _caught(poisson)
        r2 = (y - res.mu) ** 2 / res.mu
        h = res.get_hat_matrix_diag()
        rss = np.bincount(series, weights=r2, minlength=n_series)
        lev = np.bincount(series, weights=h, minlength=n_series)
        m = np.bincount(series, minlength=n_series)
        raw = rss / np.maximum(m - lev, 1e-12)
        new = np.maximum(raw, 1.0)
        done = np.max(np.abs(new - phi) / phi) < ITS_GLMAR_TOL
        phi = new
        if done:
            break
    def poisson_weighted():
        return GLM(y, X, family=families.Poisson(), offset=offset,
                      var_weights=1.0 / phi[series]).fit()
    res, more = _caught(poisson_weighted)
    return res, raw, phi, msgs + more
