"""Shared fixtures: the dbt manifest is built once per test session; each test gets its own folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from arvo.config import Settings

ARVO_ENV = ("ARVO_LANDING", "ARVO_WAREHOUSE", "ARVO_SERVING", "ARVO_QUARANTINE", "ARVO_PSEUDONYM_KEY")


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Parse the dbt project once (seconds), so the Dagster definitions can load in every test."""
    from orchestration.project import prepare_manifest

    return prepare_manifest()


@pytest.fixture
def arvo_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings under tmp_path, exported as `ARVO_*` the way `arvo run` exports them."""
    from arvo.pipeline import export_settings

    settings = Settings.under(tmp_path)
    for name in ("ARVO_LANDING", "ARVO_WAREHOUSE", "ARVO_SERVING", "ARVO_QUARANTINE"):
        monkeypatch.delenv(name, raising=False)
    export_settings(settings)
    return settings


@pytest.fixture(scope="session")
def small_pipeline(tmp_path_factory: pytest.TempPathFactory, dbt_manifest) -> Iterator[tuple[Settings, object]]:
    """The small sample set generated and run through the whole pipeline once per test session.

    Tests that only read the result share it; a test that adds files must leave the warehouse
    consistent for the others (the end-to-end test adds one bad, quarantined file).
    """
    from arvo.generate import generate
    from arvo.pipeline import run_pipeline

    settings = Settings.under(tmp_path_factory.mktemp("small_pipeline"))
    generate("small", seed=7, out=settings.landing)
    with pytest.MonkeyPatch.context() as patch:
        for name in ARVO_ENV:
            patch.delenv(name, raising=False)
        outcome = run_pipeline(settings)
        yield settings, outcome


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium; installed with apt-get when missing (tests run as root), else the test skips."""
    import os
    import subprocess

    from arvo.chromium import find_chromium

    found = find_chromium()
    if found:
        return found
    try:
        subprocess.run(["apt-get", "update"], check=True, capture_output=True, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
            check=True,
            capture_output=True,
            timeout=1200,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    except (OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"chromium is not installed and `apt-get install chromium` failed: {error}")
    found = find_chromium()
    if not found:
        pytest.skip("chromium is not on PATH after apt-get install chromium")
    return found
