"""What a dbt build has to rebuild: only what the loads since the last complete build can change.

After a complete build, a model's result changes only when its code, the run's vars or the raw rows
it reads change. So each build that succeeds is recorded in `audit.dbt_builds` with a fingerprint of
the code (the dbt project, the Python the Python models import, the pinned engine versions, the
pseudonym key) and the vars, and with a signature of the loads of every raw table. The next build:

- rebuilds everything when there is no such record, when the fingerprint differs, when the run asks
  for it (`--full-refresh`, `--build-all`), or when a raw table has fewer loads than recorded (the
  warehouse was restored from an older copy). Except for `--build-all`, that is a full refresh: the
  incremental models are rebuilt from all the data too, since what they keep may have been computed
  by other code or from loads that are gone (the fingerprint does not tell the code from the vars,
  which the incremental models do not read, so a change of vars refreshes them too);
- builds nothing when no raw table has a new load and the serving snapshot is that of the last
  build: the marts and the snapshot are current;
- otherwise builds what dbt's lineage puts downstream of the raw tables with new loads, and every
  mart (so that the snapshot is published from a complete set). A test with a parent to rebuild has
  all its parents rebuilt, so that no test is dropped because one of its parents did not change.
  With no new load but a snapshot older than the last build (its publish failed), that is only
  the marts.

The lineage includes the raw tables read by macros (the as-of date reads invoices, subscriptions and
responses), because dbt records a `source()` called in a macro as a dependency of the model.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb

from arvo.config import REPO_ROOT, Settings
from arvo.serving import current_snapshot, snapshot_manifest
from ingestion.results import LOADED, LOADED_WITH_WARNINGS
from ingestion.warehouse import has_table

BUILDS_TABLE = "audit.dbt_builds"
BUILDS_DDL = f"""
create schema if not exists audit;
create table if not exists {BUILDS_TABLE} (
    run_id varchar,
    recorded_at timestamp,
    scope varchar,
    reason varchar,
    summary varchar,
    changed_sources json,
    excluded_models json,
    fingerprint varchar,
    loads json
)
"""
# A build's scope: everything, what new loads change (+ marts), only the marts, or nothing.
ALL, AFFECTED, MARTS, NOTHING = "all", "affected", "marts", "nothing"
# What a build's result depends on besides the data: the dbt project and the Python its models import.
DBT_SOURCE_DIRS = ("models", "macros", "tests", "seeds")
DBT_PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
PYTHON_MODEL_IMPORTS = (REPO_ROOT / "arvo" / "analytics",)
ENGINE_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "numpy", "scipy")
COMMITTED = (LOADED, LOADED_WITH_WARNINGS)


def dbt_source_files(project_dir: Path) -> list[Path]:
    """The files a dbt build's result depends on: project settings, models, macros, tests, seeds."""
    files = [project_dir / name for name in DBT_PROJECT_FILES]
    for name in DBT_SOURCE_DIRS:
        files.extend(sorted(p for p in (project_dir / name).rglob("*") if p.is_file()))
    return [f for f in files if f.exists()]


def fingerprint(project_dir: Path, dbt_vars: Mapping[str, object], pseudonym_key: str) -> str:
    """One hash of everything but the data that a build's result depends on.

    The pseudonym key enters as an HMAC of a fixed text, so the record does not hold the key itself.
    """
    digest = hashlib.sha256()
    files = [(path, path.relative_to(project_dir)) for path in dbt_source_files(project_dir)]
    for folder in PYTHON_MODEL_IMPORTS:
        files.extend((path, path.relative_to(folder.parent)) for path in sorted(folder.rglob("*.py")))
    for path, name in files:  # names relative to their folder: a moved checkout keeps its fingerprint
        digest.update(str(name).encode() + b"\0" + path.read_bytes() + b"\0")
    for package in ENGINE_PACKAGES:
        digest.update(f"{package}=={version(package)}\0".encode())
    digest.update(json.dumps(dict(dbt_vars), sort_keys=True, default=str).encode() + b"\0")
    digest.update(hmac.new(pseudonym_key.encode(), b"arvo build fingerprint", hashlib.sha256).digest())
    return digest.hexdigest()


@dataclass
class BuildPlan:
    """What this build does and why, and what to record once it has succeeded."""

    scope: str
    reason: str
    fingerprint: str
    loads: dict[str, list]
    changed_sources: list[str] = field(default_factory=list)
    excluded_models: list[str] = field(default_factory=list)
    full_refresh: bool = False

    @property
    def runs_dbt(self) -> bool:
        return self.scope != NOTHING

    def describe(self) -> str:
        """One line for the run log and `arvo run`'s summary."""
        if self.scope == AFFECTED:
            return (
                f"dbt scope: what the new loads of {', '.join(self.changed_sources)} change, and the marts; "
                f"{len(self.excluded_models)} models are current and left out"
            )
        what = {ALL: "every model", MARTS: "the marts only", NOTHING: "nothing"}[self.scope]
        if self.full_refresh:
            what += ", the incremental ones from all the data"
        return f"dbt scope: {what} ({self.reason})"


def load_signature(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Per raw table: how many files are committed and when the last one was. Loads are only ever
    added, so a new load changes the signature of its table and of no other."""
    if not has_table(con, "audit", "load_ledger"):
        return {}
    rows = con.execute(
        "select entity, count(*), cast(max(finished_at) as varchar) from audit.load_ledger "
        "where status in (?, ?) group by entity order by entity",
        list(COMMITTED),
    ).fetchall()
    return {entity: [count, last] for entity, count, last in rows}


def last_build(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The newest recorded build that ran dbt, or None."""
    if not has_table(con, "audit", "dbt_builds"):
        return None
    cursor = con.execute(
        f"select run_id, fingerprint, loads from {BUILDS_TABLE} where scope <> ? order by recorded_at desc limit 1",
        [NOTHING],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return {"run_id": row[0], "fingerprint": row[1], "loads": json.loads(row[2])}


def _published_run(serving: Path) -> str | None:
    snapshot = current_snapshot(serving)
    return snapshot_manifest(snapshot).get("run_id") if snapshot else None


def _descendants(child_map: Mapping[str, list[str]], roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        for child in child_map.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def models_to_exclude(manifest: Mapping, changed_entities: Iterable[str]) -> list[str]:
    """Names of the models a build may leave out when only `changed_entities` have new raw rows: not
    downstream of them, not a mart, not a parent of a test that runs."""
    changed = set(changed_entities)
    nodes = manifest["nodes"]
    roots = [uid for uid, source in manifest["sources"].items() if source["name"] in changed]
    marts = [uid for uid, node in nodes.items() if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]]
    wanted = _descendants(manifest["child_map"], roots) | set(marts)
    wanted |= _descendants(manifest["child_map"], wanted)
    for node in nodes.values():  # a test to run keeps all its parents
        if node["resource_type"] == "test" and node["unique_id"] in wanted:
            wanted |= set(node["depends_on"]["nodes"])
    return sorted(node["name"] for uid, node in nodes.items() if node["resource_type"] == "model" and uid not in wanted)


def plan_build(
    settings: Settings,
    manifest: Mapping,
    code_fingerprint: str,
    full_refresh: bool = False,
    build_all: bool = False,
) -> BuildPlan:
    """Decide this build's scope from the warehouse's record of the last build and its loads now."""
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config()) as con:
        loads = load_signature(con)
        previous = last_build(con)

    def plan(scope: str, reason: str, **extra) -> BuildPlan:
        return BuildPlan(scope=scope, reason=reason, fingerprint=code_fingerprint, loads=loads, **extra)

    if full_refresh:
        return plan(ALL, "--full-refresh", full_refresh=True)
    if build_all:
        return plan(ALL, "--build-all")
    if previous is None:
        return plan(ALL, "no earlier complete build is recorded in this warehouse", full_refresh=True)
    if previous["fingerprint"] != code_fingerprint:
        reason = "the dbt project, the Python of its models, the engine, the key or the vars changed"
        return plan(ALL, reason, full_refresh=True)
    before = previous["loads"]
    if any(entity not in loads or loads[entity][0] < count for entity, (count, _) in before.items()):
        reason = "a raw table has fewer loads than at the last build (restored warehouse?)"
        return plan(ALL, reason, full_refresh=True)
    changed = sorted(entity for entity, signature in loads.items() if before.get(entity) != signature)
    if not changed:
        if _published_run(settings.serving) == previous["run_id"]:
            return plan(NOTHING, f"no new loads since run {previous['run_id'][:8]}, whose snapshot is current")
        excluded = models_to_exclude(manifest, [])
        return plan(MARTS, "no new loads, but the snapshot is not that of the last build", excluded_models=excluded)
    excluded = models_to_exclude(manifest, changed)
    return plan(AFFECTED, "new loads", changed_sources=changed, excluded_models=excluded)


def record_build(settings: Settings, run_id: str, build: BuildPlan) -> None:
    """Remember a build that succeeded (or a decision to build nothing), for the next build's plan."""
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config()) as con:
        con.execute(BUILDS_DDL)
        con.execute(
            f"insert into {BUILDS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                datetime.now(UTC).replace(tzinfo=None),
                build.scope,
                build.reason,
                build.describe(),
                json.dumps(build.changed_sources),
                json.dumps(build.excluded_models),
                build.fingerprint,
                json.dumps(build.loads),
            ],
        )


def build_of_run(con: duckdb.DuckDBPyConnection, run_id: str) -> dict | None:
    """The recorded scope of a run's build and its summary, or None (dbt failed, or the run did not reach it)."""
    if not has_table(con, "audit", "dbt_builds"):
        return None
    row = con.execute(f"select scope, summary from {BUILDS_TABLE} where run_id = ?", [run_id]).fetchone()
    return {"scope": row[0], "summary": row[1]} if row else None
