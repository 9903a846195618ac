"""The load ledger that `arvo status` and `arvo quarantine list` read.

The warehouse's own, read-only. While a run holds the warehouse, DuckDB lets no other process open it,
not even to read; publish copies the ledger into every serving snapshot, so the last published copy
answers instead, and the user is told which it is and who holds the warehouse.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import duckdb

from arvo.config import Settings
from arvo.serving import SNAPSHOT_DB, current_snapshot, open_published_ledger, snapshot_manifest
from ingestion.audit import WarehouseBusy, open_read_only
from ingestion.warehouse import in_use_by


def open_ledger(settings: Settings, command: str) -> tuple[duckdb.DuckDBPyConnection | None, Path | None]:
    """(connection, None) on the warehouse, (connection, snapshot folder) on the published copy.

    The connection is None when nothing was ingested yet. Raises WarehouseBusy when the warehouse is
    held and no snapshot carries a ledger.
    """
    try:
        return open_read_only(settings), None
    except WarehouseBusy as busy:
        snapshot = current_snapshot(settings.serving)
        con = open_published_ledger(snapshot / SNAPSHOT_DB) if snapshot else None
        if con is None:
            raise
        built_at = snapshot_manifest(snapshot).get("built_at")
        published = f"published {datetime.fromisoformat(built_at):%Y-%m-%d %H:%M:%S} UTC" if built_at else "published"
        print(
            f"arvo {command}: {in_use_by(settings, busy.__cause__)}. Showing the ledger as last published "
            f"(snapshot {snapshot.name}, {published}); it lacks the loads of the run now going. "
            "Run it again when the run has finished for the warehouse's own.",
            file=sys.stderr,
        )
        return con, snapshot
