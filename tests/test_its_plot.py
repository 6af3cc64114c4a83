"""Plots: inspect the drawn objects (not images)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from wellbeing_analysis.its import fit_its, plan_power
from wellbeing_analysis.style import NHS_BLUE, NHS_ORANGE


def title(ax) -> str:
    """The title wherever the style put it (apply_style() places titles on the left)."""
    return "".join(ax.get_title(loc=loc) for loc in ("left", "center", "right"))


def monthly(n=48, seed=81) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return pd.DataFrame({"month": pd.period_range("2020-04", periods=n, freq="M").astype(str),
                         "y": 4 + 0.01 * t - 0.5 * (t >= 24) + rng.normal(0, 0.2, n)})


def test_its_plot_draws_observed_fitted_counterfactual_and_lines():
    r = fit_its(monthly(), time="month", outcome="y", interruptions="2022-04", phase_in=1, family="ols")
    _, ax = plt.subplots()
    assert r.plot(ax=ax) is ax
    points = ax.collections[0]
    assert len(points.get_offsets()) == 48
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert to_hex(lines["fitted"].get_color()) == NHS_BLUE.lower()
    cf = lines["counterfactual (no change)"]
    assert cf.get_linestyle() == "--" and to_hex(cf.get_color()) == NHS_ORANGE.lower()
    assert len(cf.get_xdata()) == 24  # from the interruption on
    verticals = [ln for ln in ax.get_lines() if ln.get_label() == "interruption"]
    assert len(verticals) == 1
    assert "level change" in title(ax) and "2022-04" in title(ax)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "phase-in (not fitted)" in labels and "95% CI of the counterfactual" in labels


def test_log_link_title_reports_the_rate_ratio():
    rng = np.random.default_rng(82)
    data = pd.DataFrame({"t": np.arange(40), "lost": rng.poisson(200, 40).astype(float),
                         "avail": np.full(40, 4000.0)})
    ax = fit_its(data, time="t", outcome="lost", interruptions=20, family="poisson",
                 offset="avail").plot()
    assert "rate ratio" in title(ax)


def test_controlled_plot_shows_the_comparison():
    a, b = monthly(seed=83).assign(u="a"), monthly(seed=84).assign(u="b")
    r = fit_its(pd.concat([a, b], ignore_index=True), time="month", outcome="y",
                interruptions="2022-04", group="u", treated="a", family="ols")
    labels = [t.get_text() for t in r.plot().get_legend().get_texts()]
    assert "comparison (observed)" in labels and "comparison (fitted)" in labels


def test_acf_plot_has_one_stem_per_lag():
    r = fit_its(monthly(), time="month", outcome="y", interruptions="2022-04", family="ols")
    ax = r.plot_acf()
    assert len(ax.collections[0].get_segments()) == 12
    assert "Durbin-Watson" in title(ax)


def test_power_plot_has_one_line_per_effect():
    plan = plan_power(monthly(), time="month", outcome="y", n_post=(6, 12), n_sim=50,
                      effects=(0.0, 0.5, 1.0))
    ax = plan.plot()
    effect_lines = [ln for ln in ax.get_lines() if ln.get_label().startswith("change")]
    assert len(effect_lines) == 2  # the no-change row is not drawn
    assert any("target power" in ln.get_label() for ln in ax.get_lines())


def test_cumulative_effects_run_up_to_the_cumulative_effect():
    r = fit_its(monthly(), time="month", outcome="y", interruptions="2022-04", phase_in=2,
                family="ols")
    path = r.cumulative_effects()
    table = r.counterfactual()
    fitted_after = table[table["effect"].notna()]
    assert len(path) == 22  # 24 periods after the interruption, 2 of them phase-in
    # hand check: the running sum of the per-period effects, ending at the cumulative total
    assert np.allclose(path["cumulative_effect"], fitted_after["effect"].cumsum())
    total = r.cumulative_effect()
    assert np.isclose(path["cumulative_effect"].iloc[-1], total.estimate)
    assert np.isclose(path["cumulative_lower"].iloc[-1], total.ci_lower)
    assert np.isclose(path["cumulative_upper"].iloc[-1], total.ci_upper)
    # the first period's band is that period's own effect interval
    assert np.isclose(path["cumulative_lower"].iloc[0], fitted_after["effect_lower"].iloc[0])


def test_three_panels_shade_and_name_every_window():
    r = fit_its(monthly(), time="month", outcome="y", interruptions="2022-04", phase_in=2,
                family="ols")
    fig = r.plot_panels(windows=[("2020-09", "2021-02", "pandemic (adjusted for)")])
    axes = fig.axes
    assert len(axes) == 3
    assert "expected" in title(axes[1]) and "Cumulative" in title(axes[2])
    for ax in axes:
        texts = [t.get_text() for t in ax.texts]
        assert "pandemic (adjusted for)" in texts and "phase-in" in texts
        assert any(t.startswith("change: 2022-04") for t in texts)
        assert len(ax.patches) >= 2  # the two shaded windows
    effect_line = next(ln for ln in axes[1].get_lines() if ln.get_label() == "effect each period")
    assert len(effect_line.get_xdata()) == 22
    cumulative = next(ln for ln in axes[2].get_lines() if ln.get_label() == "cumulative effect")
    assert np.isclose(cumulative.get_ydata()[-1], r.cumulative_effect().estimate)


def test_power_plot_colours_meet_three_to_one_contrast():
    from wellbeing_analysis.style import contrast_ratio

    plan = plan_power(monthly(), time="month", outcome="y", n_post=(6, 12), n_sim=30,
                      effects=(0.0, 0.3, 0.6, 0.9))
    for line in plan.plot().get_lines():
        assert contrast_ratio(to_hex(line.get_color())) >= 3.0, line.get_label()
