"""The dbt project as assets: staging, intermediate (incl. Python models) and marts, with tests as checks."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from arvo.build_scope import fingerprint, plan_build, record_build
from arvo.secrets import ensure_pseudonym_key
from orchestration.assets.locks import WAREHOUSE_POOL, with_warehouse_lock_retry
from orchestration.project import arvo_dbt_project, build_args, warehouse_target_path
from orchestration.resources import ArvoResource
from orchestration.resources.dbt_inprocess import ArvoDbtResource

# Build artifacts that describe one invocation; removed before the next so a crash never leaves the
# previous run's results looking current. partial_parse.msgpack is kept: that is the point.
_PER_RUN_ARTIFACTS = ("run_results.json", "sources.json")


class ArvoDbtTranslator(DagsterDbtTranslator):
    """Asset keys `<schema>/<model>` and sources `raw/<table>`; groups by layer and, for staging, source."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "dbt"
        if layer == "staging" and len(fqn) > 3:
            return f"staging_{fqn[2]}"
        return layer


translator = ArvoDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(dg.Config):
    """dbt vars for this run, as a JSON object (what `arvo run --var name=value` passes), whether the
    incremental models are rebuilt from scratch (`arvo run --full-refresh`), and whether every model is
    built even when the last build's record says it is current (`arvo run --build-all`)."""

    vars_json: str = "{}"
    full_refresh: bool = False
    build_all: bool = False


def _clear_run_artifacts(target_path: Path) -> None:
    for name in _PER_RUN_ARTIFACTS:
        (target_path / name).unlink(missing_ok=True)


@dbt_assets(
    manifest=arvo_dbt_project.manifest_path,
    project=arvo_dbt_project,
    dagster_dbt_translator=translator,
    pool=WAREHOUSE_POOL,
)
def arvo_dbt_models(
    context: dg.AssetExecutionContext, dbt: ArvoDbtResource, arvo: ArvoResource, config: DbtBuildConfig
):
    """`dbt build` of what the loads since the last complete build change (arvo.build_scope): a failing
    error-severity test fails the step, so nothing downstream of it builds. A build that leaves nothing
    to do yields no materialization, and the snapshot, current already, is not published again.

    A run of a chosen subset of the models (from the Dagster UI) builds that subset and records
    nothing: it is not a complete build the next one could rely on."""
    settings = arvo.settings()
    dbt_vars = json.loads(config.vars_json)
    target_path = warehouse_target_path(settings.warehouse)
    target_path.mkdir(parents=True, exist_ok=True)
    _clear_run_artifacts(target_path)
    if context.is_subset:
        yield from dbt.build(build_args(dbt_vars, config.full_refresh), context=context, target_path=target_path)
        return
    manifest = json.loads(Path(arvo_dbt_project.manifest_path).read_text())
    code = fingerprint(Path(arvo_dbt_project.project_dir), dbt_vars, ensure_pseudonym_key(settings))
    plan = with_warehouse_lock_retry(
        context,
        lambda: plan_build(settings, manifest, code, full_refresh=config.full_refresh, build_all=config.build_all),
    )
    context.log.info(plan.describe())
    if plan.runs_dbt:
        args = build_args(dbt_vars, plan.full_refresh, plan.excluded_models)
        yield from dbt.build(args, context=context, target_path=target_path)
    with_warehouse_lock_retry(context, lambda: record_build(settings, context.run_id, plan))
