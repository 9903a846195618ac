"""Freshness checks: raw loads and marts that have not been updated for a day and a bit are flagged."""

from __future__ import annotations

import warnings
from datetime import timedelta

import dagster as dg

from orchestration.assets.dbt import arvo_dbt_models
from orchestration.assets.raw import raw_assets

FRESHNESS_WINDOW = timedelta(hours=26)  # a daily schedule plus slack

# Dagster 1.13 prefers FreshnessPolicy, which only shows a status in the UI; these are asset checks
# on purpose: they run in-process too, and a stale mart shows up as a failed check in run results.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    freshness_checks = dg.build_last_update_freshness_checks(
        assets=[*raw_assets, *(k for k in arvo_dbt_models.keys if k.path[0] == "marts")],
        lower_bound_delta=FRESHNESS_WINDOW,
    )
    freshness_sensor = dg.build_sensor_for_freshness_checks(freshness_checks=freshness_checks)
