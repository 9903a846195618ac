"""The report's queries: one function per chart, each returning plain JSON-ready data from the snapshot.

Every number the report shows comes from one of these functions, and the same data is embedded in the
page as JSON, so a test (or a sceptical reader) can compare the page with SQL on the snapshot.
Months are ISO date strings, money is EUR as float, rates are fractions (1.0 = 100%).
"""

from __future__ import annotations

from typing import Any

import duckdb

# The marts the report reads; the dbt exposure `value_report` declares the same list (a test checks it).
MARTS_READ = (
    "dim_customers",
    "fct_mrr",
    "mart_customer_lifetime_value",
    "mart_customer_value",
    "mart_nps",
    "mart_revenue_retention",
    "mart_value_drivers",
    "mart_value_retention",
)

SEGMENTS = ("B2B", "B2C")
VALUE_TYPES = ("value_economic", "value_functional", "value_emotional", "value_social", "value_symbolic")
LADDER_STEPS = (
    "ladder_awareness",
    "ladder_understanding",
    "ladder_meaning",
    "ladder_differentiation",
    "ladder_fulfilment",
)
BAND_ORDER = {
    "nps_category": ("detractor", "passive", "promoter"),
    "ladder_position": ("below_parity", "parity", "advantage", "proven"),
}
OUTCOMES = ("nps", "retention_12m", "expansion_12m")
MRR_MOVEMENTS = ("new", "expansion", "reactivation", "contraction", "churn")
# Predicted CLV bands (EUR, lower bound inclusive): decades, because CLV spans five orders of magnitude.
CLV_BANDS = (
    ("< €1", 0.0, 1.0),
    ("€1–10", 1.0, 10.0),
    ("€10–100", 10.0, 100.0),
    ("€100–1k", 100.0, 1_000.0),
    ("€1k–10k", 1_000.0, 10_000.0),
    ("€10k–100k", 10_000.0, 100_000.0),
    ("≥ €100k", 100_000.0, None),
)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def kpis(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Headline figures: active customers, MRR of the last month, latest overall NPS, total predicted CLV."""
    active = con.execute("select count(*) from marts.dim_customers where lifecycle_status = 'active'").fetchone()
    mrr = con.execute(
        "select strftime(month, '%Y-%m-%d'), cast(sum(mrr_eur) as double) from marts.fct_mrr"
        " where month = (select max(month) from marts.fct_mrr) group by month"
    ).fetchone()
    nps = con.execute(
        "select strftime(period_month, '%Y-%m-%d'), nps, nps_moe_95, respondents from marts.mart_nps"
        " where segment = 'all' order by period_month desc limit 1"
    ).fetchone()
    clv = con.execute(
        "select cast(sum(predicted_clv_eur) as double), count(*) from marts.mart_customer_lifetime_value"
    ).fetchone()
    return {
        "active_customers": int(active[0]),
        "mrr_month": mrr[0] if mrr else None,
        "mrr_eur": mrr[1] if mrr else 0.0,
        "nps_month": nps[0] if nps else None,
        "nps": nps[1] if nps else None,
        "nps_moe_95": nps[2] if nps else None,
        "nps_respondents": int(nps[3]) if nps else 0,
        "predicted_clv_eur": clv[0] or 0.0,
        "clv_customers": int(clv[1]),
    }


def nps_by_month(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """NPS per month and segment (`B2B`, `B2C`, `all`) with its 95% margin of error and small-sample flag."""
    return _rows(
        con,
        "select strftime(period_month, '%Y-%m-%d') as month, segment, respondents, nps, nps_moe_95,"
        " is_small_sample from marts.mart_nps order by segment, period_month",
    )


def value_profile(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Mean score (0..100) of each value type per segment, over customers at their latest response."""
    selects = ", ".join(f"avg({c}) as {c}" for c in VALUE_TYPES)
    return _rows(
        con,
        f"select segment, count(*) as customers, {selects} from marts.mart_customer_value"
        " where segment in ('B2B', 'B2C') group by segment order by segment",
    )


def ladder_funnel(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per segment and ladder step: customers who reached the step (and every step below), share, drop-off.

    A customer's `ladder_step` is the highest step reached with all lower ones reached, so the customers at
    step k are those with `ladder_step >= k`; drop-off is the share of the previous step's customers lost.
    """
    out = []
    for segment in SEGMENTS:
        total, *reached = con.execute(
            "select count(*), "
            + ", ".join(f"count(*) filter (where ladder_step >= {k})" for k in range(1, len(LADDER_STEPS) + 1))
            + " from marts.mart_customer_value where segment = ? and ladder_step is not null",
            [segment],
        ).fetchone()
        previous = total
        for k, (step, customers) in enumerate(zip(LADDER_STEPS, reached, strict=True), start=1):
            out.append(
                {
                    "segment": segment,
                    "step": k,
                    "driver": step,
                    "customers_surveyed": int(total),
                    "customers": int(customers),
                    "share": customers / total if total else 0.0,
                    "drop_off": 1 - customers / previous if previous else 0.0,
                }
            )
            previous = customers
    return out


def retention_by_band(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """12-month retention and NRR per segment by NPS category and by ladder position."""
    rows = _rows(
        con,
        "select segment, dimension, band, customers, retention_rate_12m, net_revenue_retention_12m"
        " from marts.mart_value_retention where dimension in ('nps_category', 'ladder_position')",
    )

    def order(row: dict[str, Any]) -> tuple:
        bands = BAND_ORDER[row["dimension"]]
        rank = bands.index(row["band"]) if row["band"] in bands else len(bands)
        return (row["dimension"] != "nps_category", row["segment"], rank)

    return sorted(rows, key=order)


def nrr_by_cohort(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Net revenue retention per start cohort and months since start (all customers with MRR)."""
    segment = con.execute(
        "select case when count(*) filter (where segment = 'all') > 0 then 'all' else min(segment) end"
        " from marts.mart_revenue_retention"
    ).fetchone()[0]
    return _rows(
        con,
        "select strftime(cohort_month, '%Y-%m-%d') as cohort_month, segment, months_since_start,"
        " customers_start, net_revenue_retention from marts.mart_revenue_retention"
        " where segment = ? order by cohort_month, months_since_start",
        [segment],
    )


def clv_distribution(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per segment: customers per predicted-CLV band (count and share) plus median, mean and quartiles."""
    out = []
    for segment in SEGMENTS:
        stats = con.execute(
            "select count(*), median(predicted_clv_eur)::double, avg(predicted_clv_eur)::double,"
            " quantile_cont(predicted_clv_eur, 0.25)::double, quantile_cont(predicted_clv_eur, 0.75)::double"
            " from marts.mart_customer_lifetime_value where segment = ? and predicted_clv_eur is not null",
            [segment],
        ).fetchone()
        customers = int(stats[0])
        if not customers:
            continue
        bands = []
        for label, lo, hi in CLV_BANDS:
            condition = "predicted_clv_eur >= ?" + (" and predicted_clv_eur < ?" if hi is not None else "")
            params = [segment, lo] + ([hi] if hi is not None else [])
            count = con.execute(
                "select count(*) from marts.mart_customer_lifetime_value"
                f" where segment = ? and predicted_clv_eur is not null and {condition}",
                params,
            ).fetchone()[0]
            bands.append({"band": label, "customers": int(count), "share": count / customers})
        out.append(
            {
                "segment": segment,
                "customers": customers,
                "median_eur": stats[1],
                "mean_eur": stats[2],
                "p25_eur": stats[3],
                "p75_eur": stats[4],
                "bands": bands,
            }
        )
    return out


def value_drivers(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Relative importance (% of explained variance) of each driver per segment and outcome, ranked."""
    return _rows(
        con,
        "select segment, outcome, driver, importance_pct, correlation, respondents"
        " from marts.mart_value_drivers order by segment, outcome, importance_pct desc, driver",
    )


def mrr_movements(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per month: MRR change by movement (new, expansion, reactivation, contraction, churn) and total MRR."""
    sums = ", ".join(
        f"coalesce(sum(mrr_change_eur) filter (where change_category = '{m}'), 0)::double as {m}" for m in MRR_MOVEMENTS
    )
    return _rows(
        con,
        f"select strftime(month, '%Y-%m-%d') as month, {sums}, sum(mrr_eur)::double as mrr_eur"
        " from marts.fct_mrr group by month order by month",
    )
