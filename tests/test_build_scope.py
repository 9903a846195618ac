"""What a dbt build rebuilds (arvo.build_scope): decided from real loads in a real warehouse and the
real dbt manifest. The builds themselves run in tests/test_e2e.py, where the marts after a partial
build must equal those of a rebuild from scratch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from arvo.build_scope import (
    AFFECTED,
    ALL,
    MARTS,
    NOTHING,
    fingerprint,
    models_to_exclude,
    plan_build,
    record_build,
)
from arvo.config import DBT_PROJECT_DIR, Settings
from arvo.generate import generate
from arvo.serving import publish_snapshot
from benchmarks.increment import make_increment
from ingestion.pipeline import ingest_pending


@pytest.fixture(scope="module")
def manifest(dbt_manifest: Path) -> dict:
    return json.loads(dbt_manifest.read_text())


@pytest.fixture
def loaded(tmp_path: Path) -> Settings:
    settings = Settings.under(tmp_path)
    generate("tiny", seed=3, out=settings.landing)
    assert all(r.status.startswith("loaded") for r in ingest_pending(settings, settle_seconds=0))
    return settings


def test_the_scope_follows_the_loads_the_code_and_the_snapshot(loaded: Settings, manifest: dict):
    settings = loaded
    first = plan_build(settings, manifest, "code-1")
    assert (first.scope, first.reason) == (ALL, "no earlier complete build is recorded in this warehouse")
    assert first.excluded_models == [] and first.full_refresh
    record_build(settings, "run-1", first)

    # nothing new, but no snapshot of that build: the marts are rebuilt so that it gets published
    marts_only = plan_build(settings, manifest, "code-1")
    assert marts_only.scope == MARTS
    assert "stg_crm__contacts" in marts_only.excluded_models and "mart_nps" not in marts_only.excluded_models

    publish_snapshot(settings, run_id="run-1")
    assert plan_build(settings, manifest, "code-1").scope == NOTHING
    # other code (or vars): the incremental models are rebuilt from all the data
    other_code = plan_build(settings, manifest, "code-2")
    assert (other_code.scope, other_code.full_refresh) == (ALL, True)
    assert "incremental ones from all the data" in other_code.describe()
    refresh = plan_build(settings, manifest, "code-1", full_refresh=True)
    assert (refresh.scope, refresh.full_refresh) == (ALL, True)
    build_all = plan_build(settings, manifest, "code-1", build_all=True)
    assert (build_all.scope, build_all.full_refresh) == (ALL, False)

    make_increment(settings.landing)
    ingest_pending(settings, settle_seconds=0)
    affected = plan_build(settings, manifest, "code-1")
    assert affected.scope == AFFECTED
    assert affected.changed_sources == ["invoices", "responses"] and not affected.full_refresh
    assert affected.excluded_models == models_to_exclude(manifest, ["invoices", "responses"])
    record_build(settings, "run-2", affected)
    publish_snapshot(settings, run_id="run-2")
    assert plan_build(settings, manifest, "code-1").scope == NOTHING

    # fewer loads than recorded: the warehouse was put back from an older copy; rebuild it all
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("delete from audit.load_ledger where file_name like 'invoices_%_increment.csv'")
    restored = plan_build(settings, manifest, "code-1")
    assert restored.scope == ALL and restored.reason.startswith("a raw table has fewer loads than at the last build")
    assert restored.full_refresh


def test_a_left_out_model_is_downstream_of_no_changed_source_and_no_mart_or_test_loses_a_parent(manifest: dict):
    nodes = manifest["nodes"]
    models = {n["name"]: uid for uid, n in nodes.items() if n["resource_type"] == "model"}
    sources = {s["name"] for s in manifest["sources"].values()}
    for changed in [[name] for name in sorted(sources)] + [["invoices", "responses"]]:
        excluded = {models[name] for name in models_to_exclude(manifest, changed)}
        assert not any(nodes[uid]["fqn"][1] == "marts" for uid in excluded), changed
        for uid in excluded:
            upstream = set(nodes[uid]["depends_on"]["nodes"])
            assert not any(manifest["sources"].get(p, {}).get("name") in changed for p in upstream), (changed, uid)
        for test in (n for n in nodes.values() if n["resource_type"] == "test"):
            parents = {p for p in test["depends_on"]["nodes"] if p in nodes}
            assert not parents & excluded or parents <= excluded, (changed, test["name"])
    contacts_only = models_to_exclude(manifest, ["contacts"])
    assert "stg_crm__contacts" not in contacts_only and "int_invoices_converted" in contacts_only
    assert "stg_crm__contacts" in models_to_exclude(manifest, ["invoices"])


def test_the_fingerprint_changes_with_the_code_the_vars_and_the_key(tmp_path: Path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    base = fingerprint(project, {}, "key-1")
    assert fingerprint(project, {}, "key-1") == base
    assert fingerprint(project, {"ladder_threshold": 80}, "key-1") != base
    assert fingerprint(project, {}, "key-2") != base
    assert "key-1" not in base
    model = project / "models" / "marts" / "nps" / "mart_nps.sql"
    model.write_text(model.read_text() + "\n-- changed\n")
    assert fingerprint(project, {}, "key-1") != base
