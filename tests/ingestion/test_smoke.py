"""Every entity loads from a valid CSV into its typed raw table with lineage."""

from __future__ import annotations

from ingestion.contract import ENTITIES
from ingestion.pipeline import ingest_pending
from ingestion.warehouse import connect, ensure_schemas

from .conftest import VALID_ROWS, csv_text, drop


def test_empty_landing_gives_empty_raw_tables(settings):
    assert ingest_pending(settings, settle_seconds=0) == []
    con = connect(settings)
    ensure_schemas(con)  # idempotent
    for entity in ENTITIES.values():
        assert con.execute(f"select count(*) from {entity.raw_table}").fetchone()[0] == 0
    con.close()


def test_all_entities_load_from_csv(settings):
    for name, rows in VALID_ROWS.items():
        drop(settings, name, f"{name}_001.csv", csv_text(rows))
    results = ingest_pending(settings, settle_seconds=0)
    order = [r.entity for r in results]
    assert order[0] == "accounts"
    assert order.index("questions") < order.index("responses")
    assert order.index("fx_rates") < order.index("invoices")
    assert all(r.status == "loaded" for r in results), [r.reason for r in results]
    con = connect(settings)
    for name, rows in VALID_ROWS.items():
        assert con.execute(f"select count(*) from raw.{name}").fetchone()[0] == len(rows), name
    created = con.execute("select created_at from raw.accounts where account_id = 'A1'").fetchone()[0]
    assert str(created) == "2024-01-01 08:00:00"  # +02:00 stored as UTC
    con.close()
