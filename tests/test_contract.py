"""The landing contract is declared once in Python; the dbt sources must say the same."""

from pathlib import Path

import yaml

from arvo.config import DBT_PROJECT_DIR
from ingestion.contract import ENTITIES


def _dbt_sources() -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for path in Path(DBT_PROJECT_DIR, "models", "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            assert source["schema"] == "raw", path
            for table in source["tables"]:
                tables[f"{source['name']}/{table['name']}"] = [c["name"] for c in table["columns"]]
    return tables


def test_every_entity_is_a_dbt_source_with_the_contract_columns():
    sources = _dbt_sources()
    assert set(sources) == {e.folder for e in ENTITIES.values()}
    for entity in ENTITIES.values():
        assert sources[entity.folder] == list(entity.column_names), entity.name


def test_keys_and_versioning_columns_are_contract_columns():
    for entity in ENTITIES.values():
        assert set(entity.key) <= set(entity.column_names)
        assert set(entity.key) <= set(entity.required)
        if entity.versioned_by:
            assert entity.versioned_by in entity.required
