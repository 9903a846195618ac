"""`arvo ingest`, `arvo status`, `arvo quarantine list|show` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys

from arvo.config import REPO_ROOT
from arvo.serving import publish_snapshot

from .conftest import VALID_ROWS, csv_text, drop


def arvo(settings, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ARVO_LANDING": str(settings.landing),
        "ARVO_WAREHOUSE": str(settings.warehouse),
        "ARVO_QUARANTINE": str(settings.quarantine),
        "ARVO_SERVING": str(settings.serving),
        "ARVO_INGEST_SETTLE_SECONDS": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "arvo.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ingest_status_and_quarantine_tell_what_happened_and_what_to_fix(settings):
    drop(settings, "accounts", "accounts.csv", csv_text(VALID_ROWS["accounts"]))
    bad = [{**VALID_ROWS["invoices"][0], "amount": "12,50"}]
    drop(settings, "invoices", "invoices.csv", csv_text(bad))

    empty_status = arvo(settings, "status")
    assert empty_status.returncode == 0 and "no loads yet" in empty_status.stdout

    run = arvo(settings, "ingest")
    assert run.returncode == 1, run.stdout + run.stderr  # a file was quarantined
    assert "loaded               crm/accounts/accounts.csv  in=2 loaded=2 rejected=0" in run.stdout
    assert "quarantined          revenue/invoices/invoices.csv  in=1 loaded=0 rejected=1" in run.stdout
    assert "[type_parses] column 'amount'" in run.stdout and "row 1: '12,50'" in run.stdout
    assert "[1/2] accounts: crm/accounts/accounts.csv" in run.stderr  # progress

    status = arvo(settings, "status")
    lines = {line.split()[0]: line.split() for line in status.stdout.splitlines() if line.strip()}
    assert lines["accounts"][1:6] == ["1", "0", "0", "0", "2"]
    assert lines["invoices"][1:6] == ["0", "0", "1", "0", "0"]
    assert "1 loaded, 1 quarantined" in status.stdout

    listing = arvo(settings, "quarantine", "list")
    load_id = listing.stdout.split()[0]
    assert "revenue/invoices/invoices.csv" in listing.stdout

    show = arvo(settings, "quarantine", "show", load_id[:17])
    assert show.returncode == 0
    assert "ERROR [type_parses] column 'amount'" in show.stdout
    assert 'row 1: "12,50"' in show.stdout
    assert "amount must be a decimal (a number with a dot as decimal separator" in show.stdout

    assert arvo(settings, "quarantine", "show", "nope").returncode == 2
    assert arvo(settings, "ingest").returncode == 0  # nothing new: the bad file is not retried

    # a quarantine that never finished (a folder without its report) is no load: the prefix stays unique
    (settings.quarantine / f"{load_id[:17]}-unfinished").mkdir()
    assert arvo(settings, "quarantine", "show", load_id[:17]).returncode == 0
    assert sorted(p.name for p in (settings.quarantine / load_id).iterdir()) == ["invoices.csv", "report.json"]
    (settings.quarantine / load_id / "report.json").write_text('{"file_path": "revenue/invo')
    cut = arvo(settings, "quarantine", "show", load_id)
    assert cut.returncode == 2 and "Traceback" not in cut.stderr, cut.stderr
    assert f"{settings.quarantine / load_id / 'report.json'} cannot be read" in cut.stdout
    empty = arvo(settings, "quarantine", "show", "")
    assert empty.returncode == 2 and "give a load id" in empty.stdout


def test_ingest_stopped_by_an_unusable_quarantine_folder_still_lists_what_it_loaded(settings):
    """The run stops at the file it cannot keep; the files loaded before it are committed, and the user
    must see them, not only the error."""
    drop(settings, "accounts", "accounts.csv", csv_text(VALID_ROWS["accounts"]))
    drop(settings, "invoices", "invoices.csv", csv_text([{**VALID_ROWS["invoices"][0], "amount": "12,50"}]))
    settings.quarantine.parent.mkdir(parents=True, exist_ok=True)
    settings.quarantine.write_text("a file where the quarantine folder should be\n")

    run = arvo(settings, "ingest")
    assert run.returncode == 1, run.stdout + run.stderr
    loaded = "loaded               crm/accounts/accounts.csv  in=2 loaded=2 rejected=0"
    error = "error: invoices.csv was rejected (error [type_parses] column 'amount'"
    assert loaded in run.stdout and error in run.stdout, run.stdout
    assert f"cannot be kept in the quarantine folder {settings.quarantine}" in run.stdout
    assert run.stdout.index(loaded) < run.stdout.index(error)


def test_status_quarantine_and_ingest_say_what_to_do_while_a_run_writes_the_warehouse(settings):
    """DuckDB lets no other process open a file a writer holds, not even to read: a user asking for the
    status, or ingesting, during a run gets a sentence naming the holder, not a traceback."""
    drop(settings, "accounts", "accounts.csv", csv_text(VALID_ROWS["accounts"]))
    assert arvo(settings, "ingest").returncode == 0
    hold = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print(1, flush=True); time.sleep(60)"
    writer = subprocess.Popen([sys.executable, "-c", hold, str(settings.warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "1"  # the writer holds the warehouse
        for command in (["status"], ["quarantine", "list"]):
            result = arvo(settings, *command)
            assert result.returncode == 1, result.stdout + result.stderr
            assert "Traceback" not in result.stderr
            assert f"is in use by another process (PID {writer.pid}): an arvo run or ingest" in result.stderr
            assert "Try again when it has finished" in result.stderr
        drop(settings, "deals", "deals.csv", csv_text(VALID_ROWS["deals"]))
        ingest = arvo(settings, "ingest")
        assert ingest.returncode == 3 and "Traceback" not in ingest.stderr
        assert f"(PID {writer.pid})" in ingest.stderr and "nothing was loaded" in ingest.stderr
    finally:
        writer.kill()
        writer.wait()
    assert arvo(settings, "status").returncode == 0
    assert arvo(settings, "ingest").returncode == 0  # the deals wait for the next ingest, nothing lost


def test_status_and_quarantine_list_show_the_published_ledger_while_a_run_writes_the_warehouse(settings):
    """Publish copies the ledger into the serving snapshot; while the warehouse is held, status and the
    quarantine list answer from that copy, say so and name the holder, and count no raw rows."""
    drop(settings, "accounts", "accounts.csv", csv_text(VALID_ROWS["accounts"]))
    drop(settings, "invoices", "invoices.csv", csv_text([{**VALID_ROWS["invoices"][0], "amount": "12,50"}]))
    assert arvo(settings, "ingest").returncode == 1  # the invoices file is quarantined
    snapshot = publish_snapshot(settings, "test-run", ["audit.load_ledger"])["snapshot_id"]
    drop(settings, "deals", "deals.csv", csv_text(VALID_ROWS["deals"]))
    assert arvo(settings, "ingest").returncode == 0  # loaded after the publish: not in the snapshot
    hold = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print(1, flush=True); time.sleep(60)"
    writer = subprocess.Popen([sys.executable, "-c", hold, str(settings.warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "1"
        status = arvo(settings, "status")
        listing = arvo(settings, "quarantine", "list")
    finally:
        writer.kill()
        writer.wait()
    for result, command in ((status, "status"), (listing, "quarantine list")):
        assert result.returncode == 0, result.stdout + result.stderr
        assert (
            f"arvo {command}: the warehouse {settings.warehouse} is in use by another process (PID {writer.pid})"
            in (result.stderr)
        )
        assert f"Showing the ledger as last published (snapshot {snapshot}" in result.stderr
    lines = {line.split()[0]: line.split() for line in status.stdout.splitlines() if line.strip()}
    assert lines["accounts"][1:6] == ["1", "0", "0", "0", "-"]
    assert lines["invoices"][1:6] == ["0", "0", "1", "0", "-"]
    assert lines["deals"][1:6] == ["0", "0", "0", "0", "-"]  # the published state, not the warehouse's
    assert "revenue/invoices/invoices.csv" in listing.stdout
    after = arvo(settings, "status")
    assert after.returncode == 0 and after.stderr == ""
    assert {line.split()[0]: line.split() for line in after.stdout.splitlines() if line.strip()}["deals"][1:6] == [
        "1",
        "0",
        "0",
        "0",
        str(len(VALID_ROWS["deals"])),
    ]
