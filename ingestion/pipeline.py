"""Ingest every pending landed file: stage, type, guard, then commit file + ledger row atomically.

Policy (see docs/ingestion.md): loaded files stay in landing and are recognised by the ledger; a
delivery is identified by (path, size, mtime, ctime) and its content by sha256. A new delivery whose
content was already loaded is `skipped_duplicate`; a rejected file is copied whole to
`ARVO_QUARANTINE/<load_id>/` with `report.json` and is not retried until its content changes.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from arvo.config import Settings, non_negative_seconds
from ingestion import guard
from ingestion.casting import ROW_NUMBER, TYPED, extra_columns
from ingestion.contract import ENTITIES, FILE_SUFFIXES, Entity
from ingestion.files import (
    LandedFile,
    discover,
    fingerprint,
    misplaced,
    not_files,
    shown,
    unreadable_folders,
    unsupported,
)
from ingestion.readers import Rejected, Staged, stage
from ingestion.results import (
    ERROR,
    LOADED,
    LOADED_WITH_WARNINGS,
    QUARANTINED,
    SKIPPED_DUPLICATE,
    Finding,
    LoadResult,
)
from ingestion.warehouse import (
    LEDGER_TABLE,
    add_extra_columns,
    another_connection,
    connect,
    ensure_schemas,
    quote_ident,
    stored_table,
)

log = logging.getLogger(__name__)

# Accounts first and fx rates next (others are checked against them), the question catalog before the
# responses checked against it.
ENTITY_ORDER = (
    "accounts",
    "fx_rates",
    "contacts",
    "deals",
    "questions",
    "responses",
    "invoices",
    "subscriptions",
)
assert set(ENTITY_ORDER) == set(ENTITIES)

SETTLE_SECONDS_ENV = "ARVO_INGEST_SETTLE_SECONDS"
CHECKPOINT_THRESHOLD = "1GB"


@dataclass(frozen=True)
class Progress:
    """Reported to `on_progress` as work advances. stage: hashing, started (hashed, about to read),
    staged (read), validated, inserting (the file before it committed; its own transaction begins),
    committing (inserted, about to commit), done. `result` is set when stage == 'done'."""

    stage: str
    entity: str
    file_path: str
    index: int
    total: int
    result: LoadResult | None = None
    at: float = field(default_factory=time.perf_counter)  # when it happened (time.perf_counter)

    def __str__(self) -> str:
        """Readable as a log line, so a logger can be passed as `on_progress` directly."""
        line = f"[{self.index}/{self.total}] {self.entity}: {self.file_path} {self.stage}"
        if self.result is not None:
            r = self.result
            line += f": {r.status} in={r.rows_in} loaded={r.rows_loaded} rejected={r.rows_rejected}; {r.reason}"
        return line


ProgressCallback = Callable[[Progress], None]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_load_id() -> str:
    """Sortable and unique: UTC time plus a random suffix, e.g. 20261122T151500-3f9a2c1d."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def settle_seconds_from_env() -> float:
    return non_negative_seconds(SETTLE_SECONDS_ENV, os.environ.get(SETTLE_SECONDS_ENV) or "1.0")


def ordered_entities(entities: list[str] | None) -> list[str]:
    """The requested entities (all by default) in dependency order; unknown names are an error."""
    wanted = list(ENTITY_ORDER) if entities is None else list(entities)
    unknown = sorted(set(wanted) - set(ENTITIES))
    if unknown:
        raise ValueError(f"unknown entities {unknown}; known: {', '.join(ENTITY_ORDER)}")
    return [e for e in ENTITY_ORDER if e in wanted]


def _relative(settings: Settings, path: Path) -> str:
    try:
        return path.relative_to(settings.landing).as_posix()
    except ValueError:
        return str(path)


def _known_delivery(con: duckdb.DuckDBPyConnection, rel_path: str, landed: LandedFile) -> bool:
    """Whether this very delivery was handled: same path, size, mtime and ctime. The ctime tells a file
    copied over with `cp -p` (same size and mtime, other bytes) from the one handled; a ledger row from
    before ctime was recorded (null) matches no file, which is then hashed once and known by its bytes."""
    row = con.execute(
        f"select 1 from {LEDGER_TABLE} where file_path = ? and file_size = ? and file_mtime = ? "
        "and file_ctime_ns = ? limit 1",
        [rel_path, landed.size, landed.mtime, landed.ctime_ns],
    ).fetchone()
    return row is not None


def _prior_content(con: duckdb.DuckDBPyConnection, entity: Entity, sha256: str) -> tuple[str, str, str] | None:
    """(load_id, status, file_path) of an earlier loaded or quarantined file with the same bytes: the
    load, if there is one, else the latest quarantine.

    Bytes quarantined only by checks against the warehouse (an answer whose question was not in the
    catalog yet) do not count: delivered again, they are checked again, as the catalog may have
    arrived since; nothing in the file needed fixing.
    """
    row = con.execute(
        f"select load_id, status, file_path, findings from {LEDGER_TABLE} "
        "where entity = ? and sha256 = ? and status in (?, ?, ?) "
        "order by status = ?, started_at desc limit 1",
        [entity.name, sha256, LOADED, LOADED_WITH_WARNINGS, QUARANTINED, QUARANTINED],
    ).fetchone()
    if row is None:
        return None
    load_id, status, path, findings = row
    if status == QUARANTINED:
        errors = {f["rule"] for f in json.loads(findings or "[]") if f.get("severity") == ERROR}
        if errors and errors <= guard.lookup_rules(entity.name):
            return None
    return load_id, status, path


def _write_ledger(con: duckdb.DuckDBPyConnection, result: LoadResult, landed: LandedFile) -> None:
    con.execute(
        f"insert into {LEDGER_TABLE} (load_id, run_id, entity, file_path, file_name, file_format, file_size, "
        "file_mtime, file_ctime_ns, sha256, rows_in, rows_loaded, rows_rejected, status, started_at, finished_at, "
        "reason, findings, quarantine_path) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.load_id,
            result.run_id,
            result.entity,
            result.file_path,
            landed.path.name,
            result.file_format,
            landed.size,
            landed.mtime,
            landed.ctime_ns,
            result.sha256,
            result.rows_in,
            result.rows_loaded,
            result.rows_rejected,
            result.status,
            result.started_at,
            result.finished_at,
            result.reason,
            json.dumps([f.to_dict() for f in result.findings], default=str),
            result.quarantine_path,
        ],
    )


class QuarantineError(RuntimeError):
    """A rejected file could not be kept in the quarantine folder (unwritable, full, not a folder)."""


class LandingNotRead(RuntimeError):
    """Landed files or entity folders that could not be read: nothing of them was loaded or recorded,
    and the next run tries them again. Raised once every other file is handled (`results`); `problems`
    has one message for each, saying what happened and what to do. The message is them all, on one line."""

    def __init__(self, problems: list[str], results: list[LoadResult]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.results = results


class _NotRead(Exception):
    """This file cannot be read now: nothing of it is recorded (its message is one of `LandingNotRead`)."""


def _cannot_read(rel_path: str, error: OSError) -> _NotRead:
    if isinstance(error, FileNotFoundError):
        return _NotRead(
            f"{rel_path} disappeared during the run (removed or renamed after it was found): nothing of it was "
            "loaded or recorded. Deliver it again if it should load."
        )
    return _NotRead(
        f"cannot read {rel_path} ({error.strerror or error}): nothing of it was loaded or recorded. Make it a "
        "file the user running Arvo can read; the next run loads it."
    )


def _as_found(landed: LandedFile, rel_path: str) -> None:
    """_NotRead unless the file is still the one found: there, with the same size, mtime and ctime. What
    was read of a file removed or changed since it was found need not be the bytes hashed, and a failure
    to read or copy it is no fault of its content or of the quarantine folder."""
    try:
        stat = landed.path.stat()
    except OSError as error:
        raise _cannot_read(rel_path, error) from error
    if (stat.st_size, stat.st_mtime, stat.st_ctime_ns) != (landed.size, landed.mtime, landed.ctime_ns):
        raise _NotRead(
            f"{rel_path} changed during the run (written to or replaced after it was found): nothing of it was "
            "loaded or recorded; the next run reads it as it is then."
        )


def _quarantine(settings: Settings, landed: LandedFile, result: LoadResult) -> None:
    """Copy the file whole and write report.json next to it (before the ledger row commits).

    If that fails nothing is recorded: the file stays in landing, unloaded, and the next run retries it.
    """
    folder = settings.quarantine / result.load_id
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(landed.path, folder / landed.path.name)
        result.quarantine_path = str(folder)
        report = result.to_dict()
        report["what_to_fix"] = [f.fix or f.message for f in result.errors]
        # Written aside and renamed: a folder has a whole report.json or none (what `quarantine show` reads).
        partial = folder / ".report.json.tmp"
        partial.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        partial.replace(folder / "report.json")
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        _as_found(landed, result.file_path)
        raise QuarantineError(
            f"{landed.path.name} was rejected ({result.reason}) but cannot be kept in the quarantine folder "
            f"{settings.quarantine}: {error}. Nothing of it was loaded and it stays in landing. Make "
            "ARVO_QUARANTINE a writable folder with free space and run again."
        ) from error


def _reason(findings: list[Finding], status: str) -> str:
    errors = [f for f in findings if f.severity == ERROR]
    shown = errors if status == QUARANTINED else findings
    if not shown:
        return "all checks passed"
    head = "; ".join(f.summary() for f in shown[:3])
    more = f"; and {len(shown) - 3} more" if len(shown) > 3 else ""
    return head + more


def _insert_raw(
    con: duckdb.DuckDBPyConnection, entity: Entity, extras: list[tuple[str, str]], result: LoadResult
) -> None:
    """Append the typed batch; extra columns go by their name in the file, read by their typed name.
    The file's path and sha256 reach `raw.<entity>` from the ledger row committed with it."""
    target = ", ".join(quote_ident(c) for c in [*entity.column_names, *(name for name, _ in extras)])
    source = ", ".join([*(quote_ident(c) for c in entity.column_names), *(typed for _, typed in extras)])
    con.execute(
        f"insert into {stored_table(entity)} ({target}, _load_id, _loaded_at, _row_number) "
        f"select {source}, ?, ?, {ROW_NUMBER} from {TYPED}",
        [result.load_id, result.started_at],
    )


def _starts_with_bom(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8


def _copy_without_bom(source: Path, target: Path) -> None:
    """UTF-8 with a byte order mark is UTF-8 (Windows PowerShell 5 writes JSON Lines so), but DuckDB's JSON
    reader refuses the mark: such a file is read from a copy without it (the hash stays that of the
    file as delivered; the landed file is not touched)."""
    with source.open("rb") as stream, target.open("wb") as out:
        stream.seek(len(codecs.BOM_UTF8))
        shutil.copyfileobj(stream, out, 1 << 20)


class _SafePath:
    """Read through a symlink with a plain name, so glob characters in a hostile file name stay data (a
    JSON Lines file with a byte order mark: through a plain-named copy without it)."""

    def __init__(self, landed: LandedFile) -> None:
        self.landed = landed
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> LandedFile:
        self._tmp = tempfile.TemporaryDirectory(prefix="arvo-ingest-")
        # The suffix discovery matched, in lower case: `.CSV.GZ` must stay `.csv.gz` (the link's name is
        # what the format and DuckDB's decompression go by), not become `.gz` and be read as JSON.
        name = self.landed.path.name.lower()
        suffix = next(s for s in FILE_SUFFIXES if name.endswith(s))
        link = Path(self._tmp.name) / f"file{suffix}"
        if suffix == ".jsonl" and _starts_with_bom(self.landed.path):
            _copy_without_bom(self.landed.path, link)
        else:
            link.symlink_to(self.landed.path.resolve())
        return dataclasses.replace(self.landed, path=link)

    def __exit__(self, *exc: object) -> None:
        assert self._tmp is not None
        self._tmp.cleanup()


@dataclass
class _Prepared:
    """A file read, typed and checked on its connection (the typed batch waits in that connection's
    temp table), not committed yet. `events` are the progress stages passed, with their times."""

    landed: LandedFile
    con: duckdb.DuckDBPyConnection
    result: LoadResult | None
    extras: list[tuple[str, str]] = field(default_factory=list)
    events: list[tuple[str, float]] = field(default_factory=list)

    def passed(self, stage_name: str) -> None:
        self.events.append((stage_name, time.perf_counter()))


def _read(con: duckdb.DuckDBPyConnection, landed: LandedFile, rel_path: str) -> Staged:
    """Stage the file (`readers.stage`): _NotRead instead, whatever the read made of it, when the file is
    not as found any more (removed while it was hashed: not a CSV that cannot be parsed)."""
    try:
        with _SafePath(landed) as readable:
            return stage(con, readable, shown_as=rel_path)
    finally:
        _as_found(landed, rel_path)


def _prepare(con: duckdb.DuckDBPyConnection, settings: Settings, landed: LandedFile, run_id: str) -> _Prepared:
    """Hash, read, type and guard one file on `con`; nothing is written to the warehouse. The result
    is None when this exact delivery (path, size, mtime, ctime) was already handled; _NotRead when the
    file cannot be read."""
    prepared = _Prepared(landed, con, None)
    rel_path = _relative(settings, landed.path)
    if _known_delivery(con, rel_path, landed):
        return prepared
    started = _now()
    prepared.passed("hashing")
    try:
        print_ = fingerprint(landed.path, check_utf8=landed.format in ("csv", "jsonl"))
    except OSError as error:
        # Gone or unreadable since discovery: it cannot be loaded nor copied to quarantine, and it must
        # not stop the files after it. Nothing is recorded, so the next run looks at it again.
        raise _cannot_read(rel_path, error) from error
    result = LoadResult(
        load_id=new_load_id(),
        entity=landed.entity.name,
        file_path=rel_path,
        sha256=print_.sha256,
        status=LOADED,
        file_format=landed.format,
        run_id=run_id,
        started_at=started,
    )
    prepared.result = result
    prepared.passed("started")
    if _prior_content(con, landed.entity, print_.sha256) is not None:
        return prepared  # a duplicate: `_commit` records it; no need to read it
    try:
        if print_.problem:
            rule, message = print_.problem
            raise Rejected(rule, message)
        staged = _read(con, landed, rel_path)
        result.rows_in = staged.rows_in
        prepared.passed("staged")
        prepared.extras = extra_columns(landed.entity, staged.columns)
        result.findings = guard.check(con, landed.entity, staged)
        prepared.passed("validated")
    except Rejected as exc:
        result.findings = [Finding(rule=exc.rule, severity=ERROR, message=exc.message, column=exc.column)]
    return prepared


def _skip_duplicate(result: LoadResult, prior: tuple[str, str, str]) -> None:
    load_id, status, path = prior
    result.status = SKIPPED_DUPLICATE
    result.rows_in = result.rows_loaded = result.rows_rejected = 0
    result.findings = []
    if status == QUARANTINED:
        result.reason = (
            f"same content as {path}, quarantined in load {load_id}; nothing loaded. "
            f"See `arvo quarantine show {load_id}`, fix the file and drop it again."
        )
    else:
        result.reason = f"same content (sha256) as {path}, already loaded in load {load_id}; nothing loaded."


def _commit(prepared: _Prepared, settings: Settings, report: Callable[[str], None]) -> LoadResult:
    """Record the prepared file: skipped as a duplicate, quarantined, or its batch inserted into raw
    and committed with its ledger row in one transaction.

    The duplicate check runs here, not only in `_prepare`: the file committed just before this one
    (prepared concurrently) may have had the same bytes.
    """
    con, landed, result = prepared.con, prepared.landed, prepared.result
    assert result is not None
    prior = _prior_content(con, landed.entity, result.sha256)
    if prior is not None:
        _skip_duplicate(result, prior)
        result.finished_at = _now()
        _write_ledger(con, result, landed)
        return result

    if result.errors:
        result.status = QUARANTINED
        result.rows_loaded, result.rows_rejected = 0, result.rows_in
    else:
        result.status = LOADED_WITH_WARNINGS if result.findings else LOADED
        result.rows_loaded, result.rows_rejected = result.rows_in, 0
    result.reason = _reason(result.findings, result.status)

    if result.status == QUARANTINED:
        result.finished_at = _now()
        _quarantine(settings, landed, result)
        report("committing")
        _write_ledger(con, result, landed)
        return result

    report("inserting")
    con.begin()
    try:
        add_extra_columns(con, landed.entity, [name for name, _ in prepared.extras])
        _insert_raw(con, landed.entity, prepared.extras, result)
        result.finished_at = _now()
        _write_ledger(con, result, landed)
        report("committing")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return result


def _load_in_order(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    files: list[LandedFile],
    on_progress: ProgressCallback | None,
) -> tuple[list[LoadResult], list[str]]:
    """Commit `files` one by one in order, while the next file of the same entity is read and checked;
    the results, and what could not be read (the files after such a file still load).

    Reading, typing and the suite run on a helper thread with a second connection (their own temp
    tables), so that they overlap the insert and commit of the file before: DuckDB runs both at once on
    the two cores, and each file still commits alone with its ledger row, in order. The first file of
    the next entity waits for the last commit before it, as its checks may look at those rows (an
    invoice's account, a response's question). Progress events of a file are reported from this
    thread, in order, with the times they happened.
    """
    results: list[LoadResult] = []
    problems: list[str] = []
    run_id = new_load_id()
    slots = (con, another_connection(con))
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="arvo-prepare") as preparer:

            def prepare(i: int) -> Future[_Prepared]:
                return preparer.submit(_prepare, slots[i % 2], settings, files[i], run_id)

            pending = prepare(0) if files else None
            for index, landed in enumerate(files):
                assert pending is not None
                current = pending
                following = index + 1 < len(files)
                overlap = following and files[index + 1].entity.name == landed.entity.name
                pending = prepare(index + 1) if overlap else None
                rel_path = _relative(settings, landed.path)

                def report(
                    stage_name: str,
                    result: LoadResult | None = None,
                    at: float | None = None,
                    _i=index + 1,
                    _p=rel_path,
                    _l=landed,
                ) -> None:
                    if on_progress is not None:
                        at = time.perf_counter() if at is None else at
                        on_progress(Progress(stage_name, _l.entity.name, _p, _i, len(files), result, at))

                try:
                    prepared = current.result()
                    if prepared.result is not None:
                        for stage_name, at in prepared.events:
                            report(stage_name, at=at)
                        result = _commit(prepared, settings, report)
                        level = logging.WARNING if result.status == QUARANTINED else logging.INFO
                        log.log(
                            level, "%s %s (load %s): %s", result.status, result.file_path, result.load_id, result.reason
                        )
                        report("done", result)
                        results.append(result)
                except _NotRead as problem:
                    log.error("%s", problem)
                    problems.append(str(problem))
                if following and not overlap:
                    pending = prepare(index + 1)
    finally:
        slots[1].close()
    return results, problems


def check_landing(settings: Settings) -> None:
    """Warn when the landing folder is missing, or holds data files outside every entity folder; both
    look like a quiet "nothing new" otherwise. Once per whole ingest or `arvo run` (not per entity)."""
    if not settings.landing.is_dir():
        log.warning(
            "the landing folder %s does not exist, so there is nothing to load: point ARVO_LANDING at the "
            "folder the sources deliver to (files go in <source>/<entity>/, e.g. crm/accounts/)",
            settings.landing,
        )
        return
    for path in misplaced(settings.landing):
        log.warning(
            "ignored %s: not in an entity folder; files load from <source>/<entity>/ (%s)",
            _relative(settings, path),
            ", ".join(entity.folder for entity in ENTITIES.values()),
        )


@contextmanager
def _ingest_connection(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(settings)
    try:
        # Every file commits to the write-ahead log; checkpointing once when the connection closes,
        # not after every large file, saves ~15% of a medium ingest (benchmarks/ingest.py).
        con.execute(f"set checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        ensure_schemas(con)
        yield con
    finally:
        con.close()


def _ingest(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    entities: list[str] | None,
    on_progress: ProgressCallback | None,
    settle_seconds: float | None,
) -> list[LoadResult]:
    names = ordered_entities(entities)
    wait = settle_seconds_from_env() if settle_seconds is None else settle_seconds
    if entities is None:
        check_landing(settings)
    problems = []
    for name, error in unreadable_folders(settings.landing, names):
        problems.append(
            f"cannot read the folder {ENTITIES[name].folder} in the landing folder {settings.landing} "
            f"({error.strerror or error}): none of its files were loaded. Give the user running Arvo read and "
            "search permission on it and on the folders above it; the next run loads its files."
        )
        log.error("%s", problems[-1])
        names.remove(name)
    for path in unsupported(settings.landing, names):
        log.warning(
            "ignored %s: only %s files are loaded; convert it or remove it",
            _relative(settings, path),
            ", ".join(FILE_SUFFIXES),
        )
    for path, what in not_files(settings.landing, names):
        log.warning("ignored %s: %s", shown(_relative(settings, path)), what)
    files = discover(settings.landing, names, settle_seconds=wait)
    results, not_read = _load_in_order(con, settings, files, on_progress)
    problems += not_read
    if problems:
        raise LandingNotRead(problems, results)
    return results


def ingest_pending(
    settings: Settings,
    entities: list[str] | None = None,
    on_progress: ProgressCallback | None = None,
    settle_seconds: float | None = None,
) -> list[LoadResult]:
    """Load every complete, not yet handled file of the given entities (all by default), in order.

    Returns one LoadResult per file handled in this run (files already handled earlier are skipped
    silently). Raises LandingNotRead, with those results, when a file could not be read (once every
    other file is handled). `settle_seconds` (default env ARVO_INGEST_SETTLE_SECONDS or 1.0) is how
    long a file must be unchanged before it is picked up (`files.discover`).
    """
    with _ingest_connection(settings) as con:
        return _ingest(con, settings, entities, on_progress, settle_seconds)


def ingest_entity(
    settings: Settings, entity: str, on_progress: ProgressCallback | None = None
) -> tuple[list[LoadResult], datetime | None]:
    """`ingest_pending` of one entity, and when a file of it last loaded (with or without warnings), in
    UTC, from the ledger; None before the first. LandingNotRead as `ingest_pending`: the raw asset's step
    then fails, and `arvo run` with it.

    A scheduled run that finds nothing new still runs the entity's raw asset: this time, not the run's,
    says whether the data is fresh. Read on the load's own connection: opening the warehouse again
    costs ~70 ms.
    """
    with _ingest_connection(settings) as con:
        results = _ingest(con, settings, [entity], on_progress, None)
        (last,) = con.execute(
            f"select max(finished_at) from {LEDGER_TABLE} where entity = ? and status in (?, ?)",
            [entity, LOADED, LOADED_WITH_WARNINGS],
        ).fetchone()
    return results, last.replace(tzinfo=UTC) if last is not None else None
