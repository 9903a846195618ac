"""Helpers for the fault suite: real `arvo` subprocesses, killed with SIGKILL at chosen points.

Why subprocesses: kill -9 must hit the whole `arvo` process (the Dagster run, with dbt building in a
thread of it) the way a power cut or the OOM killer would, with no cleanup code running.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from arvo.config import REPO_ROOT, Settings

ARVO = str(Path(sys.executable).with_name("arvo"))
# A fixed key: pseudonyms (and so mart rows) must be equal between the clean run and the rerun.
PSEUDONYM_KEY = "fault-suite-fixed-key-0123456789abcdef"
# Lineage columns that differ between two loads of the same bytes by design.
VOLATILE_RAW_COLUMNS = {"_load_id", "_loaded_at"}
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")

INGEST_EVENT = re.compile(r"\] \w+: \S+ (hashing|started|staged|validated|committing|done)")
DBT_EVENT = re.compile(r"^\d+ of \d+ (START|OK|PASS|SKIP|WARN)")


def arvo_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of an `arvo` subprocess working entirely under `root`."""
    env = {**os.environ, **Settings.under(root).path_env()}
    env.update(
        ARVO_PSEUDONYM_KEY=PSEUDONYM_KEY,
        ARVO_INGEST_SETTLE_SECONDS="0",
        DBT_TARGET_PATH=str(root / "dbt_target"),
        DBT_LOG_PATH=str(root / "dbt_logs"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_arvo(root: Path, *args: str, log: Path | None = None, **extra_env: str) -> subprocess.Popen[str]:
    """`arvo <args>` in its own session (so its process group, any child included, can be killed at once).

    Output goes to a pipe, or to the file `log` when nobody reads the pipe while the run goes on
    (a full pipe would stall the run).
    """
    return subprocess.Popen(
        [ARVO, *args],
        cwd=REPO_ROOT,
        env=arvo_env(root, **extra_env),
        stdout=subprocess.PIPE if log is None else log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def modes_obeyed() -> list[str]:
    """The command prefix under which a subprocess is refused what file modes refuse (`chmod 000`).

    Root reads and lists everything whatever the mode (capabilities CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH); as root the prefix runs the command without those two, still as root, with
    util-linux's `setpriv`. Skips the test, saying why, when that cannot be done here.
    """
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    if shutil.which("setpriv") is None or subprocess.run([*prefix, "true"], check=False).returncode != 0:
        pytest.skip("running as root, which reads any file whatever its mode, and setpriv cannot drop that here")
    return prefix


def run_arvo(
    root: Path, *args: str, timeout: float = 600, obey_modes: bool = False
) -> subprocess.CompletedProcess[str]:
    """`arvo <args>` to completion; stdout and stderr together. `obey_modes`: refused what file modes
    refuse, also as root (`modes_obeyed`)."""
    return subprocess.run(
        [*(modes_obeyed() if obey_modes else []), ARVO, *args],
        cwd=REPO_ROOT,
        env=arvo_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class KillResult:
    killed: bool
    events_seen: int
    output: str
    returncode: int


def kill_after(
    proc: subprocess.Popen[str], is_event: Callable[[str], bool], nth: int, timeout: float = 600
) -> KillResult:
    """SIGKILL the process group right after its `nth` output line that `is_event` accepts.

    Returns whether the kill happened (the run may finish first when `nth` is past its last event).
    """
    assert proc.stdout is not None
    seen, lines, killed = 0, [], False
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line)
        if is_event(line):
            seen += 1
            if seen >= nth:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                break
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise TimeoutError("arvo did not reach the kill point in time:\n" + "".join(lines[-40:]))
    proc.wait(timeout=60)
    lines.extend(proc.stdout.read().splitlines(keepends=True))
    return KillResult(killed, seen, "".join(lines), proc.returncode)


def ingest_event(line: str) -> bool:
    return bool(INGEST_EVENT.search(line))


def dbt_event(line: str) -> bool:
    return bool(DBT_EVENT.match(line.strip()))


def merge_landing(source: Path, target: Path, files_per_entity: int = 3) -> None:
    """Copy a landing set with each entity's files concatenated into a few files.

    The same rows, fewer files: every file has a fixed cost (hash, ledger, its own commit) and the
    fault suite runs the pipeline several times, so this keeps it within CI time while still leaving
    several commit boundaries per entity for a kill to fall between.
    """
    for folder in sorted(p for p in source.glob("*/*") if p.is_dir()):
        files = sorted(folder.glob("*.csv"))
        out_dir = target / folder.relative_to(source)
        out_dir.mkdir(parents=True, exist_ok=True)
        size = max(1, -(-len(files) // files_per_entity))
        for index in range(0, len(files), size):
            chunk = files[index : index + size]
            header, _, first_body = chunk[0].read_text(encoding="utf-8").partition("\n")
            parts = [header + "\n" + first_body]
            for path in chunk[1:]:
                parts.append(path.read_text(encoding="utf-8").partition("\n")[2])
            (out_dir / f"{folder.name}_part{index // size + 1}.csv").write_text("".join(parts), encoding="utf-8")


def copy_landing(source: Path, root: Path) -> Settings:
    """A fresh working root whose landing holds a copy of `source` (same mtimes)."""
    settings = Settings.under(root)
    shutil.copytree(source, settings.landing)
    return settings


def table_checksums(warehouse: Path, schema: str, exclude_columns: set[str] = frozenset()) -> dict[str, tuple]:
    """Per table: (row count, bit_xor and sum of row hashes): equal for equal multisets of rows.

    Floating-point columns are rounded to 9 decimals first: parallel aggregation may sum in another
    order and change the last bits without the result being different in any way a reader could see.
    """
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
            ).fetchall()
        ]
        sums: dict[str, tuple] = {}
        for table in tables:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            exprs = [
                f'round("{name}", 9)' if data_type in FLOAT_TYPES else f'"{name}"'
                for name, data_type in columns
                if name not in exclude_columns
            ]
            sums[table] = con.execute(
                f"select count(*), bit_xor(h), sum(h::hugeint) from"
                f' (select hash({", ".join(exprs)}) as h from {schema}."{table}")'
            ).fetchone()
        return sums


def mart_checksums(warehouse: Path) -> dict[str, tuple]:
    return table_checksums(warehouse, "marts")


def raw_checksums(warehouse: Path) -> dict[str, tuple]:
    return table_checksums(warehouse, "raw", VOLATILE_RAW_COLUMNS)


def loaded_twice(warehouse: Path) -> list[tuple]:
    """Files whose content was committed more than once (must be none)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select sha256, count(*) from audit.load_ledger"
            " where status in ('loaded', 'loaded_with_warnings') group by sha256 having count(*) > 1"
        ).fetchall()
