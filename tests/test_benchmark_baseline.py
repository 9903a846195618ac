"""The baseline `make bench` measures the pipeline against runs the build the pipeline ran."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from arvo.config import Settings
from arvo.summary import row_counts
from orchestration.project import warehouse_target_path

from .conftest import ARVO_ENV


def _counts(warehouse: Path, schema: str) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return row_counts(con, schema)


def test_the_baseline_loads_the_same_rows_and_builds_the_same_marts(tmp_path: Path, dbt_manifest):
    from arvo.generate import generate
    from arvo.pipeline import run_pipeline
    from benchmarks import baseline

    settings = Settings.under(tmp_path / "pipeline")
    generate("tiny", seed=3, out=settings.landing)
    with pytest.MonkeyPatch.context() as patch:
        for name in ARVO_ENV:
            patch.delenv(name, raising=False)
        assert run_pipeline(settings).success
    manifest = warehouse_target_path(settings.warehouse) / "manifest.json"  # this build's compiled SQL
    out = tmp_path / "baseline.json"
    warehouse = tmp_path / "baseline" / "arvo.duckdb"
    arguments = ["--landing", str(settings.landing), "--warehouse", str(warehouse), "--manifest", str(manifest)]
    assert baseline.main([*arguments, "--out", str(out)]) == 0

    raw = _counts(settings.warehouse, "raw")
    assert json.loads(out.read_text())["raw_rows"] == sum(raw.values()) > 0
    assert _counts(warehouse, "raw") == raw
    marts = _counts(settings.warehouse, "marts")
    assert marts and _counts(warehouse, "marts") == marts
