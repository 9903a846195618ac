"""Relative importance of each value type and ladder step for NPS, 12-month retention and expansion.

Runs Johnson's relative weights (arvo.analytics.relative_weights) per segment x outcome. The NPS
outcome is the 0..10 score of the responses mart_nps counts (fct_survey_responses.counts_in_nps: each
respondent once a month, with its latest NPS answer). Retention and expansion are the customer's 12-month outcomes
(int_customer_outcomes_12m) from the month of its latest response given while it had revenue and old
enough to have an outcome, analysed once per customer with those answers averaged. Every segment x
outcome x driver gets a row; importance is null when fewer than MIN_RESPONDENTS complete units are
available.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arvo.analytics.relative_weights import relative_weights

SEGMENTS = ("B2B", "B2C")
DRIVERS = (
    "value_economic",
    "value_functional",
    "value_emotional",
    "value_social",
    "value_symbolic",
    "ladder_awareness",
    "ladder_understanding",
    "ladder_meaning",
    "ladder_differentiation",
    "ladder_fulfilment",
)
OUTCOMES = ("nps", "retention_12m", "expansion_12m")
# Fewer complete responses than this per segment x outcome give no importance (null), not noise.
MIN_RESPONDENTS = 30
COLUMNS = {
    "segment": "object",
    "outcome": "object",
    "driver": "object",
    "importance_pct": "float64",
    "raw_weight": "float64",
    "correlation": "float64",
    "r_squared": "float64",
    "respondents": "int64",
}


def _customer_outcomes(base: pd.DataFrame, outcomes_12m: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per customer: drivers averaged over its responses with a known outcome, outcome `y`.

    Retention and expansion belong to the customer, not to a response: a customer answering four times
    must not count four times, and the mean of several answers measures its perception more precisely.
    Only responses given while the customer had revenue (active_at_reference) and whose 12 months have
    passed count; the outcome is the one measured from the latest of them, so that every answer averaged
    precedes the 12 months it is to explain. (From the earliest, the later answers fell inside its
    window: a customer on its way out answers lower, and that would count as a driver of its leaving.)
    """
    known = outcomes_12m[outcomes_12m["active_at_reference"].fillna(False).astype(bool)]
    known = known[known[column].notna()][["customer_id", "reference_month", column]]
    joined = base.merge(known, left_on=["customer_id", "response_month"], right_on=["customer_id", "reference_month"])
    if joined.empty:
        return base.iloc[0:0].assign(y=pd.Series(dtype=float))
    joined = joined.sort_values(["customer_id", "response_month", "response_id"])
    per_customer = joined.groupby("customer_id", sort=True).agg(
        {**{d: "mean" for d in DRIVERS}, "segment": "first", column: "last"}
    )
    return per_customer.reset_index().assign(y=per_customer[column].astype(float).to_numpy())


def _outcome_frames(responses: pd.DataFrame, outcomes_12m: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per outcome: drivers, segment and the outcome value `y` of every usable unit of analysis.

    NPS is a property of the response, counted as mart_nps counts it: a respondent once a month, with its
    latest NPS answer (counts_in_nps); an earlier answer of the same month would be a second vote of one
    person. Retention and expansion are properties of the customer (see `_customer_outcomes`).
    """
    base = responses[["response_id", "customer_id", "segment", "response_month", *DRIVERS]].copy()
    base["response_month"] = pd.to_datetime(base["response_month"])
    outcomes = outcomes_12m.copy()
    outcomes["reference_month"] = pd.to_datetime(outcomes["reference_month"])
    counted = responses["counts_in_nps"].fillna(False).astype(bool).to_numpy()
    return {
        "nps": base.assign(y=responses["nps_score"].astype(float).to_numpy())[counted],
        "retention_12m": _customer_outcomes(base, outcomes, "retained_12m"),
        "expansion_12m": _customer_outcomes(base, outcomes, "expanded_12m"),
    }


def value_drivers(responses: pd.DataFrame, outcomes_12m: pd.DataFrame) -> pd.DataFrame:
    """One row per segment x outcome x driver with importance (sums to 100), correlation and n."""
    rows = []
    for outcome, frame in _outcome_frames(responses, outcomes_12m).items():
        for segment in SEGMENTS:
            subset = frame[frame["segment"] == segment]
            x = subset[list(DRIVERS)].to_numpy(dtype=float)
            y = subset["y"].to_numpy(dtype=float)
            result = relative_weights(x.reshape(-1, len(DRIVERS)), y, DRIVERS)
            usable = result.n >= MIN_RESPONDENTS and result.r_squared > 0
            for i, driver in enumerate(DRIVERS):
                rows.append(
                    {
                        "segment": segment,
                        "outcome": outcome,
                        "driver": driver,
                        "importance_pct": float(result.importance_pct[i]) if usable else np.nan,
                        "raw_weight": float(result.raw_weights[i]) if usable else np.nan,
                        "correlation": float(result.correlations[i]) if usable else np.nan,
                        "r_squared": result.r_squared if usable else np.nan,
                        "respondents": result.n,
                    }
                )
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)


def model(dbt, session):
    dbt.config(materialized="table")
    columns = ["response_id", "customer_id", "segment", "response_month", "nps_score", "counts_in_nps", *DRIVERS]
    responses = dbt.ref("fct_survey_responses").project(", ".join(columns)).set_alias("responses")
    # Only the outcome rows a response can join (its customer and month, while the customer had revenue)
    # leave DuckDB: at the large scale 0.9M of 10M rows, which pandas would otherwise copy and merge.
    outcomes = (
        dbt.ref("int_customer_outcomes_12m")
        .filter("active_at_reference")
        .project("customer_id, reference_month, active_at_reference, retained_12m, expanded_12m")
        .set_alias("outcomes")
    )
    asked = outcomes.join(
        responses,
        "outcomes.customer_id = responses.customer_id and outcomes.reference_month = responses.response_month",
        how="semi",
    )
    return value_drivers(responses.df(), asked.df())
