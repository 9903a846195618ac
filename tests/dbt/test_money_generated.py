"""End to end on generated data: `arvo generate` -> ingestion -> dbt (the money marts and upstream).

The generator builds in that promoters and customers higher on the value ladder retain better; the
money marts must show it. A second, calibration build (CLV as-of one year before the data ends)
checks the BG/NBD forecast of repeat transactions, and the sBG forecast of the subscription customers
still paying a year later, against what happened in the holdout year.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from arvo.analytics.clv_holdout import contract_holdout_check, holdout_check
from arvo.config import Settings
from arvo.generate import END_DATE, generate
from ingestion.pipeline import ingest_pending
from tests.dbt.support import failures, run_dbt

pytestmark = pytest.mark.e2e

CALIBRATION_END = "2025-09-30"


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Generate the small scale, ingest, build the money marts and everything upstream of them, then the
    calibration build; collect the figures the tests check."""
    root = tmp_path_factory.mktemp("money_generated")
    settings = Settings.under(root)
    generate("small", 42, settings.landing)
    results = ingest_pending(settings, settle_seconds=0)
    assert results and all(r.status.startswith("loaded") for r in results)
    money_marts = "+mart_value_retention +mart_revenue_retention +mart_clv_model_params"
    built = run_dbt(settings, ["build", "--select", money_marts], {}, root)
    assert built.success, failures(built)
    con = duckdb.connect(str(settings.warehouse))
    figures: dict[str, object] = {
        "retention": {
            (segment, dimension, band): rate
            for segment, dimension, band, rate in _fetch(
                con, "select segment, dimension, band, retention_rate_12m from marts.mart_value_retention"
            )
        },
        "categories": {c for (c,) in _fetch(con, "select distinct change_category from marts.fct_mrr")},
        "max_grr": _fetch(con, "select max(gross_revenue_retention) from marts.mart_revenue_retention")[0][0],
        "clv_customers": _fetch(
            con, "select count(*), count(predicted_clv_eur) from marts.mart_customer_lifetime_value"
        )[0],
        # customers with MRR or with a (non-void, non-credit) order: the ones CLV must cover
        "revenue_customers": _fetch(
            con,
            "select count(*) from (select customer_id from intermediate.int_customer_mrr_months "
            "union select customer_id from intermediate.int_clv_customer_summary)",
        )[0][0],
    }
    con.close()
    calibration = run_dbt(
        settings,
        ["run", "--select", "+int_clv_params +int_clv_customer_summary"],
        {"clv_as_of": CALIBRATION_END},
        root,
    )
    assert calibration.success, failures(calibration)
    con = duckdb.connect(str(settings.warehouse))
    figures["holdout"] = holdout_check(con, date.fromisoformat(CALIBRATION_END), END_DATE.astype(date))
    figures["contract_holdout"] = contract_holdout_check(con, months_ahead=12)
    con.close()
    return figures


@pytest.mark.parametrize("segment", ["B2B", "B2C"])
def test_promoters_and_higher_ladder_steps_retain_better(generated, segment):
    rate = generated["retention"]
    assert rate[(segment, "nps_category", "promoter")] > rate[(segment, "nps_category", "detractor")]
    assert rate[(segment, "ladder_position", "proven")] > rate[(segment, "ladder_position", "below_parity")]
    assert rate[(segment, "value_index_band", "60-80")] > rate[(segment, "value_index_band", "0-40")]


def test_every_mrr_category_occurs_and_gross_retention_stays_at_most_100_percent(generated):
    every = {"new", "expansion", "contraction", "churn", "reactivation", "unchanged"}
    assert generated["categories"] == every
    assert generated["max_grr"] <= 1.0


def test_every_customer_with_revenue_gets_a_lifetime_value(generated):
    customers, predicted = generated["clv_customers"]
    assert customers == predicted == generated["revenue_customers"]


def test_bgnbd_forecasts_the_holdout_year_within_ten_percent(generated):
    check = generated["holdout"]
    assert check.actual > 1000
    assert check.expected == pytest.approx(check.actual, rel=0.10)


def test_sbg_forecasts_the_subscribers_still_paying_a_year_later(generated):
    check = generated["contract_holdout"]
    assert check.calibration_month == date.fromisoformat(CALIBRATION_END).replace(day=1)
    assert check.actual > 100
    assert check.expected == pytest.approx(check.actual, rel=0.10)
