"""kill -9 at random points of ingestion and of the dbt build, then a rerun: nothing lost, nothing twice.

The kill hits the whole process group (the `arvo` process, dbt building inside it) with SIGKILL, as a
power cut or the OOM killer would: no cleanup code runs. The marts after the rerun must equal those
of an uninterrupted run, mart by mart (row count and order-independent row-hash checksums).
Kill points are drawn from a seeded generator; set ARVO_FAULT_SEED to replay a failure.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from .harness import (
    copy_landing,
    dbt_event,
    ingest_event,
    kill_after,
    loaded_twice,
    mart_checksums,
    raw_checksums,
    run_arvo,
    start_arvo,
)

pytestmark = pytest.mark.faults

SEED = int(os.environ.get("ARVO_FAULT_SEED", random.SystemRandom().randrange(1_000_000)))
INGEST_EVENTS_PER_FILE = 6  # hashing, started, staged, validated, committing, done
DBT_EVENTS = 230  # about one START and one OK/PASS line per node of `dbt build`


def _ingest_events(landing: Path) -> int:
    return INGEST_EVENTS_PER_FILE * sum(1 for _ in landing.rglob("*.csv"))


def _assert_equals_clean(settings, clean_run, context: str) -> None:
    assert loaded_twice(settings.warehouse) == [], context
    assert raw_checksums(settings.warehouse) == clean_run.raw, context
    marts = mart_checksums(settings.warehouse)
    assert marts.keys() == clean_run.marts.keys(), context
    differing = [m for m in marts if marts[m] != clean_run.marts[m]]
    assert not differing, f"{context}: marts differ from the clean run: {differing}"


def test_kill_in_ingestion_then_in_dbt_then_rerun_equals_a_clean_run(fault_landing, clean_run, tmp_path):
    rng = random.Random(SEED)
    settings = copy_landing(fault_landing, tmp_path)
    nth_ingest = rng.randint(1, _ingest_events(settings.landing) - 1)
    nth_dbt = rng.randint(1, DBT_EVENTS - 20)
    context = f"ARVO_FAULT_SEED={SEED} ingest event {nth_ingest}, dbt event {nth_dbt}"

    first = kill_after(start_arvo(tmp_path, "run", "--no-summary"), ingest_event, nth_ingest)
    assert first.killed and first.returncode == -9, context + first.output[-3000:]
    second = kill_after(start_arvo(tmp_path, "run", "--no-summary"), dbt_event, nth_dbt)
    assert second.killed and second.returncode == -9, context + second.output[-3000:]
    assert not list(settings.serving.glob("current")), "a killed run must not publish"

    rerun = run_arvo(tmp_path, "run", "--no-summary")
    assert rerun.returncode == 0, context + rerun.stdout[-4000:]
    _assert_equals_clean(settings, clean_run, context)
    assert mart_checksums(settings.serving / "current" / "arvo.duckdb") == clean_run.marts


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["ingest", "dbt"])
@pytest.mark.parametrize("attempt", range(3))
def test_repeated_kills_at_random_points_then_rerun_equals_a_clean_run(
    fault_landing, clean_run, tmp_path, stage, attempt
):
    rng = random.Random(f"{SEED}-{stage}-{attempt}")
    settings = copy_landing(fault_landing, tmp_path)
    kills = []
    for _ in range(3):
        if stage == "ingest":
            nth = rng.randint(1, _ingest_events(settings.landing) // 2)
            result = kill_after(start_arvo(tmp_path, "run", "--no-summary"), ingest_event, nth)
        else:
            nth = rng.randint(1, DBT_EVENTS - 20)
            result = kill_after(start_arvo(tmp_path, "run", "--no-summary"), dbt_event, nth)
        kills.append((nth, result.killed))
    context = f"ARVO_FAULT_SEED={SEED} {stage} kills (event, killed): {kills}"
    rerun = run_arvo(tmp_path, "run", "--no-summary")
    assert rerun.returncode == 0, context + rerun.stdout[-4000:]
    _assert_equals_clean(settings, clean_run, context)
