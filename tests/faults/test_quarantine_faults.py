"""The quarantine folder cannot take a rejected file: unwritable (a file where the folder should be) or
disk full (simulated with RLIMIT_FSIZE, which makes writes fail with EFBIG as ENOSPC would, without
root or a mount). The user gets a clear error, and nothing is lost: the rejected file stays in
landing, no ledger row claims it was quarantined, and once the folder is usable again the next run
quarantines it whole.
"""

from __future__ import annotations

import hashlib
import resource
import signal
import subprocess
from pathlib import Path

import duckdb
import pytest

from arvo.config import REPO_ROOT, Settings
from ingestion.pipeline import ingest_pending

from .harness import ARVO, arvo_env, run_arvo

pytestmark = pytest.mark.faults

HEADER = '"invoice_id","account_id","invoice_date","currency","amount","status"\n'
GOOD_ROWS = 60_000  # about 3.6 MB: larger than the write limit of the disk-full case
FILE_SIZE_LIMIT = 2_500_000  # above the warehouse file (about 1.3 MB after a first load), below the bad file


def _land_bad_invoices(settings: Settings) -> Path:
    """An invoice file whose last row has a non-numeric amount: an error-level failure, so quarantined."""
    folder = settings.landing / "revenue" / "invoices"
    folder.mkdir(parents=True)
    rows = [f'"ORD-9{i:08d}","ACC-0000001",2023-10-02,"EUR",102.39,"paid"\n' for i in range(GOOD_ROWS)]
    path = folder / "invoices_2023-11-01.csv"
    path.write_text(HEADER + "".join(rows) + '"ORD-BAD","ACC-0000001",2023-10-05,"EUR",forty,"open"\n')
    return path


def _land_and_load_rates(settings: Settings) -> list[tuple]:
    """An earlier, good delivery (fx rates), loaded before the bad file's run: its rows as loaded."""
    folder = settings.landing / "revenue" / "fx_rates"
    folder.mkdir(parents=True)
    (folder / "fx_rates_2023-10-01.csv").write_text(
        "rate_date,currency,rate\n2023-10-01,SEK,11.1\n2023-10-02,SEK,11.2\n"
    )
    assert [r.status for r in ingest_pending(settings, ["fx_rates"], settle_seconds=0)] == ["loaded"]
    return _rates(settings)


def _rates(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute("select rate_date, currency, rate, _load_id from raw.fx_rates order by all").fetchall()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ledger(settings: Settings) -> list[tuple]:
    if not settings.warehouse.exists():
        return []
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute("select file_name, status, quarantine_path from audit.load_ledger").fetchall()


def _assert_quarantined_whole(settings: Settings, bad: Path, digest: str) -> None:
    ledger = [row for row in _ledger(settings) if row[0] == bad.name]
    assert [row[1] for row in ledger] == ["quarantined"]
    folder = Path(ledger[0][2])
    assert _sha(folder / bad.name) == digest
    assert (folder / "report.json").is_file()
    assert _sha(bad) == digest


def _ingest_with_file_size_limit(root: Path) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # runs in the child before exec; an ignored SIGXFSZ turns the kill into EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))

    return subprocess.run(
        [ARVO, "ingest"],
        cwd=REPO_ROOT,
        env=arvo_env(root),
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def bad_landing(tmp_path: Path) -> tuple[Settings, Path, str]:
    settings = Settings.under(tmp_path)
    bad = _land_bad_invoices(settings)
    return settings, bad, _sha(bad)


def test_unwritable_quarantine_fails_the_run_clearly_and_loses_nothing(bad_landing, tmp_path):
    settings, bad, digest = bad_landing
    settings.quarantine.parent.mkdir(parents=True, exist_ok=True)
    settings.quarantine.write_text("a file where the quarantine folder should be\n")

    blocked = run_arvo(tmp_path, "run", "--no-summary")
    assert blocked.returncode == 1, blocked.stdout[-3000:]
    assert "failed step: raw__invoices" in blocked.stdout
    assert str(settings.quarantine) in blocked.stdout
    assert "Traceback" not in blocked.stdout.split("\nRun ", 1)[-1]
    assert _sha(bad) == digest
    assert [row for row in _ledger(settings) if row[0] == bad.name] == []

    settings.quarantine.unlink()
    fixed = run_arvo(tmp_path, "ingest")
    assert fixed.returncode == 1, fixed.stdout[-3000:]
    _assert_quarantined_whole(settings, bad, digest)


def test_disk_full_while_quarantining_loses_nothing(bad_landing, tmp_path):
    settings, bad, digest = bad_landing
    rates = _land_and_load_rates(settings)
    assert len(rates) == 2
    full = _ingest_with_file_size_limit(tmp_path)
    assert full.returncode != 0
    assert "File too large" in full.stdout + full.stderr
    assert "Traceback" not in full.stdout + full.stderr
    # the user is told what happened, that nothing is lost, and what to do
    message = " ".join(full.stdout.split())
    assert f"{bad.name} was rejected" in message
    assert f"cannot be kept in the quarantine folder {settings.quarantine}" in message
    assert "Nothing of it was loaded and it stays in landing." in message
    assert "Make ARVO_QUARANTINE a writable folder with free space and run again." in message
    assert _sha(bad) == digest
    # the warehouse and what was loaded before are intact
    assert settings.warehouse.is_file()
    assert _rates(settings) == rates
    assert [row[1] for row in _ledger(settings) if row[0] == "fx_rates_2023-10-01.csv"] == ["loaded"]
    assert [row for row in _ledger(settings) if row[0] == bad.name] == []

    rerun = run_arvo(tmp_path, "ingest")
    assert rerun.returncode == 1, rerun.stdout[-3000:]
    _assert_quarantined_whole(settings, bad, digest)


def test_arvo_ingest_names_the_quarantine_problem_without_a_traceback(bad_landing, tmp_path):
    settings, _, _ = bad_landing
    settings.quarantine.parent.mkdir(parents=True, exist_ok=True)
    settings.quarantine.write_text("not a folder\n")
    result = run_arvo(tmp_path, "ingest")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout
    assert str(settings.quarantine) in result.stdout
