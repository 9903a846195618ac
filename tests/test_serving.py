"""The serving snapshot: complete, swapped atomically, readable while the next one is written."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from arvo.config import Settings
from arvo.serving import KEEP_SNAPSHOTS, current_snapshot, publish_snapshot
from tests.support import tree_digest


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings.under(tmp_path)
    settings.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.mart_nps as select range as period, 'B2B' as segment from range(5)")
        con.execute("create table marts.dim_customers as select 'c' || range as customer_id from range(3)")
        con.execute("create schema intermediate")
        con.execute("create table intermediate.int_as_of_dates as select date '2026-09-30' as as_of_date")
        con.execute("create schema audit")
        con.execute("create table audit.load_ledger as select 'l1' as load_id, 'loaded' as status")
        con.execute("create schema staging")
        con.execute("create table staging.not_served as select 1 as x")
    return settings


def test_publish_copies_every_mart_to_duckdb_and_parquet(settings: Settings):
    manifest = publish_snapshot(settings, run_id="run-0001", supporting_tables=["audit.load_ledger", "audit.nope"])
    assert manifest["as_of_date"] == "2026-09-30"
    assert manifest["supporting_tables"] == {"audit.load_ledger": 1}
    snapshot = current_snapshot(settings.serving)
    assert snapshot is not None and snapshot.name == manifest["snapshot_id"]
    assert manifest["row_counts"] == {"dim_customers": 3, "mart_nps": 5}
    assert json.loads((snapshot / "manifest.json").read_text())["run_id"] == "run-0001"
    with duckdb.connect(str(snapshot / "arvo.duckdb"), read_only=True) as con:
        query = "select table_schema, table_name from information_schema.tables order by 2"
        tables = con.execute(query).fetchall()
        assert tables == [("marts", "dim_customers"), ("audit", "load_ledger"), ("marts", "mart_nps")]
    parquet = duckdb.sql(f"select count(*) from '{snapshot / 'parquet' / 'mart_nps.parquet'}'").fetchone()
    assert parquet == (5,)


def test_a_reader_holding_the_old_snapshot_keeps_reading_it_while_a_new_one_is_swapped_in(settings: Settings):
    publish_snapshot(settings, run_id="run-0001")
    reader = duckdb.connect(str(settings.serving / "current" / "arvo.duckdb"), read_only=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("insert into marts.mart_nps select 99, 'B2C'")
    for run in range(KEEP_SNAPSHOTS + 1):  # enough publishes to prune the snapshot the reader holds
        publish_snapshot(settings, run_id=f"run-{run + 2:04d}")
    assert reader.execute("select count(*) from marts.mart_nps").fetchone() == (5,)
    reader.close()
    with duckdb.connect(str(settings.serving / "current" / "arvo.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.mart_nps").fetchone() == (6,)
    kept = [p for p in (settings.serving / "snapshots").iterdir()]
    assert len(kept) == KEEP_SNAPSHOTS


def test_a_failed_publish_leaves_the_previous_snapshot_byte_for_byte(settings: Settings):
    publish_snapshot(settings, run_id="run-0001")
    before = tree_digest(settings.serving)
    settings.warehouse.unlink()  # the next publish cannot read the warehouse
    with pytest.raises(duckdb.Error):
        publish_snapshot(settings, run_id="run-0002")
    assert tree_digest(settings.serving) == before
    assert not [p for p in (settings.serving / "snapshots").iterdir() if p.name.startswith(".")]
