"""Every dbt unit test runs and passes here, because production builds leave them out.

`arvo run` builds with `--exclude test_type:unit` (orchestration/assets/dbt.py): unit tests check the
models' logic on fixed inputs, which does not change with the data. They need the tables their inputs
come from to exist, so the project is first built on an empty warehouse (a source that delivered
nothing is an empty table).
"""

from __future__ import annotations

from pathlib import Path

from arvo.config import Settings
from ingestion.warehouse import connect, ensure_schemas
from tests.dbt.support import failures, run_dbt


def test_every_dbt_unit_test_passes(tmp_path: Path):
    settings = Settings.under(tmp_path)
    with connect(settings) as con:
        ensure_schemas(con)
    listed = run_dbt(settings, ["ls", "--resource-type", "unit_test", "--output", "name"], {}, tmp_path)
    assert listed.success, listed.exception
    expected = set(listed.result)
    assert expected, "the project declares no unit tests"

    built = run_dbt(settings, ["run"], {}, tmp_path)
    assert built.success, failures(built)
    tested = run_dbt(settings, ["test", "--select", "test_type:unit"], {}, tmp_path)
    assert tested.success, failures(tested)
    ran = {r.node.name for r in tested.result if r.node.resource_type == "unit_test"}
    assert ran == expected
    assert all(r.status == "pass" for r in tested.result), failures(tested)
