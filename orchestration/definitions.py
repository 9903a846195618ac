"""Arvo's Dagster definitions, grouped by area: assets, checks, jobs, schedules, sensors, resources, loggers."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import arvo_dbt_models
from orchestration.assets.publish import serving_snapshot
from orchestration.assets.raw import landing_specs, raw_assets
from orchestration.checks import freshness_checks, freshness_sensor
from orchestration.jobs import arvo_pipeline_job
from orchestration.loggers import console_logger
from orchestration.resources import build_resources
from orchestration.schedules import daily_schedule
from orchestration.sensors import landing_sensor

defs = dg.Definitions(
    assets=[*landing_specs, *raw_assets, arvo_dbt_models, serving_snapshot],
    asset_checks=[*freshness_checks],
    jobs=[arvo_pipeline_job],
    schedules=[daily_schedule],
    sensors=[landing_sensor, freshness_sensor],
    resources=build_resources(),
    loggers={"console": console_logger},
)
