"""Fit the lifetime-value models and return their parameters, one row per model x segment x parameter.

BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, gamma) on order customers, pooled over segments;
the shifted-beta-geometric contract model (alpha, beta) on subscription customers per segment and
pooled (segment `all`). A model without enough data (fewer than MIN_CUSTOMERS order customers or
repeaters, fewer than two subscription customers or no churn for the sBG) is left out rather than
fitted to nothing; its customers then get a null prediction.
Customers with identical inputs are fitted once with their count as weight (arvo.analytics).
"""

import pandas as pd

from arvo.analytics.clv import fit_bgnbd, fit_gamma_gamma
from arvo.analytics.contractual import fit_sbg

# Below this many customers a fit says nothing (the likelihood runs off to the boundary): leave it out.
MIN_CUSTOMERS = 10

COLUMNS = {
    "model": "object",
    "segment": "object",
    "parameter": "object",
    "value": "float64",
    "customers": "int64",
    "groups": "int64",
    "log_likelihood": "float64",
    "converged": "bool",
    "as_of": "datetime64[ns]",
    "period": "object",
}


def _rows(fit, segment, as_of, period):
    return [
        {
            "model": fit.model,
            "segment": segment,
            "parameter": name,
            "value": value,
            "customers": fit.customers,
            "groups": fit.groups,
            "log_likelihood": fit.log_likelihood,
            "converged": fit.converged,
            "as_of": as_of,
            "period": period,
        }
        for name, value in fit.params.items()
    ]


def model(dbt, session):
    dbt.config(materialized="table")
    period = dbt.config.get("clv_period")
    summary = dbt.ref("int_clv_customer_summary").df()
    lifetimes = dbt.ref("int_clv_subscription_lifetimes").df()

    rows = []
    if len(summary) >= MIN_CUSTOMERS:
        as_of = pd.Timestamp(summary["clv_as_of_date"].iloc[0])
        rows += _rows(
            fit_bgnbd(summary["frequency"], summary["recency"], summary["tenure"]), "all", as_of, period
        )
        repeaters = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        if len(repeaters) >= MIN_CUSTOMERS:
            gamma_gamma = fit_gamma_gamma(repeaters["frequency"], repeaters["monetary_value"].astype(float))
            rows += _rows(gamma_gamma, "all", as_of, period)
    # per segment, and pooled ("all") as the fallback for a segment without observed churn
    groups = [("all", lifetimes), *lifetimes.groupby("segment")]
    for segment, customers in groups:
        churned = ~customers["is_active"].astype(bool)
        if len(customers) >= 2 and churned.any():
            fit = fit_sbg(customers["lifetime_months"], churned)
            rows += _rows(fit, segment, pd.Timestamp(customers["as_of_month"].iloc[0]), "month")
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)
