"""`arvo status`: per entity, files loaded/quarantined/skipped and rows; the last ingest and pipeline run."""

from __future__ import annotations

import argparse
import sys

from arvo.commands.ledger import open_ledger
from arvo.config import Settings
from arvo.pipeline import last_pipeline_run
from arvo.serving import current_snapshot
from ingestion.audit import WarehouseBusy, entity_status, last_run


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="what has been loaded, quarantined and skipped",
        description="Per entity: files loaded, loaded with warnings, quarantined and skipped as duplicates, "
        "raw rows and the last load; then the last ingest, the last pipeline run (and what failed in it) "
        "and the serving snapshot BI tools read. Reads the warehouse read-only. While a run writes it (DuckDB then "
        "lets no other process open it), shows the ledger as last published in the serving snapshot and says so "
        "(raw rows are then not counted: '-').",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        con, snapshot = open_ledger(settings, "status")
    except WarehouseBusy as error:
        print(f"arvo status: {error}", file=sys.stderr)
        return 1
    if con is None:
        hint = f"drop files under {settings.landing} and run arvo ingest"
        print(f"no loads yet (warehouse {settings.warehouse}); {hint}")
        return 0
    try:
        header = f"{'entity':<14}{'loaded':>8}{'warned':>8}{'quarant.':>9}{'skipped':>9}{'raw rows':>11}"
        header += "  last load"
        print(header)
        for s in entity_status(con, count_raw=snapshot is None):
            last = s.last_load_at.strftime("%Y-%m-%d %H:%M:%S") if s.last_load_at else "-"
            raw_rows = "-" if s.raw_rows is None else s.raw_rows
            print(
                f"{s.entity:<14}{s.files_loaded:>8}{s.files_with_warnings:>8}{s.files_quarantined:>9}"
                f"{s.files_skipped:>9}{raw_rows:>11}  {last}"
            )
        run_info = last_run(con)
        if run_info:
            files = ", ".join(f"{n} {status}" for status, n in sorted(run_info["files"].items()))
            finished = f"{run_info['finished_at']:%Y-%m-%d %H:%M:%S}"
            print(f"\nlast run {run_info['run_id']} finished {finished} UTC: {files}")
            if run_info["files"].get("quarantined"):
                print("see: arvo quarantine list")
        pipeline = last_pipeline_run(con)
        if pipeline:
            finished = f"{pipeline['finished_at']:%Y-%m-%d %H:%M:%S}"
            print(
                f"last pipeline run {pipeline['run_id']} {pipeline['status']} at {finished} UTC "
                f"({pipeline['assets_materialized']} assets materialised)"
            )
            for problem in pipeline["failed_checks"] + pipeline["failed_steps"]:
                print(f"  failed: {problem.splitlines()[0]}")
        serving = current_snapshot(settings.serving)
        print(f"serving snapshot: {serving.name if serving else 'none published yet'}")
    finally:
        con.close()
    return 0
