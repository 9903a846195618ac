"""MRR, FX, retention and 12-month outcomes on hand-made revenue data with hand-computed answers.

The data lands as files, goes through the real ingestion (`ingest_pending`) and the real dbt project
(`dbtRunner`), so every rule is checked where it is implemented. The as-of date is pinned to
2024-12-31. Each customer exercises specific rules:

- A1: a second subscription overlapping the first adds up (expansion), its end is a contraction;
  S1 has two versions and the later one (100, not 90) counts.
- A2: a USD subscription converted at its booking rate (220 USD / 1.10 = 200 EUR in every month, even
  after the rate moves to 1.25), churn after April, no rows in June/July, reactivation in August.
- A3: ends in the as-of month: no churn row after the as-of month.
- A4: back-to-back subscriptions (no churn between them), the second cheaper: contraction.
- A5: starts after the as-of date: no rows at all.
- A6 / A7: 2023 customers whose 12-month outcomes are known at the as-of date.
- T1 / T2: transactional (order) customers, with a void invoice and a credit note; too few order
  customers for the BG/NBD fit, so their lifetime-value rows have null predictions.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from arvo.config import Settings
from ingestion.pipeline import ingest_pending
from ingestion.warehouse import connect, ensure_schemas
from tests.dbt.support import failures, run_dbt

AS_OF = "2024-12-31"

LANDING_FILES = {
    "crm/accounts/accounts.csv": """account_id,account_name,segment,industry,country,created_at,updated_at
A1,Alpha Oy,B2B,software,FI,2023-01-01T00:00:00Z,2023-01-01T00:00:00Z
A2,Beta AB,B2B,retail,SE,2023-01-01T00:00:00Z,2023-01-01T00:00:00Z
A3,Gamma GmbH,B2B,industry,DE,2023-01-01T00:00:00Z,2023-01-01T00:00:00Z
A4,Delta Oy,B2B,software,FI,2023-01-01T00:00:00Z,2023-01-01T00:00:00Z
A5,Epsilon Ltd,B2B,software,GB,2023-01-01T00:00:00Z,2023-01-01T00:00:00Z
A6,Zeta Oy,B2B,software,FI,2022-12-01T00:00:00Z,2022-12-01T00:00:00Z
A7,Eta Oy,B2B,software,FI,2022-12-01T00:00:00Z,2022-12-01T00:00:00Z
T1,Person One,B2C,,FI,2022-12-01T00:00:00Z,2022-12-01T00:00:00Z
T2,Person Two,B2C,,FI,2022-12-01T00:00:00Z,2022-12-01T00:00:00Z
""",
    "revenue/fx_rates/fx_rates.csv": """rate_date,currency,rate
2023-01-01,USD,1.10
2024-03-01,USD,1.25
""",
    "revenue/subscriptions/subscriptions.csv": "subscription_id,account_id,plan,start_date,end_date,mrr,"
    """currency,updated_at
S1,A1,basic,2024-01-15,,90,EUR,2024-01-10T00:00:00Z
S1,A1,basic,2024-01-15,,100,EUR,2024-01-20T00:00:00Z
S2,A1,addon,2024-03-01,2024-05-31,50,EUR,2024-03-01T00:00:00Z
S3,A2,pro,2024-02-10,2024-04-20,220,USD,2024-04-20T00:00:00Z
S4,A2,pro,2024-08-01,,80,EUR,2024-08-01T00:00:00Z
S5,A3,basic,2024-11-01,2024-12-31,60,EUR,2024-11-01T00:00:00Z
S6,A4,basic,2024-05-01,2024-06-30,120,EUR,2024-05-01T00:00:00Z
S7,A4,basic,2024-07-01,,90,EUR,2024-07-01T00:00:00Z
S8,A5,basic,2025-02-01,,70,EUR,2024-12-01T00:00:00Z
S9,A6,basic,2023-01-01,2023-08-31,100,EUR,2023-08-31T00:00:00Z
S10,A6,pro,2023-11-01,,150,EUR,2023-11-01T00:00:00Z
S11,A7,basic,2023-02-01,2023-06-30,50,EUR,2023-06-30T00:00:00Z
""",
    "revenue/invoices/invoices.csv": """invoice_id,account_id,invoice_date,currency,amount,status
I1,T1,2023-01-10,EUR,40,paid
I2,T1,2023-06-05,EUR,30,paid
I3,T1,2023-06-05,EUR,10,paid
I4,T1,2024-02-01,EUR,25,paid
I5,T1,2024-03-01,EUR,500,void
I6,T1,2024-03-15,EUR,-5,paid
I7,T2,2023-03-01,USD,110,paid
I8,A1,2024-01-15,EUR,100,paid
""",
}

MONEY_MODELS = (
    "+fct_mrr +int_customer_outcomes_12m +mart_revenue_retention +mart_customer_lifetime_value +mart_clv_model_params"
)


def write_landing(landing: Path, files: dict[str, str]) -> None:
    """Drop the files where a source system would, older than the ingestion settle time."""
    for relative, text in files.items():
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (1_700_000_000, 1_700_000_000))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """Land, ingest and build the money models once for this module; yield a connection."""
    root = tmp_path_factory.mktemp("money_mrr")
    settings = Settings.under(root)
    write_landing(settings.landing, LANDING_FILES)
    results = ingest_pending(settings, settle_seconds=0)
    assert all(r.status.startswith("loaded") for r in results), [(r.file_path, r.reason) for r in results]
    result = run_dbt(settings, ["build", "--select", MONEY_MODELS], {"as_of_date": AS_OF}, root)
    assert result.success, result.exception
    # dbt-duckdb keeps its in-process connection open: open the file with the same (default) config
    con = duckdb.connect(str(settings.warehouse))
    yield con
    con.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _mrr(con: duckdb.DuckDBPyConnection, customer: str) -> list[tuple[str, float, float, str]]:
    rows = _rows(
        con,
        "select strftime(month, '%Y-%m'), mrr_eur, previous_mrr_eur, change_category "
        f"from marts.fct_mrr where customer_id = '{customer}' order by month",
    )
    return [(m, float(v), float(p), c) for m, v, p, c in rows]


def test_overlapping_subscriptions_add_up_and_the_latest_version_counts(warehouse):
    assert _mrr(warehouse, "A1") == [
        ("2024-01", 100.0, 0.0, "new"),
        ("2024-02", 100.0, 100.0, "unchanged"),
        ("2024-03", 150.0, 100.0, "expansion"),
        ("2024-04", 150.0, 150.0, "unchanged"),
        ("2024-05", 150.0, 150.0, "unchanged"),
        ("2024-06", 100.0, 150.0, "contraction"),
        *[(f"2024-{m:02d}", 100.0, 100.0, "unchanged") for m in range(7, 13)],
    ]


def test_churn_then_reactivation_not_expansion_and_fx_at_the_booking_rate(warehouse):
    assert _mrr(warehouse, "A2") == [
        ("2024-02", 200.0, 0.0, "new"),
        ("2024-03", 200.0, 200.0, "unchanged"),
        ("2024-04", 200.0, 200.0, "unchanged"),
        ("2024-05", 0.0, 200.0, "churn"),
        ("2024-08", 80.0, 0.0, "reactivation"),
        *[(f"2024-{m:02d}", 80.0, 80.0, "unchanged") for m in range(9, 13)],
    ]


def test_no_churn_row_after_the_as_of_month_or_between_back_to_back_contracts(warehouse):
    assert _mrr(warehouse, "A3") == [("2024-11", 60.0, 0.0, "new"), ("2024-12", 60.0, 60.0, "unchanged")]
    categories = [c for _, _, _, c in _mrr(warehouse, "A4")]
    assert categories == ["new", "unchanged", "contraction", *["unchanged"] * 5]
    assert _mrr(warehouse, "A5") == []
    assert _rows(warehouse, f"select count(*) from marts.fct_mrr where month > date '{AS_OF}'") == [(0,)]


def test_every_category_is_reached_and_changes_add_up(warehouse):
    categories = {c for (c,) in _rows(warehouse, "select distinct change_category from marts.fct_mrr")}
    assert categories == {"new", "expansion", "contraction", "churn", "reactivation", "unchanged"}
    bad = _rows(warehouse, "select * from marts.fct_mrr where mrr_change_eur <> mrr_eur - previous_mrr_eur")
    assert bad == []


def test_previous_mrr_is_the_same_customers_mrr_in_the_prior_calendar_month(warehouse):
    """Contract: previous_mrr_eur is the MRR of the previous calendar month, 0 when the customer had no
    MRR then; read from the customer's own rows, not from the formula the model computes it with."""
    rows = _rows(
        warehouse,
        """
        select cur.customer_id, strftime(cur.month, '%Y-%m'), cur.previous_mrr_eur,
            coalesce(prior.mrr_eur, 0) as prior_month_mrr_eur
        from marts.fct_mrr as cur
        left join marts.fct_mrr as prior
            on prior.customer_id = cur.customer_id and prior.month = cur.month - interval 1 month
        order by all
        """,
    )
    assert len(rows) > 30
    assert [r for r in rows if r[2] != r[3]] == []
    # both branches occur: a prior month with MRR, and none (first month, or a comeback after a gap)
    assert {r[3] > 0 for r in rows} == {True, False}
    assert ("A2", "2024-08", 0, 0) in rows  # reactivation two months after the churn row


def test_invoices_convert_at_the_latest_rate_and_void_carries_no_revenue(warehouse):
    rows = dict(
        _rows(
            warehouse,
            "select invoice_id, (amount_eur, revenue_eur, is_void) from intermediate.int_invoices_converted",
        )
    )
    assert rows["I7"] == (Decimal("100.0000"), Decimal("100.0000"), False)
    assert rows["I5"] == (Decimal("500.0000"), Decimal("0.0000"), True)
    assert rows["I6"] == (Decimal("-5.0000"), Decimal("-5.0000"), False)


def _outcome(con: duckdb.DuckDBPyConnection, customer: str, month: str) -> tuple:
    return _rows(
        con,
        "select customer_type, retained_12m, expanded_12m from intermediate.int_customer_outcomes_12m "
        f"where customer_id = '{customer}' and reference_month = date '{month}'",
    )[0]


def test_subscription_outcomes_12m(warehouse):
    assert _outcome(warehouse, "A6", "2023-01-01") == ("subscription", True, True)
    assert _outcome(warehouse, "A6", "2023-09-01") == ("subscription", True, False)
    assert _outcome(warehouse, "A7", "2023-02-01") == ("subscription", False, False)
    assert _outcome(warehouse, "A6", "2023-12-01") == ("subscription", True, False)
    # 12 months have not passed at the as-of date: unknown, not false
    assert _outcome(warehouse, "A6", "2024-01-01") == ("subscription", None, None)
    assert _outcome(warehouse, "A1", "2024-01-01") == ("subscription", None, None)


def test_transactional_outcomes_12m(warehouse):
    assert _outcome(warehouse, "T1", "2023-01-01") == ("transactional", True, False)
    assert _outcome(warehouse, "T1", "2023-12-01") == ("transactional", True, False)
    assert _outcome(warehouse, "T2", "2023-03-01") == ("transactional", False, False)
    first = _rows(
        warehouse,
        "select min(reference_month), max(reference_month) from intermediate.int_customer_outcomes_12m "
        "where customer_id = 'T1'",
    )
    assert first == [(date(2023, 1, 1), date(2024, 12, 1))]


def test_order_customers_keep_their_lifetime_value_row_when_there_are_too_few_to_fit(warehouse):
    """Contract: mart_customer_lifetime_value has one row per customer with revenue. Two order customers
    are fewer than the 10 a BG/NBD fit needs: the model is left out and their predictions are null, but
    their rows and observed history stay (they used to vanish from the mart).

    Hand-computed in weeks to 2024-12-31. T1 buys on 2023-01-10 (40), 2023-06-05 (30 + 10) and
    2024-02-01 (25); its void invoice and its credit note (-5 on 2024-03-15) are no transactions: x = 2,
    t_x = 387 days / 7, T = 721 days / 7 = 103; revenue 40 + 40 + 25 - 5 = 100. T2 buys once,
    110 USD / 1.10 = 100 EUR on 2023-03-01: x = 0, T = 671 days / 7.
    """
    rows = _rows(
        warehouse,
        "select customer_id, model, historical_revenue_eur, frequency, recency, tenure, expected_purchases_12m, "
        "probability_alive, expected_avg_value_eur, predicted_clv_12m_eur, predicted_clv_eur "
        "from marts.mart_customer_lifetime_value where customer_id like 'T%' order by customer_id",
    )
    assert [r[:3] for r in rows] == [
        ("T1", "bg_nbd_gamma_gamma", Decimal("100.0000")),
        ("T2", "bg_nbd_gamma_gamma", Decimal("100.0000")),
    ]
    assert [r[3:6] for r in rows] == [
        pytest.approx((2.0, 387 / 7, 103.0)),
        pytest.approx((0.0, 0.0, 671 / 7)),
    ]
    assert [r[6:] for r in rows] == [(None,) * 5, (None,) * 5]


def test_the_subscription_model_is_dated_at_the_as_of_date_like_the_others(warehouse):
    """Contract: mart_clv_model_params.as_of is the configured as-of date the fit's data runs to. The
    subscription customers A1-A4, A6 and A7 (A7 churned in 2023) are fitted with the sBG, pooled and for
    B2B, at the pinned as-of date 2024-12-31 (it said 2024-12-01, the first day of the as-of month); the
    two order customers are too few for BG/NBD."""
    rows = _rows(
        warehouse,
        "select distinct model, segment, cohort, customers, as_of, period "
        "from marts.mart_clv_model_params order by all",
    )
    assert rows == [
        ("shifted_beta_geometric", "B2B", "all", 6, date(2024, 12, 31), "month"),
        ("shifted_beta_geometric", "all", "all", 6, date(2024, 12, 31), "month"),
    ]


def _order_history(seed: int) -> tuple[str, str]:
    """Accounts and invoices of 40 order customers with customer-specific spend levels (so that
    Gamma-Gamma finds heterogeneity) and N1: 100 on 2023-02-01, then 10 bought and 60 refunded on
    2023-06-01 (one transaction day worth -50)."""
    rng = random.Random(seed)
    accounts = ["account_id,account_name,segment,industry,country,created_at,updated_at"]
    invoices = ["invoice_id,account_id,invoice_date,currency,amount,status"]
    for i in range(40):
        customer = f"O{i:02d}"
        accounts.append(f"{customer},P {i},B2C,,FI,2023-01-01T00:00:00Z,2023-01-01T00:00:00Z")
        level = rng.choice([15, 25, 40, 60, 90, 140, 220, 350])
        first = date(2023, 1, 1) + timedelta(days=rng.randrange(200))
        repeats = {first + timedelta(days=rng.randrange(1, 300)) for _ in range(rng.choice([0, 1, 2, 3, 5, 8]))}
        for k, day in enumerate(sorted({first} | repeats)):
            if day <= date(2023, 12, 31):
                invoices.append(f"I{i}-{k},{customer},{day},EUR,{round(level * rng.uniform(0.7, 1.3), 2)},paid")
    accounts.append("N1,P N1,B2C,,FI,2023-01-01T00:00:00Z,2023-01-01T00:00:00Z")
    invoices += ["J1,N1,2023-02-01,EUR,100,paid", "J2,N1,2023-06-01,EUR,10,paid", "J3,N1,2023-06-01,EUR,-60,paid"]
    return "\n".join(accounts) + "\n", "\n".join(invoices) + "\n"


def test_a_repeat_day_refunded_beyond_its_sales_gets_no_negative_lifetime_value(tmp_path: Path):
    """N1's repeat day nets to -50 (credit note above the day's sale): outside Gamma-Gamma's support.
    It used to get p (gamma - 50) / (p + q - 1) < 0 as its expected value, a negative CLV, and the
    mart's data tests (CLV >= 0, horizon >= 12 months) failed the build. Its expected value is now that
    of a zero repeat mean, p gamma / (p + q - 1), from the fitted parameters."""
    settings = Settings.under(tmp_path)
    accounts, invoices = _order_history(seed=7)
    write_landing(settings.landing, {"crm/accounts/accounts.csv": accounts, "revenue/invoices/invoices.csv": invoices})
    ingest_pending(settings, settle_seconds=0)
    result = run_dbt(
        settings, ["build", "--select", "+mart_customer_lifetime_value"], {"as_of_date": "2023-12-31"}, tmp_path
    )
    assert result.success, failures(result)
    con = duckdb.connect(str(settings.warehouse))
    gamma_gamma = dict(
        _rows(con, "select parameter, value from intermediate.int_clv_params where model = 'gamma_gamma'")
    )
    n1 = _rows(
        con,
        "select frequency, expected_avg_value_eur, predicted_clv_12m_eur, predicted_clv_eur "
        "from marts.mart_customer_lifetime_value where customer_id = 'N1'",
    )[0]
    con.close()
    p, q, gamma = gamma_gamma["p"], gamma_gamma["q"], gamma_gamma["gamma"]
    assert q > 1  # the Gamma-Gamma fit is used, not the fallback
    assert n1[0] == 1.0
    assert float(n1[1]) == pytest.approx(p * gamma / (p + q - 1), abs=1e-4)
    assert 0 < n1[2] <= n1[3]


def test_a_currency_without_a_rate_fails_the_build_loudly(tmp_path: Path):
    """An invoice in a currency with no rate on or before its date must fail dbt, not become 0/null."""
    settings = Settings.under(tmp_path)
    files = dict(LANDING_FILES)
    files["revenue/invoices/invoices.csv"] += "I9,T2,2024-05-01,JPY,1000,paid\n"
    write_landing(settings.landing, files)
    ingest_pending(settings, settle_seconds=0)
    selection = ["build", "--select", "+int_invoices_converted"]
    result = run_dbt(settings, selection, {"as_of_date": AS_OF}, tmp_path)
    assert not result.success
    failed = {r.node.name for r in result.result if r.status in ("fail", "error")}
    assert failed == {"not_null_int_invoices_converted_fx_rate", "not_null_int_invoices_converted_amount_eur"}


def test_the_money_marts_build_on_an_empty_warehouse(tmp_path: Path):
    """A source that has delivered nothing is an empty table: the marts (Python models included) build."""
    settings = Settings.under(tmp_path)
    con = connect(settings)
    ensure_schemas(con)
    con.close()
    selection = "+mart_revenue_retention +mart_customer_lifetime_value +mart_clv_model_params"
    result = run_dbt(settings, ["build", "--select", selection], {}, tmp_path)
    assert result.success, [f"{r.node.name}: {r.message}" for r in result.result if r.status != "success"]
    con = duckdb.connect(str(settings.warehouse))
    counts = [
        con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        for mart in ("fct_mrr", "mart_revenue_retention", "mart_customer_lifetime_value", "mart_clv_model_params")
    ]
    con.close()
    assert counts == [0, 0, 0, 0]
