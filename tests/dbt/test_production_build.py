"""How `arvo run` invokes dbt: no unit tests, and one target folder per warehouse that keeps dbt's parse state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.project import build_args, warehouse_target_path


def test_production_builds_leave_unit_tests_out_and_can_refresh_in_full():
    assert build_args({}) == ["build", "--exclude", "test_type:unit"]
    args = build_args({"as_of_date": "2026-01-31"}, full_refresh=True)
    assert args[:4] == ["build", "--exclude", "test_type:unit", "--full-refresh"]
    assert json.loads(args[args.index("--vars") + 1]) == {"as_of_date": "2026-01-31"}


def test_each_warehouse_gets_its_own_stable_target_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    project = tmp_path / "dbt_project"
    first = warehouse_target_path(tmp_path / "a" / "arvo.duckdb", project)
    assert first == warehouse_target_path(tmp_path / "a" / ".." / "a" / "arvo.duckdb", project)
    assert first != warehouse_target_path(tmp_path / "b" / "arvo.duckdb", project)
    assert first.parent == project / "target" / "warehouses"
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "elsewhere"))
    moved = warehouse_target_path(tmp_path / "a" / "arvo.duckdb", project)
    assert moved.parent == tmp_path / "elsewhere" / "warehouses"


@pytest.mark.e2e
def test_a_pipeline_run_keeps_the_parse_state_and_runs_no_unit_test(small_pipeline):
    settings, outcome = small_pipeline
    assert outcome.success
    target = warehouse_target_path(settings.warehouse)
    assert (target / "partial_parse.msgpack").is_file()
    results = json.loads((target / "run_results.json").read_text())["results"]
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert "unit_test" not in kinds
    assert {"model", "test"} <= kinds
