"""Write the committed GX suites (`expectations/suites/<entity>.json`) from the landing contract.

The suites are data that reviewers read and diff; this module is how they are (re)generated so they
never drift from `ingestion/contract.py` (a test compares the two). Run: `python -m expectations.build`.

Every expectation carries `meta`: `severity` (`error` quarantines the file, `warning` loads it and
records the finding), `rule` (a stable name shown to users), `column`, and `fix` (what to do).
Columns the guard derives before validation:
- `<column>__unparsed`: the original text of a typed column where it did not parse.
- `<column>__rounded`: the original value of a decimal column where it has more decimal places than
  raw keeps (`DECIMAL_SCALE`).
- `_question_construct`, `_scale_min`, `_scale_max`, `_question_unknown`: the response's question
  looked up in the catalog (warehouse plus files loaded earlier in the same run).
- `_account_unknown`: the referenced account_id where no such account is in the warehouse.
- `_currency_without_rate`: a non-EUR currency with no rate in raw.fx_rates.
Parameters supplied at validation time: `min_date`, `max_date` (today + 366 days).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from expectations.reference import ISO_3166_ALPHA2, ISO_4217_CURRENCIES
from ingestion.contract import CONSTRUCTS, DECIMAL_SCALE, ENTITIES, INVOICE_STATUSES, SEGMENTS, Entity

SUITES_DIR = Path(__file__).resolve().parent / "suites"
ERROR, WARNING = "error", "warning"

# Columns that reference an account and the warehouse check on them (warning level).
ACCOUNT_REFERENCES = ("contacts", "deals", "responses", "invoices", "subscriptions")
CURRENCY_SEVERITY = {"invoices": ERROR, "subscriptions": ERROR, "fx_rates": ERROR, "deals": WARNING}
FX_CHECKED = ("invoices", "subscriptions", "deals")
# Date-like columns that may legitimately lie far ahead (a contract end) are not bounded above.
NO_FUTURE_BOUND = {"end_date"}


def _expect(type_: str, severity: str, rule: str, fix: str, about: str, **kwargs: Any) -> dict[str, Any]:
    """One expectation; `about` is the contract column the user should look at."""
    meta: dict[str, Any] = {"severity": severity, "rule": rule, "column": about, "fix": fix}
    if "row_condition" in kwargs:
        # The column the condition reads must be in the batch too (the runner checks `needs`).
        meta["needs"] = [re.match(r"\w+", kwargs["row_condition"]).group(0)]
    return {"type": type_, "kwargs": kwargs, "meta": meta}


def _schema_and_types(entity: Entity) -> list[dict[str, Any]]:
    out = []
    for c in entity.columns:
        severity = ERROR if c.required else WARNING
        out.append(
            _expect(
                "expect_column_to_exist",
                severity,
                "column_exists",
                f"add the column {c.name!r} to the header (check its spelling)"
                + ("" if c.required else "; it is optional, so the file loads with nulls"),
                c.name,
                column=c.name,
            )
        )
    for c in entity.columns:
        if c.type != "text":
            out.append(
                _expect(
                    "expect_column_values_to_be_null",
                    ERROR,
                    "type_parses",
                    f"{c.name} must be a {c.type} ({_type_hint(c.type)})",
                    c.name,
                    column=f"{c.name}__unparsed",
                )
            )
    for c in entity.columns:
        if c.type == "decimal":
            out.append(
                _expect(
                    "expect_column_values_to_be_null",
                    WARNING,
                    "decimal_rounded",
                    f"{c.name} has more than {DECIMAL_SCALE} decimal places and is stored rounded to "
                    f"{DECIMAL_SCALE}; round it in the export if that is meant, or tell the warehouse team",
                    c.name,
                    column=f"{c.name}__rounded",
                )
            )
    for c in entity.columns:
        if c.required:
            # A typed value that did not parse is null too, but type_parses already names it with its
            # text: only a value missing from the file is reported as missing.
            given = (
                {}
                if c.type == "text"
                else {"row_condition": f"{c.name}__unparsed.isnull()", "condition_parser": "pandas"}
            )
            out.append(
                _expect(
                    "expect_column_values_to_not_be_null",
                    ERROR,
                    "required_not_null",
                    f"{c.name} is required: fill it in on every row",
                    c.name,
                    column=c.name,
                    **given,
                )
            )
    return out


def _type_hint(type_: str) -> str:
    return {
        "date": "ISO 8601 like 2024-01-31",
        "timestamp": "ISO 8601 like 2024-01-31T12:00:00 or with a zone, 2024-01-31T12:00:00+02:00",
        "decimal": "a number with a dot as decimal separator, no thousands separator",
        "int": "a whole number",
        "bool": "true or false",
    }[type_]


def _keys(entity: Entity) -> list[dict[str, Any]]:
    key = list(entity.key)
    out = []
    if entity.versioned_by:
        versioned = [*key, entity.versioned_by]
        out.append(
            _expect(
                "expect_compound_columns_to_be_unique",
                ERROR,
                "key_unique",
                f"each ({', '.join(versioned)}) may appear once per file: remove the repeated rows",
                ",".join(versioned),
                column_list=versioned,
            )
        )
        out.append(
            _expect(
                "expect_compound_columns_to_be_unique" if len(key) > 1 else "expect_column_values_to_be_unique",
                WARNING,
                "several_versions_in_file",
                f"several versions of the same {', '.join(key)} in one file: all are kept, the latest "
                f"{entity.versioned_by} wins downstream",
                ",".join(key),
                **({"column_list": key} if len(key) > 1 else {"column": key[0]}),
            )
        )
    elif len(key) == 1:
        out.append(
            _expect(
                "expect_column_values_to_be_unique",
                ERROR,
                "key_unique",
                f"{key[0]} is the key: each value may appear once per file; remove the duplicate rows",
                key[0],
                column=key[0],
            )
        )
    else:
        out.append(
            _expect(
                "expect_compound_columns_to_be_unique",
                ERROR,
                "key_unique",
                f"({', '.join(key)}) is the key: each combination may appear once per file",
                ",".join(key),
                column_list=key,
            )
        )
    return out


def _dates(entity: Entity) -> list[dict[str, Any]]:
    out = []
    for c in entity.columns:
        if c.type not in ("date", "timestamp"):
            continue
        bounds: dict[str, Any] = {"min_value": {"$PARAMETER": "min_date"}}
        if c.name not in NO_FUTURE_BOUND:
            bounds["max_value"] = {"$PARAMETER": "max_date"}
        out.append(
            _expect(
                "expect_column_values_to_be_between",
                ERROR,
                "date_sane",
                f"{c.name} must lie between 1900-01-01 and one year from today; check the date format "
                "(a two-digit year, or month/day swapped)",
                c.name,
                column=c.name,
                **bounds,
            )
        )
    return out


def _in_set(severity: str, rule: str, column: str, values: tuple[str, ...], fix: str) -> dict[str, Any]:
    return _expect(
        "expect_column_values_to_be_in_set", severity, rule, fix, column, column=column, value_set=list(values)
    )


def _values(entity: Entity) -> list[dict[str, Any]]:
    names = set(entity.column_names)
    out = []
    if "segment" in names:
        out.append(
            _in_set(
                ERROR,
                "allowed_values",
                "segment",
                SEGMENTS,
                f"segment must be one of {', '.join(SEGMENTS)} (upper case)",
            )
        )
    if "construct" in names:
        out.append(
            _in_set(
                ERROR, "allowed_values", "construct", CONSTRUCTS, f"construct must be one of: {', '.join(CONSTRUCTS)}"
            )
        )
    if entity.name == "invoices":
        fix = f"status must be one of {', '.join(INVOICE_STATUSES)} (lower case)"
        out.append(_in_set(ERROR, "allowed_values", "status", INVOICE_STATUSES, fix))
    if "currency" in names:
        fix = "currency must be an ISO 4217 code in upper case, like EUR, SEK, USD"
        out.append(_in_set(CURRENCY_SEVERITY[entity.name], "iso_currency", "currency", ISO_4217_CURRENCIES, fix))
    if "country" in names:
        fix = "country must be an ISO 3166-1 alpha-2 code in upper case, like FI, SE, DE"
        out.append(_in_set(WARNING, "iso_country", "country", ISO_3166_ALPHA2, fix))
    return out


def _ranges(entity: Entity) -> list[dict[str, Any]]:
    out = []
    if entity.name == "subscriptions":
        out.append(
            _expect(
                "expect_column_values_to_be_between",
                ERROR,
                "range",
                "mrr must be zero or positive (a cancelled subscription has an end_date, not a negative mrr)",
                "mrr",
                column="mrr",
                min_value=0,
            )
        )
        out.append(
            _expect(
                "expect_column_pair_values_a_to_be_greater_than_b",
                ERROR,
                "end_after_start",
                "end_date must be on or after start_date (leave it empty while the subscription runs)",
                "end_date",
                column_A="end_date",
                column_B="start_date",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        )
    if entity.name == "fx_rates":
        out.append(
            _expect(
                "expect_column_values_to_be_between",
                ERROR,
                "range",
                "rate must be greater than 0 (units of currency per 1 EUR)",
                "rate",
                column="rate",
                min_value=0,
                strict_min=True,
            )
        )
    if entity.name == "deals":
        out.append(
            _expect(
                "expect_column_values_to_be_between",
                ERROR,
                "range",
                "amount must be zero or positive",
                "amount",
                column="amount",
                min_value=0,
            )
        )
    if entity.name == "questions":
        out += _question_rules()
    if entity.name == "responses":
        out += _response_rules()
    return out


def _question_rules() -> list[dict[str, Any]]:
    nps = 'construct=="nps"'
    numeric = 'construct!="comment"'
    return [
        _expect(
            "expect_column_values_to_be_between",
            ERROR,
            "nps_scale",
            "an nps question is scored 0..10: set scale_min 0",
            "scale_min",
            column="scale_min",
            min_value=0,
            max_value=0,
            row_condition=nps,
            condition_parser="pandas",
        ),
        _expect(
            "expect_column_values_to_be_between",
            ERROR,
            "nps_scale",
            "an nps question is scored 0..10: set scale_max 10",
            "scale_max",
            column="scale_max",
            min_value=10,
            max_value=10,
            row_condition=nps,
            condition_parser="pandas",
        ),
        _expect(
            "expect_column_values_to_not_be_null",
            ERROR,
            "scale_required",
            "numeric constructs need scale_min and scale_max",
            "scale_min",
            column="scale_min",
            row_condition=numeric,
            condition_parser="pandas",
        ),
        _expect(
            "expect_column_values_to_not_be_null",
            ERROR,
            "scale_required",
            "numeric constructs need scale_min and scale_max",
            "scale_max",
            column="scale_max",
            row_condition=numeric,
            condition_parser="pandas",
        ),
        _expect(
            "expect_column_pair_values_a_to_be_greater_than_b",
            ERROR,
            "scale_order",
            "scale_max must be greater than scale_min",
            "scale_max",
            column_A="scale_max",
            column_B="scale_min",
            ignore_row_if="either_value_is_missing",
        ),
    ]


def _response_rules() -> list[dict[str, Any]]:
    return [
        _expect(
            "expect_column_values_to_be_null",
            ERROR,
            "question_in_catalog",
            "every answer's (survey_id, question_id) must exist in survey/questions: deliver the catalog "
            "first (or in the same run) and then this file again (touch it or copy it anew), or correct the ids",
            "question_id",
            column="_question_unknown",
        ),
        _expect(
            "expect_column_values_to_be_between",
            ERROR,
            "nps_range",
            "an NPS answer must be from 0 to 10",
            "answer_numeric",
            column="answer_numeric",
            min_value=0,
            max_value=10,
            row_condition='_question_construct=="nps"',
            condition_parser="pandas",
        ),
        _expect(
            "expect_column_pair_values_a_to_be_greater_than_b",
            ERROR,
            "answer_in_scale",
            "answer_numeric must not exceed its question's scale_max",
            "answer_numeric",
            column_A="_scale_max",
            column_B="answer_numeric",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        _expect(
            "expect_column_pair_values_a_to_be_greater_than_b",
            ERROR,
            "answer_in_scale",
            "answer_numeric must not be below its question's scale_min",
            "answer_numeric",
            column_A="answer_numeric",
            column_B="_scale_min",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]


def _warehouse(entity: Entity) -> list[dict[str, Any]]:
    out = []
    if entity.name in ACCOUNT_REFERENCES:
        out.append(
            _expect(
                "expect_column_values_to_be_null",
                WARNING,
                "account_exists",
                "account_id refers to an account not (yet) in crm/accounts: deliver the account, or "
                "correct the id; the row is loaded but will not join to a customer",
                "account_id",
                column="_account_unknown",
            )
        )
    if entity.name in FX_CHECKED:
        out.append(
            _expect(
                "expect_column_values_to_be_null",
                WARNING,
                "fx_rate_exists",
                "no rate for this currency in revenue/fx_rates: deliver rates, or amounts cannot be converted to EUR",
                "currency",
                column="_currency_without_rate",
            )
        )
    return out


def suite_for(entity: Entity) -> dict[str, Any]:
    """The suite of one entity as a GX 1.x suite JSON document."""
    expectations = (
        _schema_and_types(entity) + _keys(entity) + _dates(entity) + _values(entity) + _ranges(entity)
    ) + _warehouse(entity)
    return {
        "name": entity.name,
        "meta": {"generated_by": "python -m expectations.build", "entity": entity.raw_table},
        "expectations": expectations,
    }


def render(entity: Entity) -> str:
    return json.dumps(suite_for(entity), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    SUITES_DIR.mkdir(parents=True, exist_ok=True)
    for entity in ENTITIES.values():
        (SUITES_DIR / f"{entity.name}.json").write_text(render(entity), encoding="utf-8")


if __name__ == "__main__":
    main()
