"""Session fixtures of the fault suite: one tiny landing set and one clean, uninterrupted run of it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from arvo.config import Settings

from .harness import copy_landing, mart_checksums, merge_landing, raw_checksums, run_arvo


@dataclass(frozen=True)
class CleanRun:
    """The reference: what an uninterrupted `arvo run` of the fault landing set produces."""

    root: Path
    settings: Settings
    marts: dict[str, tuple]
    raw: dict[str, tuple]


@pytest.fixture(scope="session")
def fault_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `tiny` sample set (seed 11), each entity's files merged into at most three files."""
    from arvo.generate import generate

    generated = tmp_path_factory.mktemp("fault_generated")
    generate("tiny", seed=11, out=generated)
    landing = tmp_path_factory.mktemp("fault_landing") / "landing"
    merge_landing(generated, landing)
    shutil.rmtree(generated)
    return landing


@pytest.fixture(scope="session")
def clean_run(fault_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    root = tmp_path_factory.mktemp("fault_clean")
    settings = copy_landing(fault_landing, root)
    result = run_arvo(root, "run", "--no-summary")
    assert result.returncode == 0, result.stdout[-4000:]
    return CleanRun(root, settings, mart_checksums(settings.warehouse), raw_checksums(settings.warehouse))
