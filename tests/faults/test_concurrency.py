"""Two `arvo run` started at once on one warehouse, while a BI reader holds the serving snapshot.

DuckDB allows one writing process per file; the second run must wait for the first (and say so), not
fail with a lock error, and a reader of `serving/current/arvo.duckdb` must neither block a run nor
see its data change under it.
"""

from __future__ import annotations

import shutil
import time

import duckdb
import pytest

from arvo.config import Settings
from arvo.serving import current_snapshot

from .harness import mart_checksums, start_arvo

pytestmark = pytest.mark.faults

LOCK_ERRORS = ("Could not set lock", "Conflicting lock", "IO Error", "database is locked", "Traceback")


def test_two_runs_at_once_both_finish_while_a_bi_reader_holds_the_snapshot(clean_run, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(clean_run.root, root, symlinks=True)
    settings = Settings.under(root)
    old_snapshot = current_snapshot(settings.serving)
    reader = duckdb.connect(str(settings.serving / "current" / "arvo.duckdb"), read_only=True)
    seen_before = reader.execute("select count(*), sum(respondents) from marts.mart_nps").fetchone()

    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    # --build-all: with no new file a run would build nothing and publish nothing (tests/test_e2e.py)
    runs = [start_arvo(root, "run", "--build-all", "--no-summary", log=log) for log in logs]
    while any(run.poll() is None for run in runs):
        assert reader.execute("select count(*), sum(respondents) from marts.mart_nps").fetchone() == seen_before
        time.sleep(0.5)
    outputs = [log.read_text() for log in logs]

    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-4000:]
        assert not [e for e in LOCK_ERRORS if e in output], output[-4000:]
    assert any("Waiting for the run already using" in output for output in outputs), "neither run waited"
    assert reader.execute("select count(*), sum(respondents) from marts.mart_nps").fetchone() == seen_before
    reader.close()

    assert current_snapshot(settings.serving) != old_snapshot
    assert mart_checksums(settings.warehouse) == clean_run.marts
    assert mart_checksums(settings.serving / "current" / "arvo.duckdb") == clean_run.marts
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        statuses = [r[0] for r in con.execute("select status from audit.pipeline_runs order by started_at").fetchall()]
    assert statuses == ["succeeded"] * 3
