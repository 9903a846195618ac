"""The environment an in-process dbt build sees: what dagster-dbt gave its `dbt` subprocess, for the
build's duration only.

dbt reads its flags (`DBT_*`) and the profile's `env_var()` from `os.environ`. A subprocess got a copy
of the environment with dagster-dbt's additions; in-process the additions must be set on the process
itself, so they are set around the build and restored afterwards: nothing else in the process (the
loads before, publish after, the next build of another warehouse in the same test session) sees them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


def dbt_environment(
    target_path: Path, project_dir: Path, profiles_dir: Path, indirect_selection: str | None
) -> dict[str, str]:
    """dagster-dbt's additions to the environment of a dbt build (`DbtCliResource.cli`), except the two
    that only act on a new interpreter (`PYTHONUNBUFFERED`, `PYTHONLEGACYWINDOWSSTDIO`).

    `DBT_LOG_FORMAT=json` also makes dbt.log JSON lines, as it was; the console output is relayed from
    dbt's events instead (orchestration.resources.dbt_thread)."""
    env = {
        "DAGSTER_DBT_CLI": "true",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_FORMAT": "json",
        "DBT_TARGET_PATH": os.fspath(target_path),
        "DBT_LOG_PATH": os.fspath(target_path),
        "DBT_PROFILES_DIR": os.fspath(profiles_dir),
        "DBT_PROJECT_DIR": os.fspath(project_dir),
    }
    if indirect_selection:
        env["DBT_INDIRECT_SELECTION"] = indirect_selection
    return env


@contextmanager
def scoped_environ(overrides: Mapping[str, str]) -> Iterator[None]:
    """`os.environ` with `overrides` inside the block; every variable as it was (or absent) after it."""
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
