"""The customer-value marts on a handful of hand-made rows whose every number is computed by hand.

The files land, go through the real ingestion (`ingest_pending`) and the real dbt project
(`dbtRunner`); the as-of date is pinned to 2025-06-30. The cast:

- A1 (B2B, renamed: the later version counts): subscription 100 EUR/month since 2023-01; contact K1
  with e-mail. Answers R1 (Jan 2024, NPS 9) and R3 (Feb 2024, NPS 10).
- A2 (B2B): subscription 300 USD (FX 1.5 -> 200 EUR) Jan-Jun 2023 only. Answers R2 (Jan 2024, NPS 5).
- C1 (B2C, a person): orders 2024-03 and 2025-01; contact K2 without e-mail. Answers R4 (Feb, NPS 7)
  with two questions on the same construct.
- C2 (B2C): only a void invoice. Answers R5 (Feb, NPS 0).
- X9: an account the CRM does not know. Answers R6 (Mar, NPS 8): counted in the `all` NPS only.
Survey B rates on 1..5 / 1..7 scales, survey C on 0..10, with different question ids.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

from arvo.config import Settings
from arvo.secrets import KEY_ENV
from ingestion.contract import NUMERIC_CONSTRUCTS
from ingestion.pipeline import ingest_pending
from tests.dbt.support import failures, run_dbt

KEY = "handmade-key-7d2e"
AS_OF = "2025-06-30"
SELECT = "+mart_nps +mart_customer_value +mart_value_drivers +mart_value_retention"
T = "T00:00:00Z"

LANDING = {
    "crm/accounts/accounts.csv": f"""account_id,account_name,segment,industry,country,created_at,updated_at
A1,Old Name Oy,B2B,software,FI,2022-06-01{T},2022-06-01{T}
A1," Alpha Oy ",B2B,software,FI,2022-06-01{T},2023-06-01{T}
A2,Beta AB,B2B,retail,SE,2022-06-01{T},2022-06-01{T}
C1,Matti Meikäläinen,B2C,,FI,2022-06-01{T},2022-06-01{T}
C2,Liisa Korhonen,B2C,,FI,2022-06-01{T},2022-06-01{T}
""",
    "crm/contacts/contacts.csv": f"""contact_id,account_id,email,full_name,role,created_at,updated_at
K1,A1," Anna.Virtanen@Example.FI ",Anna Virtanen,buyer,2022-06-01{T},2022-06-01{T}
K2,C1,,Matti  Meikäläinen,,2022-06-01{T},2022-06-01{T}
K3,A2,pekka@beta.se,Pekka Beta,cfo,2022-06-01{T},2022-06-01{T}
""",
    "survey/questions/questions.csv": """survey_id,question_id,construct,scale_min,scale_max,question_text
B,q1,nps,0,10,How likely are you to recommend us?
B,q2,value_economic,1,5,It pays off
B,q3,ladder_awareness,1,5,I know how it helps
B,q4,ladder_understanding,1,5,I understand how
B,q5,ladder_meaning,1,5,It matters to me now
B,q6,expectation,1,7,What I expected
B,q7,experience,1,7,What I got
C,x9,nps,0,10,Suosittelisitko?
C,x1,value_emotional,0,10,Feels good
C,x2,value_emotional,0,10,Makes me happy
C,x3,comment,,,Anything else?
""",
    "survey/responses/responses.csv": "response_id,survey_id,question_id,account_id,contact_id,responded_at,"
    "answer_numeric,answer_text\n"
    + "\n".join(
        f"{r},{s},{q},{a},{k},{when},{v},{text}"
        for r, s, a, k, when, answers in (
            (
                "R1",
                "B",
                "A1",
                "K1",
                "2024-01-10T09:00:00Z",
                {"q1": 9, "q2": 4, "q3": 5, "q4": 4, "q5": 2, "q6": 4, "q7": 7},
            ),
            ("R2", "B", "A2", "K3", "2024-01-20T09:00:00Z", {"q1": 5, "q2": 1, "q3": 3, "q6": 7, "q7": 1}),
            ("R3", "B", "A1", "K1", "2024-02-05T09:00:00Z", {"q1": 10, "q2": 5, "q3": 5, "q4": 5, "q5": 5}),
            ("R4", "C", "C1", "K2", "2024-02-10T09:00:00Z", {"x9": 7, "x1": 8, "x2": 6, "x3": "hyvä"}),
            ("R5", "C", "C2", "", "2024-02-12T09:00:00Z", {"x9": 0, "x1": 10}),
            ("R6", "C", "X9", "", "2024-03-05T09:00:00Z", {"x9": 8, "x1": 5}),
        )
        for q, answer in answers.items()
        for v, text in [("", answer) if isinstance(answer, str) else (answer, "")]
    )
    + "\n",
    "revenue/subscriptions/subscriptions.csv": "subscription_id,account_id,plan,start_date,end_date,mrr,"
    f"""currency,updated_at
S1,A1,pro,2023-01-01,,100,EUR,2023-01-01{T}
S2,A2,pro,2023-01-01,2023-06-30,300,USD,2023-01-01{T}
""",
    "revenue/invoices/invoices.csv": """invoice_id,account_id,invoice_date,currency,amount,status
I1,C1,2024-03-01,EUR,50,paid
I2,C1,2025-01-15,EUR,60,paid
I3,C2,2024-04-01,EUR,80,void
""",
    "revenue/fx_rates/fx_rates.csv": """rate_date,currency,rate
2022-12-30,USD,1.5
""",
}


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("value_handmade")
    settings = Settings.under(root)
    for relative, text in LANDING.items():
        path = settings.landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (1_700_000_000, 1_700_000_000))
    results = ingest_pending(settings, settle_seconds=0)
    assert all(r.status.startswith("loaded") for r in results), [(r.file_path, r.reason) for r in results]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENV, KEY)  # the pseudonyms below are computed with this key
        result = run_dbt(settings, ["build", "--select", SELECT], {"as_of_date": AS_OF}, root)
    assert result.success, result.exception or failures(result)
    connection = duckdb.connect(str(settings.warehouse))
    yield connection
    connection.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1, (sql, rows)
    return dict(zip(names, rows[0], strict=True))


def _nps(con: duckdb.DuckDBPyConnection, month: str, segment: str) -> dict:
    return _one(con, f"select * from marts.mart_nps where period_month = '{month}' and segment = '{segment}'")


def test_nps_b2b_january(con):
    # A1 promoter (MRR 100 in January), A2 detractor (no MRR since June 2023)
    row = _nps(con, "2024-01-01", "B2B")
    assert (row["respondents"], row["promoters"], row["passives"], row["detractors"]) == (2, 1, 0, 1)
    assert row["nps"] == 0
    assert row["nps_moe_95"] == pytest.approx(196 * math.sqrt((0.5 + 0.5 - 0) / 2))  # 138.59
    assert row["revenue_weighted_nps"] == pytest.approx(100.0)  # only A1 weighs: 100 * 100 / 100
    assert row["is_small_sample"] is True
    assert row["nps_change"] is None and row["change_is_significant"] is None


def test_nps_change_and_significance(con):
    feb = _nps(con, "2024-02-01", "B2B")
    assert (feb["respondents"], feb["nps"], feb["nps_moe_95"]) == (1, 100, 0)
    # pooled shares 2/3 and 1/3: variance 1 - 1/9 = 8/9, z = 100 / (100 * sqrt(8/9 * (1/2 + 1))) = 0.87 < 1.96
    assert feb["nps_change"] == 100 and feb["change_is_significant"] is False
    b2c = _nps(con, "2024-02-01", "B2C")
    assert (b2c["respondents"], b2c["promoters"], b2c["passives"], b2c["detractors"]) == (2, 0, 1, 1)
    assert b2c["nps"] == -50
    assert b2c["nps_moe_95"] == pytest.approx(196 * math.sqrt((0.5 - 0.25) / 2))  # 69.30
    assert b2c["revenue_weighted_nps"] is None  # no respondent has MRR
    every = _nps(con, "2024-02-01", "all")
    assert (every["respondents"], every["nps"], every["nps_change"]) == (3, 0, 0)
    assert every["nps_moe_95"] == pytest.approx(196 * math.sqrt((2 / 3) / 3))
    assert every["change_is_significant"] is False
    assert every["revenue_weighted_nps"] == pytest.approx(100.0)


def test_a_response_of_an_account_unknown_to_the_crm(con):
    # R6 (X9, unknown to the CRM) counts in the `all` NPS of March only, and has no place in the
    # per-segment value-retention mart (a null segment there failed the whole build)
    march = con.execute(
        "select segment, respondents, nps from marts.mart_nps where period_month = date '2024-03-01'"
    ).fetchall()
    assert march == [("all", 1, 0.0)]
    x9 = _one(con, "select segment, nps_category from marts.mart_customer_value where customer_id = 'X9'")
    assert x9 == {"segment": None, "nps_category": "passive"}
    assert con.execute("select count(*) from marts.mart_value_retention where segment is null").fetchone() == (0,)


def test_scores_ladder_and_promise_gap(con):
    r1 = _one(con, "select * from marts.fct_survey_responses where response_id = 'R1'")
    assert r1["nps_category"] == "promoter" and r1["customer_id"] == "A1"
    assert r1["value_economic"] == 75  # 4 on 1..5
    assert (r1["ladder_awareness"], r1["ladder_understanding"], r1["ladder_meaning"]) == (100, 75, 25)
    assert r1["ladder_step"] == 2 and r1["ladder_position"] == "below_parity"
    assert (r1["expectation"], r1["experience"], r1["promise_gap"]) == (50, 100, 50)  # 4 and 7 on 1..7
    assert r1["response_mrr_eur"] == 100
    r2 = _one(con, "select * from marts.fct_survey_responses where response_id = 'R2'")
    assert (r2["ladder_step"], r2["promise_gap"], r2["nps_category"]) == (0, -100, "detractor")
    r3 = _one(con, "select * from marts.fct_survey_responses where response_id = 'R3'")
    assert (r3["ladder_step"], r3["ladder_position"]) == (3, "parity")  # step 4 never asked
    r4 = _one(con, "select * from marts.fct_survey_responses where response_id = 'R4'")
    assert r4["value_emotional"] == 70  # (80 + 60) / 2 from two questions
    assert r4["nps_score"] == 7 and r4["nps_category"] == "passive" and r4["segment"] == "B2C"
    assert r4["value_index"] == pytest.approx(70.0)  # the only value type answered
    # survey C asks no ladder question: no step measured, not step 0 (below parity)
    assert (r4["ladder_step"], r4["ladder_position"]) == (None, None)
    c1 = _one(con, "select * from marts.mart_customer_value where customer_id = 'C1'")
    assert (c1["ladder_step"], c1["ladder_position"]) == (None, None)


def test_pseudonyms(con):
    keys = dict(con.execute("select response_id, contact_key from marts.fct_survey_responses").fetchall())

    def digest(text: str) -> str:
        return hmac.new(KEY.encode(), text.encode(), hashlib.sha256).hexdigest()

    assert keys["R1"] == keys["R3"] == digest("anna.virtanen@example.fi")
    assert keys["R4"] == digest("name:C1:matti meikäläinen")
    assert keys["R5"] is None
    names = dict(con.execute("select customer_id, customer_name from marts.dim_customers").fetchall())
    assert names == {"A1": "Alpha Oy", "A2": "Beta AB", "C1": "Consumer C1", "C2": "Consumer C2"}


def test_dim_customers_revenue_status(con):
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "select customer_id, lifecycle_status, current_mrr_eur, first_revenue_date, cohort_month "
            "from marts.dim_customers"
        ).fetchall()
    }
    assert rows["A1"] == ("active", 100, date(2023, 1, 1), date(2023, 1, 1))
    assert rows["A2"] == ("churned", 0, date(2023, 1, 1), date(2023, 1, 1))
    assert rows["C1"] == ("active", 0, date(2024, 3, 1), date(2024, 3, 1))
    assert rows["C2"] == ("never_paid", 0, None, None)


def test_customer_value_at_the_latest_response(con):
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "select customer_id, response_id, as_of_month, ladder_position, value_index, retained_12m "
            "from marts.mart_customer_value"
        ).fetchall()
    }
    assert set(rows) == {"A1", "A2", "C1", "C2", "X9"}  # X9: a responding account unknown to the CRM
    # A1: R3, value index from economic alone (100); MRR in Feb 2025 -> retained
    assert rows["A1"] == ("R3", date(2024, 2, 1), "parity", pytest.approx(100.0), True)
    # A1's R3 asks no expectation or experience: its promise gap is R1's (100 - 50), carried forward,
    # with R3's own ladder ratings (step 3) and NPS (10); R3 alone had no gap (before 2026-11-24: null)
    a1 = _one(con, "select promise_gap, ladder_step, nps_score from marts.mart_customer_value where customer_id = 'A1'")
    assert a1 == {"promise_gap": 50, "ladder_step": 3, "nps_score": 10}
    # A2: no revenue 12 months after January 2024
    assert rows["A2"][0] == "R2" and rows["A2"][4] is False
    # C1 had no revenue yet in February 2024 (no outcome row then); its first paid order came in March
    # 2024, within the 12 months: retained
    assert rows["C1"][0] == "R4" and rows["C1"][4] is True
    # C2 never paid (a void invoice only), answered in February 2024, 12 months have passed: not retained
    assert rows["C2"][0] == "R5" and rows["C2"][4] is False


def test_value_drivers_need_enough_respondents(con):
    rows = con.execute(
        "select segment, outcome, count(*), count(importance_pct) from marts.mart_value_drivers group by all"
    ).fetchall()
    assert len(rows) == 6
    assert all(n == 10 and known == 0 for _, _, n, known in rows)


def test_pivot_has_one_column_per_numeric_construct_of_the_contract(con):
    columns = [d[0] for d in con.execute("select * from intermediate.int_survey_responses_pivoted limit 0").description]
    header = ["response_id", "survey_id", "account_id", "contact_id", "responded_at"]
    watermarks = ["loaded_at", "catalog_loaded_at"]  # the incremental build's watermarks
    assert columns == [*header, *NUMERIC_CONSTRUCTS, *watermarks]
