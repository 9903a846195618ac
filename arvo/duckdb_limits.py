"""dbt-duckdb plugin: dbt's DuckDB connection gets the same limits as Arvo's own connections.

`ARVO_DUCKDB_MEMORY_LIMIT`, `ARVO_DUCKDB_THREADS` and `ARVO_DUCKDB_TEMP_DIRECTORY` are read by
`Settings.from_env()`; only the ones that are set reach `duckdb.connect(config=...)`. A plugin rather
than the profile's `settings:` block because that block cannot leave a setting out when its variable
is unset (an empty string is an invalid DuckDB value, and DuckDB's defaults, such as 80% of RAM,
cannot be written as a value).
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from arvo.config import Settings


class Plugin(BasePlugin):
    """Adds the configured DuckDB limits to the config of every connection dbt opens."""

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        config.update(Settings.from_env().duckdb_config())
