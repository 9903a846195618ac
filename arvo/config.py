"""Runtime settings, read from the environment when asked for, never at import time.

Every component (CLI, ingestion, Dagster resources, tests) builds one `Settings` and passes it on,
so that a test can point the whole pipeline at a temporary directory without touching `os.environ`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

DEFAULTS = {
    "ARVO_LANDING": "./landing",
    "ARVO_WAREHOUSE": "./warehouse/arvo.duckdb",
    "ARVO_SERVING": "./serving",
    "ARVO_QUARANTINE": "./quarantine",
}


class ConfigError(ValueError):
    """An `ARVO_*` variable holds a value Arvo cannot use; the message names it and says what it takes."""


def whole_number(name: str, text: str, minimum: int) -> int:
    """`text` as an int of at least `minimum`, or a ConfigError that names `name` and what it takes."""
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, got {text!r}")
    return value


@functools.cache
def _memory_limit(name: str, text: str) -> str:
    """Checked by DuckDB itself (units, percentages: whatever the engine accepts), on a throwaway
    in-memory database, so a typo stops here and not in the middle of a run. Once per value and process:
    the throwaway database costs ~20 ms."""
    import duckdb

    try:
        duckdb.connect(config={"memory_limit": text}).close()
    except duckdb.Error as error:
        reason = str(error).splitlines()[0]
        raise ConfigError(f"{name} must be a size such as 4GB or 500MB, got {text!r}: {reason}") from error
    return text


def non_negative_seconds(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ConfigError(f"{name} must be a number of seconds (0 or more), got {text!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Where Arvo reads and writes, and how hard DuckDB may work."""

    landing: Path
    warehouse: Path
    serving: Path
    quarantine: Path
    duckdb_memory_limit: str | None = None
    duckdb_threads: int | None = None
    duckdb_temp_directory: Path | None = None
    dbt_vars: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `ARVO_*` variables; relative paths resolve against the current directory.

        Raises ConfigError for a value DuckDB would refuse later (threads, memory limit).
        """
        env = os.environ if environ is None else environ

        def path(name: str) -> Path:
            return Path(env.get(name) or DEFAULTS[name]).expanduser().resolve()

        threads = env.get("ARVO_DUCKDB_THREADS")
        memory = env.get("ARVO_DUCKDB_MEMORY_LIMIT")
        temp_dir = env.get("ARVO_DUCKDB_TEMP_DIRECTORY")
        return cls(
            landing=path("ARVO_LANDING"),
            warehouse=path("ARVO_WAREHOUSE"),
            serving=path("ARVO_SERVING"),
            quarantine=path("ARVO_QUARANTINE"),
            duckdb_memory_limit=_memory_limit("ARVO_DUCKDB_MEMORY_LIMIT", memory) if memory else None,
            duckdb_threads=whole_number("ARVO_DUCKDB_THREADS", threads, 1) if threads else None,
            duckdb_temp_directory=Path(temp_dir).resolve() if temp_dir else None,
        )

    @classmethod
    def under(cls, root: Path) -> Settings:
        """All four locations under one directory (tests, benchmarks, the demo)."""
        root = Path(root).resolve()
        return cls(
            landing=root / "landing",
            warehouse=root / "warehouse" / "arvo.duckdb",
            serving=root / "serving",
            quarantine=root / "quarantine",
        )

    def path_env(self) -> dict[str, str]:
        """The four locations as `ARVO_*` variables, for a child process or dbt's profile."""
        return {
            "ARVO_LANDING": str(self.landing),
            "ARVO_WAREHOUSE": str(self.warehouse),
            "ARVO_SERVING": str(self.serving),
            "ARVO_QUARANTINE": str(self.quarantine),
        }

    def with_vars(self, dbt_vars: Mapping[str, str]) -> Settings:
        """A copy with extra dbt vars (later values win)."""
        return replace(self, dbt_vars={**self.dbt_vars, **dbt_vars})

    def duckdb_config(self) -> dict[str, str | int]:
        """DuckDB connection settings that bound memory and threads (only those that are set)."""
        config: dict[str, str | int] = {}
        if self.duckdb_memory_limit:
            config["memory_limit"] = self.duckdb_memory_limit
        if self.duckdb_threads:
            config["threads"] = self.duckdb_threads
        if self.duckdb_temp_directory:
            config["temp_directory"] = str(self.duckdb_temp_directory)
        return config
