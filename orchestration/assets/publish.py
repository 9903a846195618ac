"""`serving/snapshot`: the marts copied for BI, only after everything upstream built and passed its checks."""


import dagster as dg

from arvo.serving import publish_snapshot
from orchestration.assets.dbt import arvo_dbt_models
from orchestration.assets.locks import WAREHOUSE_POOL, with_warehouse_lock_retry
from orchestration.resources import ArvoResource

mart_keys = sorted(
    (k for k in arvo_dbt_models.keys if k.path[0] == "marts"), key=lambda k: k.to_user_string()
)


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
    manifest = with_warehouse_lock_retry(context, lambda: publish_snapshot(settings, context.run_id))
    context.log.info(f"Published snapshot {manifest['snapshot_id']} to {settings.serving / 'current'}")
    return dg.MaterializeResult(
        metadata={
            "snapshot_id": manifest["snapshot_id"],
            "path": dg.MetadataValue.path(str(settings.serving / "current")),
            "row_counts": dg.MetadataValue.json(manifest["row_counts"]),
        }
    )
