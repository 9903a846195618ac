"""The one job: load pending files, build every model, publish the snapshot."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.raw import SOURCES_GROUP

PIPELINE_JOB = "arvo_pipeline"

arvo_pipeline_job = dg.define_asset_job(
    PIPELINE_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(SOURCES_GROUP),
    description="Ingest and validate pending landing files, dbt build (tests block), publish the snapshot.",
)
