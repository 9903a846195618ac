"""A daily run, for sources that deliver on a timetable rather than one the sensor sees."""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import arvo_pipeline_job

daily_schedule = dg.ScheduleDefinition(
    name="arvo_daily",
    job=arvo_pipeline_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    description="Runs the whole pipeline every day at 05:00 UTC.",
)
