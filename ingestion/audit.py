"""Read the load ledger back for people: per-entity status, the last run, the quarantine.

Kept apart from the CLI so that the orchestration layer can show the same facts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from arvo.config import Settings
from ingestion.contract import ENTITIES
from ingestion.pipeline import ENTITY_ORDER
from ingestion.results import LOADED, LOADED_WITH_WARNINGS, QUARANTINED, SKIPPED_DUPLICATE
from ingestion.warehouse import LEDGER_TABLE, connect, has_table, in_use_by, is_lock_error


class WarehouseBusy(RuntimeError):
    """Another process is writing the warehouse (an `arvo run` or `arvo ingest`): DuckDB lets no other
    process open the file meanwhile, not even to read it."""


def open_read_only(settings: Settings) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection, or None when there is no warehouse or no ledger yet.

    Raises WarehouseBusy, which says what to do, when a run holds the warehouse.
    """
    if not settings.warehouse.exists():
        return None
    try:
        con = connect(settings, read_only=True)
    except duckdb.IOException as error:
        if not is_lock_error(error):
            raise
        raise WarehouseBusy(
            f"{in_use_by(settings, error)}. Try again when it has finished; meanwhile the serving snapshot "
            f"({settings.serving / 'current'}) and `arvo report` show the last published state."
        ) from error
    if not has_table(con, "audit", "load_ledger"):
        con.close()
        return None
    return con


@dataclass
class EntityStatus:
    entity: str
    files_loaded: int
    files_with_warnings: int
    files_quarantined: int
    files_skipped: int
    rows_loaded: int
    raw_rows: int | None
    last_load_at: Any


def entity_status(con: duckdb.DuckDBPyConnection, count_raw: bool = True) -> list[EntityStatus]:
    """Per entity: files by outcome, rows loaded per the ledger and rows now in raw.

    `count_raw=False` for a ledger without its raw tables (the copy in a serving snapshot): raw_rows is
    None there, not a misleading 0.
    """
    counts = {
        row[0]: row[1:]
        for row in con.execute(
            f"select entity, count(*) filter (where status = ?), count(*) filter (where status = ?), "
            "count(*) filter (where status = ?), count(*) filter (where status = ?), "
            f"coalesce(sum(rows_loaded), 0), max(finished_at) from {LEDGER_TABLE} group by entity",
            [LOADED, LOADED_WITH_WARNINGS, QUARANTINED, SKIPPED_DUPLICATE],
        ).fetchall()
    }
    out = []
    for name in ENTITY_ORDER:
        loaded, warned, quarantined, skipped, rows, last = counts.get(name, (0, 0, 0, 0, 0, None))
        raw_rows = None
        if count_raw:
            try:
                raw_rows = con.execute(f"select count(*) from {ENTITIES[name].raw_table}").fetchone()[0]
            except duckdb.CatalogException:
                raw_rows = 0
        out.append(EntityStatus(name, loaded, warned, quarantined, skipped, int(rows), raw_rows, last))
    return out


def last_run(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The most recent ingest run: when, and how many files ended how."""
    row = con.execute(
        f"select run_id, min(started_at), max(finished_at) from {LEDGER_TABLE} "
        "where run_id is not null group by run_id order by max(finished_at) desc limit 1"
    ).fetchone()
    if row is None:
        return None
    statuses = dict(
        con.execute(
            f"select status, count(*) from {LEDGER_TABLE} where run_id = ? group by status", [row[0]]
        ).fetchall()
    )
    return {"run_id": row[0], "started_at": row[1], "finished_at": row[2], "files": statuses}


def quarantined(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Quarantined loads, newest first, with whether the same path has loaded successfully since."""
    rows = con.execute(
        f"select q.load_id, q.entity, q.file_path, q.finished_at, q.rows_in, q.reason, "
        f"exists (select 1 from {LEDGER_TABLE} l where l.file_path = q.file_path "
        "and l.status in (?, ?) and l.started_at > q.started_at) as resolved "
        f"from {LEDGER_TABLE} q where q.status = ? order by q.finished_at desc",
        [LOADED, LOADED_WITH_WARNINGS, QUARANTINED],
    ).fetchall()
    keys = ("load_id", "entity", "file_path", "finished_at", "rows_in", "reason", "resolved")
    return [dict(zip(keys, row, strict=True)) for row in rows]


class UnknownLoad(LookupError):
    """No quarantined load matches the id given."""


def quarantine_report(settings: Settings, load_id: str) -> dict[str, Any]:
    """The report.json of a quarantined load; a unique prefix of the load id is enough.

    Only folders with a report count: a folder without one is a quarantine that did not finish (the
    file stayed in landing and no ledger row was written), not a load.
    """
    root = settings.quarantine
    if not load_id.strip():
        raise UnknownLoad("give a load id (or a unique prefix of one): `arvo quarantine list` shows them")
    matches = (
        sorted(p for p in root.glob("*") if p.name.startswith(load_id) and (p / "report.json").is_file())
        if root.is_dir()
        else []
    )
    if len(matches) != 1:
        known = ", ".join(p.name for p in matches[:5])
        raise UnknownLoad(
            f"no quarantined load {load_id!r} in {root}" if not matches else f"{load_id!r} is ambiguous: {known}"
        )
    report_path: Path = matches[0] / "report.json"
    try:
        return json.loads(report_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise UnknownLoad(f"{report_path} cannot be read ({error}); the quarantined file is beside it") from error
