"""DuckDB limits are configuration: the environment bounds dbt's connection (plugin
`arvo.duckdb_limits` in profiles.yml) as it bounds Arvo's own (`Settings.duckdb_config`), and leaving
the variables unset keeps DuckDB's defaults instead of failing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from arvo.config import DBT_PROJECT_DIR, Settings

DBT = str(Path(sys.executable).with_name("dbt"))
QUERY = (
    "select current_setting('memory_limit') as memory_limit, current_setting('threads') as threads,"
    " current_setting('temp_directory') as temp_directory"
)
LIMITS = ("ARVO_DUCKDB_MEMORY_LIMIT", "ARVO_DUCKDB_THREADS", "ARVO_DUCKDB_TEMP_DIRECTORY")


def _dbt_settings(tmp_path: Path, **limits: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LIMITS}
    env.update(
        ARVO_WAREHOUSE=str(tmp_path / "arvo.duckdb"),
        ARVO_PSEUDONYM_KEY="limits-test",
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
        **limits,
    )
    result = subprocess.run(
        [DBT, "show", "--inline", QUERY, "--output", "json", "--log-format", "json", "--quiet"]
        + ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for line in result.stdout.splitlines():
        preview = json.loads(line).get("data", {}).get("preview")
        if preview:
            return json.loads(preview)[0]
    raise AssertionError(f"no preview in dbt output: {result.stdout[-2000:]}")


@pytest.mark.faults
def test_the_environment_bounds_dbts_duckdb_connection(tmp_path):
    shown = _dbt_settings(
        tmp_path,
        ARVO_DUCKDB_MEMORY_LIMIT="300MB",
        ARVO_DUCKDB_THREADS="1",
        ARVO_DUCKDB_TEMP_DIRECTORY=str(tmp_path / "spill"),
    )
    assert shown == {"memory_limit": "286.1 MiB", "threads": 1, "temp_directory": str(tmp_path / "spill")}


@pytest.mark.faults
def test_unset_limits_keep_duckdbs_defaults(tmp_path):
    shown = _dbt_settings(tmp_path)
    assert shown["memory_limit"] != "286.1 MiB"
    assert int(shown["threads"]) == os.cpu_count()


def test_settings_read_the_same_variables():
    settings = Settings.from_env(
        {"ARVO_DUCKDB_MEMORY_LIMIT": "4GB", "ARVO_DUCKDB_THREADS": "2", "ARVO_DUCKDB_TEMP_DIRECTORY": "/tmp/spill"}
    )
    assert settings.duckdb_config() == {"memory_limit": "4GB", "threads": 2, "temp_directory": "/tmp/spill"}
    assert Settings.from_env({}).duckdb_config() == {}
