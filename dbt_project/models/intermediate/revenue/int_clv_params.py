"""Fit the lifetime-value models; one row per model x segment x cohort x parameter.

BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, gamma) on order customers, pooled over segments
(segment and cohort `all`); the shifted-beta-geometric contract model (alpha, beta) on subscription
customers per segment and cohort year, per segment (cohort `all`) and pooled (`all`, `all`): the
predictions use the most specific fit available. A model without enough data (fewer than
MIN_CUSTOMERS order customers or repeaters, fewer than MIN_COHORT_CUSTOMERS in a cohort, fewer than
two subscription customers or no churn for the sBG) is left out rather than fitted to nothing.
Customers with identical inputs are fitted once with their count as weight (arvo.analytics).
"""

import pandas as pd

from arvo.analytics.clv import fit_bgnbd, fit_gamma_gamma
from arvo.analytics.contractual import fit_sbg

# Below this many customers a fit says nothing (the likelihood runs off to the boundary): leave it out.
MIN_CUSTOMERS = 10
# A cohort-year fit needs this many customers, else the segment's fit serves the cohort.
MIN_COHORT_CUSTOMERS = 30

COLUMNS = {
    "model": "object",
    "segment": "object",
    "cohort": "object",
    "parameter": "object",
    "value": "float64",
    "customers": "int64",
    "groups": "int64",
    "log_likelihood": "float64",
    "converged": "bool",
    "as_of": "datetime64[ns]",
    "period": "object",
}


def _rows(fit, segment, as_of, period, cohort="all"):
    return [
        {
            "model": fit.model,
            "segment": segment,
            "cohort": cohort,
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
        rows += _rows(fit_bgnbd(summary["frequency"], summary["recency"], summary["tenure"]), "all", as_of, period)
        repeaters = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        if len(repeaters) >= MIN_CUSTOMERS:
            gamma_gamma = fit_gamma_gamma(repeaters["frequency"], repeaters["monetary_value"].astype(float))
            rows += _rows(gamma_gamma, "all", as_of, period)
    # pooled, per segment, and per segment x cohort year (each the fallback of the next)
    lifetimes["cohort"] = pd.to_datetime(lifetimes["cohort_month"]).dt.year.astype(str)
    groups = [(("all", "all"), lifetimes, 2)]
    groups += [((segment, "all"), part, 2) for segment, part in lifetimes.groupby("segment")]
    groups += [(key, part, MIN_COHORT_CUSTOMERS) for key, part in lifetimes.groupby(["segment", "cohort"])]
    for (segment, cohort), customers, minimum in groups:
        churned = ~customers["is_active"].astype(bool)
        if len(customers) >= minimum and churned.any():
            fit = fit_sbg(customers["lifetime_months"], churned)
            as_of = pd.Timestamp(customers["as_of_date"].iloc[0])
            rows += _rows(fit, segment, as_of, "month", cohort)
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)
