"""Benchmark: the guarded ingestion path against DuckDB reading the same files straight into tables.

For CSV and Parquet, loads a generated landing folder (default scale medium) twice into fresh
warehouses: once through `ingest_pending` (hash, UTF-8 check, read and type, the GX suite, insert,
commit with ledger row), once with plain `create table ... as select * from read_csv/read_parquet(file)`
per file. Prints rows/s for both, their ratio (target: guarded within 2x of raw), and where the
guarded time goes (fingerprint, read = reading and typing, validate = the suite with its warehouse
lookups, insert, commit), from the progress events.

For Parquet it also measures the floor the lineage sets: the same straight read, but each file in its
own transaction and with the five lineage columns every raw row must carry (source file, sha256,
load id, loaded-at, row number). Parquet is read so fast that writing those columns weighs more than
for CSV; `guarded / floor` is then what the guard itself (checks, typing, ledger) costs.

Usage: .venv/bin/python benchmarks/ingest.py [--scale medium] [--data DIR] [--work DIR]
                                             [--formats csv parquet]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import defaultdict
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


# The lineage columns as `ingestion.pipeline` writes them: constants per file, the row number per row.
LINEAGE_SELECT = (
    "select * exclude (file_row_number), ? as _source_file, ? as _file_sha256, ? as _load_id, "
    "?::TIMESTAMP as _loaded_at, file_row_number + 1 as _row_number from read_parquet(?, file_row_number = true)"
)


def raw_read(landing: Path, suffix: str, warehouse: Path, lineage: bool = False) -> tuple[float, int]:
    """DuckDB straight into tables: one statement per file, no checks, no lineage (`lineage`: Parquet
    only, with the lineage columns and a transaction per file, as the guarded path commits)."""
    reader = "read_csv" if suffix == ".csv" else "read_parquet"
    con = duckdb.connect(str(warehouse))
    if lineage:
        con.execute("set checkpoint_threshold = '1GB'")  # as ingest_pending does
    started = time.perf_counter()
    created: set[str] = set()
    for entity, path in files_in_order(landing, suffix):
        select, parameters = f"select * from {reader}(?)", [str(path)]
        if lineage:
            relative = path.relative_to(landing).as_posix()
            select = LINEAGE_SELECT
            parameters = [relative, "0" * 64, "20261122T000000-00000000", "2026-11-22 00:00:00", str(path)]
        if entity in created:
            con.execute(f"insert into {entity} by name {select}", parameters)
        else:
            con.execute(f"create table {entity} as {select}", parameters)
            created.add(entity)
    con.execute("checkpoint")
    elapsed = time.perf_counter() - started
    rows = sum(con.execute(f"select count(*) from {t}").fetchone()[0] for t in created)
    con.close()
    return elapsed, rows


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
    # Time from one progress event to the next belongs to the work done in between.
    names = {
        "hashing": "fingerprint",
        "started": "read",
        "staged": "validate",
        "validated": "insert",
        "committing": "commit",
    }

    def on_progress(event: Progress) -> None:
        now = time.perf_counter()
        if event.file_path in last:
            stage, at = last[event.file_path]
            phases[names.get(stage, stage)] += now - at
        last[event.file_path] = (event.stage, now)

    started = time.perf_counter()
    results = ingest_pending(settings, on_progress=on_progress, settle_seconds=0)
    elapsed = time.perf_counter() - started
    return elapsed, sum(r.rows_loaded for r in results), dict(phases), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--data", type=Path, help="an existing generated landing folder (skips generation)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one, removed after)")
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"], choices=["csv", "parquet"])
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="arvo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        csv_landing = args.data or work / "landing_csv"
        if args.data is None:
            generate(args.scale, csv_landing)
        print(
            f"{'format':<8}{'files':>6}{'rows':>11}{'guarded s':>11}{'rows/s':>11}{'raw s':>8}"
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
            suffix = f".{fmt}"
            leftovers = (work / f"raw_{fmt}.duckdb", work / f"floor_{fmt}.duckdb", work / f"guarded_{fmt}")
            for leftover in leftovers:
                shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
            raw_s, raw_rows = raw_read(landing, suffix, work / f"raw_{fmt}.duckdb")
            floor = ""
            if fmt == "parquet":
                floor_s, _ = raw_read(landing, suffix, work / f"floor_{fmt}.duckdb", lineage=True)
                floor = f"{floor_s:>9.1f}{floor_s / raw_s:>10.1f}"
            g_s, g_rows, phases, results = guarded(landing, work / f"guarded_{fmt}")
            bad = sum(r.status not in ("loaded", "loaded_with_warnings") for r in results)
            total = sum(phases.values()) or 1.0
            share = ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(phases.items(), key=lambda kv: -kv[1]))
            print(
                f"{fmt:<8}{len(results):>6}{g_rows:>11,}{g_s:>11.1f}{g_rows / g_s:>11,.0f}{raw_s:>8.1f}"
                f"{raw_rows / raw_s:>11,.0f}{g_s / raw_s:>7.1f}"
                + (f"{floor}{g_s / floor_s:>14.1f}" if floor else f"{'-':>9}{'-':>10}{'-':>14}")
                + f"  {share}"
                + (f"  ({bad} files not loaded!)" if bad else ""),
                flush=True,
            )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
