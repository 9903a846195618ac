"""Small, valid landing files per entity, written by the tests themselves (no generator needed)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from arvo.config import Settings
from ingestion.contract import ENTITIES

VALID_ROWS: dict[str, list[dict[str, str]]] = {
    "accounts": [
        {
            "account_id": "A1",
            "account_name": "Äijälä Oy",
            "segment": "B2B",
            "industry": "retail",
            "country": "FI",
            "created_at": "2024-01-01T10:00:00+02:00",
            "updated_at": "2024-02-01T00:00:00Z",
        },
        {
            "account_id": "A2",
            "account_name": "Bo Ek",
            "segment": "B2C",
            "industry": "",
            "country": "SE",
            "created_at": "2024-01-03 09:00:00",
            "updated_at": "2024-01-03 09:00:00",
        },
    ],
    "contacts": [
        {
            "contact_id": "C1",
            "account_id": "A1",
            "email": "a@example.com",
            "full_name": "Aino",
            "role": "cfo",
            "created_at": "2024-01-01",
            "updated_at": "2024-01-01",
        },
    ],
    "deals": [
        {
            "deal_id": "D1",
            "account_id": "A1",
            "stage": "won",
            "amount": "1200.50",
            "currency": "EUR",
            "created_at": "2024-01-01",
            "closed_at": "2024-02-01",
            "is_won": "true",
        },
    ],
    "questions": [
        {
            "survey_id": "S1",
            "question_id": "Q1",
            "construct": "nps",
            "scale_min": "0",
            "scale_max": "10",
            "question_text": "How likely are you to recommend us?",
        },
        {
            "survey_id": "S1",
            "question_id": "Q2",
            "construct": "value_economic",
            "scale_min": "1",
            "scale_max": "5",
            "question_text": "It saves us money",
        },
        {
            "survey_id": "S1",
            "question_id": "Q3",
            "construct": "comment",
            "scale_min": "",
            "scale_max": "",
            "question_text": "Anything else?",
        },
    ],
    "responses": [
        {
            "response_id": "R1",
            "survey_id": "S1",
            "question_id": "Q1",
            "account_id": "A1",
            "contact_id": "C1",
            "responded_at": "2024-03-01T12:00:00+02:00",
            "answer_numeric": "9",
            "answer_text": "",
        },
        {
            "response_id": "R1",
            "survey_id": "S1",
            "question_id": "Q2",
            "account_id": "A1",
            "contact_id": "C1",
            "responded_at": "2024-03-01T12:00:00+02:00",
            "answer_numeric": "4",
            "answer_text": "",
        },
        {
            "response_id": "R1",
            "survey_id": "S1",
            "question_id": "Q3",
            "account_id": "A1",
            "contact_id": "C1",
            "responded_at": "2024-03-01T12:00:00+02:00",
            "answer_numeric": "",
            "answer_text": "Hyvä, kiitos",
        },
    ],
    "invoices": [
        {
            "invoice_id": "I1",
            "account_id": "A1",
            "invoice_date": "2024-01-31",
            "currency": "EUR",
            "amount": "100.00",
            "status": "paid",
        },
        {
            "invoice_id": "I2",
            "account_id": "A1",
            "invoice_date": "2024-02-29",
            "currency": "SEK",
            "amount": "-25.50",
            "status": "open",
        },
    ],
    "subscriptions": [
        {
            "subscription_id": "SU1",
            "account_id": "A1",
            "plan": "pro",
            "start_date": "2024-01-01",
            "end_date": "",
            "mrr": "99.00",
            "currency": "EUR",
            "updated_at": "2024-01-01T00:00:00",
        },
    ],
    "fx_rates": [
        {"rate_date": "2024-01-01", "currency": "SEK", "rate": "11.1"},
        {"rate_date": "2024-01-01", "currency": "EUR", "rate": "1"},
    ],
}


def csv_text(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    """CSV with a header; `columns` defaults to the keys of the first row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def drop(settings: Settings, entity: str, name: str, content: str | bytes) -> Path:
    """Write a file into the entity's landing folder, as a source system would."""
    folder = settings.landing / ENTITIES[entity].folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.under(tmp_path)


def ingest(settings: Settings, entities: list[str] | None = None):
    """Ingest without the settle wait (tests write files completely before ingesting)."""
    from ingestion.pipeline import ingest_pending

    return ingest_pending(settings, entities, settle_seconds=0)


def warehouse_snapshot(settings: Settings) -> dict[str, list[tuple]]:
    """Every raw table's rows (sorted) so a test can prove a rejected file changed nothing."""
    from ingestion.warehouse import connect

    con = connect(settings)
    try:
        return {name: sorted(map(repr, con.execute(f"select * from raw.{name}").fetchall())) for name in ENTITIES}
    finally:
        con.close()


def ledger(settings: Settings) -> list[dict]:
    from ingestion.warehouse import connect

    con = connect(settings)
    try:
        cursor = con.execute("select * from audit.load_ledger order by started_at, load_id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


@pytest.fixture
def baseline(settings: Settings) -> Settings:
    """A warehouse that already holds valid accounts, the question catalog and fx rates."""
    for name in ("accounts", "questions", "fx_rates"):
        drop(settings, name, f"{name}_base.csv", csv_text(VALID_ROWS[name]))
    results = ingest(settings)
    assert [r.status for r in results] == ["loaded"] * 3
    return settings
