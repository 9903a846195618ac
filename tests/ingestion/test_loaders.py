"""Each loader (CSV, CSV.gz, Parquet, JSON Lines) lands typed rows, extras and lineage the same way."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from decimal import Decimal

import duckdb
import pytest

from ingestion.results import LOADED
from ingestion.warehouse import connect

from .conftest import VALID_ROWS, csv_text, drop, ingest

EXPECTED = [
    ("I1", "A1", dt.date(2024, 1, 31), "EUR", Decimal("100.0000"), "paid", "north", 1),
    ("I2", "A1", dt.date(2024, 2, 29), "SEK", Decimal("-25.5000"), "open", "south", 2),
]


def _rows() -> list[dict[str, str]]:
    return [{**r, "region": region} for r, region in zip(VALID_ROWS["invoices"], ("north", "south"), strict=True)]


def _write_csv(settings):
    return drop(settings, "invoices", "inv.csv", csv_text(_rows()))


def _write_csv_gz(settings):
    return drop(settings, "invoices", "inv.csv.gz", gzip.compress(csv_text(_rows()).encode()))


def _write_csv_gz_upper_case(settings):
    """Suffixes are matched in any case (`.CSV.GZ` from a Windows export) and must read the same way."""
    return drop(settings, "invoices", "INV.CSV.GZ", gzip.compress(csv_text(_rows()).encode()))


def _write_jsonl(settings):
    lines = []
    for row in _rows():
        typed = {**row, "amount": float(row["amount"])}  # numbers as JSON numbers
        lines.append(json.dumps(typed, ensure_ascii=False))
    return drop(settings, "invoices", "inv.jsonl", "\n".join(lines) + "\n")


def _write_parquet(settings):
    path = drop(settings, "invoices", "inv.parquet", b"")
    con = duckdb.connect()
    con.execute(
        "copy (select * from (values "
        "('I1', 'A1', date '2024-01-31', 'EUR', 100.00::decimal(12,2), 'paid', 'north'), "
        "('I2', 'A1', date '2024-02-29', 'SEK', -25.50::decimal(12,2), 'open', 'south')) "
        "t(invoice_id, account_id, invoice_date, currency, amount, status, region)) to ? (format parquet)",
        [str(path)],
    )
    con.close()
    return path


@pytest.mark.parametrize(
    "writer",
    [_write_csv, _write_csv_gz, _write_csv_gz_upper_case, _write_jsonl, _write_parquet],
    ids=["csv", "csv.gz", "CSV.GZ", "jsonl", "parquet"],
)
def test_loader_types_rows_and_keeps_lineage(baseline, writer):
    path = writer(baseline)
    result = ingest(baseline)[0]
    assert result.status == LOADED, result.reason
    assert (result.rows_in, result.rows_loaded) == (2, 2)
    con = connect(baseline)
    got = con.execute(
        "select invoice_id, account_id, invoice_date, currency, amount, status, region, _row_number "
        "from raw.invoices order by _row_number"
    ).fetchall()
    lineage = con.execute("select distinct _source_file, _file_sha256, _load_id from raw.invoices").fetchall()
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'invoices'"
        ).fetchall()
    )
    con.close()
    assert got == EXPECTED
    assert lineage == [(f"revenue/invoices/{path.name}", result.sha256, result.load_id)]
    assert types["amount"] == "DECIMAL(18,4)" and types["invoice_date"] == "DATE" and types["region"] == "VARCHAR"


def test_timestamps_with_offsets_are_stored_as_utc(settings):
    rows = [
        {**VALID_ROWS["accounts"][0], "created_at": "2024-03-31T02:30:00+03:00"},
        {**VALID_ROWS["accounts"][1], "created_at": "2024-03-30T23:30:00Z"},
    ]
    drop(settings, "accounts", "a.csv", csv_text(rows))
    assert ingest(settings)[0].status == LOADED
    con = connect(settings)
    got = con.execute("select created_at from raw.accounts order by account_id").fetchall()
    con.close()
    assert got == [(dt.datetime(2024, 3, 30, 23, 30),), (dt.datetime(2024, 3, 30, 23, 30),)]


def test_timestamps_to_the_minute_with_a_zone_are_iso_8601_too(settings):
    """ISO 8601 lets a time stop at the minute, with or without a zone; DuckDB parses `10:00` but not
    `10:00Z` or `10:00+02:00`, which are as valid per the contract."""
    rows = [
        {**VALID_ROWS["accounts"][0], "created_at": "2024-03-31T02:30+03:00", "updated_at": "2024-03-31T02:30"},
        {**VALID_ROWS["accounts"][1], "created_at": "2024-03-30T23:30Z", "updated_at": "2024-03-31 01:30+0200"},
    ]
    drop(settings, "accounts", "a.csv", csv_text(rows))
    result = ingest(settings)[0]
    assert result.status == LOADED, result.reason
    con = connect(settings)
    got = con.execute("select created_at, updated_at from raw.accounts order by account_id").fetchall()
    con.close()
    assert got == [
        (dt.datetime(2024, 3, 30, 23, 30), dt.datetime(2024, 3, 31, 2, 30)),
        (dt.datetime(2024, 3, 30, 23, 30), dt.datetime(2024, 3, 30, 23, 30)),
    ]


def test_parquet_with_zoned_timestamps_is_utc(settings):
    path = drop(settings, "accounts", "a.parquet", b"")
    con = duckdb.connect()
    con.execute("set TimeZone = 'Europe/Helsinki'")
    con.execute(
        "copy (select 'A1' account_id, 'Oy' account_name, 'B2B' segment, 'FI' country, "
        "timestamptz '2024-06-01 12:00:00+03:00' created_at, "
        "timestamptz '2024-06-01 12:00:00+03:00' updated_at) "
        "to ? (format parquet)",
        [str(path)],
    )
    con.close()
    result = ingest(settings)[0]
    assert result.status == "loaded_with_warnings"  # industry is missing: optional, a warning
    con = connect(settings)
    assert con.execute("select created_at from raw.accounts").fetchone()[0] == dt.datetime(2024, 6, 1, 9, 0)
    con.close()


def test_excel_style_csv_with_bom_crlf_and_quoted_newlines(settings):
    drop(settings, "accounts", "a.csv", "\ufeff" + csv_text(VALID_ROWS["accounts"]).replace("\n", "\r\n"))
    drop(
        settings,
        "accounts",
        "b.csv",
        "account_id,account_name,segment,industry,country,created_at,updated_at\n"
        'A5,"Multi\nline, ""quoted""",B2B,x,FI,2024-01-01,2024-01-01\nA6,B,B2C,,FI,2024-01-01,2024-01-01\n',
    )
    assert [r.status for r in ingest(settings)] == [LOADED, LOADED]
    con = connect(settings)
    got = con.execute("select account_id, account_name, country, _row_number from raw.accounts order by 1").fetchall()
    con.close()
    assert got == [
        ("A1", "Äijälä Oy", "FI", 1),
        ("A2", "Bo Ek", "SE", 2),
        ("A5", 'Multi\nline, "quoted"', "FI", 1),
        ("A6", "B", "FI", 2),
    ]


def test_csv_with_bom_and_every_field_quoted_loads(settings):
    """Excel's "CSV UTF-8" and pandas' `encoding="utf-8-sig", quoting=QUOTE_ALL` put the BOM before the
    header's first quote: the first column is still `account_id`, not `"account_id"` with its quotes."""
    header = ",".join(f'"{name}"' for name in VALID_ROWS["accounts"][0])
    body = "".join(",".join(f'"{v}"' for v in row.values()) + "\r\n" for row in VALID_ROWS["accounts"])
    drop(settings, "accounts", "excel.csv", "\ufeff" + header + "\r\n" + body)
    result = ingest(settings)[0]
    assert result.status == LOADED, result.reason
    con = connect(settings)
    got = con.execute("select account_id, account_name from raw.accounts order by 1").fetchall()
    con.close()
    assert got == [("A1", "Äijälä Oy"), ("A2", "Bo Ek")]


def test_extra_columns_named_like_engine_names_stay_data(baseline):
    """A header `rowid` or `c0` is an extra column like any other: it neither shadows DuckDB's row id
    (the row numbers) nor the reader's positional column names."""
    rows = [{**r, "rowid": f"r{i}", "c0": f"x{i}"} for i, r in enumerate(VALID_ROWS["invoices"], start=7)]
    drop(baseline, "invoices", "engine_names.csv", csv_text(rows))
    assert ingest(baseline)[0].status == LOADED
    con = connect(baseline)
    got = con.execute("select invoice_id, rowid, c0, _row_number from raw.invoices order by _row_number").fetchall()
    con.close()
    assert got == [("I1", "r7", "x7", 1), ("I2", "r8", "x8", 2)]


def test_row_numbers_follow_the_file_in_a_large_file(baseline):
    """Row numbers come from the order DuckDB keeps while reading in parallel; 200k rows span many
    row groups and reader threads."""
    header = "invoice_id,account_id,invoice_date,currency,amount,status\n"
    body = "".join(f"I{i},A1,2024-01-31,EUR,{i}.00,paid\n" for i in range(1, 200_001))
    drop(baseline, "invoices", "large.csv", header + body)
    assert ingest(baseline)[0].rows_loaded == 200_000
    con = connect(baseline)
    mismatches = con.execute(
        "select count(*) from raw.invoices where invoice_id <> 'I' || _row_number or amount <> _row_number"
    ).fetchone()[0]
    con.close()
    assert mismatches == 0


def test_parquet_column_of_the_wrong_type_is_a_type_finding(baseline):
    """Parquet columns keep their own types on the way in; one that does not convert to the contract
    type (a date stored as the integer 20240131) is reported per row with its value, like bad text."""
    path = drop(baseline, "invoices", "int_dates.parquet", b"")
    con = duckdb.connect()
    con.execute(
        "copy (select * from (values ('I1', 'A1', 20240131, 'EUR', 100.0::double), "
        "('I2', 'A1', 20240229, 'EUR', 1e30::double)) "
        "t(invoice_id, account_id, invoice_date, currency, amount)) to ? (format parquet)",
        [str(path)],
    )
    con.close()
    result = ingest(baseline)[0]
    assert result.status == "quarantined"
    by_column = {f.column: f for f in result.findings if f.rule == "type_parses"}
    assert by_column["invoice_date"].examples == [{"row": 1, "value": "20240131"}, {"row": 2, "value": "20240229"}]
    assert by_column["amount"].examples == [{"row": 2, "value": "1e+30"}]


def test_jsonl_column_mixing_strings_and_numbers_keeps_its_strings_unquoted(baseline):
    """DuckDB types a JSON field that holds strings on some lines and numbers (or objects) on others as
    JSON; cast to text, a JSON string keeps its quotes. Ids that are sometimes numeric are common in
    exports: `"A1"` must be stored as A1, not as "A1" with the quotes (which then matches no account)."""
    lines = [
        {**VALID_ROWS["invoices"][0], "amount": 100.0, "note": "first"},
        {**VALID_ROWS["invoices"][1], "invoice_id": 2, "amount": "-25.50", "note": {"by": "mail"}},
    ]
    drop(baseline, "invoices", "mixed.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    result = ingest(baseline)[0]
    assert result.status == LOADED, result.reason
    con = connect(baseline)
    got = con.execute("select invoice_id, account_id, amount, note from raw.invoices order by _row_number").fetchall()
    con.close()
    assert got == [("I1", "A1", Decimal("100.0000"), "first"), ("2", "A1", Decimal("-25.5000"), '{"by":"mail"}')]


def test_jsonl_and_parquet_extras_named_like_a_column_with_a_number_load(baseline):
    """DuckDB renames a repeated column `x` to `x_1`; a file that really has `note` and `note_1` is not
    mistaken for one with a repeated column."""
    lines = [{**r, "note": "a", "note_1": "b"} for r in VALID_ROWS["invoices"]]
    drop(baseline, "invoices", "notes.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    result = ingest(baseline)[0]
    assert result.status == LOADED, result.reason
    con = connect(baseline)
    assert con.execute("select distinct note, note_1 from raw.invoices").fetchall() == [("a", "b")]
    con.close()


def test_parquet_float_amounts_with_binary_noise_are_not_reported_as_rounded(baseline):
    """pandas writes computed amounts as float64: 0.1 + 0.2 is 0.30000000000000004. That is the binary
    spelling of 0.3, not a fifth decimal place, so it loads without a `decimal_rounded` warning; a real
    fifth place (2.12345) is still reported (tests/ingestion/test_bad_inputs.py)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = VALID_ROWS["invoices"]
    table = pa.table({name: [r[name] for r in rows] for name in rows[0]})
    table = table.set_column(table.schema.get_field_index("amount"), "amount", pa.array([0.1 + 0.2, 19.99 * 3]))
    path = drop(baseline, "invoices", "floats.parquet", b"")
    pq.write_table(table, path)
    result = ingest(baseline)[0]
    assert result.status == LOADED, result.reason
    con = connect(baseline)
    got = con.execute("select amount from raw.invoices order by _row_number").fetchall()
    con.close()
    assert got == [(Decimal("0.3000"),), (Decimal("59.9700"),)]


def test_jsonl_with_a_byte_order_mark_loads_like_csv_with_one(baseline):
    """UTF-8 with a BOM is still UTF-8 (Windows PowerShell 5 writes it so); DuckDB's JSON reader refuses
    the BOM, its CSV reader does not see it (the header line is read apart)."""
    lines = "".join(json.dumps({**r, "amount": float(r["amount"])}) + "\n" for r in VALID_ROWS["invoices"])
    path = drop(baseline, "invoices", "bom.jsonl", b"\xef\xbb\xbf" + lines.encode())
    result = ingest(baseline)[0]
    assert result.status == LOADED, result.reason
    con = connect(baseline)
    got = con.execute("select invoice_id, _row_number, _file_sha256 from raw.invoices order by 2").fetchall()
    con.close()
    assert got == [("I1", 1, result.sha256), ("I2", 2, result.sha256)]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the landed file is left as delivered
