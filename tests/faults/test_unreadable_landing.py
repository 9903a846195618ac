"""Landing files and folders Arvo cannot read (no read permission). Nothing of them is loaded or
recorded, everything else loads, the user is told which one and what to do, and the exit status says
so: whoever schedules Arvo must be able to notice.

Modes are made to count also when the tests run as root (`modes_obeyed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from arvo.config import Settings

from .harness import copy_landing, run_arvo

pytestmark = pytest.mark.faults


@pytest.fixture
def unreadable() -> Iterator[Callable[[Path], None]]:
    """`unreadable(path)`: mode 000 for this test (restored after it, so the folder can be removed)."""
    modes: dict[Path, int] = {}

    def make(path: Path) -> None:
        modes[path] = path.stat().st_mode
        path.chmod(0)

    yield make
    for path, mode in modes.items():
        path.chmod(mode)


def _loaded(settings: Settings) -> list[str]:
    """The paths of the files loaded (with or without warnings)."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        query = "select file_path from audit.load_ledger where status like 'loaded%' order by 1"
        return [path for (path,) in con.execute(query).fetchall()]


def _landed(settings: Settings, folder: str = "") -> list[str]:
    return sorted(p.relative_to(settings.landing).as_posix() for p in (settings.landing / folder).rglob("*.csv"))


def test_an_unreadable_file_fails_arvo_ingest_and_everything_else_loads(tmp_path, fault_landing, unreadable):
    settings = copy_landing(fault_landing, tmp_path)
    locked = _landed(settings, "revenue/invoices")[0]
    unreadable(settings.landing / locked)

    result = run_arvo(tmp_path, "ingest", obey_modes=True)

    assert result.returncode == 1, result.stdout[-3000:]
    message = " ".join(result.stdout.split())
    assert f"error: cannot read {locked} (Permission denied): nothing of it was loaded or recorded." in message
    assert "Make it a file the user running Arvo can read; the next run loads it." in message
    assert "Traceback" not in result.stdout
    assert _loaded(settings) == [path for path in _landed(settings) if path != locked]

    (settings.landing / locked).chmod(0o644)
    again = run_arvo(tmp_path, "ingest", obey_modes=True)
    assert again.returncode == 0, again.stdout[-3000:]
    assert _loaded(settings) == _landed(settings)


def _cannot_read_folder(settings: Settings, folder: str) -> str:
    return (
        f"cannot read the folder {folder} in the landing folder {settings.landing} (Permission denied): none "
        "of its files were loaded. Give the user running Arvo read and search permission on it and on the "
        "folders above it; the next run loads its files."
    )


def test_unreadable_entity_folders_fail_arvo_ingest_and_the_other_entities_load(tmp_path, fault_landing, unreadable):
    """An entity folder that cannot be listed (mode 000), or whose source folder cannot be entered: the
    whole ingest stopped with a traceback before loading anything."""
    settings = copy_landing(fault_landing, tmp_path)
    unreadable(settings.landing / "revenue" / "invoices")
    unreadable(settings.landing / "survey")

    result = run_arvo(tmp_path, "ingest", obey_modes=True)

    assert result.returncode == 1, result.stdout[-3000:]
    message = " ".join(result.stdout.split())
    for folder in ("survey/questions", "survey/responses", "revenue/invoices"):
        assert f"error: {_cannot_read_folder(settings, folder)}" in message
    assert "Traceback" not in result.stdout
    assert _loaded(settings) == [
        path for path in _landed(settings) if not path.startswith(("survey/", "revenue/invoices/"))
    ]

    for path in (settings.landing / "revenue" / "invoices", settings.landing / "survey"):
        path.chmod(0o755)
    again = run_arvo(tmp_path, "ingest", obey_modes=True)
    assert again.returncode == 0, again.stdout[-3000:]
    assert _loaded(settings) == _landed(settings)


def test_an_unreadable_file_or_folder_fails_arvo_run_and_publishes_nothing(tmp_path, fault_landing, unreadable):
    settings = copy_landing(fault_landing, tmp_path)
    locked = _landed(settings, "revenue/invoices")[0]
    unreadable(settings.landing / locked)
    unreadable(settings.landing / "revenue" / "subscriptions")

    result = run_arvo(tmp_path, "run", "--no-summary", obey_modes=True)

    assert result.returncode == 1, result.stdout[-3000:]
    assert f"failed step: raw__invoices: cannot read {locked} (Permission denied)" in result.stdout
    summary = " ".join(result.stdout.split("\nRun ", 1)[-1].split())
    assert f"failed step: raw__subscriptions: {_cannot_read_folder(settings, 'revenue/subscriptions')}" in summary
    assert not (settings.serving / "current").exists()
    assert _loaded(settings) == [
        path for path in _landed(settings) if path != locked and not path.startswith("revenue/subscriptions/")
    ]
