"""Running dbt in-process against a test's own warehouse (shared by the dbt test modules)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dbt.cli.main import dbtRunner

from arvo.config import DBT_PROJECT_DIR, Settings
from arvo.secrets import KEY_ENV, ensure_pseudonym_key
from orchestration.resources.dbt_env import scoped_environ


def run_dbt(settings: Settings, args: list[str], dbt_vars: dict[str, object], scratch: Path):
    """Invoke dbt in-process against the settings' warehouse; returns the dbtRunnerResult.

    The warehouse path and pseudonym key go through the environment (as `arvo run` passes them) and are
    restored afterwards; target and logs go to `scratch`, so parallel builds never share them.
    """
    # the key as it is (empty when unset, which ensure_pseudonym_key fills in) is restored afterwards too
    with scoped_environ({"ARVO_WAREHOUSE": str(settings.warehouse), KEY_ENV: os.environ.get(KEY_ENV, "")}):
        ensure_pseudonym_key(settings)
        return dbtRunner().invoke(
            [
                *args,
                "--vars",
                json.dumps(dbt_vars),
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(scratch / "target"),
                "--log-path",
                str(scratch / "logs"),
            ]
        )


def failures(result) -> list[str]:
    """Names and messages of the dbt nodes that failed, for an assertion message that says why."""
    if result.result is None:
        return [str(result.exception)]
    return [f"{r.node.name}: {r.message}" for r in result.result if r.status in ("error", "fail")]
