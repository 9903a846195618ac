"""The customer-value side end to end on generated data: generate -> ingest -> dbt build -> checks.

One `small` landing set (seed 42) goes through the real ingestion and the real dbt project (a copy,
so that MetricFlow finds `target/semantic_manifest.json` beside the project without touching the
shared checkout). The checks recompute what they can independently from the raw tables, look for the
drivers the generator built in (`arvo.generate.TRUE_DRIVERS`), query the semantic layer with `mf`,
and make sure no personal data or key text got past staging.

The generator asks every construct on one scale; before ingestion the rel-2025 survey is made to ask
`ladder_fulfilment` on 0..100 instead (answers rescaled, so every normalised score stays the same), so
that normalising by the construct's usual scale instead of each question's own would show.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt.cli.main import dbtRunner

from arvo.config import DBT_PROJECT_DIR, Settings
from arvo.generate import LADDER_ORDER, TRUE_DRIVERS, generate
from ingestion.contract import VALUE_TYPES
from ingestion.pipeline import ingest_pending

pytestmark = pytest.mark.e2e

KEY = "value-e2e-key-5c1f"  # the pseudonym key of this test; it must never show up in SQL
SEED = 42
# the money models the semantic layer's revenue metrics read come along for the MetricFlow tests
VALUE_MARTS = (
    "+mart_nps +mart_customer_value +mart_value_drivers +metricflow_time_spine +int_customer_outcomes_12m +fct_mrr"
)
MARTS = ("dim_customers", "fct_survey_responses", "mart_nps", "mart_customer_value", "mart_value_drivers")
# rel-2025 asks the fulfilment step (generated on 1..5) on 0..100: answer a becomes (a - 1) * 25.
RESCALED_QUESTION = ("rel-2025", "lad_5", "ladder_fulfilment")


@dataclass(frozen=True)
class Built:
    settings: Settings
    project: Path
    con: duckdb.DuckDBPyConnection
    env: dict[str, str]


def _failures(result: object) -> list[tuple[str, str, str]]:
    """The nodes that did not succeed, for a readable assertion message."""
    return [
        (r.node.name, str(r.status), str(r.message)) for r in result.result if str(r.status) not in ("success", "pass")
    ]


def _ask_one_question_on_0_to_100(landing: Path) -> None:
    """Rewrite the catalog row and the answers of RESCALED_QUESTION in the generated landing files.

    The generated rows of a rating are single lines with unquoted numbers (comments are other rows),
    so a line-wise rewrite is exact.
    """
    survey, question, construct = RESCALED_QUESTION
    catalog = landing / "survey" / "questions" / f"questions_{survey}.csv"
    old_row = f'"{survey}","{question}","{construct}",1,5,'
    assert catalog.read_text(encoding="utf-8").count(old_row) == 1
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace(old_row, f'"{survey}","{question}","{construct}",0,100,'),
        encoding="utf-8",
    )
    answer = re.compile(rf'^("[^"]*","{survey}","{question}",.*,)([1-5]),$', re.MULTILINE)
    rescaled = 0
    for path in sorted((landing / "survey" / "responses").glob("*.csv")):
        text, count = answer.subn(lambda m: f"{m[1]}{(int(m[2]) - 1) * 25},", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        rescaled += count
    assert rescaled > 500, rescaled


def _dbt(project: Path, args: list[str]) -> object:
    return dbtRunner().invoke([*args, "--project-dir", str(project), "--profiles-dir", str(project)])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """Generate, ingest and build once for the module (about 1.5 minutes on 2 cores)."""
    root = tmp_path_factory.mktemp("value_generated")
    settings = Settings.under(root)
    generate("small", SEED, settings.landing)
    _ask_one_question_on_0_to_100(settings.landing)
    results = ingest_pending(settings, settle_seconds=0)
    assert results and all(r.status.startswith("loaded") for r in results), [
        (r.file_path, r.reason) for r in results if not r.status.startswith("loaded")
    ]
    project = root / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    env = {
        "ARVO_WAREHOUSE": str(settings.warehouse),
        "ARVO_PSEUDONYM_KEY": KEY,
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        result = _dbt(project, ["build", "--select", VALUE_MARTS])
        assert result.success, result.exception or _failures(result)
        con = duckdb.connect(str(settings.warehouse))
        yield Built(settings, project, con, env)
        con.close()


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _independent_nps(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """NPS per month x segment straight from the raw tables, with pandas, not with the dbt SQL: each
    respondent once a month with its latest answer (the contact's pseudonym; without a contact, a B2C
    account is the person, a B2B response stands alone)."""
    questions = _df(con, "select survey_id, question_id, construct, _loaded_at, _row_number from raw.questions")
    questions = questions.sort_values(["_loaded_at", "_row_number"]).drop_duplicates(
        ["survey_id", "question_id"], keep="last"
    )
    nps_questions = questions[questions["construct"].str.strip().str.lower() == "nps"]
    answers = _df(
        con,
        "select response_id, survey_id, question_id, account_id, contact_id, responded_at, answer_numeric, "
        "_loaded_at, _row_number from raw.responses",
    )
    answers = answers.sort_values(["_loaded_at", "_row_number"]).drop_duplicates(
        ["response_id", "question_id"], keep="last"
    )
    scored = answers.merge(nps_questions[["survey_id", "question_id"]], on=["survey_id", "question_id"])
    scored = scored[scored["answer_numeric"].notna()]
    per_response = scored.groupby("response_id").agg(
        score=("answer_numeric", lambda s: float(pd.to_numeric(s).mean())),
        account_id=("account_id", "first"),
        contact_id=("contact_id", "max"),
        responded_at=("responded_at", "min"),
    )
    keys = _df(con, "select contact_id, contact_key from staging.stg_crm__contacts")
    per_response = per_response.reset_index().merge(keys, on="contact_id", how="left")
    accounts = _df(con, "select account_id, segment, updated_at, _loaded_at, _row_number from raw.accounts")
    accounts = accounts.sort_values(["updated_at", "_loaded_at", "_row_number"]).drop_duplicates(
        "account_id", keep="last"
    )
    per_response = per_response.merge(accounts[["account_id", "segment"]], on="account_id", how="left")
    per_response["period_month"] = pd.to_datetime(per_response["responded_at"]).dt.to_period("M").dt.start_time
    per_response["segment"] = per_response["segment"].str.strip().str.upper()
    per_response["respondent"] = per_response["contact_key"].where(
        per_response["contact_key"].notna(),
        ("account:" + per_response["account_id"]).where(
            per_response["segment"] == "B2C", "response:" + per_response["response_id"]
        ),
    )
    per_response = per_response.sort_values(["responded_at", "response_id"]).drop_duplicates(
        ["period_month", "respondent"], keep="last"
    )
    frames = [per_response[per_response["segment"].notna()], per_response.assign(segment="all")]
    rows = []
    for (month, segment), group in pd.concat(frames).groupby(["period_month", "segment"]):
        n = len(group)
        promoters = int((group["score"] >= 9).sum())
        detractors = int((group["score"] < 7).sum())
        p, d = promoters / n, detractors / n
        rows.append(
            {
                "period_month": month,
                "segment": segment,
                "respondents": n,
                "promoters": promoters,
                "detractors": detractors,
                "nps": 100 * (p - d),
                "moe": 196 * math.sqrt((p + d - (p - d) ** 2) / n),
            }
        )
    return pd.DataFrame(rows)


def test_nps_equals_an_independent_count_from_raw_answers(built: Built):
    expected = _independent_nps(built.con).set_index(["period_month", "segment"]).sort_index()
    mart = _df(built.con, "select * from marts.mart_nps")
    mart["period_month"] = pd.to_datetime(mart["period_month"])
    mart = mart.set_index(["period_month", "segment"]).sort_index()
    assert list(mart.index) == list(expected.index)
    assert mart["respondents"].tolist() == expected["respondents"].tolist()
    assert abs(mart["nps"].to_numpy() - expected["nps"].to_numpy()).max() < 1e-9
    assert abs(mart["nps_moe_95"].to_numpy() - expected["moe"].to_numpy()).max() < 1e-9
    assert (mart["promoters"] + mart["passives"] + mart["detractors"] == mart["respondents"]).all()
    assert (mart["is_small_sample"] == (mart["respondents"] < 30)).all()
    for segment in ("B2B", "B2C", "all"):
        seg = expected.xs(segment, level="segment")
        got = mart.xs(segment, level="segment")
        change = seg["nps"].diff()
        # two-sample z-test of no change, the score variance of both months pooled
        both = seg[["respondents", "promoters", "detractors"]].rolling(2).sum()
        p, d = both["promoters"] / both["respondents"], both["detractors"] / both["respondents"]
        variance = p + d - (p - d) ** 2
        se = 100 * (variance * (1 / seg["respondents"] + 1 / seg["respondents"].shift())) ** 0.5
        significant = (variance > 0) & (change.abs() > 1.96 * se)
        assert pd.isna(got["nps_change"].iloc[0])
        assert abs(got["nps_change"].to_numpy()[1:] - change.to_numpy()[1:]).max() < 1e-9
        assert got["change_is_significant"].tolist()[1:] == significant.tolist()[1:]


def test_revenue_weighted_nps_weights_by_mrr_in_the_response_month(built: Built):
    rows = _df(
        built.con,
        """
        select r.response_month, r.nps_category, coalesce(m.mrr_eur, 0) as weight
        from marts.fct_survey_responses r
        left join marts.fct_mrr m on m.customer_id = r.customer_id and m.month = r.response_month
        where r.counts_in_nps
        """,
    )
    rows["net"] = rows["weight"] * rows["nps_category"].map({"promoter": 1, "passive": 0, "detractor": -1})
    sums = rows.groupby("response_month")[["net", "weight"]].sum()
    expected = (100 * sums["net"].astype(float) / sums["weight"].astype(float)).rename("expected")
    mart = _df(built.con, "select period_month, revenue_weighted_nps from marts.mart_nps where segment = 'all'")
    joined = mart.set_index(pd.to_datetime(mart["period_month"])).join(
        expected.set_axis(pd.to_datetime(expected.index))
    )
    assert joined["revenue_weighted_nps"].notna().sum() > 6
    assert (joined["revenue_weighted_nps"] - joined["expected"]).abs().max() < 1e-6


def test_ratings_are_normalised_on_each_questions_own_scale(built: Built):
    raw = _df(
        built.con,
        """
        select r.response_id, lower(trim(q.construct)) as construct, q.scale_min, q.scale_max,
               r.answer_numeric
        from raw.responses r
        join raw.questions q on q.survey_id = r.survey_id and q.question_id = r.question_id
        where lower(trim(q.construct)) in ('value_economic', 'ladder_fulfilment', 'experience')
            and r.answer_numeric is not null
        """,
    )
    # one construct asked on two scales: normalising per construct instead of per question would differ
    scales = raw.groupby("construct")[["scale_min", "scale_max"]].agg(lambda s: sorted(set(s)))
    assert scales.loc["ladder_fulfilment"].tolist() == [[0, 1], [5, 100]]
    assert (raw.loc[raw["construct"] == "ladder_fulfilment", "answer_numeric"].astype(float) > 5).sum() > 100
    expected = (
        raw.assign(
            score=(raw["answer_numeric"].astype(float) - raw["scale_min"]) / (raw["scale_max"] - raw["scale_min"]) * 100
        )
        .groupby(["response_id", "construct"])["score"]
        .mean()
        .unstack()
    )
    fct = _df(
        built.con,
        "select response_id, value_economic, ladder_fulfilment, experience from marts.fct_survey_responses",
    ).set_index("response_id")
    common = expected.index.intersection(fct.index)
    assert len(common) > 1000
    for construct in expected.columns:
        diff = (fct.loc[common, construct] - expected.loc[common, construct]).abs()
        assert diff.max() < 1e-9, construct


def test_strongest_generated_drivers_come_out_on_top(built: Built):
    drivers = _df(
        built.con,
        "select segment, outcome, driver, importance_pct, respondents from marts.mart_value_drivers "
        "where driver like 'value_%'",
    )
    for segment, outcomes in TRUE_DRIVERS.items():
        for outcome, truth in outcomes.items():
            rows = drivers[(drivers["segment"] == segment) & (drivers["outcome"] == outcome)]
            ranked = list(rows.sort_values("importance_pct", ascending=False)["driver"])
            assert rows["importance_pct"].notna().all(), (segment, outcome)
            assert rows["respondents"].min() >= 100, (segment, outcome)
            if outcome == "nps":
                assert ranked[:3] == truth[:3], (segment, outcome, ranked, truth)
            elif outcome == "retention_12m":
                # binary outcomes of a few hundred customers are noisier: the strongest true driver is
                # among the top two found, and the top one found is among the two strongest true ones
                assert truth[0] in ranked[:2] and ranked[0] in truth[:2], (segment, outcome, ranked, truth)
            else:
                # expansion as revenue behaviour (next 12 months above the last 12) also carries the
                # retention drivers (B2C: buying more often vs dropping out), so only the top three
                assert truth[0] in ranked[:3] and ranked[0] in truth[:3], (segment, outcome, ranked, truth)
    totals = _df(
        built.con,
        "select segment, outcome, sum(importance_pct) as total from marts.mart_value_drivers group by all",
    )
    assert len(totals) == 6 and (totals["total"] - 100).abs().max() < 1e-6


def test_nps_drivers_match_their_inputs_recomputed_in_sql(built: Built):
    """The NPS drivers against fct_survey_responses, not against the Python model's own arithmetic: the
    respondents are the complete responses (NPS and all ten drivers) that mart_nps counts (counts_in_nps:
    each respondent once a month), each driver's correlation is corr(driver, nps) over them, and R^2 lies
    between the largest squared correlation and 1."""
    drivers = [*(f"value_{v}" for v in VALUE_TYPES), *LADDER_ORDER]
    complete = " and ".join(["counts_in_nps", *(f"{d} is not null" for d in ["nps_score", *drivers])])
    expected = pd.concat(
        _df(
            built.con,
            f"select segment, '{d}' as driver, count(*) as respondents, corr({d}, nps_score) as correlation "
            f"from marts.fct_survey_responses where segment in ('B2B', 'B2C') and {complete} group by segment",
        )
        for d in drivers
    )
    mart = _df(
        built.con,
        "select segment, driver, respondents, correlation, r_squared from marts.mart_value_drivers "
        "where outcome = 'nps'",
    )
    joined = mart.merge(expected, on=["segment", "driver"], suffixes=("", "_expected"), validate="one_to_one")
    assert len(joined) == len(mart) == 2 * len(drivers)
    assert (joined["respondents"] == joined["respondents_expected"]).all()
    assert (joined["correlation"] - joined["correlation_expected"]).abs().max() < 1e-6
    per_segment = joined.assign(squared=joined["correlation"] ** 2).groupby("segment")
    assert (per_segment["r_squared"].first() >= per_segment["squared"].max() - 1e-9).all()
    assert (per_segment["r_squared"].first() <= 1).all()


def test_customer_value_is_the_latest_response_with_its_outcome(built: Built):
    value = _df(built.con, "select * from marts.mart_customer_value")
    latest = _df(
        built.con,
        "select customer_id, max(response_month) as as_of_month, count(*) as responses "
        "from marts.fct_survey_responses group by customer_id",
    )
    assert len(value) == len(latest) == value["customer_id"].nunique()
    merged = value.merge(latest, on="customer_id", suffixes=("", "_expected"))
    assert (pd.to_datetime(merged["as_of_month"]) == pd.to_datetime(merged["as_of_month_expected"])).all()
    assert merged["retained_12m"].notna().sum() > 100
    clv = _df(built.con, "select customer_id, predicted_clv_eur from marts.mart_customer_lifetime_value")
    with_clv = value.merge(clv, on="customer_id", suffixes=("", "_clv"))
    assert len(with_clv) > 100
    assert (with_clv["predicted_clv_eur"] - with_clv["predicted_clv_eur_clv"].astype(float)).abs().max() < 1e-3
    assert set(value["ladder_position"].dropna()) <= {"below_parity", "parity", "advantage", "proven"}
    positions = value.groupby("ladder_position")["ladder_step"].agg(["min", "max"])
    assert positions.loc["below_parity", "max"] <= 2 and positions.loc["proven", "min"] == 5


def _ladder_step(ratings: pd.Series, threshold: float = 75) -> float:
    """The ladder rule of fct_survey_responses, again in Python: steps reached in a row from the first (a
    missing rating is not reached); None when no step was rated."""
    if ratings.isna().all():
        return math.nan
    step = 0
    for rating in ratings:
        if pd.isna(rating) or rating < threshold:
            break
        step += 1
    return step


def test_every_item_is_carried_forward_to_each_response_and_the_latest(built: Built):
    """A partial response leaves the customer's earlier answers in place: in
    int_survey_responses_carried_forward each item (NPS, value types, ladder ratings, expectation,
    experience) of a response is the customer's latest answer of it up to that response, recomputed here
    from fct_survey_responses with pandas (a forward fill per customer), and mart_customer_value is each
    customer's latest response of it, with the ladder step and the promise gap computed again from the
    carried items."""
    value_types = [f"value_{v}" for v in VALUE_TYPES]
    items = ["nps_score", *value_types, *LADDER_ORDER, "expectation", "experience"]
    responses = _df(
        built.con, f"select customer_id, responded_at, response_id, {', '.join(items)} from marts.fct_survey_responses"
    ).sort_values(["customer_id", "responded_at", "response_id"])
    expected = responses.groupby("customer_id")[items].ffill().set_index(responses["response_id"])
    carried = _df(built.con, "select * from intermediate.int_survey_responses_carried_forward")
    carried = carried.set_index("response_id").loc[expected.index]
    for column in items:
        assert (carried[column].isna() == expected[column].isna()).all(), column
        assert (carried[column] - expected[column]).abs().max() < 1e-9, column
    latest_ids = responses.groupby("customer_id")["response_id"].last()
    assert carried.loc[carried["is_latest_response"]].index.sort_values().equals(pd.Index(latest_ids).sort_values())

    # the case this is about: latest responses that left a value type, a ladder step or NPS unanswered
    latest = responses.set_index("response_id").loc[latest_ids]
    assert latest[value_types].isna().any(axis=1).sum() > 50
    assert latest[list(LADDER_ORDER)].isna().any(axis=1).sum() > 50
    assert latest["nps_score"].isna().sum() > 5

    mart = _df(built.con, "select * from marts.mart_customer_value").set_index("customer_id")
    at_latest = expected.loc[latest_ids].set_index(latest_ids.index).reindex(mart.index)
    for column in ["nps_score", *value_types]:
        assert (mart[column].isna() == at_latest[column].isna()).all(), column
        assert (mart[column] - at_latest[column]).abs().max() < 1e-9, column
    steps = at_latest[list(LADDER_ORDER)].apply(_ladder_step, axis=1)
    assert (mart["ladder_step"].isna() == steps.isna()).all()
    assert (mart["ladder_step"].dropna() == steps.dropna()).all()
    own_steps = latest[list(LADDER_ORDER)].apply(_ladder_step, axis=1)
    own_steps = own_steps.set_axis(latest_ids.index).reindex(mart.index)
    assert (own_steps.fillna(-1) != steps.fillna(-1)).sum() > 20  # carrying matters here
    gap = at_latest["experience"] - at_latest["expectation"]
    assert (mart["promise_gap"].isna() == gap.isna()).all()
    assert (mart["promise_gap"] - gap).abs().max() < 1e-9


def test_lifecycle_status_follows_revenue(built: Built):
    customers = _df(built.con, "select * from marts.dim_customers")
    assert set(customers["lifecycle_status"]) == {"active", "churned", "never_paid"}
    assert (customers.loc[customers["current_mrr_eur"] > 0, "lifecycle_status"] == "active").all()
    never = customers[customers["lifecycle_status"] == "never_paid"]
    assert never["first_revenue_date"].isna().all() and never["cohort_month"].isna().all()
    assert customers.loc[customers["lifecycle_status"] != "never_paid", "first_revenue_date"].notna().all()


def test_contact_key_is_the_keyed_hmac_of_the_email(built: Built):
    contacts = _df(
        built.con,
        "select contact_id, email, updated_at, _loaded_at, _row_number from raw.contacts where email is not null",
    )
    contacts = contacts.sort_values(["updated_at", "_loaded_at", "_row_number"]).drop_duplicates(
        "contact_id", keep="last"
    )
    staged = _df(built.con, "select contact_id, contact_key from staging.stg_crm__contacts").set_index("contact_id")
    sample = contacts.head(200)
    for contact_id, email in zip(sample["contact_id"], sample["email"], strict=True):
        digest = hmac.new(KEY.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()
        assert staged.loc[contact_id.strip(), "contact_key"] == digest


def test_no_personal_data_or_key_text_past_staging(built: Built):
    emails = {e.strip().lower() for (e,) in built.con.execute("select email from raw.contacts").fetchall() if e}
    names = {n.strip() for (n,) in built.con.execute("select full_name from raw.contacts").fetchall() if n}
    b2c_names = {
        n.strip()
        for (n,) in built.con.execute("select account_name from raw.accounts where segment = 'B2C'").fetchall()
    }
    assert emails and names and b2c_names
    for mart in MARTS:
        frame = _df(built.con, f"select * from marts.{mart}")
        for column in frame.columns:
            if frame[column].dtype == object:
                values = {str(v).strip() for v in frame[column].dropna().unique()}
                assert not values & emails, (mart, column)
                assert not values & names, (mart, column)
                assert not values & b2c_names, (mart, column)
                assert not any("@" in v for v in values), (mart, column)
    views = " ".join(sql for (sql,) in built.con.execute("select sql from duckdb_views()").fetchall() if sql)
    assert "stg_crm__accounts" in views or "account_id" in views
    assert KEY not in views
    compiled = [p.read_text() for p in (built.project / "target").rglob("*.sql")]
    assert compiled and not any(KEY in text for text in compiled)


def _mf_query(built: Built, tmp_path: Path, metrics: str, group_by: str) -> list[dict[str, str]]:
    """`mf query` as a user runs it, on a checkpointed copy of the warehouse: this process (dbt, the
    test) holds the warehouse's lock."""
    built.con.execute("checkpoint")
    copy = tmp_path / built.settings.warehouse.name  # the file name is the catalog name in the manifest
    shutil.copyfile(built.settings.warehouse, copy)
    out = tmp_path / "query.csv"
    env = {
        **os.environ,
        **built.env,
        "ARVO_WAREHOUSE": str(copy),
        "DBT_PROFILES_DIR": str(built.project),
        "DBT_PROJECT_DIR": str(built.project),
    }
    mf = Path(sys.executable).parent / "mf"
    completed = subprocess.run(
        [str(mf), "query", "--metrics", metrics, "--group-by", group_by, "--csv", str(out)],
        cwd=built.project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with out.open() as handle:
        return list(csv.DictReader(handle))


def test_metricflow_answers_nps_by_month_and_segment(built: Built, tmp_path: Path):
    rows = _mf_query(built, tmp_path, "nps,respondents,revenue_weighted_nps", "metric_time__month,customer__segment")
    mart = _df(built.con, "select period_month, segment, nps, respondents from marts.mart_nps where segment <> 'all'")
    expected = {
        (pd.Timestamp(m).strftime("%Y-%m"), s): (float(n), int(r)) for m, s, n, r in mart.itertuples(index=False)
    }
    got = {
        (row["metric_time__month"][:7], row["customer__segment"]): (
            float(row["nps"]),
            int(float(row["respondents"])),
        )
        for row in rows
        if row["customer__segment"] and row["nps"]
    }
    assert got.keys() == expected.keys()
    for key, (nps, respondents) in expected.items():
        assert got[key][1] == respondents, key
        assert got[key][0] == pytest.approx(nps, abs=1e-6), key


def test_metricflow_net_revenue_retention_follows_the_same_customers(built: Built, tmp_path: Path):
    """NRR per reference year, recomputed from fct_mrr: of the customers with MRR in a reference month
    whose 12 months have passed, their MRR 12 months later over their MRR then. A customer without MRR
    in the reference month (a gap, or not yet subscribed) is not in the base, nor in the numerator."""
    rows = _mf_query(built, tmp_path, "net_revenue_retention", "metric_time__year")
    got = {r["metric_time__year"][:4]: float(r["net_revenue_retention"]) for r in rows if r["net_revenue_retention"]}
    mrr = _df(built.con, "select customer_id, month, mrr_eur from marts.fct_mrr where mrr_eur > 0")
    (as_of_month,) = built.con.execute("select max(month) from intermediate.int_revenue_months").fetchone()
    mrr["month"] = pd.to_datetime(mrr["month"])
    later = mrr.assign(month=mrr["month"] - pd.DateOffset(months=12)).rename(columns={"mrr_eur": "later_eur"})
    base = mrr[mrr["month"] + pd.DateOffset(months=12) <= pd.Timestamp(as_of_month)]
    joined = base.merge(later, on=["customer_id", "month"], how="left").fillna({"later_eur": 0})
    joined["year"] = joined["month"].dt.strftime("%Y")
    sums = joined.groupby("year")[["mrr_eur", "later_eur"]].sum()
    expected = (sums["later_eur"].astype(float) / sums["mrr_eur"].astype(float)).to_dict()
    assert len(expected) >= 2 and got.keys() == expected.keys()
    for year, nrr in expected.items():
        assert got[year] == pytest.approx(nrr, rel=1e-9), year


def test_metricflow_surveyed_retention_counts_customers_with_revenue_at_their_latest_response(
    built: Built, tmp_path: Path
):
    """surveyed_retention_rate_12m per segment, recomputed from the responses and the 12-month outcomes:
    each customer at its latest response; only a customer with revenue in that month (not a prospect,
    not one that had left) and whose 12 months have passed is in the base."""
    rows = _mf_query(
        built, tmp_path, "surveyed_retention_rate_12m,customers_with_known_retention_12m", "customer__segment"
    )
    got = {
        r["customer__segment"]: (
            float(r["surveyed_retention_rate_12m"]),
            int(float(r["customers_with_known_retention_12m"])),
        )
        for r in rows
    }
    latest = _df(
        built.con,
        "select customer_id, response_month from marts.fct_survey_responses "
        "qualify row_number() over (partition by customer_id order by responded_at desc, response_id desc) = 1",
    )
    outcomes = _df(
        built.con,
        "select customer_id, reference_month as response_month, retained_12m "
        "from intermediate.int_customer_outcomes_12m "
        "where active_at_reference and outcome_known",
    )
    segments = _df(built.con, "select customer_id, segment from marts.dim_customers")
    base = latest.merge(outcomes, on=["customer_id", "response_month"]).merge(segments, on="customer_id")
    expected = base.groupby("segment")["retained_12m"].agg(["mean", "size"])
    assert set(expected.index) == {"B2B", "B2C"} and expected["size"].min() >= 30
    for segment, (rate, customers) in expected.iterrows():
        assert got[segment][1] == customers, segment
        assert got[segment][0] == pytest.approx(rate, rel=1e-9), segment


def test_docs_generate_describes_every_mart_column(built: Built):
    result = _dbt(built.project, ["docs", "generate", "--select", VALUE_MARTS])
    assert result.success, result.exception
    catalog = built.project / "target" / "catalog.json"
    assert catalog.exists()
    nodes = json.loads((built.project / "target" / "manifest.json").read_text())["nodes"]
    cat = json.loads(catalog.read_text())["nodes"]
    for mart in MARTS:
        node = nodes[f"model.arvo.{mart}"]
        assert node["description"].strip(), mart
        documented = {name for name, col in node["columns"].items() if col["description"].strip()}
        in_warehouse = {c.lower() for c in cat[f"model.arvo.{mart}"]["columns"]}
        assert in_warehouse == documented, (mart, in_warehouse ^ documented)
