"""dbt for the Dagster assets, run in the step's own process instead of a `dbt` subprocess.

dagster-dbt's `DbtCliResource` launches `dbt` for every build: a new interpreter that imports dbt again
(~3.5 s before its first line on this machine) although the step has imported it already. This resource
runs the same build with dbt's programmatic runner (orchestration.resources.dbt_thread) and keeps what
the subprocess gave: dagster-dbt's node selection for the step, its environment (dbt_env), the partial
parse state, the Dagster events (made by dagster-dbt's own `DbtCoreCliEventMessage` from the same JSON
event dicts), dbt's console lines on stdout, the "Running/Finished dbt command" log lines, and a step
that fails naming dbt's errors when the build fails.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator
from dagster_dbt.asset_utils import extract_runtime_selection_from_args, get_updated_cli_invocation_params_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from arvo.pipeline import DBT_ERRORS_MARKER
from orchestration.resources.dbt_env import dbt_environment, scoped_environ
from orchestration.resources.dbt_thread import DbtThread

PARTIAL_PARSE_FILE = "partial_parse.msgpack"

logger = dg.get_dagster_logger()


class ArvoDbtResource(dg.ConfigurableResource):
    """Runs dbt commands for `@dbt_assets` in this process; `build` is the counterpart of
    `DbtCliResource.cli(...).stream()`."""

    project_dir: str
    profiles_dir: str

    def build(self, args: Sequence[str], *, context: dg.AssetExecutionContext, target_path: Path) -> Iterator[Any]:
        """`dbt <args>` restricted to the step's selected assets and checks; yields the Dagster events
        (outputs, check results, observations) as dbt reports its nodes, and raises
        `DagsterDbtCliRuntimeError` with dbt's error lines when dbt fails."""
        cleaned_args, runtime_selects, runtime_excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest={},
            dagster_dbt_translator=DagsterDbtTranslator(),
            runtime_selects=runtime_selects,
            runtime_excludes=runtime_excludes,
        )
        project_dir = Path(params.dbt_project.project_dir if params.dbt_project else self.project_dir)
        dbt_args = [*cleaned_args, *params.selection_args]
        command = " ".join(["dbt", *dbt_args])
        env = dbt_environment(target_path, project_dir, Path(self.profiles_dir), params.indirect_selection)
        seed_partial_parse(project_dir, target_path)
        logger.info(f"Running dbt command: `{command}` in this process.")
        dbt = DbtThread(dbt_args)
        errors: list[str] = []
        with scoped_environ(env):
            for raw_event in dbt.events():
                if raw_event["info"]["level"] == "error":
                    errors.append(raw_event["info"]["msg"])
                event = DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={})
                sys.stdout.write(str(event) + "\n")
                sys.stdout.flush()
                yield from event.to_default_asset_events(
                    manifest=params.manifest,
                    dagster_dbt_translator=params.dagster_dbt_translator,
                    context=context,
                    target_path=target_path,
                    project=params.dbt_project,
                )
        logger.info(f"Finished dbt command: `{command}`.")
        if dbt.exit_code or errors:
            raise build_error(command, dbt.exit_code, errors or [str(dbt.exception)], target_path)


def seed_partial_parse(project_dir: Path, target_path: Path) -> None:
    """Give a new target folder the parse state of dbt's default one, as dagster-dbt does before each
    build: the first build of a new warehouse then parses only what changed since `arvo run` parsed."""
    default_target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    source = (default_target if default_target.is_absolute() else project_dir / default_target) / PARTIAL_PARSE_FILE
    destination = target_path / PARTIAL_PARSE_FILE
    if source.exists() and not destination.exists():
        logger.info(f"Copying `{source}` to `{destination}` to take advantage of partial parsing.")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, destination)


def build_error(command: str, exit_code: int, errors: list[str], target_path: Path) -> DagsterDbtCliRuntimeError:
    """The step's failure in dagster-dbt's words, so the run summary shows dbt's error lines."""
    log_path = target_path / "dbt.log"
    see_log = f", or view the dbt debug log: {log_path}" if log_path.exists() else ""
    return DagsterDbtCliRuntimeError(
        description="\n\n".join(
            [
                f"The dbt command\n\n`{command}`\n\nfailed with exit code `{exit_code}`. Check the stdout in"
                f" the Dagster compute logs for the full information about the error{see_log}.",
                DBT_ERRORS_MARKER,
                *errors,
            ]
        )
    )
