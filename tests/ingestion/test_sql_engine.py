"""The SQL engine runs the GX suites with GX's own semantics: both engines agree on every rule.

Each entity gets a messy batch (every column blanked, garbled, out of range, far in the past and the
future, unknown values, repeated keys) on top of its valid rows; the findings of the SQL engine
(`ingestion.guard.check`) must equal those of Great Expectations on pandas over the same batch: rule,
severity, column, count, percentage, example rows and values.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from expectations.runner import default_parameters, default_runner, runnable_expectations, suite_document
from expectations.sql import compile_expectation
from ingestion import guard
from ingestion.contract import ENTITIES
from ingestion.files import LandedFile
from ingestion.readers import stage
from ingestion.warehouse import connect

from .conftest import VALID_ROWS, csv_text, drop

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d([ T]\d\d:\d\d:\d\d)?$")
MUTATIONS = ("", "garbage", "-1", "0", "11", "7", "0001-01-01", "2099-12-31", "XXX", "nps", "comment", "A404")


def messy_rows(entity: str) -> list[dict[str, str]]:
    """The valid rows, every column of the first row set to each mutation in turn, then the valid rows
    again (repeated keys)."""
    valid = VALID_ROWS[entity]
    rows = [dict(r) for r in valid]
    for column in valid[0]:
        for value in MUTATIONS:
            rows.append({**valid[0], column: value})
    return rows + [dict(r) for r in valid]


def comparable(findings: list[Any]) -> list[tuple]:
    """What both engines must agree on. Presentation aside: a timestamp is ISO with `T` or a space;
    pandas shows a date as a midnight timestamp, a missing one as 'NaT', and one outside its
    nanosecond range as the clamped bound (the guard clamps dates for GX)."""

    def value(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        if v == "NaT":
            return None
        if isinstance(v, str) and TIMESTAMP.match(v):
            v = v.replace(" ", "T").removesuffix("T00:00:00")
            return v if "1677-09-22" < v < "2262-04-11" else "outside pandas' range"
        return v

    return sorted(
        (
            f.rule,
            f.severity,
            f.column,
            f.expectation,
            f.message,
            f.unexpected_count,
            None if f.unexpected_percent is None else round(f.unexpected_percent, 9),
            tuple((e["row"], repr(value(e["value"]))) for e in f.examples),
        )
        for f in findings
    )


def engines(settings, entity: str, content: str, suite: dict[str, Any] | None = None):
    """(SQL engine findings, GX findings) for one file staged the way the pipeline stages it."""
    path = drop(settings, entity, "messy.csv", content)
    stat = path.stat()
    landed = LandedFile(ENTITIES[entity], path, stat.st_size, stat.st_mtime, stat.st_ctime_ns)
    con = connect(settings)
    try:
        staged = stage(con, landed)
        parameters = default_parameters()
        by_sql = guard.check(con, ENTITIES[entity], staged, parameters, suite)
        frame = guard.batch_frame(con, ENTITIES[entity], staged.columns)
        present = set(frame.columns) - {"_row_number"}
        expectations = runnable_expectations(suite or suite_document(entity), present)
        by_gx = default_runner().validate(entity, frame, parameters, expectations)
        guard._original_dates(con, by_gx)
        return by_sql, by_gx
    finally:
        con.close()


def test_every_committed_expectation_runs_as_sql():
    """What the SQL engine cannot compile falls back to GX on a pandas copy of every file, which made a
    medium ingest of invoices ~3x slower when one row condition slipped through: none of the committed
    suites may need it."""
    parameters = default_parameters()
    fallback = [
        (entity, e["meta"]["rule"], e["kwargs"].get("column"))
        for entity in sorted(ENTITIES)
        for e in suite_document(entity)["expectations"]
        if e["type"] != "expect_column_to_exist" and compile_expectation(e, parameters) is None
    ]
    assert fallback == []


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_sql_engine_agrees_with_great_expectations(baseline, entity: str):
    by_sql, by_gx = engines(baseline, entity, csv_text(messy_rows(entity)))
    assert len(by_gx) >= 3, "the messy batch must break several rules"
    assert comparable(by_sql) == comparable(by_gx)


@pytest.mark.parametrize("entity", ["invoices", "questions"])
def test_engines_agree_when_optional_columns_are_absent(baseline, entity: str):
    required = list(ENTITIES[entity].required)
    rows = [{k: v for k, v in r.items() if k in required} for r in messy_rows(entity)]
    by_sql, by_gx = engines(baseline, entity, csv_text(rows))
    assert {f.rule for f in by_gx} >= {"column_exists"}
    assert comparable(by_sql) == comparable(by_gx)


def test_engines_agree_on_row_conditions(baseline):
    """Uniqueness, sets and ranges restricted by a row condition count only the rows it selects."""
    suite = copy.deepcopy(suite_document("accounts"))
    for condition in ('segment=="B2B"', 'segment!="B2B"'):
        where = {"row_condition": condition, "condition_parser": "pandas"}
        meta = {"severity": "warning", "rule": f"only {condition}", "column": "account_id", "fix": "test"}
        suite["expectations"] += [
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "account_id", **where}, "meta": meta},
            {
                "type": "expect_compound_columns_to_be_unique",
                "kwargs": {"column_list": ["account_id", "country"], **where},
                "meta": meta,
            },
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "country", "value_set": ["FI"], **where},
                "meta": meta,
            },
        ]
    # A88 is repeated across the condition only: unique within each side.
    once_each = [{**VALID_ROWS["accounts"][0], "account_id": "A88", "segment": s} for s in ("B2B", "B2C")]
    by_sql, by_gx = engines(baseline, "accounts", csv_text(messy_rows("accounts") + once_each), suite)
    assert len([f for f in by_gx if f.rule.startswith("only")]) == 6
    assert comparable(by_sql) == comparable(by_gx)


def test_an_expectation_the_sql_engine_does_not_compile_runs_in_great_expectations(baseline):
    """Any GX expectation added to a suite works: what SQL cannot run, GX runs on pandas."""
    suite = copy.deepcopy(suite_document("accounts"))
    suite["expectations"].append(
        {
            "type": "expect_column_value_lengths_to_be_between",
            "kwargs": {"column": "account_id", "max_value": 3},
            "meta": {"severity": "error", "rule": "id_length", "column": "account_id", "fix": "ids are short"},
        }
    )
    rows = [*VALID_ROWS["accounts"], {**VALID_ROWS["accounts"][0], "account_id": "A-much-too-long"}]
    by_sql, _ = engines(baseline, "accounts", csv_text(rows), suite)
    [length] = [f for f in by_sql if f.rule == "id_length"]
    assert length.severity == "error" and length.unexpected_count == 1
    assert length.examples == [{"row": 3, "value": "A-much-too-long"}]
