"""The dbt project as Dagster sees it, with its manifest prepared once and reused."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtProject

from arvo.config import DBT_PROJECT_DIR

arvo_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
arvo_dbt_project.prepare_if_dev()

# The dbt beside this interpreter: `.venv/bin/python -m ...` works without the venv on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

_SOURCE_DIRS = ("models", "macros", "tests", "seeds")


def _newest_source_mtime(project_dir: Path) -> float:
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for name in _SOURCE_DIRS:
        files.extend(p for p in (project_dir / name).rglob("*") if p.is_file())
    return max(f.stat().st_mtime for f in files if f.exists())


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
