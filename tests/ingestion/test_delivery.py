"""Deliveries: idempotency by content, renames, fixes after quarantine, hostile names, unfinished files."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time

import pytest

from ingestion.contract import ENTITIES
from ingestion.files import discover
from ingestion.pipeline import LandingNotRead, Progress, ingest_pending
from ingestion.results import LOADED, QUARANTINED, SKIPPED_DUPLICATE
from ingestion.warehouse import connect

from .conftest import VALID_ROWS, csv_text, drop, ingest, ledger, warehouse_snapshot

INVOICES = csv_text(VALID_ROWS["invoices"])


def test_rerun_loads_nothing_twice(baseline):
    drop(baseline, "invoices", "inv.csv", INVOICES)
    assert [r.status for r in ingest(baseline)] == [LOADED]
    before = warehouse_snapshot(baseline)
    assert ingest(baseline) == []
    assert warehouse_snapshot(baseline) == before


def test_redelivered_file_is_skipped_duplicate(baseline):
    path = drop(baseline, "invoices", "inv.csv", INVOICES)
    first = ingest(baseline)[0]
    before = warehouse_snapshot(baseline)
    path.write_text(INVOICES, encoding="utf-8")  # delivered again: same bytes, new mtime
    os.utime(path, (time.time() + 5, time.time() + 5))
    result = ingest(baseline)[0]
    assert result.status == SKIPPED_DUPLICATE
    assert first.load_id in result.reason and result.rows_loaded == 0 == result.rows_in
    assert warehouse_snapshot(baseline) == before


def test_renamed_file_is_skipped_duplicate(baseline):
    drop(baseline, "invoices", "inv.csv", INVOICES)
    ingest(baseline)
    before = warehouse_snapshot(baseline)
    drop(baseline, "invoices", "inv_copy.csv", INVOICES)
    result = ingest(baseline)[0]
    assert result.status == SKIPPED_DUPLICATE and "revenue/invoices/inv.csv" in result.reason
    assert warehouse_snapshot(baseline) == before
    assert [r["status"] for r in ledger(baseline)][-2:] == [LOADED, SKIPPED_DUPLICATE]


def test_copies_in_one_delivery_load_once(baseline):
    """The second copy is read while the first commits; its duplicate check still sees the first."""
    for name in ("inv_a.csv", "inv_b.csv", "inv_c.csv"):
        drop(baseline, "invoices", name, INVOICES)
    results = ingest(baseline)
    assert [r.status for r in results] == [LOADED, SKIPPED_DUPLICATE, SKIPPED_DUPLICATE]
    assert all(r.rows_in == r.rows_loaded + r.rows_rejected for r in results)
    assert results[1].rows_in == 0 and "revenue/invoices/inv_a.csv" in results[1].reason
    con = connect(baseline)
    assert con.execute("select count(*) from raw.invoices").fetchone()[0] == len(VALID_ROWS["invoices"])
    con.close()


def test_the_next_entity_is_read_only_after_the_last_commit_before_it(settings):
    """Files of one entity are read while the one before commits, but responses are checked against
    the question catalog: no file of an entity starts before the last file of the entity before it is
    done (committed), so the checks see those rows."""
    for name in ("accounts", "questions", "responses"):
        for part in (1, 2):  # two files per entity, the second with its own ids
            rows = [{k: f"{v}-{part}" if k.endswith("_id") else v for k, v in row.items()} for row in VALID_ROWS[name]]
            drop(settings, name, f"{name}_{part}.csv", csv_text(rows))
    events: list[Progress] = []
    results = ingest_pending(settings, settle_seconds=0, on_progress=events.append)
    assert [(r.entity, r.status) for r in results] == [
        (n, LOADED) for n in ("accounts", "questions", "responses") for _ in (1, 2)
    ]
    done = {e.file_path: e.at for e in events if e.stage == "done"}
    first: dict[str, float] = {}
    for event in events:
        first.setdefault(event.file_path, event.at)
    paths = [r.file_path for r in results]
    for before, after in zip(paths, paths[1:], strict=False):
        if before.split("/")[1] != after.split("/")[1]:
            assert first[after] > done[before], f"{after} started before {before} was committed"
    assert [e.index for e in events] == sorted(e.index for e in events)  # reported in order


def test_new_version_of_a_key_is_kept_in_raw(baseline):
    newer = [{**VALID_ROWS["accounts"][0], "account_name": "Äijälä Group", "updated_at": "2024-06-01"}]
    drop(baseline, "accounts", "accounts_002.csv", csv_text(newer))
    assert ingest(baseline)[0].status == LOADED
    con = connect(baseline)
    names = con.execute("select account_name from raw.accounts where account_id = 'A1' order by updated_at").fetchall()
    con.close()
    assert names == [("Äijälä Oy",), ("Äijälä Group",)]


def test_quarantined_file_is_not_retried_and_a_fixed_file_loads(baseline):
    bad = csv_text([{**VALID_ROWS["invoices"][0], "amount": "12,50"}])
    path = drop(baseline, "invoices", "inv.csv", bad)
    quarantined = ingest(baseline)[0]
    assert quarantined.status == QUARANTINED
    assert ingest(baseline) == []
    drop(baseline, "invoices", "inv_again.csv", bad)  # same bad content under another name
    again = ingest(baseline)[0]
    assert again.status == SKIPPED_DUPLICATE and quarantined.load_id in again.reason
    path.write_text(csv_text([{**VALID_ROWS["invoices"][0], "amount": "12.50"}]), encoding="utf-8")
    os.utime(path, (time.time() + 5, time.time() + 5))
    fixed = ingest(baseline)[0]
    assert fixed.status == LOADED and fixed.rows_loaded == 1
    con = connect(baseline)
    assert con.execute("select amount from raw.invoices").fetchall() == [(12.5,)]
    con.close()


def _copy_keeping_mtime(settings, target, content: str) -> None:
    """Replace `target` as `touch -r target corrected && cp -p corrected target` does: other bytes, the
    same size and mtime (a user can set the mtime; ctime, which cp -p and touch -r cannot keep, changes)."""
    before = target.stat()
    corrected = settings.landing.parent / "corrected.csv"
    corrected.write_text(content, encoding="utf-8")
    os.utime(corrected, ns=(before.st_atime_ns, before.st_mtime_ns))
    subprocess.run(["cp", "-p", str(corrected), str(target)], check=True)
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ctime_ns != before.st_ctime_ns


def _hashed(settings) -> tuple[list, list[str]]:
    """The results of an ingest and the files it hashed."""
    events: list[Progress] = []
    results = ingest_pending(settings, settle_seconds=0, on_progress=events.append)
    return results, [e.file_path for e in events if e.stage == "hashing"]


def test_a_corrected_file_copied_over_with_cp_p_is_read_again(baseline):
    """`cp -p` (or `touch -r`) keeps the path, size and mtime of the file it replaces: a delivery known
    by (path, size, mtime) alone was never read again, and the correction never loaded. Its ctime
    changes, so it is read; its bytes, not its stat, decide what loads: the first bytes put back load
    nothing twice. An unchanged folder is not hashed again."""
    path = drop(baseline, "invoices", "inv.csv", INVOICES)
    first = ingest(baseline)[0]
    assert first.status == LOADED

    _copy_keeping_mtime(baseline, path, INVOICES.replace("100.00", "110.00"))
    corrected = ingest(baseline)
    assert [(r.file_path, r.status, r.rows_loaded) for r in corrected] == [("revenue/invoices/inv.csv", LOADED, 2)]
    con = connect(baseline)
    amounts = con.execute("select _load_id, amount from raw.invoices where invoice_id = 'I1' order by 2").fetchall()
    con.close()
    assert amounts == [(first.load_id, 100), (corrected[0].load_id, 110)]
    assert _hashed(baseline) == ([], [])

    before = warehouse_snapshot(baseline)
    _copy_keeping_mtime(baseline, path, INVOICES)
    results, hashed = _hashed(baseline)
    assert [(r.status, r.rows_loaded) for r in results] == [(SKIPPED_DUPLICATE, 0)]
    assert first.load_id in results[0].reason and hashed == ["revenue/invoices/inv.csv"]
    assert warehouse_snapshot(baseline) == before


def test_a_ledger_from_before_ctime_gains_the_column_and_loads_nothing_twice(baseline):
    """A warehouse built before the ledger kept each file's ctime: its ledger gains the column in place
    (its rows keep theirs, null there). Those rows cannot tell a file copied over with `cp -p`, so the
    first run hashes each landed file once and records the known bytes as skipped_duplicate, loading
    nothing; after that an unchanged folder is not hashed, and a correction copied over a file recorded
    by the old ledger loads."""
    path = drop(baseline, "invoices", "inv.csv", INVOICES)
    ingest(baseline)
    con = connect(baseline)
    con.execute("alter table audit.load_ledger drop column file_ctime_ns")  # the ledger as it was
    old_rows = con.execute("select * from audit.load_ledger order by load_id").fetchall()
    con.close()
    before = warehouse_snapshot(baseline)

    results, hashed = _hashed(baseline)
    assert [r.status for r in results] == [SKIPPED_DUPLICATE] * 4 and len(hashed) == 4
    assert warehouse_snapshot(baseline) == before
    con = connect(baseline)
    kept = con.execute("select * exclude (file_ctime_ns) from audit.load_ledger where file_ctime_ns is null")
    assert sorted(kept.fetchall()) == sorted(old_rows)
    con.close()
    assert _hashed(baseline) == ([], [])

    _copy_keeping_mtime(baseline, path, INVOICES.replace("100.00", "110.00"))
    assert [(r.status, r.rows_loaded) for r in ingest(baseline)] == [(LOADED, 2)]


def test_hostile_file_name_and_header_are_data(baseline):
    name = "inv'; drop table raw.accounts; --\"[1] *?.csv"
    header_attack = 'note"; drop table raw.accounts; --'
    rows = [{**r, header_attack: "x'y"} for r in VALID_ROWS["invoices"]]
    drop(baseline, "invoices", name, csv_text(rows))
    result = ingest(baseline)[0]
    assert result.status == LOADED, result.reason
    con = connect(baseline)
    assert con.execute("select count(*) from raw.accounts").fetchone()[0] == len(VALID_ROWS["accounts"])
    stored = con.execute(
        f'select distinct _source_file, "{header_attack.replace(chr(34), 2 * chr(34))}" from raw.invoices'
    ).fetchall()
    con.close()
    assert stored == [(f"revenue/invoices/{name}", "x'y")]


def test_files_being_written_are_not_picked_up(settings):
    folder = settings.landing / ENTITIES["invoices"].folder
    folder.mkdir(parents=True)
    (folder / "a.csv.part").write_text(INVOICES)
    (folder / "b.csv.tmp").write_text(INVOICES)
    growing = folder / "c.csv"
    growing.write_text(INVOICES[:40])

    def keep_writing() -> None:
        time.sleep(0.1)
        with growing.open("a") as handle:
            handle.write(INVOICES[40:])

    writer = threading.Thread(target=keep_writing)
    writer.start()
    found = discover(settings.landing, ["invoices"], settle_seconds=0.4)
    writer.join()
    assert found == []
    assert [f.path.name for f in discover(settings.landing, ["invoices"], settle_seconds=0.05)] == ["c.csv"]


def test_files_that_sit_in_the_landing_folder_are_picked_up_without_a_wait(settings, monkeypatch):
    """Only a file changed within the settle time is sampled twice, with one wait for all of them; a
    file copied with `cp -p` (an old mtime, a new ctime) counts as just changed."""
    invoices = settings.landing / ENTITIES["invoices"].folder
    invoices.mkdir(parents=True)
    (invoices / "old.csv").write_text(INVOICES)
    time.sleep(0.3)
    waits: list[float] = []
    monkeypatch.setattr("ingestion.files.time.sleep", waits.append)
    assert [f.path.name for f in discover(settings.landing, ["invoices"], settle_seconds=0.2)] == ["old.csv"]
    assert waits == []

    accounts = settings.landing / ENTITIES["accounts"].folder
    accounts.mkdir(parents=True)
    (accounts / "new.csv").write_text("account_id\n")
    copied = invoices / "copied.csv"
    copied.write_text(INVOICES)
    os.utime(copied, (time.time() - 3600, time.time() - 3600))
    found = discover(settings.landing, ["accounts", "invoices"], settle_seconds=0.2)
    assert [f.path.name for f in found] == ["new.csv", "copied.csv", "old.csv"]
    assert waits == [0.2]


def test_extra_columns_are_kept(baseline):
    rows = [{**r, "sales_rep": "Mikko"} for r in VALID_ROWS["invoices"]]
    drop(baseline, "invoices", "inv.csv", csv_text(rows))
    assert ingest(baseline)[0].status == LOADED
    con = connect(baseline)
    assert con.execute("select distinct sales_rep from raw.invoices").fetchall() == [("Mikko",)]
    con.close()


def test_unsupported_files_are_pointed_out_not_loaded(settings, caplog):
    drop(settings, "invoices", "invoices.xlsx", b"PK\x03\x04")
    with caplog.at_level("WARNING", logger="ingestion.pipeline"):
        assert ingest(settings) == []
    assert "ignored revenue/invoices/invoices.xlsx" in caplog.text


def test_entries_named_like_data_files_that_are_no_files_are_pointed_out(settings, caplog):
    """A folder `invoices.csv` (an unzipped export) or a link whose target is gone will never load; left
    unmentioned, the delivery looks like "nothing new"."""
    folder = settings.landing / ENTITIES["invoices"].folder
    (folder / "march.csv").mkdir(parents=True)
    (folder / "april.csv").symlink_to(folder / "moved-away.csv")
    with caplog.at_level("WARNING", logger="ingestion.pipeline"):
        assert ingest(settings) == []
    assert "ignored revenue/invoices/march.csv: a folder" in caplog.text
    assert "ignored revenue/invoices/april.csv: a link to nothing" in caplog.text


def test_ingest_entity_says_when_a_file_last_loaded_not_when_it_last_ran(settings, monkeypatch):
    """What the raw asset gives Dagster's freshness check: the ledger's last load of the entity. A run
    with nothing new, and a file quarantined, leave it where it was; no load yet gives None."""
    from datetime import UTC, datetime

    from ingestion.pipeline import ingest_entity

    monkeypatch.setenv("ARVO_INGEST_SETTLE_SECONDS", "0")
    assert ingest_entity(settings, "fx_rates") == ([], None)
    drop(settings, "fx_rates", "rates.csv", csv_text(VALID_ROWS["fx_rates"]))
    results, loaded_at = ingest_entity(settings, "fx_rates")
    assert [r.status for r in results] == [LOADED]
    assert loaded_at == results[0].finished_at.replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - loaded_at).total_seconds()) < 60

    assert ingest_entity(settings, "fx_rates") == ([], loaded_at)
    drop(settings, "fx_rates", "bad.csv", csv_text([{**VALID_ROWS["fx_rates"][0], "rate": "x"}]))
    results, after_bad = ingest_entity(settings, "fx_rates")
    assert [r.status for r in results] == [QUARANTINED]
    assert after_bad == loaded_at
    assert ingest_entity(settings, "accounts") == ([], None)


def test_a_missing_landing_folder_and_misplaced_files_are_pointed_out(settings, caplog):
    """Both would otherwise read as a quiet "nothing new to ingest"."""
    with caplog.at_level("WARNING", logger="ingestion.pipeline"):
        assert ingest(settings) == []
    assert f"the landing folder {settings.landing} does not exist" in caplog.text
    assert "point ARVO_LANDING at the folder the sources deliver to" in caplog.text

    caplog.clear()
    for misplaced in ("accounts/accounts.csv", "invoices.csv", "crm/accounts/archive/old.csv"):
        (settings.landing / misplaced).parent.mkdir(parents=True, exist_ok=True)
        (settings.landing / misplaced).write_text(csv_text(VALID_ROWS["accounts"]))
    with caplog.at_level("WARNING", logger="ingestion.pipeline"):
        assert ingest(settings) == []
    ignored = [r.getMessage() for r in caplog.records if "not in an entity folder" in r.getMessage()]
    assert [m.split(":")[0] for m in ignored] == ["ignored invoices.csv", "ignored accounts/accounts.csv"]
    assert "crm/accounts" in ignored[0]  # says where files belong
    assert "does not exist" not in caplog.text


def test_a_file_that_cannot_be_read_any_more_is_left_for_the_next_run_and_the_rest_load(settings, caplog):
    """A file found complete can be gone or unreadable when its turn comes (the source took it back,
    replaced it with a folder, changed its permissions). That is no reason to stop the whole run with a
    traceback: nothing of it is recorded, the other files load, the next run tries it again, and the
    ingest ends in LandingNotRead naming it (with the results of the others), so that it fails."""
    drop(settings, "accounts", "accounts.csv", csv_text(VALID_ROWS["accounts"]))
    drop(settings, "fx_rates", "rates.csv", csv_text(VALID_ROWS["fx_rates"]))
    gone = drop(settings, "invoices", "a.csv", INVOICES)
    drop(
        settings,
        "invoices",
        "b.csv",
        csv_text([{**r, "invoice_id": r["invoice_id"] + "b"} for r in VALID_ROWS["invoices"]]),
    )

    def take_back(event: Progress) -> None:
        if event.stage == "done" and event.entity == "accounts":  # a.csv is read after this commit
            gone.unlink()
            gone.mkdir()  # os.open of a folder fails even for root, as an unreadable file does for others

    with pytest.raises(LandingNotRead) as raised:
        ingest_pending(settings, on_progress=take_back, settle_seconds=0)

    assert [(r.file_path, r.status) for r in raised.value.results] == [
        ("crm/accounts/accounts.csv", LOADED),
        ("revenue/fx_rates/rates.csv", LOADED),
        ("revenue/invoices/b.csv", LOADED),
    ]
    assert raised.value.problems == [
        "cannot read revenue/invoices/a.csv (Is a directory): nothing of it was loaded or recorded. Make it a "
        "file the user running Arvo can read; the next run loads it."
    ]
    assert raised.value.problems[0] in caplog.text
    assert "revenue/invoices/a.csv" not in {row["file_path"] for row in ledger(settings)}
    gone.rmdir()
    drop(settings, "invoices", "a.csv", INVOICES)
    assert [(r.file_path, r.status) for r in ingest(settings)] == [("revenue/invoices/a.csv", LOADED)]


GONE = (
    "revenue/invoices/a.csv disappeared during the run (removed or renamed after it was found): nothing of it "
    "was loaded or recorded. Deliver it again if it should load."
)
CHANGED = (
    "revenue/invoices/a.csv changed during the run (written to or replaced after it was found): nothing of it "
    "was loaded or recorded; the next run reads it as it is then."
)


def _assert_not_read_and_the_rest_loaded(settings, raised, problem: str = GONE) -> None:
    """a.csv is named (`problem`), not quarantined nor recorded; b.csv, after it, loaded."""
    assert raised.value.problems == [problem]
    assert [(r.file_path, r.status) for r in raised.value.results] == [("revenue/invoices/b.csv", LOADED)]
    assert "revenue/invoices/a.csv" not in {row["file_path"] for row in ledger(settings)}
    assert not settings.quarantine.exists() or not any(settings.quarantine.iterdir())


def test_a_file_that_disappears_before_it_is_quarantined_is_named_as_gone_not_blamed_on_the_quarantine(baseline):
    """A rejected file removed after it was hashed and read, before it is copied to quarantine: the copy
    fails, but not for the quarantine folder's sake. That was reported as "cannot be kept in the
    quarantine folder" and stopped the run; it is the file that is gone, and the files after it load."""
    gone = drop(baseline, "invoices", "a.csv", csv_text([{**VALID_ROWS["invoices"][0], "amount": "12,50"}]))
    drop(baseline, "invoices", "b.csv", INVOICES)

    def take_back(event: Progress) -> None:
        if event.stage == "started" and event.file_path == "revenue/invoices/a.csv":  # read, not yet committed
            gone.unlink()

    with pytest.raises(LandingNotRead) as raised:
        ingest_pending(baseline, on_progress=take_back, settle_seconds=0)
    _assert_not_read_and_the_rest_loaded(baseline, raised)


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        (lambda path: path.unlink(), GONE),
        (lambda path: path.write_text(INVOICES), CHANGED),
    ],
    ids=["removed", "rewritten"],
)
def test_a_file_removed_or_rewritten_while_it_is_hashed_is_not_loaded(baseline, action, problem):
    """Removed while it is being hashed: the hash reads on from the open file and succeeds, the read
    after it finds nothing. It was then quarantined as unreadable CSV, or rather not even that: its
    copy to quarantine failed too, and the run stopped blaming the quarantine folder. Rewritten while it
    is hashed: what is read is not what was hashed, and it loaded under the wrong sha256. Either way the
    file is named and the next delivery or run loads what is there then."""
    rows = "".join(f"I{i},A1,2024-01-31,EUR,100.00,paid\n" for i in range(3, 1_500_000))
    gone = drop(baseline, "invoices", "a.csv", INVOICES + rows)  # ~50 MB: hashing takes a while
    drop(baseline, "invoices", "b.csv", INVOICES)
    target = os.path.realpath(gone)

    def act_once_open() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for fd in os.listdir("/proc/self/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/self/fd/{fd}") == target:
                        action(gone)
                        return
            time.sleep(0.001)

    watcher = threading.Thread(target=act_once_open)
    watcher.start()
    try:
        with pytest.raises(LandingNotRead) as raised:
            ingest(baseline)
    finally:
        watcher.join()
    _assert_not_read_and_the_rest_loaded(baseline, raised, problem)


def test_answers_quarantined_before_their_questions_load_when_delivered_again_after_the_catalog(baseline):
    """The answers of a new survey can land a day before its question catalog: quarantined, rightly, for
    questions not in the catalog. Nothing in the file needs fixing, so when it is delivered again after
    the catalog (touched or copied anew) it is checked again and loads, not skipped as a duplicate of
    the quarantined bytes. A file rejected for its own content still is (test above)."""
    answers = csv_text([{**r, "survey_id": "S2"} for r in VALID_ROWS["responses"]])
    path = drop(baseline, "responses", "answers.csv", answers)
    first = ingest(baseline)[0]
    assert (first.status, first.findings[0].rule) == (QUARANTINED, "question_in_catalog")

    drop(baseline, "questions", "s2.csv", csv_text([{**r, "survey_id": "S2"} for r in VALID_ROWS["questions"]]))
    assert [r.status for r in ingest(baseline)] == [LOADED]  # the catalog; the answers are not looked at again
    os.utime(path, (time.time() + 5, time.time() + 5))  # delivered again

    again = ingest(baseline)[0]
    assert (again.file_path, again.status, again.rows_loaded) == ("survey/responses/answers.csv", LOADED, 3)
    drop(baseline, "responses", "answers_copy.csv", answers)  # and once loaded, never twice
    assert [r.status for r in ingest(baseline)] == [SKIPPED_DUPLICATE]


def test_answers_are_checked_against_the_latest_version_of_their_question(baseline):
    """A corrected catalog re-delivers a question with a new scale (1..5 -> 0..10). Staging uses the
    latest version; the guard must too, not the largest scale_min and scale_max of all versions ever
    loaded (which made 0 out of range, the old minimum 1 still counting)."""
    corrected = [{**VALID_ROWS["questions"][1], "scale_min": "0", "scale_max": "10"}]
    drop(baseline, "questions", "questions_corrected.csv", csv_text(corrected))
    assert [r.status for r in ingest(baseline)] == [LOADED]

    answers = [{**VALID_ROWS["responses"][1], "response_id": "R9", "answer_numeric": "0"}]
    drop(baseline, "responses", "answers.csv", csv_text(answers))
    result = ingest(baseline)[0]
    assert result.status == LOADED, result.reason
    too_high = [{**VALID_ROWS["responses"][1], "response_id": "R10", "answer_numeric": "11"}]
    drop(baseline, "responses", "too_high.csv", csv_text(too_high))
    assert [f.rule for f in ingest(baseline)[0].findings] == ["answer_in_scale"]


def test_a_file_name_that_is_not_utf8_is_pointed_out_and_the_rest_load(settings, caplog):
    """A Latin-1 `café.csv` copied from a Windows share or an old zip has a name that is not UTF-8. It
    cannot be named in the ledger (DuckDB text is UTF-8), and it made every run stop with "Unable to
    cast Python instance of type <class 'str'>", the files after it never loading."""
    folder = settings.landing / ENTITIES["invoices"].folder
    folder.mkdir(parents=True)
    with open(os.fsencode(folder) + b"/caf\xe9.csv", "wb") as handle:
        handle.write(INVOICES.encode())
    drop(
        settings,
        "invoices",
        "z.csv",
        csv_text([{**r, "invoice_id": r["invoice_id"] + "z"} for r in VALID_ROWS["invoices"]]),
    )

    with caplog.at_level("WARNING", logger="ingestion.pipeline"):
        results = ingest(settings)

    assert [r.file_path for r in results] == ["revenue/invoices/z.csv"]
    assert "ignored revenue/invoices/caf\\xe9.csv: its name is not UTF-8" in caplog.text
