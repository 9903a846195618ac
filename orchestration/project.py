"""The dbt project as Dagster sees it, with its manifest prepared once and reused."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from dagster_dbt import DbtProject

from arvo.build_scope import dbt_source_files
from arvo.config import DBT_PROJECT_DIR

arvo_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
arvo_dbt_project.prepare_if_dev()

# Unit tests check the models' logic on fixed inputs, not the data: they run in `make test`
# (tests/dbt/test_unit_tests.py), not in every production build.
PRODUCTION_EXCLUDE = "test_type:unit"


def _newest_source_mtime(project_dir: Path) -> float:
    return max(f.stat().st_mtime for f in dbt_source_files(project_dir))


def manifest_is_stale(project: DbtProject = arvo_dbt_project) -> bool:
    """True when the manifest is missing or older than any model, macro, test or project file."""
    manifest = Path(project.manifest_path)
    if not manifest.exists():
        return True
    return manifest.stat().st_mtime < _newest_source_mtime(Path(project.project_dir))


def prepare_manifest(project: DbtProject = arvo_dbt_project, force: bool = False) -> Path:
    """Parse the dbt project when needed, so the Dagster definitions can be loaded outside `dagster dev`.

    Parsing takes seconds, so it runs only when the project changed since the last manifest.
    """
    if force or manifest_is_stale(project):
        from dbt.cli.main import dbtRunner

        project_dir = str(project.project_dir)
        result = dbtRunner().invoke(
            [
                "parse",
                "--quiet",
                "--project-dir",
                project_dir,
                "--profiles-dir",
                str(project.profiles_dir),
                "--target-path",
                str(project.target_path),
            ]
        )
        if not result.success:
            raise RuntimeError(f"dbt parse failed for {project_dir}: {result.exception}")
    return Path(project.manifest_path)


def warehouse_target_path(warehouse: Path, project_dir: Path | None = None) -> Path:
    """One stable dbt target folder per warehouse, so each build finds the parse state of the last one.

    dagster-dbt gives every invocation a fresh folder by default, which makes dbt parse the whole
    project every time. dbt's saved state is only valid for the same profile (the warehouse path is
    part of it) and builds of one warehouse never overlap (the pool of one and the run lock), so a
    folder keyed by the resolved warehouse path is never shared by two concurrent builds.
    """
    project_dir = Path(project_dir or arvo_dbt_project.project_dir)
    base = Path(os.environ.get("DBT_TARGET_PATH") or "target")
    if not base.is_absolute():
        base = project_dir / base
    resolved = str(Path(warehouse).resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:12]
    return base / "warehouses" / f"{Path(resolved).stem}-{digest}"


def build_args(
    dbt_vars: Mapping[str, object], full_refresh: bool = False, exclude_models: Sequence[str] = ()
) -> list[str]:
    """The production `dbt build` arguments: no unit tests, the run's vars, optionally a full refresh,
    and the models this build leaves out because they are current (their tests go with them)."""
    args = ["build", "--exclude", " ".join([PRODUCTION_EXCLUDE, *exclude_models])]
    if full_refresh:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars))]
    return args
