"""End to end on the small sample set: generate, `arvo run`, then a bad file in a second run.

The pipeline build is the session's shared `small_pipeline` (dbt and Dagster take seconds to start).
"""

from __future__ import annotations

import csv
import json
import logging
import re
import shutil

import duckdb
import pytest

from arvo.cli import main
from arvo.config import Settings
from arvo.pipeline import run_pipeline
from arvo.serving import current_snapshot, snapshot_manifest
from benchmarks.increment import make_increment
from ingestion.contract import ENTITIES
from orchestration.project import warehouse_target_path
from tests.faults.harness import mart_checksums
from tests.support import tree_digest

pytestmark = pytest.mark.e2e

CONTRACT_MARTS = {"dim_customers", "fct_survey_responses", "mart_nps", "mart_customer_value", "fct_mrr"}


@pytest.fixture
def built(small_pipeline):
    return small_pipeline


def test_the_whole_pipeline_materialises_every_asset_and_publishes(built):
    settings, outcome = built
    assert outcome.success, outcome.failed_checks + outcome.failed_steps
    assert not outcome.failed_checks and not outcome.skipped
    assert outcome.build is not None and "the incremental ones from all the data" in outcome.build["summary"]
    from orchestration.definitions import defs
    from orchestration.jobs import PIPELINE_JOB

    expected = {k.to_user_string() for k in defs.resolve_job_def(PIPELINE_JOB).asset_layer.executable_asset_keys}
    assert set(outcome.materialized) >= expected
    snapshot = current_snapshot(settings.serving)
    assert snapshot is not None
    with duckdb.connect(str(snapshot / "arvo.duckdb"), read_only=True) as con:
        for mart in CONTRACT_MARTS:
            assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0, mart
        segments = {r[0] for r in con.execute("select distinct segment from marts.mart_nps").fetchall()}
        assert segments == {"B2B", "B2C", "all"}


def test_every_raw_table_is_loaded_and_no_mart_holds_personal_data(built):
    settings, _ = built
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for entity in ENTITIES.values():
            assert con.execute(f"select count(*) from {entity.raw_table}").fetchone()[0] > 0, entity.name
        emails = con.execute("select email from raw.contacts where email is not null limit 50").fetchall()
        mart_text = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and data_type = 'VARCHAR'"
        ).fetchall()
        for table, column in mart_text:
            values = {r[0] for r in con.execute(f'select distinct "{column}" from marts."{table}"').fetchall()}
            assert not values & {e[0] for e in emails}, f"e-mail in marts.{table}.{column}"
            assert not any(isinstance(v, str) and "@" in v for v in values), f"e-mail-like in {table}.{column}"


def test_a_bad_file_fails_the_run_blocks_the_marts_and_keeps_the_snapshot(built, capsys):
    settings, _ = built
    before = tree_digest(settings.serving)
    source = sorted((settings.landing / "revenue" / "invoices").glob("*.csv"))[0]
    with source.open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    bad = settings.landing / "revenue" / "invoices" / "invoices_late_delivery.csv"
    # one row with a non-numeric amount: an error-level expectation fails and the file is quarantined
    row.update(invoice_id="INV-BAD-0001", amount="twelve")
    with bad.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    outcome = run_pipeline(settings)
    assert not outcome.success
    assert any("raw/invoices" in c and "invoices_late_delivery.csv" in c for c in outcome.failed_checks)
    assert not any(k.startswith("marts/") for k in outcome.materialized)
    assert "serving/snapshot" not in outcome.materialized
    assert tree_digest(settings.serving) == before
    assert list(settings.quarantine.rglob("invoices_late_delivery.csv"))
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        runs = con.execute("select status, failed_checks from audit.pipeline_runs order by started_at").fetchall()
    assert [r[0] for r in runs] == ["succeeded", "failed"]
    assert "invoices_late_delivery.csv" in runs[1][1]
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    assert f"last pipeline run {outcome.run_id} failed" in status
    assert "invoices_late_delivery.csv" in status
    shutil.move(bad, settings.quarantine / "moved-away.csv")


def _raw_counts(settings) -> dict[str, int]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return {e.name: con.execute(f"select count(*) from {e.raw_table}").fetchone()[0] for e in ENTITIES.values()}


def test_a_new_day_rebuilds_what_it_changes_once_while_a_bi_reader_holds_the_snapshot(built):
    """The rerun sees every file again but loads only the new day's, builds only the models downstream
    of invoices and responses (and the marts), and publishes while a reader holds the old snapshot.
    The next test rebuilds everything from scratch and requires the same marts."""
    settings, _ = built
    old_snapshot = current_snapshot(settings.serving)
    reader = duckdb.connect(str(settings.serving / "current" / "arvo.duckdb"), read_only=True)
    nps_before = reader.execute("select sum(respondents) from marts.mart_nps").fetchone()
    raw_before = _raw_counts(settings)
    written = make_increment(settings.landing)
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.failed_checks + outcome.failed_steps
    assert reader.execute("select sum(respondents) from marts.mart_nps").fetchone() == nps_before
    reader.close()
    assert current_snapshot(settings.serving) != old_snapshot
    assert _raw_counts(settings) == {name: count + written.get(name, 0) for name, count in raw_before.items()}

    assert outcome.build is not None and outcome.build["scope"] == "affected", outcome.build
    results = json.loads((warehouse_target_path(settings.warehouse) / "run_results.json").read_text())
    built_models = {r["unique_id"].split(".")[-1] for r in results["results"] if r["unique_id"].startswith("model.")}
    assert {"int_invoices_converted", "int_survey_answers", "mart_nps", "dim_customers"} <= built_models
    assert not built_models & {"stg_crm__contacts", "stg_crm__accounts", "int_fx_rates", "stg_survey__questions"}
    assert results["args"].get("full_refresh") is not True  # the incremental models followed the new day


def test_a_rerun_with_nothing_new_builds_nothing_and_keeps_the_snapshot(built, capsys):
    settings, _ = built
    snapshot_before = tree_digest(settings.serving)
    marts_before = mart_checksums(settings.warehouse)
    assert main(["run", "--no-summary"]) == 0
    out, err = capsys.readouterr()
    assert "dbt scope: nothing (no new loads since run" in out
    # the checks of the models left out have no result by design: Dagster's warning about each is noise
    assert "emitted no result" not in out + err
    assert "did not yield or return expected outputs" not in out + err
    assert logging.getLogger("alembic").getEffectiveLevel() == logging.WARNING  # its 15 set-up lines per run
    left_out = r"'arvo_dbt_models': no result for \d+ checks, the tests of the models this build left out"
    assert re.search(left_out, out + err)
    assert "the snapshot was not published again" in out
    assert tree_digest(settings.serving) == snapshot_before
    assert mart_checksums(settings.warehouse) == marts_before


def test_a_full_refresh_rebuilds_the_incremental_models_and_changes_no_mart(built):
    """`arvo run --full-refresh` reaches dbt, and rebuilding the incremental models from all raw rows
    gives the marts the incremental builds gave."""
    settings, _ = built
    marts_before = mart_checksums(settings.warehouse)
    outcome = run_pipeline(settings, full_refresh=True)
    assert outcome.success, outcome.failed_checks + outcome.failed_steps
    results = json.loads((warehouse_target_path(settings.warehouse) / "run_results.json").read_text())
    assert results["args"]["full_refresh"] is True
    assert mart_checksums(settings.warehouse) == marts_before


def test_arvo_run_takes_a_date_var_as_the_readme_gives_it(tmp_path, monkeypatch):
    """`arvo run --var as_of_date=2026-06-30`: YAML reads the value as a date, and it must reach dbt as
    that date (it once stopped the run before it started: a date is not JSON)."""
    from arvo.generate import generate

    settings = Settings.under(tmp_path)
    generate("tiny", seed=5, out=settings.landing)
    for name, value in settings.path_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ARVO_PSEUDONYM_KEY", raising=False)
    assert main(["run", "--no-summary", "--var", "as_of_date=2026-06-30"]) == 0
    snapshot = current_snapshot(settings.serving)
    assert snapshot_manifest(snapshot)["as_of_date"] == "2026-06-30"
    with duckdb.connect(str(snapshot / "arvo.duckdb"), read_only=True) as con:
        months = con.execute("select min(month), max(month) from marts.fct_mrr").fetchone()
    assert months[0] is not None and str(months[1]) == "2026-06-01"


def test_a_failing_dbt_test_fails_the_build_step_naming_the_test(tmp_path):
    """An invoice in a currency without a rate fails two error-severity tests: the dbt step fails, its
    reason names them (dbt's own error lines), nothing downstream builds, and the run is recorded."""
    from arvo.generate import generate

    settings = Settings.under(tmp_path)
    generate("tiny", seed=5, out=settings.landing)
    folder = settings.landing / "revenue" / "invoices"
    with sorted(folder.glob("*.csv"))[0].open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    row.update(invoice_id="INV-JPY-0001", currency="JPY", amount="1000")
    with (folder / "invoices_yen.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    outcome = run_pipeline(settings)
    assert not outcome.success
    (failure,) = outcome.failed_steps
    assert failure.startswith("arvo_dbt_models: ")
    assert "not_null_int_invoices_converted_fx_rate" in failure
    assert "serving/snapshot" not in outcome.materialized
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        (recorded,) = con.execute("select failed_steps from audit.pipeline_runs").fetchone()
    assert "not_null_int_invoices_converted_fx_rate" in recorded
