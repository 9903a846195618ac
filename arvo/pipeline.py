"""`arvo run`: the Dagster job executed in this process, one run at a time per warehouse.

The job is the same one the schedule and the sensor start in a Dagster deployment; running it
in-process keeps the CLI usable without a Dagster daemon.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from arvo.config import Settings
from arvo.secrets import ensure_pseudonym_key

log = logging.getLogger("arvo.pipeline")


@dataclass
class RunOutcome:
    """What a run did, in the words a user needs: which steps and checks failed, and why."""

    run_id: str
    success: bool
    materialized: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    build: dict | None = None  # the dbt build's scope and why (arvo.build_scope), when it was decided


def export_settings(settings: Settings) -> None:
    """Hand the settings to the Dagster resources (`dg.EnvVar`) and to dbt (profile and pseudonym key)."""
    os.environ.update(settings.path_env())
    limits = {
        "ARVO_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "ARVO_DUCKDB_THREADS": settings.duckdb_threads,
        "ARVO_DUCKDB_TEMP_DIRECTORY": settings.duckdb_temp_directory,
    }
    for name, value in limits.items():  # dbt's connection reads them (arvo.duckdb_limits)
        if value is not None:
            os.environ[name] = str(value)
    ensure_pseudonym_key(settings)


@contextmanager
def exclusive_run(settings: Settings, wait_message_after: float = 0.5) -> Iterator[None]:
    """One `arvo run` per warehouse at a time: a second one waits for the first instead of failing.

    DuckDB allows a single writing process; an advisory lock beside the warehouse file makes a
    concurrent run queue up politely rather than hit a lock error halfway.
    """
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = settings.warehouse.with_name(settings.warehouse.name + ".run.lock")
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            log.info("Waiting for the run already using %s (%s) to finish...", settings.warehouse, holder)
            time.sleep(wait_message_after)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _UngatedCheckFilter(logging.Filter):
    """Drops Dagster's warning that a blocking check of a dbt model "emitted no result".

    A build leaves out the models the new loads do not change (arvo.build_scope), and their tests
    with them: their checks have no result by design, and the run's summary says what was built. A
    failing test fails the dbt step, so nothing downstream runs on it either way.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Blocking asset check") and "emitted no result" in message)


@contextmanager
def _quiet_ungated_checks() -> Iterator[None]:
    plan_log = logging.getLogger("dagster._core.execution.plan.active")
    quiet = _UngatedCheckFilter()
    plan_log.addFilter(quiet)
    try:
        yield
    finally:
        plan_log.removeFilter(quiet)


def run_pipeline(
    settings: Settings,
    dbt_vars: Mapping[str, object] | None = None,
    log_level: str = "INFO",
    full_refresh: bool = False,
    build_all: bool = False,
) -> RunOutcome:
    """Ingest pending files, dbt build, publish: the `arvo_pipeline` job, in this process.

    `log_level` is Dagster's console level: INFO shows each step and load; DEBUG every event.
    `full_refresh` rebuilds the incremental models from all raw rows (`dbt build --full-refresh`).
    `build_all` builds every model even where the last build's record says it is current.
    """
    import dagster as dg

    from ingestion.pipeline import check_landing
    from orchestration.project import prepare_manifest

    export_settings(settings)
    check_landing(settings)
    started = time.perf_counter()
    started_at = datetime.now(UTC)
    with exclusive_run(settings):
        log.info("Preparing the dbt manifest...")
        prepare_manifest()
        from orchestration.definitions import defs
        from orchestration.jobs import PIPELINE_JOB

        job = defs.resolve_job_def(PIPELINE_JOB)
        run_config = {
            "ops": {
                "arvo_dbt_models": {
                    "config": {
                        "vars_json": json.dumps(dict(dbt_vars or {}), default=str),
                        "full_refresh": full_refresh,
                        "build_all": build_all,
                    }
                }
            },
            "loggers": {"console": {"config": {"log_level": log_level}}},
        }
        with dg.DagsterInstance.ephemeral() as instance, _quiet_ungated_checks():
            result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)
            outcome = _outcome(result)
        outcome.seconds = time.perf_counter() - started
        record_run(settings, outcome, started_at, dbt_vars or {})
        outcome.build = recorded_build(settings, outcome.run_id)
    return outcome


RUNS_DDL = """
create schema if not exists audit;
create table if not exists audit.pipeline_runs (
    run_id varchar primary key,
    started_at timestamp,
    finished_at timestamp,
    status varchar,
    assets_materialized integer,
    failed_checks varchar,
    failed_steps varchar,
    dbt_vars varchar
)
"""


def record_run(settings: Settings, outcome: RunOutcome, started_at: datetime, dbt_vars: Mapping) -> None:
    """One row per `arvo run` in `audit.pipeline_runs`, for `arvo status` and the report."""
    import duckdb

    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config()) as con:
        con.execute(RUNS_DDL)
        con.execute(
            "insert into audit.pipeline_runs values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                outcome.run_id,
                started_at.replace(tzinfo=None),
                datetime.now(UTC).replace(tzinfo=None),
                "succeeded" if outcome.success else "failed",
                len(outcome.materialized),
                json.dumps(outcome.failed_checks),
                json.dumps(outcome.failed_steps),
                json.dumps(dict(dbt_vars), default=str),
            ],
        )


def recorded_build(settings: Settings, run_id: str) -> dict | None:
    """The scope of the run's dbt build and why (`audit.dbt_builds`), or None if none was recorded."""
    import duckdb

    from arvo.build_scope import build_of_run

    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config()) as con:
        return build_of_run(con, run_id)


DBT_ERRORS_MARKER = "Errors parsed from dbt logs:"


def _failure_reason(error) -> str:
    """The lines a person needs: dbt's own error text when dbt failed, else the error's first line.

    An error raised by Arvo's code in a step (a quarantine folder it cannot use, a landed file it cannot
    read) comes wrapped in Dagster's "Error occurred while executing op ...": its own message is said
    instead, without its class (`ingestion.pipeline.LandingNotRead: `)."""
    if error is None:
        return "failed"
    if error.cls_name == "DagsterExecutionStepExecutionError" and error.cause is not None:
        error = error.cause
    message = error.message.strip()
    if DBT_ERRORS_MARKER in message:
        return message.split(DBT_ERRORS_MARKER, 1)[1].strip()
    return message.splitlines()[0].split(f"{error.cls_name}: ", 1)[-1]


def _outcome(result) -> RunOutcome:
    import dagster as dg

    outcome = RunOutcome(run_id=result.run_id, success=result.success)
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            outcome.materialized.append(event.asset_key.to_user_string())
        elif event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            outcome.failed_steps.append(f"{event.step_key}: {_failure_reason(error)}")
        elif event.event_type_value == "STEP_SKIPPED":
            outcome.skipped.append(event.step_key)
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                description = evaluation.description or ""
                warning = " (warning)" if evaluation.severity == dg.AssetCheckSeverity.WARN else ""
                outcome.failed_checks.append(
                    f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}{warning}: {description}".strip()
                )
    return outcome


def last_pipeline_run(con) -> dict | None:
    """The newest row of `audit.pipeline_runs`, or None before the first `arvo run`."""
    from ingestion.warehouse import has_table

    if not has_table(con, "audit", "pipeline_runs"):
        return None
    cursor = con.execute("select * from audit.pipeline_runs order by started_at desc limit 1")
    row = cursor.fetchone()
    if row is None:
        return None
    record = dict(zip([d[0] for d in cursor.description], row, strict=True))
    record["failed_checks"] = json.loads(record["failed_checks"] or "[]")
    record["failed_steps"] = json.loads(record["failed_steps"] or "[]")
    return record
