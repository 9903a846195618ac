"""Landing folders (external sources) and one raw asset per entity, guarded by its GX validation."""

import logging
from collections.abc import Callable
from datetime import datetime

import dagster as dg

from ingestion.contract import ENTITIES, Entity
from ingestion.pipeline import Progress, ingest_entity
from orchestration.assets.locks import WAREHOUSE_POOL, with_warehouse_lock_retry
from orchestration.resources import ArvoResource

GX_CHECK = "gx_validation"
FILES_LOADED_CHECK = "files_loaded"
logger = logging.getLogger(__name__)
SOURCES_GROUP = "sources"
# Loads that must come first in a run: responses are validated against the question catalog, and the
# warehouse-level checks (an invoice's account exists, its currency has rates) look at what was loaded
# before them.
UPSTREAM = {
    "questions": (),
    "accounts": (),
    "fx_rates": (),
    "responses": ("questions", "accounts"),
    "invoices": ("accounts", "fx_rates"),
    "subscriptions": ("accounts", "fx_rates"),
    "deals": ("accounts", "fx_rates"),
}


def landing_key(entity: Entity) -> dg.AssetKey:
    return dg.AssetKey(["landing", entity.source, entity.name])


def raw_key(entity: Entity) -> dg.AssetKey:
    return dg.AssetKey(["raw", entity.name])


def build_landing_spec(entity: Entity) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=landing_key(entity),
        group_name=SOURCES_GROUP,
        description=f"Files dropped by the {entity.source} system into $ARVO_LANDING/{entity.folder}/.",
        kinds={"file"},
    )


def build_raw_asset(entity: Entity) -> dg.AssetsDefinition:
    key = raw_key(entity)
    upstream = UPSTREAM.get(entity.name, ("accounts",))
    deps = [landing_key(entity), *(raw_key(ENTITIES[name]) for name in upstream)]

    @dg.asset(
        key=key,
        deps=deps,
        group_name=f"raw_{entity.source}",
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        description=(
            f"`{entity.raw_table}`: every accepted {entity.folder} file, typed per the landing contract, "
            "with lineage columns. Each file is validated by its Great Expectations suite and committed "
            "with its ledger row in one transaction, or quarantined."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                GX_CHECK,
                asset=key,
                blocking=True,
                description="No file of this run failed an error-level expectation (quarantined files fail).",
            ),
            dg.AssetCheckSpec(
                FILES_LOADED_CHECK,
                asset=key,
                description=(
                    "A file of this entity has been loaded at some time (a warning otherwise). The freshness "
                    "check cannot tell a feed that never started: with no load to date it goes by the asset's "
                    "own runs."
                ),
            ),
        ],
    )
    def raw_asset(context: dg.AssetExecutionContext, arvo: ArvoResource) -> dg.MaterializeResult:
        settings = arvo.settings()
        results, last_loaded = with_warehouse_lock_retry(
            context, lambda: ingest_entity(settings, entity.name, on_progress=_run_log(context))
        )
        return load_result_to_materialization(entity, results, last_loaded)

    return raw_asset


def _run_log(context: dg.AssetExecutionContext) -> Callable[[Progress], None]:
    """A line in the run log when a file starts and when it is done. Every Dagster log line is an event
    in the instance's storage (~20 ms each with the SQLite storage of `dagster dev`: 15 s for the six
    stages of 124 files), so the stages in between go to the Python log only (`arvo run` prints it)."""

    def log(progress: Progress) -> None:
        if progress.stage in ("started", "done"):
            context.log.info(str(progress))
        else:
            logger.info("%s", progress)

    return log


def _describe(result) -> str:
    return f"{result.file_path} [{result.status}] {result.reason or ''}".strip()


def load_result_to_materialization(entity: Entity, results: list, last_loaded: datetime | None) -> dg.MaterializeResult:
    """Turn the loads of one entity into asset metadata, the blocking GX check result and the
    files-loaded warning.

    `last_loaded` (when a file of the entity last landed in raw) becomes `dagster/last_updated_timestamp`,
    which the freshness checks read instead of the materialisation's own time: the schedule materialises
    every raw asset daily, new files or not, and the check must still see that nothing came. Before the
    first load there is no such time, and Dagster's check then falls back on the materialisation and
    passes; the files-loaded check says what it cannot.
    """
    quarantined = [r for r in results if r.status == "quarantined"]
    warned = [r for r in results if r.status == "loaded_with_warnings"]
    by_status: dict[str, int] = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    metadata = {
        "files": len(results),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_rejected": sum(r.rows_rejected for r in results),
        "files_by_status": dg.MetadataValue.json(by_status),
    }
    if last_loaded is not None:
        metadata["dagster/last_updated_timestamp"] = dg.MetadataValue.timestamp(last_loaded)
    if quarantined:
        description = "Quarantined: " + "; ".join(_describe(r) for r in quarantined)
    elif warned:
        description = "Loaded with warnings: " + "; ".join(_describe(r) for r in warned)
    else:
        description = f"{len(results)} file(s) passed validation."
    check = dg.AssetCheckResult(
        check_name=GX_CHECK,
        passed=not quarantined,
        severity=dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "quarantined_files": dg.MetadataValue.json([_describe(r) for r in quarantined]),
            "warning_files": dg.MetadataValue.json([_describe(r) for r in warned]),
        },
    )
    return dg.MaterializeResult(metadata=metadata, check_results=[check, _files_loaded_check(entity, last_loaded)])


def _files_loaded_check(entity: Entity, last_loaded: datetime | None) -> dg.AssetCheckResult:
    if last_loaded is not None:
        description = f"The last {entity.folder} file was loaded at {last_loaded:%Y-%m-%d %H:%M:%S %Z}."
    else:
        description = (
            f"No {entity.folder} file has ever been loaded into {entity.raw_table}: the feed has not started, "
            f"or its files land elsewhere than $ARVO_LANDING/{entity.folder}/ (see `arvo status`)."
        )
    return dg.AssetCheckResult(
        check_name=FILES_LOADED_CHECK,
        passed=last_loaded is not None,
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
    )


landing_specs = [build_landing_spec(e) for e in ENTITIES.values()]
raw_assets = [build_raw_asset(e) for e in ENTITIES.values()]
