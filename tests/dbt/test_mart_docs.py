"""BI and finance read the marts through dbt docs: every mart, and every column of it, says what it holds.

The marts' contracts are enforced, so their YAML lists every column the warehouse has; the parsed
manifest is then enough to see an undescribed column, without a build.
"""

from __future__ import annotations

import json
from pathlib import Path


def test_every_mart_and_every_mart_column_is_described(dbt_manifest: Path):
    nodes = json.loads(Path(dbt_manifest).read_text())["nodes"].values()
    marts = [n for n in nodes if n["resource_type"] == "model" and n["fqn"][1] == "marts"]
    assert len(marts) >= 10
    undescribed = []
    for mart in marts:
        assert mart["config"]["contract"]["enforced"], mart["name"]
        if not mart["description"].strip():
            undescribed.append(mart["name"])
        undescribed += [f"{mart['name']}.{c}" for c, col in mart["columns"].items() if not col["description"].strip()]
    assert not undescribed, undescribed
