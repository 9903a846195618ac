"""The catalog of bad inputs: each gets an exact outcome, a message that names the problem, an
unchanged warehouse when quarantined, and rows_in = rows_loaded + rows_rejected."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expectations.runner import SUITES_DIR
from ingestion.contract import ENTITIES
from ingestion.results import LOADED_WITH_WARNINGS, QUARANTINED

from .conftest import VALID_ROWS, csv_text, drop, ingest, ledger, warehouse_snapshot


def rows(entity: str, **changes: str) -> list[dict[str, str]]:
    """The valid rows of an entity with the first row changed."""
    out = [dict(r) for r in VALID_ROWS[entity]]
    out[0].update(changes)
    return out


def text(entity: str, **changes: str) -> str:
    return csv_text(rows(entity, **changes))


def without(entity: str, column: str, rename: str | None = None) -> str:
    out = []
    for row in VALID_ROWS[entity]:
        row = dict(row)
        value = row.pop(column)
        if rename:
            row[rename] = value
        out.append(row)
    return csv_text(out)


@dataclass(frozen=True)
class Case:
    name: str
    entity: str
    content: Callable[[], str | bytes]
    status: str
    rule: str
    says: str  # the message must contain this
    column: str | None = None
    file_name: str = "bad.csv"


INVOICES = csv_text(VALID_ROWS["invoices"])


def _parquet_with_columns(names: list[str]) -> bytes:
    """Invoices as Parquet under the given column names, in order; Parquet, unlike DuckDB, allows a
    name twice."""
    rows = VALID_ROWS["invoices"]
    columns = [pa.array([r[n] for r in rows]) for n in names]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(columns, names=names), buffer)
    return buffer.getvalue()


def parquet(entity: str, **columns: pa.Array) -> bytes:
    """The valid rows of an entity as Parquet (text columns), with whole columns replaced."""
    table = pa.table({name: [r[name] for r in VALID_ROWS[entity]] for name in VALID_ROWS[entity][0]})
    for name, values in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, values)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


CASES = [
    Case("truncated_csv", "invoices", lambda: INVOICES[:-12], QUARANTINED, "parse", "Line: 3"),
    Case(
        "too_many_fields",
        "invoices",
        lambda: INVOICES + "I3,A1,2024-03-01,EUR,5.00,paid,surprise\n",
        QUARANTINED,
        "parse",
        "Expected Number of Columns: 6 Found: 7",
    ),
    Case("wrong_delimiter", "invoices", lambda: INVOICES.replace(",", ";"), QUARANTINED, "delimiter", "';'"),
    Case(
        "latin1_encoding",
        "accounts",
        lambda: text("accounts", account_id="A9").encode("latin-1"),
        QUARANTINED,
        "encoding",
        "not valid UTF-8",
    ),
    Case("utf16_encoding", "invoices", lambda: INVOICES.encode("utf-16"), QUARANTINED, "encoding", "UTF-16"),
    Case("gzip_named_csv", "invoices", lambda: gzip.compress(INVOICES.encode()), QUARANTINED, "encoding", ".csv.gz"),
    Case(
        "excel_workbook_named_csv",
        "invoices",
        lambda: b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb4\x8a",
        QUARANTINED,
        "encoding",
        "Excel workbook",
    ),
    Case("empty_file", "invoices", lambda: b"", QUARANTINED, "empty_file", "empty"),
    Case("blank_first_line", "invoices", lambda: "\n" + INVOICES, QUARANTINED, "header", "the first line is empty"),
    Case("excel_sep_line", "invoices", lambda: "sep=,\n" + INVOICES, QUARANTINED, "header", "'sep=,'"),
    Case(
        "header_only",
        "invoices",
        lambda: INVOICES.splitlines()[0] + "\n",
        QUARANTINED,
        "no_rows",
        "no data rows",
    ),
    Case(
        "missing_required_column",
        "invoices",
        lambda: without("invoices", "amount"),
        QUARANTINED,
        "column_exists",
        "'amount' is missing",
        "amount",
    ),
    Case(
        "misspelt_column",
        "invoices",
        lambda: without("invoices", "account_id", rename="acount_id"),
        QUARANTINED,
        "column_exists",
        "'acount_id': misspelt?",
        "account_id",
    ),
    Case(
        "non_numeric_amount",
        "invoices",
        lambda: text("invoices", amount="12,50"),
        QUARANTINED,
        "type_parses",
        "must be a decimal",
        "amount",
    ),
    Case(
        "iso_date_expected",
        "invoices",
        lambda: text("invoices", invoice_date="31.01.2024"),
        QUARANTINED,
        "type_parses",
        "must be a date",
        "invoice_date",
    ),
    Case(
        "fractional_int",
        "questions",
        lambda: csv_text([{**VALID_ROWS["questions"][1], "question_id": "Q14", "scale_max": "5.5"}]),
        QUARANTINED,
        "type_parses",
        "scale_max must be a int",
        "scale_max",
    ),
    Case(
        "parquet_fractional_int",
        "questions",
        lambda: parquet("questions", scale_max=pa.array([10.0, 4.5, None])),
        QUARANTINED,
        "type_parses",
        "scale_max must be a int",
        "scale_max",
        file_name="bad.parquet",
    ),
    Case(
        "parquet_bool_amount",
        "invoices",
        lambda: parquet("invoices", amount=pa.array([True, False])),
        QUARANTINED,
        "type_parses",
        "amount must be a decimal",
        "amount",
        file_name="bad.parquet",
    ),
    Case(
        "nps_of_11",
        "responses",
        lambda: text("responses", answer_numeric="11"),
        QUARANTINED,
        "nps_range",
        "0 to 10",
        "answer_numeric",
    ),
    Case(
        "answer_outside_scale",
        "responses",
        lambda: csv_text([{**VALID_ROWS["responses"][1], "answer_numeric": "7"}]),
        QUARANTINED,
        "answer_in_scale",
        "scale_max",
        "answer_numeric",
    ),
    Case(
        "question_not_in_catalog",
        "responses",
        lambda: text("responses", question_id="Q404"),
        QUARANTINED,
        "question_in_catalog",
        "must exist in survey/questions",
        "question_id",
    ),
    Case(
        "unknown_construct",
        "questions",
        lambda: csv_text(rows("questions", construct="happiness", question_id="Q10")[:1]),
        QUARANTINED,
        "allowed_values",
        "construct must be one of",
        "construct",
    ),
    Case(
        "nps_question_not_on_0_to_10",
        "questions",
        lambda: csv_text([{**VALID_ROWS["questions"][0], "question_id": "Q11", "scale_min": "1", "scale_max": "5"}]),
        QUARANTINED,
        "nps_scale",
        "an nps question is scored 0..10",
        "scale_min",
    ),
    Case(
        "rating_question_without_scale",
        "questions",
        lambda: csv_text([{**VALID_ROWS["questions"][1], "question_id": "Q12", "scale_max": ""}]),
        QUARANTINED,
        "scale_required",
        "numeric constructs need scale_min and scale_max",
        "scale_max",
    ),
    Case(
        "scale_upside_down",
        "questions",
        lambda: csv_text([{**VALID_ROWS["questions"][1], "question_id": "Q13", "scale_min": "5", "scale_max": "1"}]),
        QUARANTINED,
        "scale_order",
        "scale_max must be greater than scale_min",
        "scale_max",
    ),
    Case(
        "two_versions_of_an_account_in_one_file",
        "accounts",
        lambda: csv_text(
            [*VALID_ROWS["accounts"], {**VALID_ROWS["accounts"][0], "updated_at": "2024-03-01T00:00:00Z"}]
        ),
        LOADED_WITH_WARNINGS,
        "several_versions_in_file",
        "several versions of the same account_id in one file",
        "account_id",
    ),
    Case(
        "unknown_segment",
        "accounts",
        lambda: text("accounts", segment="SMB"),
        QUARANTINED,
        "allowed_values",
        "segment must be one of B2B, B2C",
        "segment",
    ),
    Case(
        "unknown_invoice_status",
        "invoices",
        lambda: text("invoices", status="PAID!"),
        QUARANTINED,
        "allowed_values",
        "status must be one of",
        "status",
    ),
    Case(
        "duplicate_key_in_file",
        "invoices",
        lambda: csv_text(VALID_ROWS["invoices"] + VALID_ROWS["invoices"][:1]),
        QUARANTINED,
        "key_unique",
        "invoice_id is the key",
        "invoice_id",
    ),
    Case(
        "duplicate_key_but_for_spaces",
        "invoices",
        lambda: csv_text(VALID_ROWS["invoices"] + [{**VALID_ROWS["invoices"][0], "invoice_id": " I1 "}]),
        QUARANTINED,
        "key_unique",
        "invoice_id is the key",
        "invoice_id",
    ),
    Case(
        "end_before_start",
        "subscriptions",
        lambda: text("subscriptions", end_date="2023-12-31"),
        QUARANTINED,
        "end_after_start",
        "end_date must be on or after start_date",
        "end_date",
    ),
    Case(
        "negative_mrr",
        "subscriptions",
        lambda: text("subscriptions", mrr="-5"),
        QUARANTINED,
        "range",
        "mrr must be zero or positive",
        "mrr",
    ),
    Case(
        "non_positive_rate",
        "fx_rates",
        lambda: csv_text([{"rate_date": "2024-02-01", "currency": "USD", "rate": "0"}]),
        QUARANTINED,
        "range",
        "rate must be greater than 0",
        "rate",
    ),
    Case(
        "unknown_currency",
        "invoices",
        lambda: text("invoices", currency="EUU"),
        QUARANTINED,
        "iso_currency",
        "ISO 4217",
        "currency",
    ),
    Case(
        "date_far_in_future",
        "invoices",
        lambda: text("invoices", invoice_date="2099-01-31"),
        QUARANTINED,
        "date_sane",
        "one year from today",
        "invoice_date",
    ),
    Case(
        "date_in_year_0001",
        "subscriptions",
        lambda: text("subscriptions", start_date="0001-01-01"),
        QUARANTINED,
        "date_sane",
        "between 1900-01-01",
        "start_date",
    ),
    Case(
        "required_value_missing",
        "invoices",
        lambda: text("invoices", account_id=""),
        QUARANTINED,
        "required_not_null",
        "account_id is required",
        "account_id",
    ),
    Case(
        "required_value_blank",
        "invoices",
        lambda: text("invoices", account_id="   "),
        QUARANTINED,
        "required_not_null",
        "account_id is required",
        "account_id",
    ),
    Case(
        "jsonl_required_value_empty_string",
        "invoices",
        lambda: "".join(json.dumps({**r, "invoice_id": ""}) + "\n" for r in VALID_ROWS["invoices"][:1]),
        QUARANTINED,
        "required_not_null",
        "invoice_id is required",
        "invoice_id",
        file_name="bad.jsonl",
    ),
    Case(
        "required_typed_value_missing",
        "invoices",
        lambda: text("invoices", amount=""),
        QUARANTINED,
        "required_not_null",
        "amount is required",
        "amount",
    ),
    Case(
        "truncated_gzip",
        "invoices",
        lambda: gzip.compress(INVOICES.encode())[:-20],
        QUARANTINED,
        "parse",
        "decompress",
        file_name="bad.csv.gz",
    ),
    Case(
        "jsonl_broken_line",
        "invoices",
        lambda: json.dumps(VALID_ROWS["invoices"][0]) + '\n{"invoice_id": "I2", "amount": \n',
        QUARANTINED,
        "parse",
        "cannot be read",
        file_name="bad.jsonl",
    ),
    Case(
        "not_really_parquet",
        "invoices",
        lambda: b"PAR1 this is not a parquet file",
        QUARANTINED,
        "parse",
        "parquet file cannot be read",
        file_name="bad.parquet",
    ),
    Case(
        "duplicate_header_column",
        "invoices",
        lambda: INVOICES.replace("status", "amount", 1),
        QUARANTINED,
        "header",
        "appears twice",
        "amount",
    ),
    Case(
        "parquet_duplicate_column",
        "invoices",
        lambda: _parquet_with_columns(
            ["invoice_id", "account_id", "invoice_date", "currency", "amount", "status", "amount"]
        ),
        QUARANTINED,
        "header",
        "appears twice",
        "amount",
        file_name="bad.parquet",
    ),
    Case(
        "jsonl_keys_differing_in_case",
        "invoices",
        lambda: "".join(json.dumps({**r, "Amount": "1.00"}) + "\n" for r in VALID_ROWS["invoices"]),
        QUARANTINED,
        "header",
        "appears twice",
        "amount",
        file_name="bad.jsonl",
    ),
    Case(
        "unknown_account_reference",
        "invoices",
        lambda: text("invoices", account_id="A404"),
        LOADED_WITH_WARNINGS,
        "account_exists",
        "not (yet) in crm/accounts",
        "account_id",
    ),
    Case(
        "unknown_country",
        "accounts",
        lambda: text("accounts", account_id="A7", country="Finland"),
        LOADED_WITH_WARNINGS,
        "iso_country",
        "ISO 3166-1",
        "country",
    ),
    Case(
        "optional_column_missing",
        "accounts",
        lambda: without("accounts", "industry"),
        LOADED_WITH_WARNINGS,
        "column_exists",
        "'industry' is missing",
        "industry",
    ),
    Case(
        "rate_with_more_decimals_than_kept",
        "fx_rates",
        lambda: csv_text([{"rate_date": "2024-02-01", "currency": "GBP", "rate": "0.85678"}]),
        LOADED_WITH_WARNINGS,
        "decimal_rounded",
        "rate has more than 4 decimal places",
        "rate",
    ),
    Case(
        "parquet_amount_with_more_decimals_than_kept",
        "invoices",
        lambda: parquet("invoices", amount=pa.array([100.0, 2.123456])),
        LOADED_WITH_WARNINGS,
        "decimal_rounded",
        "amount has more than 4 decimal places",
        "amount",
        file_name="bad.parquet",
    ),
    Case(
        "currency_without_rate",
        "invoices",
        lambda: text("invoices", currency="NOK"),
        LOADED_WITH_WARNINGS,
        "fx_rate_exists",
        "no rate for this currency",
        "currency",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(baseline, case: Case):
    settings = baseline
    before = warehouse_snapshot(settings)
    content = case.content()
    path = drop(settings, case.entity, case.file_name, content)

    results = ingest(settings)

    assert len(results) == 1
    result = results[0]
    assert result.status == case.status, result.reason
    assert result.rows_in == result.rows_loaded + result.rows_rejected
    matching = [f for f in result.findings if f.rule == case.rule]
    assert matching, [f.summary() for f in result.findings]
    finding = matching[0]
    assert case.says in finding.message, finding.message
    if case.column:
        assert finding.column == case.column
    if case.rule == "type_parses":  # a value that is there but does not parse is not also "missing"
        assert [f.summary() for f in result.findings if f.rule == "required_not_null"] == []
    row = ledger(settings)[-1]
    assert (row["status"], row["rows_in"], row["rows_loaded"], row["rows_rejected"]) == (
        result.status,
        result.rows_in,
        result.rows_loaded,
        result.rows_rejected,
    )
    after = warehouse_snapshot(settings)
    if case.status == QUARANTINED:
        assert after == before
        assert result.rows_loaded == 0
        kept = settings.quarantine / result.load_id
        assert (kept / path.name).read_bytes() == path.read_bytes()
        report = json.loads((kept / "report.json").read_text())
        assert case.rule in {f["rule"] for f in report["findings"]}
        assert report["file_path"] == f"{ENTITIES[case.entity].folder}/{case.file_name}"
        # A finding about rows names them: row numbers and values.
        if finding.unexpected_count:
            assert finding.examples and finding.examples[0]["row"] is not None
        if case.name == "date_in_year_0001":
            assert finding.examples == [{"row": 1, "value": "0001-01-01"}]
    else:
        assert result.rows_loaded == result.rows_in > 0
        added = len(after[case.entity]) - len(before[case.entity])
        assert added == result.rows_loaded
    assert ingest(settings) == []  # handled once: not retried until the content changes


def test_catalog_covers_every_rule_of_the_committed_suites():
    """Each rule a suite can report (error or warning) has a case, so a rule that stops firing is noticed;
    the rules the readers raise before any suite runs (parse, encoding, header, ...) have cases too."""
    suite_rules = {
        expectation["meta"]["rule"]
        for path in sorted(SUITES_DIR.glob("*.json"))
        for expectation in json.loads(path.read_text(encoding="utf-8"))["expectations"]
    }
    assert len(suite_rules) > 15
    assert suite_rules - {case.rule for case in CASES} == set()
    assert {"parse", "encoding", "header", "delimiter", "empty_file", "no_rows"} <= {case.rule for case in CASES}
    assert len({case.name for case in CASES}) == len(CASES)  # ids are unique: no case shadows another


@pytest.mark.parametrize(
    "bad_row, says",
    [
        ("C2,A1,aino.bad@example.com,Aino Virtanen,cfo,extra,2024-01-01,2024-01-01", "Found: 8"),
        ('C2,A1,aino.bad@example.com,"Aino Virtanen,cfo,2024-01-01,2024-01-01', "unterminated quote"),
    ],
    ids=["too_many_fields", "open_quote"],
)
def test_an_unreadable_contacts_row_is_named_by_line_not_repeated(baseline, caplog, bad_row: str, says: str):
    """DuckDB's CSV error repeats the offending line. From crm/contacts that is an e-mail address and a
    name, which would then sit in the ledger (published with the serving snapshot), the log and the
    report: the line number and what is wrong with it are enough to find it in the file."""
    path = drop(baseline, "contacts", "contacts.csv", text("contacts") + bad_row + "\n")

    result = ingest(baseline)[0]

    assert (result.status, result.findings[0].rule) == (QUARANTINED, "parse")
    assert "Line: 3" in result.reason and says in result.reason, result.reason
    kept = (baseline.quarantine / result.load_id / "report.json").read_text(encoding="utf-8")
    row = ledger(baseline)[-1]
    for where in (result.reason, json.dumps(row, default=str), kept, caplog.text):
        assert "aino.bad@example.com" not in where and "Virtanen" not in where
    assert (
        baseline.quarantine / result.load_id / path.name
    ).read_bytes() == path.read_bytes()  # the file itself is kept whole


@pytest.mark.parametrize(
    "name, content",
    [
        ("broken.jsonl", json.dumps(VALID_ROWS["invoices"][0]) + '\n{"invoice_id": "I2", "amount": \n'),
        ("broken.parquet", b"PAR1 this is not a parquet file PAR1"),
    ],
)
def test_a_reader_error_names_the_landed_file_not_the_link_it_was_read_through(baseline, name: str, content):
    """The file is read through a symlink with a plain name in a temporary folder (glob characters stay
    data); DuckDB's message names the path it was given, which is gone when the user reads it. Nor does
    the message point into our SQL or give CSV advice for a Parquet or JSON file."""
    drop(baseline, "invoices", name, content)
    result = ingest(baseline)[0]
    assert (result.status, result.findings[0].rule) == (QUARANTINED, "parse")
    message = result.findings[0].message
    assert "arvo-ingest-" not in message, message
    assert "select" not in message and "a quote left open" not in message, message  # no SQL, no CSV advice
    if "file" in message.split("cannot be read:")[1]:  # where DuckDB names a file, it is the landed one
        assert f"revenue/invoices/{name}" in message, message


def test_an_e_mail_address_in_a_failing_value_is_not_shown(baseline):
    """Findings show the failing values, and they go to the ledger (published with the serving
    snapshot), the log and `arvo ingest`. When an export shifts columns, those values can be e-mail
    addresses: the row number is shown, the address is not."""
    shifted = rows("contacts", created_at="aino.shifted@example.com")
    drop(baseline, "contacts", "contacts.csv", csv_text(shifted))

    result = ingest(baseline)[0]

    finding = next(f for f in result.findings if f.rule == "type_parses")
    assert finding.column == "created_at" and finding.examples[0]["row"] == 1
    row = ledger(baseline)[-1]
    kept = (baseline.quarantine / result.load_id / "report.json").read_text(encoding="utf-8")
    for where in (
        result.reason,
        json.dumps(row, default=str),
        kept,
        json.dumps([f.to_dict() for f in result.findings]),
    ):
        assert "aino.shifted@example.com" not in where


def test_a_json_object_that_cannot_be_read_is_named_by_line_not_quoted(baseline):
    """DuckDB's JSON reader quotes the start of an object it refuses (a key given twice): from
    crm/contacts, an e-mail address. Like a CSV line, it is named by its line, not repeated."""
    contact = {"email": "aino.json@example.com", **VALID_ROWS["contacts"][0]}
    contact["email"] = "aino.json@example.com"
    line = json.dumps(contact, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"role":"cfo"}'  # "role" twice
    drop(baseline, "contacts", "contacts.jsonl", line + "\n")

    result = ingest(baseline)[0]

    assert (result.status, result.findings[0].rule) == (QUARANTINED, "parse")
    assert "line 1" in result.reason and 'duplicate key "role"' in result.reason, result.reason
    row = ledger(baseline)[-1]
    assert "aino.json@example.com" not in json.dumps(row, default=str)
