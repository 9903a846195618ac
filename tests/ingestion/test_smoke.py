"""Every entity loads from a valid CSV into its typed raw table with lineage."""

from __future__ import annotations

from ingestion.contract import ENTITIES, FILE_LINEAGE, LINEAGE_COLUMNS
from ingestion.pipeline import ingest_pending
from ingestion.warehouse import STORED_LINEAGE, connect, ensure_schemas

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


def test_raw_shows_file_lineage_from_the_ledger_and_stores_it_once_per_file(baseline):
    drop(baseline, "invoices", "inv.csv", csv_text(VALID_ROWS["invoices"]))
    result = ingest_pending(baseline, settle_seconds=0)[0]
    con = connect(baseline)
    stored = {r[0] for r in con.execute("describe raw_store.invoices").fetchall()}
    shown = [r[0] for r in con.execute("describe raw.invoices").fetchall()]
    lineage = con.execute("select distinct _source_file, _file_sha256, _load_id from raw.invoices").fetchall()
    con.close()
    assert shown[-5:] == list(LINEAGE_COLUMNS)
    assert not stored & set(FILE_LINEAGE) and set(STORED_LINEAGE) <= stored
    assert lineage == [("revenue/invoices/inv.csv", result.sha256, result.load_id)]


def test_a_warehouse_with_raw_tables_of_an_earlier_version_keeps_its_rows(baseline):
    """Before `raw_store`, raw.<entity> was a table with all five lineage columns: it moves there."""
    drop(baseline, "invoices", "inv.csv", csv_text(VALID_ROWS["invoices"]))
    ingest_pending(baseline, settle_seconds=0)
    con = connect(baseline)
    before = con.execute("select * from raw.invoices order by _row_number").fetchall()
    con.execute("drop view raw.invoices")
    con.execute("create table raw.invoices as select * from raw_store.invoices")
    con.execute("alter table raw.invoices add column _source_file varchar")
    con.execute("alter table raw.invoices add column _file_sha256 varchar")
    con.execute("drop table raw_store.invoices")
    ensure_schemas(con)
    kind = con.execute("select table_type from information_schema.tables where table_name = 'invoices'").fetchall()
    after = con.execute("select * from raw.invoices order by _row_number").fetchall()
    con.close()
    assert sorted(kind) == [("BASE TABLE",), ("VIEW",)]
    assert after == before


def test_ensure_schemas_leaves_current_views_alone_and_renews_stale_ones(settings):
    """Every raw asset ensures the schemas on every run: on a current warehouse that must write nothing
    (no view replaced), yet a view that no longer matches its stored table or code is made again."""
    con = connect(settings)
    ensure_schemas(con)
    views = "select view_name, view_oid from duckdb_views() where schema_name = 'raw' order by 1"
    before = con.execute(views).fetchall()
    ensure_schemas(con)
    assert con.execute(views).fetchall() == before
    con.execute("alter table raw_store.deals add column region varchar")
    con.execute("comment on view raw.accounts is 'made by an earlier version'")
    ensure_schemas(con)
    after = dict(con.execute(views).fetchall())
    shown = [r[0] for r in con.execute("describe raw.deals").fetchall()]
    con.close()
    renewed = {name for name, oid in before if after[name] != oid}
    assert renewed == {"deals", "accounts"}
    assert "region" in shown and shown[-5:] == list(LINEAGE_COLUMNS)
