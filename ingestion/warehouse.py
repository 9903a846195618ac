"""The DuckDB warehouse as ingestion sees it: a connection, the raw and audit schemas, the ledger.

`ensure_schemas` makes every contract entity exist as a (possibly empty) raw table, so a source that
has delivered nothing yet never breaks the dbt models built on top of it.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from arvo.config import Settings
from ingestion.contract import DUCKDB_TYPES, ENTITIES, LINEAGE_COLUMNS, Entity

LEDGER_TABLE = "audit.load_ledger"

# One row per file seen. Statuses: loaded, loaded_with_warnings, quarantined, skipped_duplicate.
LEDGER_COLUMNS: dict[str, str] = {
    "load_id": "VARCHAR PRIMARY KEY",
    "run_id": "VARCHAR",
    "entity": "VARCHAR NOT NULL",
    "file_path": "VARCHAR NOT NULL",
    "file_name": "VARCHAR",
    "file_format": "VARCHAR",
    "file_size": "BIGINT",
    "file_mtime": "DOUBLE",
    "sha256": "VARCHAR NOT NULL",
    "rows_in": "BIGINT NOT NULL",
    "rows_loaded": "BIGINT NOT NULL",
    "rows_rejected": "BIGINT NOT NULL",
    "status": "VARCHAR NOT NULL",
    "started_at": "TIMESTAMP NOT NULL",
    "finished_at": "TIMESTAMP NOT NULL",
    "reason": "VARCHAR",
    "findings": "JSON",
    "quarantine_path": "VARCHAR",
}


def quote_ident(name: str) -> str:
    """Quote an identifier so that any header text (quotes, semicolons, spaces) stays a name, never SQL."""
    return '"' + name.replace('"', '""') + '"'


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse with the configured limits; timestamps are handled in UTC."""
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    config = {key: str(value) for key, value in settings.duckdb_config().items()}
    return _session(duckdb.connect(str(settings.warehouse), read_only=read_only, config=config))


def another_connection(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A second connection to the warehouse `con` has open, set up the same way: its own transactions
    and temp tables, usable from another thread of this process (the one writer DuckDB allows)."""
    return _session(con.cursor())


def _session(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("set TimeZone = 'UTC'")
    return con


def raw_columns(con: duckdb.DuckDBPyConnection, entity: Entity) -> list[str]:
    """Column names of `raw.<entity>` in table order."""
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [entity.name],
    ).fetchall()
    return [r[0] for r in rows]


def _create_raw_table(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    columns = [f"{quote_ident(c.name)} {DUCKDB_TYPES[c.type]}" for c in entity.columns]
    columns += [f"{quote_ident(name)} {type_}" for name, type_ in LINEAGE_COLUMNS.items()]
    con.execute(f"create table if not exists raw.{quote_ident(entity.name)} ({', '.join(columns)})")


def ensure_schemas(con: duckdb.DuckDBPyConnection, entities: Iterable[str] | None = None) -> None:
    """Create schemas `raw` and `audit`, every raw table and the ledger if missing (idempotent)."""
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists audit")
    for name in entities or ENTITIES:
        _create_raw_table(con, ENTITIES[name])
    ledger = ", ".join(f"{name} {type_}" for name, type_ in LEDGER_COLUMNS.items())
    con.execute(f"create table if not exists {LEDGER_TABLE} ({ledger})")


def add_extra_columns(con: duckdb.DuckDBPyConnection, entity: Entity, names: Iterable[str]) -> list[str]:
    """Add columns a file brings beyond the contract to `raw.<entity>` as VARCHAR; returns those added."""
    existing = {c.lower() for c in raw_columns(con, entity)}
    added = []
    for name in names:
        if name.lower() not in existing:
            con.execute(f"alter table raw.{quote_ident(entity.name)} add column {quote_ident(name)} VARCHAR")
            existing.add(name.lower())
            added.append(name)
    return added
