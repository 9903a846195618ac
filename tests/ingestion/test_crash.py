"""A process that dies in the middle of a load leaves the warehouse as before that file; a rerun
finishes the job and ends in the same state as an uninterrupted run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from arvo.config import REPO_ROOT, Settings
from ingestion.contract import ENTITIES
from ingestion.warehouse import connect

from .conftest import VALID_ROWS, csv_text, drop, ingest, ledger, warehouse_snapshot

CRASHING_RUN = """
import os, sys
from arvo.config import Settings
from ingestion.pipeline import ingest_pending

settings, stage, nth = Settings.under(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def die(event):
    if event.stage == stage and event.index == nth:
        os._exit(137)  # no cleanup, no rollback: as abrupt as kill -9

ingest_pending(settings, on_progress=die, settle_seconds=0)
"""

FILES = ("accounts", "questions", "responses", "fx_rates", "invoices")


def _land_all(settings: Settings) -> None:
    for name in FILES:
        drop(settings, name, f"{name}.csv", csv_text(VALID_ROWS[name]))


def _business_state(settings: Settings) -> dict[str, list[tuple]]:
    """Raw rows without load ids and load times (those differ between runs by design)."""
    con = connect(settings)
    try:
        return {
            table: sorted(con.execute(f"select * exclude (_load_id, _loaded_at) from raw.{table}").fetchall())
            for table in ENTITIES
        }
    finally:
        con.close()


@pytest.mark.faults
@pytest.mark.parametrize("stage", ["started", "staged", "validated", "committing"])
def test_crash_mid_load_then_rerun_converges(tmp_path: Path, stage: str):
    crashed = Settings.under(tmp_path / "crashed")
    _land_all(crashed)
    run = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN, str(tmp_path / "crashed"), stage, "4"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 137, run.stderr[-2000:]

    # The file being loaded (the 4th: responses) left no trace; the three before it are committed.
    rows = ledger(crashed)
    assert [r["file_path"] for r in rows] == [
        "crm/accounts/accounts.csv",
        "revenue/fx_rates/fx_rates.csv",
        "survey/questions/questions.csv",
    ]
    assert warehouse_snapshot(crashed)["responses"] == []

    rerun = ingest(crashed)
    assert [(r.entity, r.status) for r in rerun] == [(e, "loaded") for e in ("responses", "invoices")]

    clean = Settings.under(tmp_path / "clean")
    _land_all(clean)
    ingest(clean)
    assert _business_state(crashed) == _business_state(clean)
    assert sorted((r["file_path"], r["status"]) for r in ledger(crashed)) == sorted(
        (r["file_path"], r["status"]) for r in ledger(clean)
    )
    for row in ledger(crashed):
        assert row["rows_in"] == row["rows_loaded"] + row["rows_rejected"]
