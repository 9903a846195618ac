"""Benchmark: the guarded ingestion path against DuckDB reading the same files straight into tables.

For CSV and Parquet, loads a generated landing folder (default scale medium) twice into fresh
warehouses: once through `ingest_pending` (hash, UTF-8 check, read and type, the GX suite, insert,
commit with ledger row), once with plain `create table ... as select * from read_csv/read_parquet(file)`
per file. Prints rows/s for both, their ratio (target: guarded within 2x of raw), and where the
guarded time goes (fingerprint, read = reading and typing, validate = the suite with its warehouse
lookups, insert, commit), from the progress events.

For Parquet it also measures the floor the lineage sets: the same straight read, but each file in its
own transaction with the lineage every raw row must show, written as the guarded path writes it (load
id, loaded-at and row number per row; the file's path and sha256 in a row per file). Parquet is read
so fast that writing lineage weighs more than for CSV; `guarded / floor` is then what the guard
itself (checks, typing, ledger) costs.

Usage: .venv/bin/python benchmarks/ingest.py [--scale medium] [--data DIR] [--work DIR]
                                             [--formats csv parquet] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from arvo.config import Settings
from ingestion.contract import ENTITIES
from ingestion.pipeline import ENTITY_ORDER, Progress, ingest_pending


def generate(scale: str, out: Path) -> None:
    """Generate the landing folder with the project's generator (the same data `arvo generate` writes)."""
    from arvo.generate import generate as run_generator

    run_generator(scale=scale, seed=42, out=out)


def to_parquet(csv_landing: Path, parquet_landing: Path) -> None:
    """Write each CSV as a Parquet file with the same name stem, typed by DuckDB's CSV sniffer."""
    con = duckdb.connect()
    for path in sorted(csv_landing.rglob("*.csv")):
        target = parquet_landing / path.relative_to(csv_landing).with_suffix(".parquet")
        target.parent.mkdir(parents=True, exist_ok=True)
        con.read_csv(str(path)).write_parquet(str(target))
    con.close()


def files_in_order(landing: Path, suffix: str) -> list[tuple[str, Path]]:
    out = []
    for name in ENTITY_ORDER:
        folder = landing / ENTITIES[name].folder
        out += [(name, p) for p in sorted(folder.glob(f"*{suffix}"))]
    return out


# The lineage as `ingestion.pipeline` writes it: per row the load id, loaded-at and row number; the
# file's path and sha256 once, in a row per file (the ledger), in the same transaction.
LINEAGE_SELECT = (
    "select * exclude (file_row_number), ? as _load_id, ?::TIMESTAMP as _loaded_at, "
    "file_row_number + 1 as _row_number from read_parquet(?, file_row_number = true)"
)


def raw_read(landing: Path, suffix: str, warehouse: Path, lineage: bool = False) -> tuple[float, int]:
    """DuckDB straight into tables: one statement per file, no checks, no lineage (`lineage`: Parquet
    only, with the lineage and a transaction per file, as the guarded path commits)."""
    reader = "read_csv" if suffix == ".csv" else "read_parquet"
    con = duckdb.connect(str(warehouse))
    if lineage:
        con.execute("set checkpoint_threshold = '1GB'")  # as ingest_pending does
        con.execute("create table files (load_id varchar, file_path varchar, sha256 varchar)")
    started = time.perf_counter()
    created: set[str] = set()
    for index, (entity, path) in enumerate(files_in_order(landing, suffix)):
        select, parameters = f"select * from {reader}(?)", [str(path)]
        if lineage:
            load_id = f"20261122T000000-{index:08d}"
            con.begin()
            con.execute("insert into files values (?, ?, ?)", [load_id, path.relative_to(landing).as_posix(), "0" * 64])
            select, parameters = LINEAGE_SELECT, [load_id, "2026-11-22 00:00:00", str(path)]
        if entity in created:
            con.execute(f"insert into {entity} by name {select}", parameters)
        else:
            con.execute(f"create table {entity} as {select}", parameters)
            created.add(entity)
        if lineage:
            con.commit()
    con.execute("checkpoint")
    elapsed = time.perf_counter() - started
    rows = sum(con.execute(f"select count(*) from {t}").fetchone()[0] for t in created)
    con.close()
    return elapsed, rows


WAIT = "wait"


def guarded(landing: Path, root: Path) -> tuple[float, int, dict[str, float], list]:
    """The full guarded path; returns (seconds, rows loaded, seconds per phase, results)."""
    settings = Settings(
        landing=landing,
        warehouse=root / "warehouse" / "arvo.duckdb",
        serving=root / "serving",
        quarantine=root / "quarantine",
    )
    phases: dict[str, float] = defaultdict(float)
    last: dict[str, tuple[str, float]] = {}
    # Time from one progress event to the next belongs to the work done in between (by the times the
    # events happened: the next file is read and checked while the one before commits). A validated
    # file waits for the commit before it; that wait is overlap, not work, and is left out.
    names = {
        "hashing": "fingerprint",
        "started": "read",
        "staged": "validate",
        "validated": WAIT,
        "inserting": "insert",
        "committing": "commit",
    }

    def on_progress(event: Progress) -> None:
        if event.file_path in last:
            stage, at = last[event.file_path]
            phases[names.get(stage, stage)] += event.at - at
        last[event.file_path] = (event.stage, event.at)

    started = time.perf_counter()
    results = ingest_pending(settings, on_progress=on_progress, settle_seconds=0)
    elapsed = time.perf_counter() - started
    return elapsed, sum(r.rows_loaded for r in results), dict(phases), results


@dataclass(frozen=True)
class Repetition:
    """One side-by-side measurement of a format: raw read, floor (Parquet only), guarded path."""

    files: int
    rows: int
    guarded_s: float
    raw_s: float
    raw_rows: int
    floor_s: float | None
    share: str
    not_loaded: int


def measure(landing: Path, fmt: str, work: Path) -> Repetition:
    suffix = f".{fmt}"
    leftovers = (work / f"raw_{fmt}.duckdb", work / f"floor_{fmt}.duckdb", work / f"guarded_{fmt}")
    for leftover in leftovers:
        shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    # Each side starts with the page cache written back: the writes of the side before are not flushed
    # on its time (each commit waits for the disk).
    os.sync()
    raw_s, raw_rows = raw_read(landing, suffix, work / f"raw_{fmt}.duckdb")
    floor_s = None
    if fmt == "parquet":
        os.sync()
        floor_s = raw_read(landing, suffix, work / f"floor_{fmt}.duckdb", lineage=True)[0]
    os.sync()
    g_s, g_rows, phases, results = guarded(landing, work / f"guarded_{fmt}")
    busy = {k: v for k, v in phases.items() if k != WAIT}
    total = sum(busy.values()) or 1.0
    share = ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(busy.items(), key=lambda kv: -kv[1]))
    bad = sum(r.status not in ("loaded", "loaded_with_warnings") for r in results)
    return Repetition(len(results), g_rows, g_s, raw_s, raw_rows, floor_s, share, bad)


def ratios(r: Repetition) -> tuple[float, float | None, float | None]:
    """guarded / raw, floor / raw, guarded / floor (the last two for Parquet only)."""
    if r.floor_s is None:
        return r.guarded_s / r.raw_s, None, None
    return r.guarded_s / r.raw_s, r.floor_s / r.raw_s, r.guarded_s / r.floor_s


def line(label: str, r: Repetition, paired: tuple[float, float | None, float | None]) -> str:
    ratio, floor_ratio, guarded_floor = paired
    floor = (
        f"{r.floor_s:>9.1f}{floor_ratio:>10.1f}{guarded_floor:>14.1f}"
        if r.floor_s is not None
        else f"{'-':>9}{'-':>10}{'-':>14}"
    )
    return (
        f"{label:<12}{r.files:>6}{r.rows:>11,}{r.guarded_s:>11.1f}{r.rows / r.guarded_s:>11,.0f}{r.raw_s:>8.1f}"
        f"{r.raw_rows / r.raw_s:>11,.0f}{ratio:>7.1f}{floor}  {r.share}"
        + (f"  ({r.not_loaded} files not loaded!)" if r.not_loaded else "")
    )


def median_line(fmt: str, runs: list[Repetition]) -> str:
    """Medians of the seconds, and of the paired ratios (each run's sides ran back to back, so their
    ratio is less moved by a slow spell of the shared machine than the ratio of two medians)."""
    med = statistics.median
    floors = [r.floor_s for r in runs if r.floor_s is not None]
    middle = replace(
        runs[0],
        guarded_s=med(r.guarded_s for r in runs),
        raw_s=med(r.raw_s for r in runs),
        floor_s=med(floors) if floors else None,
        share="medians (ratios: of the paired ratios)",
        not_loaded=max(r.not_loaded for r in runs),
    )
    paired = [ratios(r) for r in runs]
    ratio = med(p[0] for p in paired)
    if not floors:
        return line(f"{fmt} med", middle, (ratio, None, None))
    return line(f"{fmt} med", middle, (ratio, med(p[1] for p in paired), med(p[2] for p in paired)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--data", type=Path, help="an existing generated landing folder (skips generation)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one, removed after)")
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"], choices=["csv", "parquet"])
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="repetitions per format, each side by side; with more than one, a median line follows "
        "(medians of each column, and of the paired ratios)",
    )
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="arvo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        csv_landing = args.data or work / "landing_csv"
        if args.data is None:
            generate(args.scale, csv_landing)
        print(
            f"{'format':<12}{'files':>6}{'rows':>11}{'guarded s':>11}{'rows/s':>11}{'raw s':>8}"
            f"{'rows/s':>11}{'ratio':>7}{'floor s':>9}{'floor/raw':>10}{'guarded/floor':>14}  guarded time by phase",
            flush=True,
        )
        for fmt in args.formats:
            landing = csv_landing
            if fmt == "parquet":
                landing = work / "landing_parquet"
                if not any(landing.rglob("*.parquet")):
                    shutil.rmtree(landing, ignore_errors=True)
                    to_parquet(csv_landing, landing)
            runs: list[Repetition] = []
            for index in range(args.repeat):
                runs.append(measure(landing, fmt, work))
                label = fmt if args.repeat == 1 else f"{fmt} {index + 1}"
                print(line(label, runs[-1], ratios(runs[-1])), flush=True)
            if len(runs) > 1:
                print(median_line(fmt, runs), flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
