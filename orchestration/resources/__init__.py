"""Resources: where Arvo reads and writes (from `ARVO_*` via `dg.EnvVar`), and dbt."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import dagster as dg

from arvo.config import Settings
from orchestration.project import arvo_dbt_project
from orchestration.resources.dbt_inprocess import ArvoDbtResource


class ArvoResource(dg.ConfigurableResource):
    """The four locations of an Arvo deployment; resolved when a run starts, not at import."""

    landing: str
    warehouse: str
    serving: str
    quarantine: str

    def settings(self) -> Settings:
        """The four locations from this resource; DuckDB's limits (`ARVO_DUCKDB_*`) from the environment
        when a step runs, as dbt's own connections read them (arvo.duckdb_limits), so that loads and
        publish work within the same memory, threads and temp directory as the models."""
        return replace(
            Settings.from_env(),
            landing=Path(self.landing).resolve(),
            warehouse=Path(self.warehouse).resolve(),
            serving=Path(self.serving).resolve(),
            quarantine=Path(self.quarantine).resolve(),
        )


def build_resources() -> dict[str, object]:
    return {
        "arvo": ArvoResource(
            landing=dg.EnvVar("ARVO_LANDING"),
            warehouse=dg.EnvVar("ARVO_WAREHOUSE"),
            serving=dg.EnvVar("ARVO_SERVING"),
            quarantine=dg.EnvVar("ARVO_QUARANTINE"),
        ),
        "dbt": ArvoDbtResource(
            project_dir=str(arvo_dbt_project.project_dir), profiles_dir=str(arvo_dbt_project.profiles_dir)
        ),
    }
