"""One function per report section: the chart drawn from its data, a title stating what it shows, and a
one-line reading computed from the same data (which driver leads, where customers drop off, ...).

The readings are data-driven sentences, never fixed text: if the marts change, so do they.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from arvo.report import data as d
from arvo.report import fmt, svg

SEGMENT_COLOURS = {"B2B": svg.BLUE, "B2C": svg.VERMILLION, "all": svg.GREY}
MOVEMENT_COLOURS = {
    "new": svg.BLUE,
    "expansion": svg.GREEN,
    "reactivation": svg.SKY_BLUE,
    "contraction": svg.ORANGE,
    "churn": svg.VERMILLION,
}


@dataclass
class Chart:
    """One drawn chart; sections with several charts caption each (`note`: its own one-line reading)."""

    svg: str
    caption: str = ""
    note: str = ""


@dataclass
class Section:
    """A titled chart (or several) with its reading and the mart it comes from."""

    key: str
    title: str
    reading: str
    charts: list[Chart]
    source: str


def nps_section(rows: list[dict[str, Any]]) -> Section:
    months = sorted({r["month"] for r in rows})
    series = []
    for segment in ("B2B", "B2C", "all"):
        points = {
            r["month"]: svg.Point(
                r["nps"],
                r["nps"] - r["nps_moe_95"] if fmt.finite(r["nps_moe_95"]) else None,
                r["nps"] + r["nps_moe_95"] if fmt.finite(r["nps_moe_95"]) else None,
                bool(r["is_small_sample"]),
                f"{'All customers' if segment == 'all' else segment} {fmt.month_label(r['month'])}: NPS "
                f"{r['nps']:.1f} ± {r['nps_moe_95']:.1f} (n = {r['respondents']})"
                + (", small sample" if r["is_small_sample"] else ""),
            )
            for r in rows
            if r["segment"] == segment and fmt.finite(r["nps"])
        }
        if points:
            name = "All customers" if segment == "all" else segment
            series.append(
                svg.LineSeries(name, SEGMENT_COLOURS[segment], points, band=segment != "all", dashed=segment == "all")
            )
    chart = svg.line_band_chart(
        "chart-nps",
        "NPS by month per segment",
        "Net Promoter Score per survey month for B2B and B2C with 95% margin-of-error bands.",
        months,
        [fmt.month_label(m) for m in months],
        series,
        "NPS (points, −100 to 100)",
        lambda v: f"{v:.0f}",
        "Survey month",
        "Small sample (no band)",
    )
    return Section(
        "nps",
        "NPS by month: B2B and B2C with their 95% margin of error",
        nps_reading(rows),
        [Chart(chart)],
        "mart_nps",
    )


def nps_reading(rows: list[dict[str, Any]]) -> str:
    latest = {}
    for r in rows:
        if r["segment"] in d.SEGMENTS and fmt.finite(r["nps"]):
            latest[r["segment"]] = r  # rows are ordered by month
    if len(latest) < 2:
        return "Not enough survey months yet to compare the segments."
    b2b, b2c = latest["B2B"], latest["B2C"]
    gap = b2c["nps"] - b2b["nps"]
    combined = (b2b["nps_moe_95"] ** 2 + b2c["nps_moe_95"] ** 2) ** 0.5
    leader = "B2C" if gap > 0 else "B2B"
    verdict = "larger than the combined margin of error" if abs(gap) > combined else "within the margin of error"
    small = sum(1 for r in rows if r["segment"] in d.SEGMENTS and r["is_small_sample"])
    small_text = (
        f" {small} segment-month{'s' if small != 1 else ''} had a small sample (hollow markers)." if small else ""
    )
    return (
        f"In {fmt.month_label(b2c['month'])} B2C NPS was {b2c['nps']:.1f} (±{b2c['nps_moe_95']:.1f}) and "
        f"B2B {b2b['nps']:.1f} (±{b2b['nps_moe_95']:.1f}): {leader} leads by {abs(gap):.1f} points, "
        f"{verdict}.{small_text}"
    )


def value_profile_section(rows: list[dict[str, Any]]) -> Section:
    by_segment = {r["segment"]: r for r in rows}
    series = [
        svg.BarSeries(
            f"{seg} (n = {by_segment[seg]['customers']:,})",
            SEGMENT_COLOURS[seg],
            {t: by_segment[seg][t] for t in d.VALUE_TYPES},
            {t: f"{seg}, {fmt.VALUE_TYPE_LABELS[t]}: {by_segment[seg][t]:.1f} of 100" for t in d.VALUE_TYPES},
        )
        for seg in d.SEGMENTS
        if seg in by_segment
    ]
    chart = svg.grouped_bars(
        "chart-value-profile",
        "Value-type profile, B2B vs B2C",
        "Mean rating of each of the five value types per segment, customers at their latest response.",
        [(t, fmt.VALUE_TYPE_LABELS[t]) for t in d.VALUE_TYPES],
        series,
        "Mean rating (score 0–100)",
        lambda v: f"{v:.0f}",
        lambda v: f"{v:.0f}",
        x_title="Value type",
        y_max=100,
    )
    return Section(
        "value-profile",
        "What customers value: mean rating of the five value types, B2B vs B2C",
        value_profile_reading(by_segment),
        [Chart(chart)],
        "mart_customer_value",
    )


def value_profile_reading(by_segment: dict[str, dict[str, Any]]) -> str:
    if not by_segment:
        return "No survey answers yet."
    if not all(s in by_segment for s in d.SEGMENTS):
        return "Only one segment has survey answers so far."
    tops = {s: max(d.VALUE_TYPES, key=lambda t, s=s: by_segment[s][t]) for s in d.SEGMENTS}
    gaps = {t: by_segment["B2B"][t] - by_segment["B2C"][t] for t in d.VALUE_TYPES}
    widest = max(gaps, key=lambda t: abs(gaps[t]))
    higher = "B2B" if gaps[widest] > 0 else "B2C"
    return (
        f"B2B customers rate {fmt.VALUE_TYPE_LABELS[tops['B2B']].lower()} value highest "
        f"({by_segment['B2B'][tops['B2B']]:.0f}/100), B2C customers {fmt.VALUE_TYPE_LABELS[tops['B2C']].lower()} value "
        f"({by_segment['B2C'][tops['B2C']]:.0f}/100); the widest gap is {fmt.VALUE_TYPE_LABELS[widest].lower()} "
        f"value, {abs(gaps[widest]):.0f} points higher in {higher}."
    )


def funnel_section(rows: list[dict[str, Any]]) -> Section:
    panels = []
    for seg in d.SEGMENTS:
        mine = [r for r in rows if r["segment"] == seg]
        steps = [
            svg.FunnelStep(r["driver"], fmt.LADDER_LABELS[r["driver"]], r["share"], r["customers"], r["drop_off"])
            for r in mine
        ]
        if steps:
            panels.append((f"{seg} (n = {mine[0]['customers_surveyed']:,} surveyed)", SEGMENT_COLOURS[seg], steps))
    chart = svg.funnel(
        "chart-ladder-funnel",
        "Value-ladder funnel per segment",
        "Share of surveyed customers reaching each value-ladder step (with every step below it), and the "
        "drop-off between steps.",
        panels,
    )
    return Section(
        "ladder-funnel",
        "The value ladder: share of customers reaching each step, and where they drop off",
        funnel_reading(rows),
        [Chart(chart)],
        "mart_customer_value",
    )


def funnel_reading(rows: list[dict[str, Any]]) -> str:
    if not any(r["customers_surveyed"] for r in rows):
        return "No ladder answers yet."
    last = {r["segment"]: r for r in rows if r["step"] == len(d.LADDER_STEPS)}
    worst = max((r for r in rows if r["step"] > 1), key=lambda r: r["drop_off"])
    previous = fmt.LADDER_LABELS[d.LADDER_STEPS[worst["step"] - 2]].lower()
    reach = " and ".join(f"{fmt.pct(r['share'])} of {s}" for s, r in sorted(last.items()))
    return (
        f"{reach} customers reach fulfilment, the top step; the steepest drop-off is from {previous} to "
        f"{fmt.LADDER_LABELS[worst['driver']].lower()} in {worst['segment']} "
        f"({fmt.pct(worst['drop_off'])} of those at {previous} go no further)."
    )


def retention_section(rows: list[dict[str, Any]]) -> Section:
    charts = []
    for metric, label, fmt_axis, reference in (
        ("retention_rate_12m", "12-month retention (% of customers)", lambda v: f"{v * 100:.0f}%", None),
        (
            "net_revenue_retention_12m",
            "12-month net revenue retention (%)",
            lambda v: f"{v * 100:.0f}%",
            (1.0, "100% = revenue kept"),
        ),
    ):
        for dimension, dim_label in (("nps_category", "NPS category"), ("ladder_position", "ladder position")):
            bands = d.BAND_ORDER[dimension]
            series = []
            for seg in d.SEGMENTS:
                values = {r["band"]: r[metric] for r in rows if r["segment"] == seg and r["dimension"] == dimension}
                notes = {band: f"{seg}, {fmt.BAND_LABELS[band]}: {fmt.pct(value, 1)}" for band, value in values.items()}
                if values:
                    series.append(svg.BarSeries(seg, SEGMENT_COLOURS[seg], values, notes))
            caption = f"{label.split(' (')[0]} by {dim_label}"
            charts.append(
                Chart(
                    svg.grouped_bars(
                        f"chart-{metric.replace('_', '-')}-by-{dimension.replace('_', '-')}",
                        f"{label} by {dim_label}",
                        f"{label} per segment for each {dim_label}.",
                        [(b, fmt.BAND_LABELS[b]) for b in bands],
                        series,
                        label,
                        fmt_axis,
                        lambda v: f"{v * 100:.0f}%",
                        x_title=dim_label[0].upper() + dim_label[1:],
                        y_max=1.0,
                        reference=reference,
                        width=470,
                        height=330,
                    ),
                    caption,
                )
            )
    return Section(
        "retention",
        "Retention and net revenue retention over 12 months, by NPS category and by ladder position",
        retention_reading(rows),
        charts,
        "mart_value_retention",
    )


def retention_reading(rows: list[dict[str, Any]]) -> str:
    def rate(seg: str, band: str, metric: str) -> float | None:
        return next((r[metric] for r in rows if r["segment"] == seg and r["band"] == band), None)

    spreads = []
    for seg in d.SEGMENTS:
        promoter, detractor = rate(seg, "promoter", "retention_rate_12m"), rate(seg, "detractor", "retention_rate_12m")
        if promoter is not None and detractor is not None:
            spreads.append((promoter - detractor, seg, promoter, detractor))
    if not spreads:
        return "No 12-month outcomes are known yet."
    _, seg, promoter, detractor = max(spreads)
    text = (
        f"{fmt.pct(promoter)} of {seg} promoters are still customers 12 months on, against {fmt.pct(detractor)} "
        "of detractors"
    )
    proven, below = (
        rate(seg, "proven", "net_revenue_retention_12m"),
        rate(seg, "below_parity", "net_revenue_retention_12m"),
    )
    if proven is not None and below is not None:
        text += (
            f"; {seg} customers at the proven ladder position keep {fmt.pct(proven)} of their revenue, "
            f"those below parity {fmt.pct(below)}"
        )
    return text + "."


def cohort_section(rows: list[dict[str, Any]]) -> Section:
    cohorts = sorted({r["cohort_month"] for r in rows})
    months = sorted({r["months_since_start"] for r in rows})
    values = {
        (r["cohort_month"], r["months_since_start"]): r["net_revenue_retention"]
        for r in rows
        if fmt.finite(r["net_revenue_retention"])
    }
    notes = {
        (r["cohort_month"], r["months_since_start"]): f"Cohort {fmt.month_label(r['cohort_month'])}, month "
        f"{r['months_since_start']}: NRR {fmt.pct(r['net_revenue_retention'] or 0, 1)} "
        f"({r['customers_start']} customers)"
        for r in rows
    }
    chart = svg.heat_map(
        "chart-nrr-cohorts",
        "Net revenue retention by start cohort",
        "Heat map of net revenue retention (MRR now over MRR at start) per start cohort and month since start.",
        cohorts,
        [fmt.month_label(c) for c in cohorts],
        months,
        values,
        notes,
        svg.diverging_colour,
        [(0.5, "≤ 50%"), (0.75, "75%"), (1.0, "100%"), (1.5, "150%"), (2.0, "≥ 200%")],
        "Months since the cohort's first revenue",
        "Start cohort (month of first revenue)",
        "net_revenue_retention",
    )
    segment = rows[0]["segment"] if rows else "all"
    return Section(
        "nrr-cohorts",
        "Net revenue retention by cohort: MRR kept and grown, month by month since start",
        cohort_reading(rows),
        [Chart(chart)],
        f"mart_revenue_retention (segment {segment})",
    )


def cohort_reading(rows: list[dict[str, Any]]) -> str:
    at = [r for r in rows if r["months_since_start"] == 12 and fmt.finite(r["net_revenue_retention"])]
    if not at:
        return "No cohort is 12 months old yet."
    nrr = [r["net_revenue_retention"] for r in at]
    growing = sum(1 for v in nrr if v > 1.0)
    best = max(at, key=lambda r: r["net_revenue_retention"])
    return (
        f"After 12 months the {len(at)} cohorts keep a median {fmt.pct(statistics.median(nrr))} of their starting "
        f"MRR (range {fmt.pct(min(nrr))}–{fmt.pct(max(nrr))}); {growing} of {len(at)} grew past 100%, best "
        f"{fmt.month_label(best['cohort_month'])}."
    )


def clv_section(rows: list[dict[str, Any]]) -> Section:
    keys = [label for label, _, _ in d.CLV_BANDS]
    series = [
        svg.BarSeries(
            f"{r['segment']} (n = {r['customers']:,}, median {fmt.eur(r['median_eur'])})",
            SEGMENT_COLOURS[r["segment"]],
            {b["band"]: b["share"] for b in r["bands"]},
            {
                b["band"]: f"{r['segment']}, {b['band']}: {b['customers']:,} customers ({fmt.pct(b['share'], 1)})"
                for b in r["bands"]
            },
        )
        for r in rows
    ]
    chart = svg.grouped_bars(
        "chart-clv-distribution",
        "Distribution of predicted customer lifetime value by segment",
        "Share of customers per predicted-CLV band (EUR, bands growing tenfold) for B2B and B2C.",
        [(k, k) for k in keys],
        series,
        "Customers (% of segment)",
        lambda v: f"{v * 100:.0f}%",
        lambda v: f"{v * 100:.0f}%",
        x_title="Predicted lifetime value (EUR, discounted)",
    )
    return Section(
        "clv",
        "Predicted customer lifetime value: how customers spread over value bands, per segment",
        clv_reading(rows),
        [Chart(chart)],
        "mart_customer_lifetime_value",
    )


def clv_reading(rows: list[dict[str, Any]]) -> str:
    by = {r["segment"]: r for r in rows}
    if not by:
        return "No predicted lifetime value yet."
    if not all(s in by for s in d.SEGMENTS):
        return "Predicted CLV is available for one segment only."
    b2b, b2c = by["B2B"], by["B2C"]
    ratio = b2b["mean_eur"] / b2c["mean_eur"] if b2c["mean_eur"] else float("inf")
    return (
        f"Median predicted CLV is {fmt.eur(b2b['median_eur'])} in B2B and {fmt.eur(b2c['median_eur'])} in B2C; "
        f"the average B2B customer ({fmt.eur(b2b['mean_eur'])}) is worth {ratio:,.0f}× the average B2C customer "
        f"({fmt.eur(b2c['mean_eur'])})."
    )


def drivers_section(rows: list[dict[str, Any]]) -> Section:
    """One ranking per segment x outcome. The mart leaves importance empty where too few customers
    answered (int_value_drivers: fewer than its minimum of complete responses); those get no chart and
    the reading names them."""
    charts = []
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["importance_pct"] is not None:
            grouped[(r["segment"], r["outcome"])].append(r)
    too_few = [(seg, outcome) for outcome in d.OUTCOMES for seg in d.SEGMENTS if (seg, outcome) not in grouped]
    x_max = max((r["importance_pct"] for ranked in grouped.values() for r in ranked), default=1.0)
    legend = [svg.LegendItem("Value type", svg.BLUE), svg.LegendItem("Ladder step", svg.ORANGE)]
    for row, outcome in enumerate(d.OUTCOMES):
        for seg in d.SEGMENTS:
            ranked = grouped.get((seg, outcome), [])
            if not ranked:
                continue
            bars = [
                svg.HBar(
                    r["driver"],
                    fmt.driver_label(r["driver"]),
                    r["importance_pct"],
                    svg.BLUE if r["driver"] in d.VALUE_TYPES else svg.ORANGE,
                    f"{fmt.driver_label(r['driver'])}: {r['importance_pct']:.1f}% of explained variance, "
                    f"correlation {'n/a' if r['correlation'] is None else format(r['correlation'], '.2f')} "
                    f"(n = {r['respondents']:,})",
                )
                for r in ranked
            ]
            charts.append(
                Chart(
                    svg.hbars(
                        f"chart-drivers-{seg.lower()}-{outcome.replace('_', '-')}",
                        f"{seg} · {fmt.OUTCOME_LABELS[outcome]}",
                        f"Relative importance of each value driver for {fmt.OUTCOME_LABELS[outcome]} in {seg}; "
                        f"{driver_lead(ranked)}.",
                        bars,
                        f"{seg}|{outcome}",
                        "Relative importance (% of explained variance)",
                        lambda v: f"{v:.0f}%",
                        x_max,
                        legend if row == 0 else (),
                    ),
                    f"{seg} · {fmt.OUTCOME_LABELS[outcome]}",
                    f"{fmt.driver_label(ranked[0]['driver'])} leads with {ranked[0]['importance_pct']:.0f}% "
                    f"(n = {ranked[0]['respondents']:,})",
                )
            )
    reading = drivers_reading(grouped)
    if grouped and too_few:
        named = ", ".join(f"{fmt.OUTCOME_LABELS[outcome]} in {seg}" for seg, outcome in too_few)
        reading += f" Too few complete responses yet for the drivers of {named}."
    return Section(
        "drivers",
        "What drives the outcomes: relative importance of each value type and ladder step, per segment",
        reading,
        charts,
        "mart_value_drivers",
    )


def driver_lead(ranked: list[dict[str, Any]]) -> str:
    top = ranked[0]
    return f"{fmt.driver_label(top['driver'])} leads ({top['importance_pct']:.0f}% of explained variance)"


def drivers_reading(grouped: dict[tuple[str, str], list[dict[str, Any]]]) -> str:
    sentences = []
    for outcome in ("nps", "retention_12m"):
        leads = [
            f"{fmt.driver_phrase(grouped[(seg, outcome)][0]['driver'])} in {seg} "
            f"({grouped[(seg, outcome)][0]['importance_pct']:.0f}% of explained variance)"
            for seg in d.SEGMENTS
            if grouped.get((seg, outcome))
        ]
        if leads:
            sentences.append(f"{fmt.OUTCOME_LABELS[outcome]} is led by " + " and by ".join(leads))
    return (". ".join(sentences) + ".") if sentences else "No driver analysis yet."


def mrr_section(rows: list[dict[str, Any]]) -> Section:
    months = [r["month"] for r in rows]
    series = [
        svg.BarSeries(
            m.capitalize(),
            MOVEMENT_COLOURS[m],
            {r["month"]: r[m] for r in rows},
            {r["month"]: f"{fmt.month_label(r['month'])}, {m}: {fmt.eur(r[m])}" for r in rows},
        )
        for m in d.MRR_MOVEMENTS
    ]
    net = {r["month"]: sum(r[m] for m in d.MRR_MOVEMENTS) for r in rows}
    chart = svg.diverging_stack(
        "chart-mrr-movements",
        "MRR movements by month",
        "Monthly recurring revenue added (new, expansion, reactivation) and lost (contraction, churn), "
        "with the net change.",
        months,
        [fmt.month_label(m) for m in months],
        series,
        net,
        "MRR change (EUR per month)",
        fmt.eur_short,
        "Month",
    )
    return Section(
        "mrr-movements",
        "MRR movements by month: new, expansion, reactivation, contraction and churn",
        mrr_reading(rows),
        [Chart(chart)],
        "fct_mrr",
    )


def mrr_reading(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No recurring revenue yet."
    last = rows[-12:]
    totals = {m: sum(r[m] for r in last) for m in d.MRR_MOVEMENTS}
    net = sum(totals.values())
    return (
        f"In the last {len(last)} months ({fmt.month_label(last[0]['month'])}–{fmt.month_label(last[-1]['month'])})"
        f" new business added {fmt.eur(totals['new'])} of MRR, expansion {fmt.eur(totals['expansion'])} and "
        f"reactivation {fmt.eur(totals['reactivation'])}; churn took {fmt.eur(-totals['churn'])} and contraction "
        f"{fmt.eur(-totals['contraction'])}: net {'+' if net >= 0 else ''}{fmt.eur(net)}."
    )
