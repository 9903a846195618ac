"""Freshness checks: raw loads and marts that have not been updated for a day and a bit are flagged."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from orchestration.assets.dbt import arvo_dbt_models
from orchestration.assets.raw import raw_assets

FRESHNESS_WINDOW = timedelta(hours=26)  # a daily schedule plus slack

freshness_checks = dg.build_last_update_freshness_checks(
    assets=[*raw_assets, *(k for k in arvo_dbt_models.keys if k.path[0] == "marts")],
    lower_bound_delta=FRESHNESS_WINDOW,
)
freshness_sensor = dg.build_sensor_for_freshness_checks(freshness_checks=freshness_checks)
