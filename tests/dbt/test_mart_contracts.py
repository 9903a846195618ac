"""The marts' `not_null` constraints are the warehouse's own: a null cannot reach a mart, so no test looks for one.

dbt-duckdb creates a contracted mart with its column constraints, and DuckDB refuses a null in a
`not null` column: the model's build fails, and with it everything downstream and the publish. A
`not_null` data test on such a column could never fail (dbt's docs say to drop it for this reason).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb


def _marts(manifest: Path) -> list[dict]:
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return [n for n in nodes if n["resource_type"] == "model" and n["fqn"][1] == "marts"]


def _not_null_constrained(manifest: Path) -> set[tuple[str, str]]:
    return {
        (mart["name"], column)
        for mart in _marts(manifest)
        for column, spec in mart["columns"].items()
        if any(constraint["type"] == "not_null" for constraint in spec["constraints"])
    }


def test_no_mart_column_has_a_not_null_test_beside_its_not_null_constraint(dbt_manifest: Path):
    nodes = json.loads(Path(dbt_manifest).read_text())["nodes"].values()
    tested = {
        (test["attached_node"].split(".")[-1], test["column_name"])
        for test in nodes
        if test["resource_type"] == "test" and test.get("test_metadata", {}).get("name") == "not_null"
    }
    constrained = _not_null_constrained(Path(dbt_manifest))
    assert len(constrained) >= 20
    assert not constrained & tested, sorted(constrained & tested)


def test_the_warehouse_enforces_every_not_null_constraint_of_the_marts(small_pipeline, dbt_manifest: Path):
    settings, _ = small_pipeline
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        not_nullable = set(
            con.sql(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = 'marts' and is_nullable = 'NO'"
            ).fetchall()
        )
    missing = _not_null_constrained(Path(dbt_manifest)) - not_nullable
    assert not missing, sorted(missing)
