"""The committed suites are what the contract says, and every expectation carries its severity."""

from __future__ import annotations

import json

import pandas as pd

from expectations.build import SUITES_DIR, render
from expectations.runner import default_runner
from ingestion.contract import ENTITIES


def test_committed_suites_match_the_contract():
    for entity in ENTITIES.values():
        committed = (SUITES_DIR / f"{entity.name}.json").read_text(encoding="utf-8")
        assert committed == render(entity), f"run `python -m expectations.build` ({entity.name})"


def test_every_expectation_has_severity_rule_and_fix():
    for entity in ENTITIES:
        suite = json.loads((SUITES_DIR / f"{entity}.json").read_text(encoding="utf-8"))
        for expectation in suite["expectations"]:
            meta = expectation["meta"]
            assert meta["severity"] in ("error", "warning"), expectation
            assert meta["rule"] and meta["fix"] and meta["column"], expectation


def test_runner_reports_rows_values_and_skips_checks_on_absent_columns():
    frame = pd.DataFrame(
        {
            "rate_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02"]),
            "currency": ["EUR", "XXX", "XXX"],
            "_row_number": [1, 2, 3],
        }
    )
    findings = {f.rule: f for f in default_runner().validate("fx_rates", frame)}
    assert findings["column_exists"].column == "rate" and findings["column_exists"].severity == "error"
    assert findings["iso_currency"].unexpected_count == 2
    assert findings["iso_currency"].examples == [{"row": 2, "value": "XXX"}, {"row": 3, "value": "XXX"}]
    assert findings["key_unique"].unexpected_count == 2
    assert "range" not in findings  # the rate range check cannot run without the rate column
