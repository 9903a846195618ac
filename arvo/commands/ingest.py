"""`arvo ingest`: load every pending landed file, one line per file, non-zero exit on quarantine or a
file that could not be read."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import duckdb

from arvo.config import Settings
from ingestion.contract import ENTITIES
from ingestion.pipeline import LandingNotRead, Progress, QuarantineError, ingest_pending
from ingestion.results import QUARANTINED, LoadResult
from ingestion.warehouse import in_use_by, is_lock_error

MAX_FINDINGS = 4


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="validate and load pending landed files into the warehouse",
        description="Validate every complete, new file under ARVO_LANDING with its entity's Great "
        "Expectations suite and load it into raw.<entity>, or quarantine it under ARVO_QUARANTINE "
        "with a report. Exit code 1 when any file was quarantined, a file or an entity folder could not be read, "
        "or the quarantine folder is unusable, 3 when another process holds the warehouse (nothing is loaded then).",
    )
    parser.add_argument(
        "--entity",
        action="append",
        choices=sorted(ENTITIES),
        help="only this entity (repeatable); default: all, in dependency order",
    )
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=None,
        help="how long a file must be unchanged before it is picked up; one changed more recently is "
        "sampled again after this wait (default: env ARVO_INGEST_SETTLE_SECONDS or 1.0)",
    )
    parser.set_defaults(handler=run)


def format_result(result: LoadResult) -> str:
    """One line: status, file, counts, and the first reason when it is not a clean load."""
    counts = f"in={result.rows_in} loaded={result.rows_loaded} rejected={result.rows_rejected}"
    line = f"{result.status:<20} {result.file_path}  {counts}  load_id={result.load_id}"
    if result.findings:
        for finding in result.findings[:MAX_FINDINGS]:
            line += f"\n{'':<20} {finding.summary()}"
        if len(result.findings) > MAX_FINDINGS:
            line += f"\n{'':<20} ... and {len(result.findings) - MAX_FINDINGS} more"
    elif result.status != "loaded":
        line += f"\n{'':<20} {result.reason}"
    if result.status == QUARANTINED:
        line += f"\n{'':<20} details: arvo quarantine show {result.load_id}"
    return line


def _progress(done: list[LoadResult]) -> Callable[[Progress], None]:
    """Each file's start on stderr; each finished file's result kept in `done`, so that a run stopped
    part-way (the quarantine folder unusable) still lists what it loaded before it stopped."""

    def report(event: Progress) -> None:
        if event.stage == "started":
            print(f"[{event.index}/{event.total}] {event.entity}: {event.file_path} ...", file=sys.stderr, flush=True)
        elif event.stage == "done" and event.result is not None:
            done.append(event.result)

    return report


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    done: list[LoadResult] = []
    problems: list[str] = []
    try:
        results = ingest_pending(settings, args.entity, on_progress=_progress(done), settle_seconds=args.settle_seconds)
    except LandingNotRead as exc:
        results, problems = exc.results, exc.problems
    except duckdb.IOException as exc:
        if not is_lock_error(exc):
            raise
        print(f"{in_use_by(settings, exc)}; nothing was loaded. Try again when it has finished.", file=sys.stderr)
        return 3
    except QuarantineError as exc:
        for result in done:
            print(format_result(result), flush=True)
        print(f"error: {exc}", flush=True)
        return 1
    for result in results:
        print(format_result(result), flush=True)
    for problem in problems:
        print(f"error: {problem}", flush=True)
    quarantined = [r for r in results if r.status == QUARANTINED]
    loaded_rows = sum(r.rows_loaded for r in results)
    not_read = f", {len(problems)} could not be read" if problems else ""
    print(
        f"{len(results)} file(s) handled: {loaded_rows} rows loaded, {len(quarantined)} file(s) quarantined{not_read}"
        if results or problems
        else f"nothing new to ingest under {settings.landing}"
    )
    return 1 if quarantined or problems else 0
