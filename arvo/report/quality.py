"""The data-quality panel's facts: loads, rows, quarantined files with reasons, the last ingest run.

They come from the ingestion ledger (`audit.load_ledger`). Publish copies the ledger into the
snapshot, so it is read there first (then marts and ledger agree to the run); a snapshot without one
falls back to the warehouse, opened read-only. A running pipeline holds DuckDB's write lock on the
warehouse and a reader from another process is refused: the panel then says which process holds it and
that it is unavailable, and the rest of the report still renders. Any other failure to read the
warehouse is named as such, not as a lock.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from arvo.config import Settings
from arvo.serving import open_published_ledger
from ingestion.audit import WarehouseBusy, entity_status, last_run, open_read_only, quarantined
from ingestion.warehouse import LEDGER_TABLE, WarehouseUnusable, in_use_by

MAX_QUARANTINED_SHOWN = 20


def _iso(value: Any) -> Any:
    return value.isoformat(sep=" ", timespec="seconds") if isinstance(value, datetime) else value


def _summarise(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Any]:
    entities = [
        {
            "entity": s.entity,
            "files_loaded": s.files_loaded,
            "files_with_warnings": s.files_with_warnings,
            "files_quarantined": s.files_quarantined,
            "files_skipped": s.files_skipped,
            "rows_loaded": s.rows_loaded,
            "last_load_at": _iso(s.last_load_at),
        }
        for s in entity_status(con, count_raw=False)
    ]
    rejected = con.execute(f"select coalesce(sum(rows_rejected), 0) from {LEDGER_TABLE}").fetchone()[0]
    run = last_run(con)
    files = [{key: _iso(value) for key, value in q.items()} for q in quarantined(con)]
    return {
        "available": True,
        "source": source,
        "message": None,
        "entities": entities,
        "rows_rejected": int(rejected),
        "quarantined": files[:MAX_QUARANTINED_SHOWN],
        "quarantined_total": len(files),
        "quarantined_unresolved": sum(1 for q in files if not q["resolved"]),
        "last_run": {key: _iso(value) for key, value in run.items()} if run else None,
    }


def unavailable(message: str) -> dict[str, Any]:
    """The panel's data when the ledger cannot be read: the report says why instead of failing."""
    return {"available": False, "source": None, "message": message, "entities": [], "quarantined": []}


def quality_summary(settings: Settings, snapshot_db: Path) -> dict[str, Any]:
    """Ledger facts from the snapshot if it carries the ledger, else from the warehouse (read-only)."""
    published = open_published_ledger(snapshot_db)
    if published is not None:
        with published:
            return _summarise(published, "snapshot")
    if not settings.warehouse.exists():
        return unavailable(f"no warehouse at {settings.warehouse}, so no load ledger to show")
    try:
        con = open_read_only(settings)
    except WarehouseBusy as busy:
        return unavailable(
            f"{in_use_by(settings, busy.__cause__)}, so its load ledger is not readable now; "
            "write the report again when it is free"
        )
    except WarehouseUnusable as error:
        return unavailable(str(error))
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0]
        return unavailable(f"the warehouse {settings.warehouse} could not be read: {first_line}")
    if con is None:
        return unavailable("the warehouse has no load ledger yet (nothing ingested)")
    try:
        return _summarise(con, "warehouse")
    finally:
        con.close()
