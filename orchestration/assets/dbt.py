"""The dbt project as assets: staging, intermediate (incl. Python models) and marts, with tests as checks."""


import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.assets.locks import WAREHOUSE_POOL
from orchestration.project import arvo_dbt_project


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
    """dbt vars for this run, as a JSON object (what `arvo run --var name=value` passes)."""

    vars_json: str = "{}"


@dbt_assets(
    manifest=arvo_dbt_project.manifest_path,
    project=arvo_dbt_project,
    dagster_dbt_translator=translator,
    pool=WAREHOUSE_POOL,
)
def arvo_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    """`dbt build`: a failing error-severity test fails the step, so nothing downstream of it builds."""
    args = ["build"]
    dbt_vars = json.loads(config.vars_json)
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    yield from dbt.cli(args, context=context).stream()
