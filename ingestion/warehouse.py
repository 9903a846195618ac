"""The DuckDB warehouse as ingestion sees it: a connection, the raw and audit schemas, the ledger.

`ensure_schemas` makes every contract entity exist as a (possibly empty) raw table, so a source that
has delivered nothing yet never breaks the dbt models built on top of it.

`raw.<entity>`, which dbt and people read, is a view of `raw_store.<entity>`, where the rows are
kept with the lineage that is per row or cheap (load id, loaded-at, row number); the view adds the
file's path and sha256 from the load's ledger row. Those two strings are the same for every row of a
file and are in the ledger already; written on every row, they made loading the medium Parquet set
straight into tables with lineage take 13.8 s instead of 9.3 s (benchmarks/ingest.py, the floor).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import duckdb

from arvo.config import ConfigError, Settings
from ingestion.contract import DUCKDB_TYPES, ENTITIES, FILE_LINEAGE, LINEAGE_COLUMNS, Entity

LEDGER_TABLE = "audit.load_ledger"
STORE = "raw_store"
STORED_LINEAGE = {name: type_ for name, type_ in LINEAGE_COLUMNS.items() if name not in FILE_LINEAGE}

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
    # Added later: `ensure_schemas` adds it to an older ledger, null in the rows it had.
    "file_ctime_ns": "BIGINT",
}


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether `schema.table` exists (a table or a view) in the connection's database."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchone()[0]
    return bool(found)


def is_lock_error(error: BaseException) -> bool:
    """DuckDB refuses a second process with an IOException naming the lock (and the holder's PID)."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def in_use_by(settings: Settings, error: BaseException) -> str:
    """Who holds the warehouse, for a person (DuckDB's lock error names the holder's PID)."""
    holder = re.search(r"PID \d+", str(error))
    return (
        f"the warehouse {settings.warehouse} is in use by another process"
        f"{f' ({holder.group(0)})' if holder else ''}: an arvo run or ingest, or a tool holding it open"
    )


def quote_ident(name: str) -> str:
    """Quote an identifier so that any header text (quotes, semicolons, spaces) stays a name, never SQL."""
    return '"' + name.replace('"', '""') + '"'


class WarehouseUnusable(ConfigError):
    """ARVO_WAREHOUSE names something DuckDB cannot open as the warehouse: a folder, a file of another
    kind, a place that cannot be created. Not a lock: another process holding it is an IOException the
    callers wait on (is_lock_error)."""


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse with the configured limits; timestamps are handled in UTC.

    DuckDB opens an existing data file (`accounts.csv`, a Parquet file) given as a database as an
    in-memory database over it: a load would then report success and keep nothing, so a warehouse
    without a file behind it is refused like one DuckDB cannot open.
    """
    config = {key: str(value) for key, value in settings.duckdb_config().items()}
    try:
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(settings.warehouse), read_only=read_only, config=config)
    except (OSError, duckdb.Error) as error:
        if is_lock_error(error):
            raise
        raise _unusable(settings, str(error).splitlines()[0]) from error
    (path,) = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    if path is None:
        con.close()
        raise _unusable(settings, "DuckDB read it as a data file, in memory, not as a database file")
    return _session(con)


def _unusable(settings: Settings, reason: str) -> WarehouseUnusable:
    return WarehouseUnusable(
        f"the warehouse {settings.warehouse} could not be opened: {reason}. Point ARVO_WAREHOUSE at a DuckDB "
        "file (default ./warehouse/arvo.duckdb) in a folder Arvo can write"
    )


def another_connection(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A second connection to the warehouse `con` has open, set up the same way: its own transactions
    and temp tables, usable from another thread of this process (the one writer DuckDB allows)."""
    return _session(con.cursor())


def _session(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("set TimeZone = 'UTC'")
    return con


def stored_table(entity: Entity) -> str:
    """Where the rows of `raw.<entity>` are kept (write here; read `raw.<entity>`)."""
    return f"{STORE}.{quote_ident(entity.name)}"


def stored_columns(con: duckdb.DuckDBPyConnection, entity: Entity | None = None) -> dict[str, list[str]]:
    """Column names of `raw_store.<entity>` (of every stored table when `entity` is None) in table order,
    by table name."""
    name = entity.name if entity else None
    rows = con.execute(
        "select table_name, list(column_name order by column_index) from duckdb_columns() "
        "where schema_name = ? and (? is null or table_name = ?) group by table_name",
        [STORE, name, name],
    ).fetchall()
    return dict(rows)


def _create_stored_table(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    columns = [f"{quote_ident(c.name)} {DUCKDB_TYPES[c.type]}" for c in entity.columns]
    columns += [f"{quote_ident(name)} {type_}" for name, type_ in STORED_LINEAGE.items()]
    con.execute(f"create table if not exists {stored_table(entity)} ({', '.join(columns)})")


def _raw_view_sql(entity: Entity) -> str:
    lineage = [f"ledger.{FILE_LINEAGE[n]} as {n}" if n in FILE_LINEAGE else f"r.{n}" for n in LINEAGE_COLUMNS]
    return (
        f"create or replace view {entity.raw_table} as select r.* exclude ({', '.join(STORED_LINEAGE)}), "
        f"{', '.join(lineage)} from {stored_table(entity)} r "
        f"left join {LEDGER_TABLE} ledger on ledger.load_id = r._load_id"
    )


def _raw_view_version(entity: Entity, columns: Iterable[str]) -> str:
    """What the view was made from: its SQL and the stored columns its `r.*` expanded to."""
    text = "\n".join([_raw_view_sql(entity), *columns])
    return "arvo " + hashlib.sha256(text.encode()).hexdigest()[:16]


def _create_raw_view(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    """`raw.<entity>`: the stored columns (contract, then extra), then the five lineage columns.

    Created again whenever the stored table gains a column: a DuckDB view keeps the columns it had.
    Its comment records the version it was made from, so `ensure_schemas` leaves a current view alone.
    """
    con.execute(_raw_view_sql(entity))
    version = _raw_view_version(entity, stored_columns(con, entity)[entity.name])
    con.execute(f"comment on view {entity.raw_table} is '{version}'")


def _move_to_store(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    """A warehouse from before `raw_store` (`raw.<entity>` a table): its raw table moves there, minus the
    two file columns the ledger holds (every one of its rows was loaded with a ledger row), in one
    transaction."""
    con.begin()
    try:
        con.execute(
            f"create table {stored_table(entity)} as select * exclude ({', '.join(FILE_LINEAGE)}) "
            f"from {entity.raw_table} order by _load_id, _row_number"
        )
        con.execute(f"drop table {entity.raw_table}")
        _create_raw_view(con, entity)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _add_new_ledger_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A ledger made by an earlier version gains the columns added since, in place (its rows keep their
    values and have none in the new columns); a current one is only looked at."""
    present = {
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'audit' and table_name = 'load_ledger'"
        ).fetchall()
    }
    for name, type_ in LEDGER_COLUMNS.items():
        if name not in present:
            con.execute(f"alter table {LEDGER_TABLE} add column {name} {type_}")


def ensure_schemas(con: duckdb.DuckDBPyConnection, entities: Iterable[str] | None = None) -> None:
    """Create schemas `raw`, `raw_store` and `audit`, the ledger, every stored table and raw view if
    missing (idempotent).

    Every raw asset calls this on every run. On a current warehouse it writes nothing: five catalog
    queries, no view replaced, so closing the connection has nothing to checkpoint (0.05 s instead of
    0.2 s per asset on the medium warehouse).
    """
    for schema in ("raw", STORE, "audit"):
        con.execute(f"create schema if not exists {schema}")
    ledger = ", ".join(f"{name} {type_}" for name, type_ in LEDGER_COLUMNS.items())
    con.execute(f"create table if not exists {LEDGER_TABLE} ({ledger})")
    _add_new_ledger_columns(con)
    names = list(entities or ENTITIES)
    raw_tables = {
        name for (name,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
    }
    for name in names:
        if name in raw_tables:
            _move_to_store(con, ENTITIES[name])
        _create_stored_table(con, ENTITIES[name])
    columns = stored_columns(con)
    versions = dict(con.execute("select view_name, comment from duckdb_views() where schema_name = 'raw'").fetchall())
    for name in names:
        entity = ENTITIES[name]
        if versions.get(name) != _raw_view_version(entity, columns[name]):
            _create_raw_view(con, entity)


def add_extra_columns(con: duckdb.DuckDBPyConnection, entity: Entity, names: list[str]) -> list[str]:
    """Add columns a file brings beyond the contract to `raw.<entity>` as VARCHAR; returns those added."""
    if not names:
        return []  # the usual case: no catalog query on every file
    existing = {c.lower() for c in stored_columns(con, entity)[entity.name]}
    added = []
    for name in names:
        if name.lower() not in existing:
            con.execute(f"alter table {stored_table(entity)} add column {quote_ident(name)} VARCHAR")
            existing.add(name.lower())
            added.append(name)
    if added:
        _create_raw_view(con, entity)
    return added
