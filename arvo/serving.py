"""The serving snapshot: a read-only copy of the marts for BI tools, swapped in atomically.

BI tools never open the warehouse: DuckDB lets one process write a file and blocks readers from other
processes while it does. Each publish writes a complete new snapshot folder aside
(`snapshots/<id>/arvo.duckdb`, `parquet/<mart>.parquet`, `manifest.json`) and then repoints the
`current` symlink in one `rename`, so a reader sees the old snapshot or the new one, never a mix, and a
reader that holds the old file open keeps reading it undisturbed.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from arvo.config import Settings
from ingestion.warehouse import has_table

MARTS_SCHEMA = "marts"
CURRENT = "current"
SNAPSHOTS = "snapshots"
KEEP_SNAPSHOTS = 3
SNAPSHOT_DB = "arvo.duckdb"


def current_snapshot(serving: Path) -> Path | None:
    """The folder of the snapshot BI tools see now, or None before the first publish."""
    link = serving / CURRENT
    return link.resolve() if link.exists() else None


def snapshot_manifest(folder: Path) -> dict:
    """The `manifest.json` of a snapshot folder ({} when it has none): its id, run, dates and counts."""
    path = folder / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def open_published_ledger(db: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to a snapshot's database when it carries the load ledger, else None.

    Publish copies `audit.load_ledger` into each snapshot, so the ledger stays readable while a run holds
    the warehouse (DuckDB then refuses other processes even a read); snapshots published before that
    have none.
    """
    if not db.exists():
        return None
    con = duckdb.connect(str(db), read_only=True)
    if has_table(con, "audit", "load_ledger"):
        return con
    con.close()
    return None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A SQL string literal (ATTACH takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


AS_OF_TABLE = "intermediate.int_as_of_dates"


def publish_snapshot(settings: Settings, run_id: str, supporting_tables: Sequence[str] = ()) -> dict:
    """Copy every mart into a new snapshot and make it current; returns the snapshot's manifest.

    `supporting_tables` (`schema.table`) are copied too, under the same names, when they exist: the
    load ledger for the report's data-quality panel, and what the semantic layer reads besides the
    marts (its time spine), so MetricFlow can answer from the snapshot.
    """
    started = time.perf_counter()
    built_at = datetime.now(UTC)
    snapshot_id = f"{built_at:%Y%m%dT%H%M%S%fZ}-{run_id[:8]}"
    snapshots = settings.serving / SNAPSHOTS
    snapshots.mkdir(parents=True, exist_ok=True)
    staging = snapshots / f".{snapshot_id}.tmp"
    final = snapshots / snapshot_id
    (staging / "parquet").mkdir(parents=True)
    try:
        row_counts, supporting, as_of = _export(settings, staging, supporting_tables)
        manifest = {
            "snapshot_id": snapshot_id,
            "run_id": run_id,
            "as_of_date": as_of.get("as_of_date"),
            "clv_as_of_date": as_of.get("clv_as_of_date"),
            "built_at": built_at.isoformat(),
            "build_seconds": round(time.perf_counter() - started, 3),
            "row_counts": row_counts,
            "supporting_tables": supporting,
            "warehouse": str(settings.warehouse),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_current_at(settings.serving, final)
    _prune(snapshots, keep=final)
    return manifest


def _export(
    settings: Settings, target: Path, supporting_tables: Sequence[str]
) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    con = duckdb.connect(config=settings.duckdb_config())
    try:
        con.execute(f"attach {_literal(str(settings.warehouse))} as warehouse (read_only)")
        con.execute(f"attach {_literal(str(target / SNAPSHOT_DB))} as snapshot")
        marts: dict[str, int] = {}
        for table in _tables(con, MARTS_SCHEMA):
            marts[table] = _copy(con, MARTS_SCHEMA, table)
            source = f"warehouse.{MARTS_SCHEMA}.{_quote(table)}"
            con.sql(f"select * from {source}").write_parquet(str(target / "parquet" / f"{table}.parquet"))
        supporting: dict[str, int] = {}
        for qualified in supporting_tables:
            schema, table = qualified.split(".", 1)
            if table in _tables(con, schema):
                supporting[qualified] = _copy(con, schema, table)
        as_of = _as_of_dates(con)
        con.execute("detach snapshot")
        return marts, supporting, as_of
    finally:
        con.close()


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = 'warehouse' and table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def _copy(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    """Copy one table from the warehouse into the snapshot; returns its row count."""
    con.execute(f"create schema if not exists snapshot.{_quote(schema)}")
    source = f"warehouse.{_quote(schema)}.{_quote(table)}"
    con.execute(f"create table snapshot.{_quote(schema)}.{_quote(table)} as select * from {source}")
    return con.execute(f"select count(*) from {source}").fetchone()[0]


def _as_of_dates(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The build's as-of dates (from dbt's `int_as_of_dates`), empty when that model is not built."""
    schema, table = AS_OF_TABLE.split(".")
    if table not in _tables(con, schema):
        return {}
    cursor = con.execute(f"select * from warehouse.{AS_OF_TABLE}")
    row = cursor.fetchone()
    names = [d[0] for d in cursor.description]
    return {name: str(value) for name, value in zip(names, row or (), strict=False) if value is not None}


def _point_current_at(serving: Path, snapshot: Path) -> None:
    tmp_link = serving / f".{CURRENT}.{os.getpid()}.tmp"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(Path(SNAPSHOTS) / snapshot.name)
    os.replace(tmp_link, serving / CURRENT)


def _prune(snapshots: Path, keep: Path) -> None:
    """Keep the newest snapshots (a reader may still hold an older one open; POSIX keeps it readable)."""
    done = sorted((p for p in snapshots.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    for old in done[KEEP_SNAPSHOTS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
