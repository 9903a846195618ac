"""The sample-data generator: deterministic, contract-shaped, and carrying the structure it claims."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from arvo.generate import END_DATE, TRUE_DRIVERS, generate
from arvo.generate.survey import SURVEYS
from ingestion.contract import CONSTRUCTS, ENTITIES, INVOICE_STATUSES, SEGMENTS

SCALE = "small"
SEED = 7


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    generate(SCALE, SEED, out)
    return out


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _files(landing: Path, entity: str) -> list[Path]:
    return sorted((landing / ENTITIES[entity].folder).glob("*.csv"))


def read(landing: Path, entity: str) -> pd.DataFrame:
    """Every file of an entity as text (nothing inferred), with the file it came from."""
    frames = []
    for path in _files(landing, entity):
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
        df["_file"] = path.name
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    generate("tiny", 3, tmp_path / "a")
    generate("tiny", 3, tmp_path / "b")
    generate("tiny", 4, tmp_path / "c")
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert a == b
    assert a != c


def test_every_entity_is_written_with_no_leftover_part_files(landing: Path) -> None:
    for entity in ENTITIES.values():
        assert _files(landing, entity.name), entity.folder
    assert not list(landing.rglob("*.part"))


def test_headers_are_the_contract_columns_in_order(landing: Path) -> None:
    for entity in ENTITIES.values():
        for path in _files(landing, entity.name):
            header = path.read_text(encoding="utf-8").splitlines()[0]
            assert [h.strip('"') for h in header.split(",")] == list(entity.column_names), path


def test_required_columns_are_never_empty_and_keys_unique_within_a_file(landing: Path) -> None:
    for entity in ENTITIES.values():
        df = read(landing, entity.name)
        for column in entity.required:
            assert df[column].notna().all(), (entity.name, column)
        assert not df.duplicated([*entity.key, "_file"]).any(), entity.name
        if entity.versioned_by is None and entity.name != "questions":
            assert not df.duplicated(list(entity.key)).any(), entity.name


def test_types_parse(landing: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Every typed column casts with DuckDB exactly as the loaders will type it."""
    casts = {
        "date": "date",
        "timestamp": "timestamptz",
        "decimal": "decimal(18,4)",
        "int": "integer",
        "bool": "boolean",
    }
    for entity in ENTITIES.values():
        glob = str(landing / entity.folder / "*.csv")
        rel = f"read_csv('{glob}', header=true, all_varchar=true, quote='\"', escape='\"')"
        for column in entity.columns:
            if column.type == "text":
                continue
            bad = con.sql(
                f"select count(*) from {rel} where {column.name} is not null"
                f" and try_cast({column.name} as {casts[column.type]}) is null"
            ).fetchone()[0]
            assert bad == 0, (entity.name, column.name)


def test_allowed_values_and_ranges(landing: Path) -> None:
    accounts = read(landing, "accounts")
    assert set(accounts["segment"]) == set(SEGMENTS)
    invoices = read(landing, "invoices")
    assert set(invoices["status"].dropna()) <= set(INVOICE_STATUSES)
    amount = invoices["amount"].astype(float)
    assert (amount < 0).any()  # credit notes
    assert invoices.loc[amount < 0, "invoice_id"].str.startswith("CN-").all()
    subs = read(landing, "subscriptions")
    assert (subs["mrr"].astype(float) >= 0).all()
    ended = subs.dropna(subset=["end_date"])
    assert (ended["end_date"] >= ended["start_date"]).all()
    deals = read(landing, "deals")
    assert (deals["amount"].dropna().astype(float) >= 0).all()
    questions = read(landing, "questions")
    assert set(questions["construct"]) == set(CONSTRUCTS)
    assert set(questions["survey_id"]) == set(SURVEYS)


def test_answers_lie_within_their_questions_scale(landing: Path) -> None:
    questions = read(landing, "questions")
    answers = read(landing, "responses").merge(questions, on=["survey_id", "question_id"], how="left")
    assert answers["construct"].notna().all()  # every answer's question is in the catalog
    numeric = answers.dropna(subset=["answer_numeric"])
    value = numeric["answer_numeric"].astype(float)
    assert (value >= numeric["scale_min"].astype(float)).all()
    assert (value <= numeric["scale_max"].astype(float)).all()
    nps = numeric.loc[numeric["construct"] == "nps", "answer_numeric"].astype(float)
    assert nps.between(0, 10).all() and nps.nunique() == 11
    skipped = answers[answers["construct"] != "comment"]["answer_numeric"].isna().mean()
    assert 0 < skipped < 0.1
    comments = answers.loc[answers["construct"] == "comment", "answer_text"]
    assert comments.notna().all() and len(comments) > 0


def test_every_currency_has_a_rate_on_or_before_every_invoice(
    landing: Path, con: duckdb.DuckDBPyConnection
) -> None:
    inv = str(landing / "revenue/invoices/*.csv")
    fx = str(landing / "revenue/fx_rates/*.csv")
    missing = con.sql(
        f"""
        select count(*) from read_csv('{inv}') i
        where not exists (
            select 1 from read_csv('{fx}') f
            where f.currency = i.currency and f.rate_date <= i.invoice_date and f.rate > 0
        )
        """
    ).fetchone()[0]
    assert missing == 0


def test_data_ends_at_the_fixed_end_date(landing: Path) -> None:
    invoices = read(landing, "invoices")
    assert invoices["invoice_date"].max() <= str(END_DATE)
    assert invoices["invoice_date"].max() >= str(END_DATE - 31)


def test_names_are_utf8_with_nordic_letters(landing: Path) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in _files(landing, "accounts"))
    for letter in "äöå":
        assert letter in text
    accounts = read(landing, "accounts")
    b2b = accounts[accounts["segment"] == "B2B"]["account_name"]
    assert b2b.str.contains(r" (?:Oy|AB)$").any()
    assert (accounts.groupby("account_id").size() > 1).any()  # later second versions exist
    assert 0.25 < (accounts.drop_duplicates("account_id")["segment"] == "B2B").mean() < 0.35


def _latest_wide(landing: Path) -> pd.DataFrame:
    questions = read(landing, "questions")
    answers = read(landing, "responses").merge(questions, on=["survey_id", "question_id"])
    answers = answers[answers["construct"] != "comment"]
    answers["value"] = answers["answer_numeric"].astype(float)
    wide = answers.pivot_table(index=["response_id", "account_id"], columns="construct", values="value")
    segment = read(landing, "accounts").drop_duplicates("account_id").set_index("account_id")["segment"]
    wide = wide.reset_index()
    wide["segment"] = wide["account_id"].map(segment)
    return wide


def test_observed_value_drives_nps_in_the_documented_order(landing: Path) -> None:
    wide = _latest_wide(landing)
    for segment in SEGMENTS:
        part = wide[wide["segment"] == segment]
        corr = {d: part[d].corr(part["nps"]) for d in TRUE_DRIVERS[segment]["nps"]}
        ranked = sorted(corr, key=lambda d: -corr[d])
        assert ranked[0] == TRUE_DRIVERS[segment]["nps"][0], (segment, corr)
        assert corr[TRUE_DRIVERS[segment]["nps"][0]] > corr[TRUE_DRIVERS[segment]["nps"][-1]] + 0.15


def test_customers_on_low_ladder_steps_churn_more(landing: Path) -> None:
    """B2B accounts whose first response reaches few ladder steps end their subscriptions more often."""
    wide = _latest_wide(landing)
    steps = [
        f"ladder_{s}" for s in ("awareness", "understanding", "meaning", "differentiation", "fulfilment")
    ]
    reached = (wide[steps] >= 4).cumprod(axis=1).sum(axis=1)
    wide["step"] = reached
    per_account = wide[wide["segment"] == "B2B"].groupby("account_id")["step"].mean()
    subs = read(landing, "subscriptions").sort_values("updated_at")
    latest = subs.drop_duplicates("subscription_id", keep="last")
    running = latest[latest["end_date"].isna()].groupby("account_id").size()
    active = per_account.index.isin(running.index)
    low = active[per_account.to_numpy() < np.median(per_account)].mean()
    high = active[per_account.to_numpy() >= np.median(per_account)].mean()
    assert high > low + 0.05, (low, high)
