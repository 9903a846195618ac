"""The unit of the retention and expansion drivers: one customer, its answers, and which outcome.

`int_value_drivers` is a dbt Python model; its pure pandas step is loaded from the model file and
given a customer by hand, so the rule can be checked on a case small enough to compute by eye.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pandas as pd
import pytest

from arvo.config import DBT_PROJECT_DIR

MODEL = DBT_PROJECT_DIR / "models" / "intermediate" / "survey" / "int_value_drivers.py"


@pytest.fixture(scope="module")
def drivers_model() -> ModuleType:
    spec = importlib.util.spec_from_file_location("int_value_drivers", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _responses(model: ModuleType, rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Responses of customer c1 (B2B): id, month, and one score given to every driver."""
    frame = pd.DataFrame(
        [{"response_id": rid, "customer_id": "c1", "segment": "B2B", "response_month": month} for rid, month, _ in rows]
    )
    for driver in model.DRIVERS:
        frame[driver] = [score for _, _, score in rows]
    frame["response_month"] = pd.to_datetime(frame["response_month"])
    return frame


def test_outcome_is_measured_after_every_answer_averaged(drivers_model: ModuleType):
    """Answers in 2023-01 (80) and 2023-09 (20), both with a known outcome, and 2025-01 (50), too recent.
    The outcome comes from 2023-09, the latest known (lost), not from 2023-01 (retained), whose 12 months
    take in the 2023-09 answer; the drivers average the two known answers: 50."""
    responses = _responses(
        drivers_model, [("r1", "2023-01-01", 80.0), ("r2", "2023-09-01", 20.0), ("r3", "2025-01-01", 50.0)]
    )
    outcomes = pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c1"],
            "reference_month": pd.to_datetime(["2023-01-01", "2023-09-01", "2025-01-01"]),
            "active_at_reference": [True, True, True],
            "retained_12m": [True, False, None],
        }
    )
    units = drivers_model._customer_outcomes(responses, outcomes, "retained_12m")
    assert len(units) == 1
    unit = units.iloc[0]
    assert unit["y"] == 0.0
    assert unit["value_economic"] == pytest.approx(50.0)
    assert unit["ladder_fulfilment"] == pytest.approx(50.0)


def test_answers_given_without_revenue_do_not_count(drivers_model: ModuleType):
    """A 2023-01 answer while the customer had no revenue (active_at_reference false) is left out: the
    unit is the 2023-06 answer alone, with its outcome."""
    responses = _responses(drivers_model, [("r1", "2023-01-01", 10.0), ("r2", "2023-06-01", 90.0)])
    outcomes = pd.DataFrame(
        {
            "customer_id": ["c1", "c1"],
            "reference_month": pd.to_datetime(["2023-01-01", "2023-06-01"]),
            "active_at_reference": [False, True],
            "retained_12m": [False, True],
        }
    )
    unit = drivers_model._customer_outcomes(responses, outcomes, "retained_12m").iloc[0]
    assert unit["y"] == 1.0
    assert unit["value_social"] == pytest.approx(90.0)
