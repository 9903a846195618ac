"""`serving/snapshot`: the marts copied for BI, only after everything upstream built and passed its checks."""

import json
from pathlib import Path

import dagster as dg

from arvo.serving import publish_snapshot
from orchestration.assets.dbt import arvo_dbt_models
from orchestration.assets.locks import WAREHOUSE_POOL, with_warehouse_lock_retry
from orchestration.project import arvo_dbt_project
from orchestration.resources import ArvoResource

AUDIT_TABLES = ("audit.load_ledger", "audit.pipeline_runs")


def supporting_tables(manifest_path: Path) -> list[str]:
    """Tables outside `marts` that the snapshot needs: the ledger and what the semantic layer reads."""
    manifest = json.loads(manifest_path.read_text())
    tables = {
        f"{m['node_relation']['schema_name']}.{m['node_relation']['alias']}"
        for m in manifest["semantic_models"].values()
    }
    tables |= {f"{n['schema']}.{n['alias']}" for n in manifest["nodes"].values() if n.get("time_spine")}
    return sorted(t for t in tables if not t.startswith("marts.")) + list(AUDIT_TABLES)


mart_keys = sorted((k for k in arvo_dbt_models.keys if k.path[0] == "marts"), key=lambda k: k.to_user_string())


@dg.asset(
    key=dg.AssetKey(["serving", "snapshot"]),
    deps=mart_keys,
    group_name="serving",
    kinds={"duckdb", "parquet"},
    pool=WAREHOUSE_POOL,
    description=(
        "A read-only snapshot of every mart for BI tools ($ARVO_SERVING/current/arvo.duckdb and "
        "parquet/<mart>.parquet, with manifest.json), written aside and swapped in atomically."
    ),
)
def serving_snapshot(context: dg.AssetExecutionContext, arvo: ArvoResource) -> dg.MaterializeResult:
    settings = arvo.settings()
    extra = supporting_tables(Path(arvo_dbt_project.manifest_path))
    manifest = with_warehouse_lock_retry(context, lambda: publish_snapshot(settings, context.run_id, extra))
    context.log.info(f"Published snapshot {manifest['snapshot_id']} to {settings.serving / 'current'}")
    return dg.MaterializeResult(
        metadata={
            "snapshot_id": manifest["snapshot_id"],
            "path": dg.MetadataValue.path(str(settings.serving / "current")),
            "row_counts": dg.MetadataValue.json(manifest["row_counts"]),
        }
    )
