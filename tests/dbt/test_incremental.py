"""The incremental models equal a full rebuild after every kind of change a new delivery can bring.

`int_invoices_converted`, `int_survey_answers` and `int_survey_responses_pivoted` process only what was
loaded since their last build. Each test starts from the same fully built tiny warehouse, lands new
files, ingests them for real, builds incrementally, then rebuilds a copy with `--full-refresh` and
requires the two to be equal row for row; it also checks that the change did reach the tables, so an
equality of two stale results cannot pass.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from arvo.config import Settings
from arvo.generate import generate
from benchmarks.increment import make_increment
from ingestion.contract import ENTITIES
from ingestion.pipeline import ingest_pending
from ingestion.results import LOADED, SKIPPED_DUPLICATE
from tests.dbt.support import failures, run_dbt

pytestmark = pytest.mark.e2e

INCREMENTAL_MODELS = ("int_invoices_converted", "int_survey_answers", "int_survey_responses_pivoted")
SELECTION = ["--select", "+int_invoices_converted +int_survey_responses_pivoted", "--exclude", "test_type:unit"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny generated data, ingested and built in full once; each test works on its own copy."""
    root = tmp_path_factory.mktemp("incremental_base")
    settings = Settings.under(root)
    generate("tiny", seed=11, out=settings.landing)
    _ingest(settings)
    result = run_dbt(settings, ["build", *SELECTION], {}, root / "dbt")
    assert result.success, failures(result)
    return root


@pytest.fixture
def settings(base: Path, tmp_path: Path) -> Iterator[Settings]:
    root = tmp_path / "warehouse_root"
    shutil.copytree(base, root, ignore=shutil.ignore_patterns("dbt"))
    yield Settings.under(root)


def _ingest(settings: Settings) -> None:
    results = ingest_pending(settings, settle_seconds=0)
    assert all(r.status.startswith(("loaded", "skipped")) for r in results), [
        (r.file_path, r.status, r.reason) for r in results
    ]


def _land(settings: Settings, entity: str, name: str, rows: list[dict[str, object]]) -> None:
    folder = settings.landing / ENTITIES[entity].folder
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ENTITIES[entity].column_names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse)) as con:
        return con.execute(sql).fetchall()


def _rows(warehouse: Path, table: str) -> tuple[list[str], Counter]:
    """The table's columns and its rows as a multiset (doubles to 9 decimals: sums may differ in order)."""
    with duckdb.connect(str(warehouse)) as con:
        columns = con.execute(f"describe intermediate.{table}").fetchall()
        select = ", ".join(f'round("{n}", 9)' if t == "DOUBLE" else f'"{n}"' for n, t, *_ in columns)
        rows = con.execute(f"select {select} from intermediate.{table}").fetchall()
    return sorted(c[0] for c in columns), Counter(rows)


def _build_incrementally_and_compare(settings: Settings, scratch: Path) -> None:
    """Incremental build, then a `--full-refresh` build of a copy: every incremental model must be equal."""
    result = run_dbt(settings, ["build", *SELECTION], {}, scratch / "incremental")
    assert result.success, failures(result)
    incremental = {r.node.name for r in result.result if r.node.config.materialized == "incremental"}
    assert incremental == set(INCREMENTAL_MODELS)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("checkpoint")
    full = Settings.under(scratch / "full_refresh")
    full.warehouse.parent.mkdir(parents=True)
    shutil.copy(settings.warehouse, full.warehouse)
    refreshed = run_dbt(full, ["build", "--full-refresh", *SELECTION], {}, scratch / "full")
    assert refreshed.success, failures(refreshed)
    for table in INCREMENTAL_MODELS:
        incremental_columns, incremental_rows = _rows(settings.warehouse, table)
        full_columns, full_rows = _rows(full.warehouse, table)
        assert incremental_columns == full_columns, table
        only_incremental, only_full = incremental_rows - full_rows, full_rows - incremental_rows
        assert not only_incremental and not only_full, (table, list(only_incremental)[:3], list(only_full)[:3])


def test_a_new_day_of_invoices_and_answers(settings: Settings, tmp_path: Path):
    before = _query(settings, "select count(*) from intermediate.int_invoices_converted")[0][0]
    written = make_increment(settings.landing, fraction=0.02)
    _ingest(settings)
    _build_incrementally_and_compare(settings, tmp_path)
    after = _query(settings, "select count(*) from intermediate.int_invoices_converted")[0][0]
    assert after == before + written["invoices"]
    new_responses = _query(
        settings, "select count(*) from intermediate.int_survey_responses_pivoted where response_id like '%-N%'"
    )[0][0]
    assert new_responses > 0


def test_a_later_delivery_replaces_an_invoice_and_an_answer(settings: Settings, tmp_path: Path):
    """A new file with an existing key wins over the earlier delivery, in every later build too; a
    numeric answer re-delivered empty leaves the scores (not the response)."""
    invoice = _query(
        settings,
        "select invoice_id, customer_id, invoice_date, currency, amount, status from "
        "intermediate.int_invoices_converted where currency = 'SEK' and status = 'paid' order by invoice_id limit 1",
    )[0]
    invoice_id, account_id, invoice_date, currency, amount, _ = invoice
    changed = {
        "invoice_id": invoice_id,
        "account_id": account_id,
        "invoice_date": invoice_date,
        "currency": currency,
        "amount": amount * 3,
        "status": "void",
    }
    _land(settings, "invoices", "invoices_correction.csv", [changed])
    answer = _query(
        settings,
        "select response_id, survey_id, question_id, account_id, contact_id, responded_at, answer_numeric "
        "from intermediate.int_survey_answers_scored where construct = 'nps' order by response_id limit 1",
    )[0]
    response_id = answer[0]
    columns = ("response_id", "survey_id", "question_id", "account_id", "contact_id", "responded_at")
    emptied = dict(zip(columns, answer[:6], strict=True)) | {"answer_numeric": "", "answer_text": ""}
    _land(settings, "responses", "responses_correction.csv", [emptied])
    _ingest(settings)
    _build_incrementally_and_compare(settings, tmp_path / "first")
    corrected = f"select amount, revenue_eur from intermediate.int_invoices_converted where invoice_id = '{invoice_id}'"
    assert _query(settings, corrected) == [(amount * 3, 0)]
    assert _query(
        settings, f"select nps from intermediate.int_survey_responses_pivoted where response_id = '{response_id}'"
    ) == [(None,)]

    # the same correction again under another name is the same delivery (not loaded); then the original
    # version delivered again is a later delivery and wins (invoices have no version column)
    shutil.copy(
        settings.landing / ENTITIES["invoices"].folder / "invoices_correction.csv",
        settings.landing / ENTITIES["invoices"].folder / "invoices_correction_copy.csv",
    )
    _land(settings, "invoices", "invoices_original.csv", [changed | {"amount": amount, "status": "paid"}])
    _ingest(settings)
    ledger = _query(
        settings,
        "select file_name, status from audit.load_ledger where file_name in "
        "('invoices_correction.csv', 'invoices_correction_copy.csv', 'invoices_original.csv') order by file_name",
    )
    assert [(name, status.startswith(LOADED)) for name, status in ledger] == [
        ("invoices_correction.csv", True),
        ("invoices_correction_copy.csv", False),
        ("invoices_original.csv", True),
    ], ledger
    assert ledger[1][1] == SKIPPED_DUPLICATE
    _build_incrementally_and_compare(settings, tmp_path / "second")
    assert _query(
        settings, f"select amount, status from intermediate.int_invoices_converted where invoice_id = '{invoice_id}'"
    ) == [(amount, "paid")]


def test_new_fx_rates_reprice_the_invoices_they_apply_to(settings: Settings, tmp_path: Path):
    """A new rate between two known ones and a corrected rate of a known date (the ASOF join picks
    them for invoices already converted): those invoices are converted again, earlier ones are not."""
    (first, last) = _query(
        settings,
        "select min(invoice_date), max(invoice_date) from intermediate.int_invoices_converted where currency = 'SEK'",
    )[0]
    middle = first + (last - first) / 2
    (corrected_date, corrected_rate) = _query(
        settings,
        "select valid_from, rate from intermediate.int_fx_rates where currency = 'DKK' "
        f"and valid_from < date '{middle}' order by valid_from desc limit 1",
    )[0]
    rows = [
        {"rate_date": middle, "currency": "SEK", "rate": 99},
        {"rate_date": corrected_date, "currency": "DKK", "rate": corrected_rate * 2},
    ]
    _land(settings, "fx_rates", "fx_rates_correction.csv", rows)
    # in the same build, a correction of an invoice the new rate reprices: the new delivery must win over
    # the invoice's converted row, which the build reprices too
    invoice_id, account_id, invoice_date, amount = _query(
        settings,
        "select invoice_id, customer_id, invoice_date, amount from intermediate.int_invoices_converted "
        f"where currency = 'SEK' and invoice_date >= date '{middle}' and status = 'paid' order by invoice_id limit 1",
    )[0]
    correction = {"invoice_id": invoice_id, "account_id": account_id, "invoice_date": invoice_date}
    correction |= {"currency": "SEK", "amount": amount + 7, "status": "paid"}
    _land(settings, "invoices", "invoices_correction.csv", [correction])
    before_middle = _query(
        settings,
        "select sum(amount_eur) from intermediate.int_invoices_converted "
        f"where currency = 'SEK' and invoice_date < date '{middle}'",
    )
    _ingest(settings)
    _build_incrementally_and_compare(settings, tmp_path)
    repriced = _query(
        settings,
        "select count(*) from intermediate.int_invoices_converted where currency = 'SEK' and fx_rate = 99",
    )[0][0]
    assert repriced > 0
    assert _query(
        settings, f"select amount from intermediate.int_invoices_converted where invoice_id = '{invoice_id}'"
    ) == [(amount + 7,)]
    assert _query(
        settings,
        "select count(*) from intermediate.int_invoices_converted where currency = 'DKK' "
        f"and fx_rate_date = date '{corrected_date}' and fx_rate <> {corrected_rate * 2}",
    ) == [(0,)]
    assert before_middle == _query(
        settings,
        "select sum(amount_eur) from intermediate.int_invoices_converted "
        f"where currency = 'SEK' and invoice_date < date '{middle}'",
    )


def test_a_changed_question_in_the_catalog_rescores_its_answers(settings: Settings, tmp_path: Path):
    """No new answer arrives: a new version of a question (another scale) must still reach the pivot."""
    survey_id, question_id = _query(
        settings,
        "select survey_id, question_id from intermediate.int_survey_answers_scored "
        "where construct = 'value_economic' group by all order by count(*) desc limit 1",
    )[0]
    question = {
        "survey_id": survey_id,
        "question_id": question_id,
        "construct": "value_economic",
        "scale_min": 0,
        "scale_max": 7,
        "question_text": "Our service saves you money.",
    }
    _land(settings, "questions", "questions_rescaled.csv", [question])
    before = _query(settings, "select sum(value_economic) from intermediate.int_survey_responses_pivoted")
    _ingest(settings)
    _build_incrementally_and_compare(settings, tmp_path)
    assert _query(settings, "select sum(value_economic) from intermediate.int_survey_responses_pivoted") != before


def test_a_table_without_the_watermark_columns_is_rebuilt_from_all_data(settings: Settings, tmp_path: Path):
    """A table built by an earlier version of the model (no watermark columns, here with wrong values
    too) is rebuilt in full by the next ordinary build, which then equals a full refresh."""
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("alter table intermediate.int_invoices_converted drop column fx_loaded_at")
        con.execute("update intermediate.int_invoices_converted set amount_eur = 0")
        con.execute("alter table intermediate.int_survey_responses_pivoted drop column catalog_loaded_at")
        con.execute("update intermediate.int_survey_responses_pivoted set nps = -1")
    _build_incrementally_and_compare(settings, tmp_path)
    assert _query(settings, "select count(*) from intermediate.int_invoices_converted where amount_eur = 0") == [(0,)]


def test_the_incremental_models_do_not_depend_on_vars(base: Path, tmp_path: Path):
    """A var (say as_of_date) changes no row of an incremental model without a new load, so none may
    read one: the compiled SQL must not change with the vars."""
    settings = Settings.under(base)
    selection = ["compile", "--select", " ".join(INCREMENTAL_MODELS)]
    plain = run_dbt(settings, selection, {}, tmp_path / "plain")
    other_vars = {"as_of_date": "2025-01-31", "clv_as_of": "2025-01-31", "ladder_threshold": 50, "clv_period": "day"}
    varied = run_dbt(settings, selection, other_vars, tmp_path / "varied")
    assert plain.success and varied.success
    compiled = [
        {r.node.name: r.node.compiled_code for r in result.result if r.node.resource_type == "model"}
        for result in (plain, varied)
    ]
    assert set(compiled[0]) == set(INCREMENTAL_MODELS)
    assert compiled[0] == compiled[1]
