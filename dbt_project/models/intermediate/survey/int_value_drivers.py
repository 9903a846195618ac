"""Relative importance of each value type and ladder step for NPS, 12-month retention and expansion.

Runs Johnson's relative weights (arvo.analytics.relative_weights) per segment x outcome over survey
responses. The NPS outcome is the response's 0..10 score; retention and expansion are the account's
12-month outcomes measured from the response month (int_customer_outcomes_12m), so only responses old
enough to have an outcome count. Every segment x outcome x driver gets a row; importance is null when
there are too few complete responses to say anything.
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


def _outcome_frames(responses: pd.DataFrame, outcomes_12m: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Per outcome: drivers, segment and the outcome value `y` of every usable response."""
    base = responses[["response_id", "customer_id", "segment", "response_month", *DRIVERS]]
    frames = {"nps": base.assign(y=responses["nps_score"].astype(float))}
    if outcomes_12m is None:
        empty = base.iloc[0:0].assign(y=pd.Series(dtype=float))
        return {**frames, "retention_12m": empty, "expansion_12m": empty}
    outcomes = outcomes_12m.rename(columns={"reference_month": "response_month"})
    outcomes["response_month"] = pd.to_datetime(outcomes["response_month"])
    joined = base.assign(response_month=pd.to_datetime(base["response_month"])).merge(
        outcomes, on=["customer_id", "response_month"], how="inner"
    )
    for outcome, column in (("retention_12m", "retained_12m"), ("expansion_12m", "expanded_12m")):
        frames[outcome] = joined.assign(y=pd.to_numeric(joined[column].astype("Float64"), errors="coerce"))
    return frames


def value_drivers(responses: pd.DataFrame, outcomes_12m: pd.DataFrame | None) -> pd.DataFrame:
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
    responses = dbt.ref("fct_survey_responses").df()
    outcomes = dbt.ref("int_customer_outcomes_12m").df()
    return value_drivers(
        responses, outcomes[["customer_id", "reference_month", "retained_12m", "expanded_12m"]]
    )
