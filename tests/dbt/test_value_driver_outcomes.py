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


def test_nps_drivers_count_each_respondent_once_a_month(drivers_model: ModuleType):
    """The NPS outcome takes the responses mart_nps counts (fct_survey_responses.counts_in_nps): a contact's
    earlier NPS answer of the same month is superseded by its latest one and is not a second respondent.

    B2B, the other nine drivers held at 50 (no variance: no weight). 30 counted responses: 15 with NPS 0
    and economic 0, 15 with NPS 10 and economic 100, so corr = 1, R^2 = 1. 10 superseded responses: 5 with
    NPS 10 and economic 0, 5 with NPS 0 and economic 100. Counted with them (as before), the 40 responses
    gave phi = (15 * 15 - 5 * 5) / sqrt(20 * 20 * 20 * 20) = 0.5 and R^2 = 0.25."""
    cases = [(True, 0.0, 0.0)] * 15 + [(True, 10.0, 100.0)] * 15
    cases += [(False, 10.0, 0.0)] * 5 + [(False, 0.0, 100.0)] * 5
    responses = pd.DataFrame(
        [
            {
                "response_id": f"r{i}",
                "customer_id": f"c{i}",
                "segment": "B2B",
                "response_month": "2024-01-01",
                "nps_score": nps,
                "counts_in_nps": counts,
                **{driver: 50.0 for driver in drivers_model.DRIVERS},
                "value_economic": economic,
            }
            for i, (counts, nps, economic) in enumerate(cases)
        ]
    )
    outcomes = pd.DataFrame(columns=["customer_id", "reference_month", "active_at_reference", "retained_12m"])
    outcomes = outcomes.assign(expanded_12m=pd.Series(dtype=object))
    drivers = drivers_model.value_drivers(responses, outcomes).set_index(["segment", "outcome", "driver"])
    economic = drivers.loc[("B2B", "nps", "value_economic")]
    assert economic["respondents"] == 30
    assert economic["correlation"] == pytest.approx(1.0)
    assert economic["r_squared"] == pytest.approx(1.0)
    assert economic["importance_pct"] == pytest.approx(100.0)
    assert drivers.loc[("B2C", "nps", "value_economic"), "respondents"] == 0
