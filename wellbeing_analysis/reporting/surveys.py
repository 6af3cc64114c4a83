"""Survey sections of the reports: local wellbeing survey instruments, the pulse and NHS
Staff Survey, joy at work, and reasons for leaving and staying. Every table here comes from
``wellbeing_analysis.instruments`` already disclosure-controlled; the blocks re-apply the
same rule (idempotent) and mark count cells for the privacy tests."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from wellbeing_analysis.disclosure import numeric
from wellbeing_analysis.reporting import blocks as b

#: Local survey instruments in the order reports show them.
INSTRUMENT_ORDER = ("psafe", "bpns", "olbi", "swemwbs", "wemwbs", "wrqol")
def _instruments_present(survey: pd.DataFrame) -> list[str]:
    from wellbeing_analysis.instruments import get_instrument

    present = []
    for name in INSTRUMENT_ORDER:
        cols = [c for c in get_instrument(name).all_columns if c in survey.columns]
        if cols and survey[cols].notna().any().any():
            present.append(name)
    return present


def _intervention_marks(ctx) -> dict:
    """The evaluated intervention's start, name and phase-in, to mark on survey charts."""
    ev = ctx.params.evaluation
    if ev is None or not ctx.service.has("interventions"):
        return {}
    iv = ctx.service.table("interventions")
    row = iv[iv["intervention_id"] == ev.intervention]
    if row.empty:
        return {}
    r = row.iloc[0]
    return {"intervention_date": r["start_date"], "intervention_name": str(r["name"]),
            "phase_in_months": int(r["phase_in_months"])}


def _figure(ax, alt: str, caption: str | None = None) -> b.Block:
    return b.figure(ax.figure, alt=alt, caption=caption)


#: The headline measure charted for each instrument (its first score key otherwise).
HEADLINE = {"olbi": "exhaustion", "bpns": "relatedness", "swemwbs": "metric",
            "nss_engagement": "engagement"}


def _summaries(ctx, table: str, names: list[str]) -> dict:
    from wellbeing_analysis.instruments import summarise_scores

    data = ctx.service.table(table)
    k = ctx.params.disclosure.min_survey_group
    with ctx.capture_warnings():
        return {n: summarise_scores(data, n, min_group_size=k) for n in names}


def _headline(summary, name: str) -> str:
    keys = summary.instrument.score_keys
    return HEADLINE[name] if HEADLINE.get(name) in keys else keys[0]


def _trend_figure(ctx, summaries: dict) -> b.Block:
    """One panel per instrument: its headline measure by wave with 95% CIs."""
    from wellbeing_analysis.style import FIGSIZE

    names = list(summaries)
    cols = 2 if len(names) > 1 else 1
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, squeeze=False, layout="constrained",
                             figsize=(FIGSIZE[0], 2.9 * rows))
    alt = []
    for ax, name in zip(axes.flat, names, strict=False):
        summary = summaries[name]
        measure = _headline(summary, name)
        summary.plot(ax=ax, measure=measure, **_intervention_marks(ctx))
        ax.set_title(summary.instrument.label_of(measure), fontsize=10)
        ax.set_xlabel("")
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        t = numeric(summary.table, ["mean"])
        t = t[(t["measure"] == measure) & t["mean"].notna()]
        if len(t):
            alt.append(f"{summary.instrument.label_of(measure)} {t['mean'].iloc[-1]:.2f} in the "
                       f"latest wave ({len(t)} waves)")
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle("Survey scores by wave (mean with 95% confidence interval)", fontsize=12,
                 fontweight="bold", x=0.01, ha="left")
    return b.figure(fig, alt="Small charts of survey scores by wave. " + "; ".join(alt) + ".")


def _latest_table(ctx, summaries: dict, caption: str, *, headline_only: bool) -> b.Block:
    k = ctx.params.disclosure.min_survey_group
    parts = []
    for name, summary in summaries.items():
        latest = summary.summary()
        if headline_only:
            latest = latest[latest["label"] == summary.instrument.label_of(
                _headline(summary, name))]
        if latest.empty:
            continue
        latest = latest.rename(columns={"label": "measure"})
        latest.insert(0, "wave", pd.to_datetime(latest.pop("wave_date")).dt.strftime("%b %Y"))
        latest.insert(0, "survey", summary.instrument.title)
        parts.append(latest)
    if not parts:
        return b.paragraph("No responses to score.")
    table = pd.concat(parts, ignore_index=True)
    mean_col = next(c for c in table.columns if c.startswith("mean"))
    return b.table(table, caption=caption, count_columns=["n"], threshold=k,
                   derived_columns=[mean_col, "alpha"], secondary=False)


def _changes_table(ctx, names: list[str]) -> b.Block | None:
    from wellbeing_analysis.instruments import get_instrument, wave_changes

    survey = ctx.service.table("wellbeing_survey")
    k = ctx.params.disclosure.min_survey_group
    parts = []
    with ctx.capture_warnings():
        for name in names:
            ch = wave_changes(survey, name, min_group_size=k).summary()
            if ch.empty:
                continue
            ch = ch[ch["to"] == ch["to"].max()].rename(columns={"label": "measure"})
            ch.insert(0, "survey", get_instrument(name).title)
            parts.append(ch)
    if not parts:
        return None
    t = pd.concat(parts, ignore_index=True)
    for c in ("from", "to"):
        t[c] = pd.to_datetime(t[c]).dt.strftime("%b %Y")
    change_col = next(c for c in t.columns if c.startswith("change"))
    return b.table(t, caption="Change since the previous wave: a difference with its 95% "
                   "confidence interval (if the interval includes 0, the change may be chance)",
                   count_columns=["n_from", "n_to"], threshold=k, derived_columns=[change_col],
                   secondary=False)


def _psafe_block(ctx) -> b.Block:
    from wellbeing_analysis.instruments import item_distribution, summarise_scores

    survey = ctx.service.table("wellbeing_survey")
    k = ctx.params.disclosure.min_survey_group
    wave = survey["wave_date"].max()
    with ctx.capture_warnings():
        dist = item_distribution(survey, "psafe", min_group_size=k)
        team = summarise_scores(survey[survey["wave_date"] == wave], "psafe",
                                by=("wave_date", "team"), min_group_size=k).summary()
    parts = [b.heading("Psychological safety, statement by statement", 3, "survey-psafe")]
    top = dist.least_favourable()
    if "wave_date" in top and len(top):
        top = top[top["wave_date"] == top["wave_date"].max()]
    if len(top):
        row = top.iloc[-1]
        statement = row["statement"] if "statement" in row else row["item"]
        how = ("agreed with it" if bool(row.get("reversed", False)) else "disagreed with it")
        parts.append(b.callout(
            f"The statement with the least favourable answers: \"{statement}\" — "
            f"{float(row['pct_unfavourable']):.0f}% of staff {how}, the unfavourable answer.",
            title="Psychological safety"))
    parts.append(b.figure(dist.plot().figure, alt="Bar chart of the share of staff answering "
                          "each psychological safety statement favourably, neutrally and "
                          "unfavourably in the latest wave (disagreeing with a negatively "
                          "worded statement counts as favourable)."))
    if not team.empty:
        team = team.drop(columns=["wave_date"]).rename(columns={"label": "measure"})
        mean_col = next(c for c in team.columns if c.startswith("mean"))
        parts.append(b.table(team, caption=f"Psychological safety by team, {wave:%B %Y} (teams "
                             f"with fewer than {k} responses are not shown)",
                             count_columns=["n"], threshold=k,
                             derived_columns=[mean_col, "alpha"]))
    return b.join(parts)


def _olbi_block(ctx, summary) -> b.Block | None:
    cut = summary.cutoffs
    if cut is None or cut.empty:
        return None
    cut = cut[cut["wave_date"] == cut["wave_date"].max()] if "wave_date" in cut else cut
    names = {"label": "measure", "n": "responses", "n_meeting": "meeting the cut-off",
             "pct": "% meeting", "ci_low": "95% CI from", "ci_high": "95% CI to"}
    table = cut[[c for c in names if c in cut.columns]].rename(columns=names)
    counts = [c for c in ("responses", "meeting the cut-off") if c in table.columns]
    derived = [c for c in ("% meeting", "95% CI from", "95% CI to") if c in table.columns]
    return b.table(table, caption="Burnout (Oldenburg Burnout Inventory): share meeting "
                   "the published cut-offs in the latest wave, with 95% confidence intervals",
                   count_columns=counts, threshold=ctx.params.disclosure.min_survey_group,
                   derived_columns=derived, formats={c: ".0f" for c in derived},
                   secondary=False)


def _local_survey_block(ctx) -> b.Block:
    names = _instruments_present(ctx.service.table("wellbeing_survey"))
    summaries = _summaries(ctx, "wellbeing_survey", names)
    if ctx.service.has("pulse_survey"):
        summaries.update(_summaries(ctx, "pulse_survey", ["nss_engagement"]))
    parts = [
        b.paragraph("Scores are means with 95% confidence intervals; breakdowns need at least "
                    f"{ctx.params.disclosure.min_survey_group} responses. Alpha is Cronbach's "
                    "alpha (internal consistency; 0.7 or more is usually acceptable)."),
        _trend_figure(ctx, summaries),
        _latest_table(ctx, summaries, "Latest wave of each survey (headline measures): mean "
                      "with 95% confidence interval, responses scored and Cronbach's alpha",
                      headline_only=True),
        b.details("Every subscale of every survey", _latest_table(
            ctx, summaries, "Latest wave of each survey, every measure", headline_only=False)),
        _changes_table(ctx, names),
    ]
    if "olbi" in summaries:
        parts.append(_olbi_block(ctx, summaries["olbi"]))
    if "psafe" in names:
        parts.append(_psafe_block(ctx))
    return b.join(parts)


def _nss_block(ctx) -> b.Block:
    from wellbeing_analysis.instruments import highlighted_questions, staff_survey_trend

    k = ctx.params.disclosure.min_survey_group
    results = ctx.service.table("staff_survey_results")
    themes = staff_survey_trend(results, measure_type="theme", min_group_size=k)
    parts = [b.heading("NHS Staff Survey", 3, "survey-nss")]
    if not themes.table.empty:
        parts.append(_figure(themes.plot(), "Line chart of NHS Staff Survey theme scores by "
                             "year with the comparator average dashed."))
        latest = themes.summary()
        cols = [c for c in ("year", "measure", "value", "comparator_average", "comparator_best",
                            "comparator_worst", "responses") if c in latest.columns]
        parts.append(b.table(latest[cols], caption="Latest NHS Staff Survey theme scores "
                             "against the comparator group", count_columns=["responses"],
                             threshold=k, derived_columns=["value"], secondary=False,
                             formats={"value": ".1f", "comparator_average": ".1f",
                                      "comparator_best": ".1f", "comparator_worst": ".1f",
                                      "year": "d"}))
    hq = highlighted_questions(results, min_group_size=k)
    if not hq.table.empty:
        t = hq.table
        wide = numeric(t, ["value"]).pivot_table(index="measure", columns="year",
                                                 values="value", aggfunc="first")
        wide.columns = [str(int(c)) for c in wide.columns]
        parts.append(b.table(wide.reset_index(), caption="The strategy's highlighted questions "
                             "(autonomy and control 3d, 3e, 3f; line management 9c; "
                             "compassionate leadership 9f), tracked across renumbering",
                             suppress=False, formats={c: ".1f" for c in wide.columns}))
        for note in hq.notes:
            parts.append(b.paragraph(note, css="muted"))
    return b.join(parts)


def _joy_block(ctx) -> b.Block:
    from wellbeing_analysis.instruments import joy_proportion

    with ctx.capture_warnings():
        joy = joy_proportion(ctx.service.table("joy_tallies"), freq="M",
                             threshold=ctx.threshold)
    s = joy.summary().iloc[0]
    text = (f"In {pd.Timestamp(s['latest_period']):%B %Y}, {s['latest_pct_good']:.0f}% of "
            f"marbles were 'good day' marbles (median over all months "
            f"{s['median_pct_good']:.0f}%).")
    ax = joy.plot(**_intervention_marks(ctx))
    return b.join([b.heading("Joy at work", 3, "survey-joy"), b.paragraph(text),
                   _figure(ax, "Run chart of the monthly share of good-day marbles with its "
                               "median. " + text)])


def survey_section(ctx) -> b.Block:
    """Everything the baseline report shows about staff experience surveys."""
    parts = []
    if ctx.service.has("wellbeing_survey"):
        parts.append(_local_survey_block(ctx))
    if ctx.service.has("staff_survey_results"):
        parts.append(_nss_block(ctx))
    if ctx.service.has("joy_tallies"):
        parts.append(_joy_block(ctx))
    if not parts:
        parts.append(b.paragraph("No survey data were supplied (wellbeing_survey.csv, "
                                 "pulse_survey.csv, staff_survey_results.csv, joy_tallies.csv)."))
    return b.join(parts)


def exit_stay_block(ctx, *, since: pd.Timestamp) -> b.Block:
    """Reasons for leaving and staying: top voluntary leavers' reasons and stay reasons."""
    from wellbeing_analysis.instruments import reason_counts, top_reasons

    if not ctx.service.has("exit_stay_reasons"):
        return b.paragraph("No exit or stay reasons were supplied (exit_stay_reasons.csv).")
    reasons = ctx.service.table("exit_stay_reasons")
    k = ctx.threshold
    parts = [b.heading("Why staff leave and why they stay", 3, "exit-stay")]
    with ctx.capture_warnings():
        leave = top_reasons(reasons, kind="leaving", voluntary_only=True, since=since,
                            threshold=k)
        stay = top_reasons(reasons, kind="staying", voluntary_only=False, since=since,
                           threshold=k)
        by_year = reason_counts(reasons, kind="leaving", period="Y", threshold=k)
    for res, caption in ((leave, "Voluntary leavers' most cited reasons"),
                         (stay, "Most cited reasons for staying")):
        if res.table.empty:
            continue
        t = res.table[["rank", "category", "count", "share"]]
        parts.append(b.table(t, caption=f"{caption} since {since:%B %Y} (a person may give "
                             "several reasons)", count_columns=["count"], threshold=k,
                             derived_columns=["share"], formats={"share": ".0f"},
                             secondary=False))
    if not by_year.table.empty:
        parts.append(_figure(by_year.plot(), "Chart of the share of leavers citing each of the "
                             "top reasons, by year. Small counts are not shown."))
    parts.append(b.paragraph("Free-text comments are never shown in reports.", css="muted"))
    return b.join(parts)
