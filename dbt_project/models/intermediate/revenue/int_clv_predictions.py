"""Per-customer lifetime value from the fitted models (int_clv_params).

Order customers: BG/NBD expected transactions and probability alive, Gamma-Gamma expected value,
discounted month by month. Subscription customers: sBG retention ahead (the fit of the segment and
cohort year, else of the segment, else the pooled one; non-converged fits are passed over) times
current MRR, discounted; expected remaining lifetime in months; for them expected_purchases_12m is
the expected number of billed months in the next 12. Horizons: 12 months and var clv_horizon_months; discount rate:
var clv_discount_rate_annual.
"""

import numpy as np
import pandas as pd

from arvo.analytics.clv import (
    bgnbd_discounted_value,
    bgnbd_expected_purchases,
    bgnbd_probability_alive,
    gamma_gamma_expected_value,
    periods_per_month,
)
from arvo.analytics.contractual import (
    choose_sbg_params,
    sbg_discounted_value,
    sbg_expected_remaining_months,
    sbg_retention_ahead,
)

COLUMNS = {
    "customer_id": "object",
    "segment": "object",
    "model": "object",
    "frequency": "float64",
    "recency": "float64",
    "tenure": "float64",
    "expected_purchases_12m": "float64",
    "probability_alive": "float64",
    "expected_avg_value_eur": "float64",
    "predicted_clv_12m_eur": "float64",
    "predicted_clv_eur": "float64",
    "expected_remaining_months": "float64",
    "current_mrr_eur": "float64",
}


def _params(params: pd.DataFrame, model: str) -> dict | None:
    """The pooled fit of an order-customer model (BG/NBD, Gamma-Gamma)."""
    chosen = params[(params["model"] == model) & (params["segment"] == "all") & (params["cohort"] == "all")]
    return None if chosen.empty else dict(zip(chosen["parameter"], chosen["value"], strict=True))


# What the order-customer models predict per customer (null where too few customers to fit them).
PREDICTIONS = (
    "expected_purchases_12m",
    "probability_alive",
    "expected_avg_value_eur",
    "predicted_clv_12m_eur",
    "predicted_clv_eur",
)


def _transactional(summary, params, horizon, rate, period):
    bgnbd = _params(params, "bg_nbd")
    gamma_gamma = _params(params, "gamma_gamma")
    if summary.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    x, t_x, tenure = (summary[c].to_numpy(float) for c in ("frequency", "recency", "tenure"))
    if bgnbd is None:
        # too few order customers to fit: the customers keep their row (the mart has one per customer
        # with revenue) and their observed history, with the predictions unknown
        predictions = dict.fromkeys(PREDICTIONS, np.full(x.size, np.nan))
    else:
        monetary = summary["monetary_value"].to_numpy(float)
        if gamma_gamma is not None and gamma_gamma["q"] > 1:
            value = gamma_gamma_expected_value(gamma_gamma, x, monetary)
        else:
            # without a usable Gamma-Gamma fit a repeater's own mean, never below 0 (credit notes)
            value = np.where(x > 0, np.maximum(np.nan_to_num(monetary), 0.0), np.nan)
        predictions = {
            "expected_purchases_12m": bgnbd_expected_purchases(bgnbd, 12 * periods_per_month(period), x, t_x, tenure),
            "probability_alive": bgnbd_probability_alive(bgnbd, x, t_x, tenure),
            "expected_avg_value_eur": value,
            "predicted_clv_12m_eur": bgnbd_discounted_value(bgnbd, value, x, t_x, tenure, 12, period, rate),
            "predicted_clv_eur": bgnbd_discounted_value(bgnbd, value, x, t_x, tenure, horizon, period, rate),
        }
    return pd.DataFrame(
        {
            "customer_id": summary["customer_id"],
            "segment": summary["segment"],
            "model": "bg_nbd_gamma_gamma",
            "frequency": x,
            "recency": t_x,
            "tenure": tenure,
            **predictions,
            "expected_remaining_months": np.nan,
            "current_mrr_eur": 0.0,
        }
    )


def _contractual(lifetimes, params, horizon, rate):
    frames = []
    sbg_fits = params[params["model"] == "shifted_beta_geometric"].to_dict("records")
    cohorts = pd.to_datetime(lifetimes["cohort_month"]).dt.year.astype(str)
    for (segment, cohort), customers in lifetimes.groupby([lifetimes["segment"], cohorts]):
        sbg = choose_sbg_params(sbg_fits, segment, cohort)
        n = customers["lifetime_months"].to_numpy(float)
        active = customers["is_active"].to_numpy(bool)
        mrr = customers["current_mrr_eur"].to_numpy(float)
        if sbg is None:
            # no churn observed anywhere yet: retention cannot be estimated, the value stays unknown
            ahead_12 = remaining = clv_12 = clv = np.full(n.size, np.nan)
        else:
            ahead_12 = sbg_retention_ahead(sbg, n, 12).sum(axis=1)
            remaining = sbg_expected_remaining_months(sbg, n)
            clv_12 = sbg_discounted_value(sbg, n, mrr, 12, rate)
            clv = sbg_discounted_value(sbg, n, mrr, horizon, rate)
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": customers["customer_id"],
                    "segment": segment,
                    "model": "contractual",
                    "frequency": np.nan,
                    "recency": n,
                    "tenure": n,
                    "expected_purchases_12m": np.where(active, ahead_12, 0.0),
                    "probability_alive": active.astype(float),
                    "expected_avg_value_eur": mrr,
                    "predicted_clv_12m_eur": np.where(active, clv_12, 0.0),
                    "predicted_clv_eur": np.where(active, clv, 0.0),
                    "expected_remaining_months": np.where(active, remaining, 0.0),
                    "current_mrr_eur": mrr,
                }
            )
        )
    return pd.concat(frames) if frames else pd.DataFrame(columns=list(COLUMNS))


def model(dbt, session):
    dbt.config(materialized="table")
    period = dbt.config.get("clv_period")
    horizon = int(dbt.config.get("clv_horizon_months"))
    rate = float(dbt.config.get("clv_discount_rate_annual"))
    params = dbt.ref("int_clv_params").df()
    summary = dbt.ref("int_clv_customer_summary").df()
    lifetimes = dbt.ref("int_clv_subscription_lifetimes").df()
    frames = [
        _transactional(summary, params, horizon, rate, period),
        _contractual(lifetimes, params, horizon, rate),
    ]
    frames = [f for f in frames if not f.empty]
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(COLUMNS))
    return result[list(COLUMNS)].astype(COLUMNS)
