"""Dagster definitions: they load, the graph reads as the data flows, the sensor never runs a file twice."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import dagster as dg
import pytest

from arvo.config import REPO_ROOT, Settings
from ingestion.contract import ENTITIES


@pytest.fixture
def defs(dbt_manifest, arvo_settings):
    from orchestration.definitions import defs

    return defs


def test_dagster_definitions_validate(dbt_manifest, arvo_settings):
    """The same command a deployment runs; in a subprocess because it loads the code location itself."""
    dagster = Path(sys.executable).with_name("dagster")
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=REPO_ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr


OPEN_FOR_WRITING = """
import sys, duckdb
duckdb.connect(sys.argv[1]).close()
print("opened", flush=True)
"""


def test_dbt_builds_in_the_steps_process_and_frees_the_warehouse_when_it_ends(defs, arvo_settings, monkeypatch):
    """No `dbt` subprocess (its start-up, imports and all, cost seconds per build), and dbt-duckdb's
    connection closed when the build ends: the steps after it open the warehouse in the same process
    with their own settings (DuckDB refuses another configuration while one is open), and other
    processes can take its file lock."""
    import duckdb

    from arvo.generate import generate
    from ingestion.pipeline import ingest_pending
    from ingestion.warehouse import connect
    from orchestration.jobs import PIPELINE_JOB

    generate("tiny", seed=5, out=arvo_settings.landing)
    assert all(r.status.startswith("loaded") for r in ingest_pending(arvo_settings, settle_seconds=0))
    launched: list[str] = []

    class RecordingPopen(subprocess.Popen):
        def __init__(self, args, *rest, **options):
            launched.append(Path(str(args[0] if isinstance(args, list | tuple) else args)).name)
            super().__init__(args, *rest, **options)

    accounts = dg.AssetKey(["staging", "stg_crm__accounts"])
    with monkeypatch.context() as patch, dg.DagsterInstance.ephemeral() as instance:
        patch.setattr(subprocess, "Popen", RecordingPopen)
        result = defs.resolve_job_def(PIPELINE_JOB).execute_in_process(asset_selection=[accounts], instance=instance)
    assert result.success
    assert "dbt" not in launched
    with connect(arvo_settings) as con:
        assert con.execute("select count(*) from staging.stg_crm__accounts").fetchone()[0] > 0
    warehouse = str(arvo_settings.warehouse)
    duckdb.connect(warehouse, config={"threads": 1}).close()
    other = subprocess.run([sys.executable, "-c", OPEN_FOR_WRITING, warehouse], capture_output=True, text=True)
    assert other.stdout.strip() == "opened", other.stderr


def test_asset_graph_flows_from_landing_through_raw_to_marts_and_serving(defs):
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for entity in ENTITIES.values():
        assert f"landing/{entity.folder}" in keys
        assert f"raw/{entity.name}" in keys
    assert "marts/dim_customers" in keys and "marts/mart_nps" in keys
    # dbt sources resolve to the raw assets, so staging depends on ingestion
    parents = graph.get(dg.AssetKey(["staging", "stg_crm__accounts"])).parent_keys
    assert dg.AssetKey(["raw", "accounts"]) in parents
    publish_parents = graph.get(dg.AssetKey(["serving", "snapshot"])).parent_keys
    assert dg.AssetKey(["marts", "mart_nps"]) in publish_parents
    groups = {
        graph.get(dg.AssetKey(["staging", "stg_crm__accounts"])).group_name,
        graph.get(dg.AssetKey(["raw", "accounts"])).group_name,
        graph.get(dg.AssetKey(["marts", "mart_nps"])).group_name,
    }
    assert groups == {"staging_crm", "raw_crm", "marts"}


def test_every_warehouse_writer_shares_the_pool_of_one(defs):
    from orchestration.assets.locks import WAREHOUSE_POOL

    graph = defs.resolve_asset_graph()
    writers = [
        dg.AssetKey(["raw", "accounts"]),
        dg.AssetKey(["marts", "mart_nps"]),
        dg.AssetKey(["serving", "snapshot"]),
    ]
    for key in writers:
        assets_def = graph.get(key).assets_def
        assert {node.pool for node in assets_def.node_def.iterate_op_defs()} == {WAREHOUSE_POOL}, key


def _drop(settings: Settings, entity: str, name: str, text: str) -> Path:
    folder = settings.landing / ENTITIES[entity].folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sensor_requests_one_run_per_new_content_and_ignores_files_being_written(defs, arvo_settings):
    sensor = defs.resolve_sensor_def("arvo_landing_sensor")
    header = ",".join(ENTITIES["fx_rates"].column_names)
    _drop(arvo_settings, "fx_rates", "rates_1.csv", f"{header}\n2026-01-02,SEK,11.2\n")
    _drop(arvo_settings, "fx_rates", "rates_2.csv.part", f"{header}\n2026-01-03,SEK,11.3\n")

    def tick(cursor):
        with dg.build_sensor_context(cursor=cursor, resources=defs.resources) as context:
            result = sensor(context)
            return result, context.cursor

    first, cursor = tick(None)
    assert isinstance(first, dg.RunRequest) and first.run_key.startswith("files-")
    second, cursor = tick(cursor)
    assert isinstance(second, dg.SkipReason), "the same file must not request a second run"
    # the same content under another name is the same delivery
    _drop(arvo_settings, "fx_rates", "rates_1_copy.csv", f"{header}\n2026-01-02,SEK,11.2\n")
    third, cursor = tick(cursor)
    assert isinstance(third, dg.SkipReason)
    # new content is a new run
    _drop(arvo_settings, "fx_rates", "rates_3.csv", f"{header}\n2026-01-05,SEK,11.4\n")
    fourth, cursor = tick(cursor)
    assert isinstance(fourth, dg.RunRequest) and fourth.run_key != first.run_key
    # a correction copied over with `cp -p`: the same size and mtime, other bytes
    rates_1 = arvo_settings.landing / ENTITIES["fx_rates"].folder / "rates_1.csv"
    stat = rates_1.stat()
    corrected = rates_1.with_name(".rates_1_corrected.csv")  # hidden: not a delivery itself
    corrected.write_text(f"{header}\n2026-01-02,SEK,11.9\n", encoding="utf-8")
    os.utime(corrected, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    subprocess.run(["cp", "-p", "--", str(corrected), str(rates_1)], check=True)
    assert (rates_1.stat().st_size, rates_1.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    fifth, _ = tick(cursor)
    assert isinstance(fifth, dg.RunRequest) and fifth.run_key not in {first.run_key, fourth.run_key}


HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_loads_and_publish_in_a_dagster_run_get_the_duckdb_limits(tmp_path, monkeypatch):
    """ARVO_DUCKDB_* bound every connection of a run, the raw loads' and publish's too, not only dbt's."""
    from orchestration.resources import ArvoResource

    monkeypatch.setenv("ARVO_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("ARVO_DUCKDB_THREADS", "1")
    monkeypatch.setenv("ARVO_DUCKDB_TEMP_DIRECTORY", str(tmp_path / "spill"))
    locations = ("landing", "warehouse", "serving", "quarantine")
    resource = ArvoResource(**{name: str(tmp_path / name) for name in locations})
    settings = resource.settings()
    assert settings.warehouse == tmp_path / "warehouse"
    assert settings.duckdb_config() == {"memory_limit": "1GB", "threads": 1, "temp_directory": str(tmp_path / "spill")}


def test_a_raw_load_waits_for_another_writer_and_then_loads(defs, arvo_settings, tmp_path):
    """A second process holding the warehouse makes the load retry with backoff, not fail."""
    from ingestion.warehouse import connect, ensure_schemas

    with connect(arvo_settings) as con:
        ensure_schemas(con)
    header = ",".join(ENTITIES["fx_rates"].column_names)
    _drop(arvo_settings, "fx_rates", "rates.csv", f"{header}\n2026-01-02,SEK,11.2\n")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(arvo_settings.warehouse), "10"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        graph = defs.resolve_asset_graph()
        raw_fx = graph.get(dg.AssetKey(["raw", "fx_rates"])).assets_def
        landing_fx = graph.get(dg.AssetKey(["landing", "revenue", "fx_rates"])).assets_def
        result = dg.materialize([landing_fx, raw_fx], selection=[raw_fx.key])
    finally:
        holder.wait(timeout=30)
    assert result.success
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retries, "the first attempt should have met the lock and asked for a retry"
    with connect(arvo_settings) as con:
        assert con.execute("select count(*) from raw.fx_rates").fetchone() == (1,)


def test_a_raw_freshness_check_fails_when_no_file_has_come_however_often_the_asset_runs(defs, arvo_settings):
    """The schedule materialises every raw asset each day, new files or not. The freshness check must
    judge by when a file last loaded (the ledger), not by when the asset last ran."""
    from datetime import UTC, datetime

    from ingestion.warehouse import connect
    from orchestration.checks import FRESHNESS_WINDOW

    header = ",".join(ENTITIES["fx_rates"].column_names)
    _drop(arvo_settings, "fx_rates", "rates.csv", f"{header}\n2026-01-02,SEK,11.2\n")
    graph = defs.resolve_asset_graph()
    raw_fx = graph.get(dg.AssetKey(["raw", "fx_rates"])).assets_def
    landing_fx = graph.get(dg.AssetKey(["landing", "revenue", "fx_rates"])).assets_def
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        checks = dg.build_last_update_freshness_checks(assets=[raw_fx.key], lower_bound_delta=FRESHNESS_WINDOW)

    def run_and_check(instance: dg.DagsterInstance) -> tuple[float, bool]:
        selection = dg.AssetSelection.assets(raw_fx) | dg.AssetSelection.checks(*checks)
        result = dg.materialize([landing_fx, raw_fx, *checks], instance=instance, selection=selection)
        assert result.success
        (materialization,) = result.asset_materializations_for_node(raw_fx.op.name)
        (freshness,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "freshness_check"]
        return materialization.metadata["dagster/last_updated_timestamp"].value, freshness.passed

    with dg.DagsterInstance.ephemeral() as instance:
        loaded_at, fresh = run_and_check(instance)
        assert fresh
        assert abs(loaded_at - datetime.now(UTC).timestamp()) < 120
        with connect(arvo_settings) as con:
            con.execute("update audit.load_ledger set finished_at = finished_at - interval 2 day")
        unchanged_at, fresh = run_and_check(instance)
    assert not fresh, "two days without a file must fail the check, though the asset has just run"
    assert unchanged_at == pytest.approx(loaded_at - 2 * 86400)


def test_a_raw_asset_warns_while_no_file_of_its_entity_has_ever_loaded(defs, arvo_settings):
    """Before the first load, the freshness check has no load time and goes by the asset's own run (it
    passes); the files-loaded check warns instead, names the folder, and blocks nothing."""
    from arvo.pipeline import _outcome
    from orchestration.assets.raw import FILES_LOADED_CHECK

    graph = defs.resolve_asset_graph()
    raw_fx = graph.get(dg.AssetKey(["raw", "fx_rates"])).assets_def
    landing_fx = graph.get(dg.AssetKey(["landing", "revenue", "fx_rates"])).assets_def

    def files_loaded(instance: dg.DagsterInstance) -> dg.AssetCheckEvaluation:
        result = dg.materialize([landing_fx, raw_fx], instance=instance, selection=dg.AssetSelection.assets(raw_fx))
        assert result.success
        (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == FILES_LOADED_CHECK]
        if not evaluation.passed:  # what `arvo run` prints
            assert _outcome(result).failed_checks == [
                f"raw/fx_rates {FILES_LOADED_CHECK} (warning): {evaluation.description}"
            ]
        return evaluation

    with dg.DagsterInstance.ephemeral() as instance:
        never = files_loaded(instance)
        header = ",".join(ENTITIES["fx_rates"].column_names)
        _drop(arvo_settings, "fx_rates", "rates.csv", f"{header}\n2026-01-02,SEK,11.2\n")
        loaded = files_loaded(instance)
    assert not never.passed and never.severity == dg.AssetCheckSeverity.WARN
    assert f"No {ENTITIES['fx_rates'].folder} file has ever been loaded" in never.description
    assert loaded.passed, loaded.description


def test_a_chosen_subset_of_the_models_builds_that_subset_and_records_no_build(defs, arvo_settings):
    """Materialising some models (as from the Dagster UI) is no complete build: the next `arvo run`
    must not take the other models for current (arvo.build_scope)."""
    import duckdb

    from arvo.generate import generate
    from ingestion.pipeline import ingest_pending
    from ingestion.warehouse import has_table
    from orchestration.jobs import PIPELINE_JOB

    generate("tiny", seed=5, out=arvo_settings.landing)
    assert all(r.status.startswith("loaded") for r in ingest_pending(arvo_settings, settle_seconds=0))
    accounts = dg.AssetKey(["staging", "stg_crm__accounts"])
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(PIPELINE_JOB).execute_in_process(asset_selection=[accounts], instance=instance)
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {accounts}
    with duckdb.connect(str(arvo_settings.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_crm__accounts").fetchone()[0] > 0
        assert not has_table(con, "audit", "dbt_builds")


@pytest.mark.e2e
def test_the_dagster_ui_shows_the_asset_graph(dbt_manifest, arvo_settings, chromium, tmp_path):
    """The webserver loads the definitions and Chromium renders the lineage page (a real screenshot)."""
    from orchestration.ui_screenshot import screenshot_asset_graph

    shot = screenshot_asset_graph(tmp_path / "assets.png", chromium)
    assert {"landing/crm/accounts", "raw/accounts", "marts/mart_nps", "serving/snapshot"} <= set(shot.asset_keys)
    data = shot.path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000, "a blank page compresses to a few kB; the graph is more"


def test_a_file_removed_before_the_sensor_hashes_it_is_left_for_a_later_tick(arvo_settings, monkeypatch):
    """A file can go between the listing and the hash (a source system taking it back): the tick goes on
    with the others instead of failing, and the file counts again if it comes back."""
    from ingestion import files
    from orchestration.sensors import new_files_request

    header = ",".join(ENTITIES["fx_rates"].column_names)
    gone = _drop(arvo_settings, "fx_rates", "a_gone.csv", f"{header}\n2026-01-02,SEK,11.2\n")
    _drop(arvo_settings, "fx_rates", "b_kept.csv", f"{header}\n2026-01-03,SEK,11.3\n")

    def taken_back_first(path, check_utf8):
        if path == gone:
            path.unlink()
        return files.fingerprint(path, check_utf8)

    monkeypatch.setattr("orchestration.sensors.fingerprint", taken_back_first)
    request, cursor = new_files_request(arvo_settings.landing, None, settle_seconds=0)
    assert isinstance(request, dg.RunRequest) and request.tags["arvo/new_files"] == "1"
    assert str(gone) not in cursor
