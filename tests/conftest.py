"""Shared fixtures: the dbt manifest is built once per test session; each test gets its own folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from arvo.config import Settings


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
