"""Validate a pandas batch against an entity's committed GX suite and turn the result into Findings.

GX 1.x is driven through its pandas datasource on an ephemeral context (its SQL datasource cannot
validate DuckDB tables). The context and the suites are built once per process: GX is slow to start.
An expectation whose columns are absent from the batch is not run; the `column_exists` expectation
for that column reports the problem instead.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ingestion.results import Finding

SUITES_DIR = Path(__file__).resolve().parent / "suites"
ROW_NUMBER = "_row_number"
EXAMPLES = 5

log = logging.getLogger(__name__)


MIN_DATE = pd.Timestamp("1900-01-01")
FUTURE_DAYS = 366


def default_parameters(today: date | None = None) -> dict[str, pd.Timestamp]:
    """Suite parameters: dates must lie in [1900-01-01, today + 366 days]."""
    today = today or date.today()
    return {"min_date": MIN_DATE, "max_date": pd.Timestamp(today + timedelta(days=FUTURE_DAYS))}


def load_suite_json(entity: str, suites_dir: Path = SUITES_DIR) -> dict[str, Any]:
    """The committed suite document of one entity."""
    return json.loads((suites_dir / f"{entity}.json").read_text(encoding="utf-8"))


def _columns_needed(expectation: dict[str, Any]) -> set[str]:
    kwargs = expectation["kwargs"]
    needed = set(kwargs.get("column_list", []))
    needed |= {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs}
    needed |= set(expectation.get("meta", {}).get("needs", []))
    return needed


def runnable_expectations(suite: dict[str, Any], present: set[str]) -> list[dict[str, Any]]:
    """The suite's expectations that can run on a batch with these columns (`column_exists` always)."""
    return [e for e in suite["expectations"] if e["type"] == "expect_column_to_exist" or _columns_needed(e) <= present]


class SuiteRunner:
    """Holds the GX context and the parsed suites; `validate` is safe to call repeatedly."""

    def __init__(self, suites_dir: Path = SUITES_DIR) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        self._gx = gx
        self._config_cls = ExpectationConfiguration
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        datasource = self._context.data_sources.add_pandas("arvo_batches")
        asset = datasource.add_dataframe_asset("batch")
        self._batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        self._suites = {p.stem: load_suite_json(p.stem, suites_dir) for p in sorted(suites_dir.glob("*.json"))}
        self._lock = threading.Lock()

    def validate(
        self,
        entity: str,
        frame: pd.DataFrame,
        parameters: dict[str, Any] | None = None,
        expectations: list[dict[str, Any]] | None = None,
    ) -> list[Finding]:
        """Run the entity's suite (or the given part of it) on `frame`, which must carry `_row_number`;
        failures as Findings."""
        present = set(frame.columns) - {ROW_NUMBER}
        runnable = runnable_expectations(self._suites[entity], present) if expectations is None else expectations
        suite = self._gx.ExpectationSuite(
            name=f"{entity}_batch",
            expectations=[
                self._config_cls(type=e["type"], kwargs=e["kwargs"], meta=e.get("meta", {})).to_domain_obj()
                for e in runnable
            ],
        )
        # Row numbers travel as the (named) index: GX then reports them with the examples, which is
        # ~10x cheaper than `unexpected_index_column_names` (that looks up every failing row in Python).
        if ROW_NUMBER in frame.columns:
            frame = frame.set_index(ROW_NUMBER)
        result_format = {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES}
        with self._lock:
            batch = self._batch_definition.get_batch(batch_parameters={"dataframe": frame})
            outcome = batch.validate(
                suite, result_format=result_format, expectation_parameters=parameters or default_parameters()
            )
        results = [item.to_json_dict() for item in outcome.results]
        return [as_finding(data, len(frame)) for data in results if not data["success"]]


def plain(value: Any) -> Any:
    """JSON-friendly Python values (numpy scalars, timestamps, NaN) for reports and the ledger."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _examples(result: dict[str, Any]) -> list[dict[str, Any]]:
    examples = []
    for entry in result.get("partial_unexpected_index_list") or []:
        entry = dict(entry)
        row = entry.pop(ROW_NUMBER, None)
        value: Any = next(iter(entry.values())) if len(entry) == 1 else entry
        examples.append({"row": plain(row), "value": plain(value)})
    if not examples:
        examples = [{"row": None, "value": plain(v)} for v in (result.get("partial_unexpected_list") or [])]
    return sorted(examples, key=lambda e: (e["row"] is None, e["row"] or 0))[:EXAMPLES]


def as_finding(data: dict[str, Any], rows: int) -> Finding:
    """A failed GX validation result (as a JSON dict) of a batch of `rows` rows, as a Finding."""
    config = data["expectation_config"]
    meta = config.get("meta") or {}
    result = data.get("result") or {}
    exception = data.get("exception_info") or {}
    column = meta.get("column") or config["kwargs"].get("column")
    fix = meta.get("fix")
    count = result.get("unexpected_count")
    if exception.get("raised_exception"):
        message = f"the check could not run: {exception.get('exception_message')}"
    elif config["type"] == "expect_column_to_exist":
        message = f"column {column!r} is missing from the file"
    else:
        message = f"{count} of {rows} rows fail: {fix}" if count is not None else (fix or config["type"])
    return Finding(
        rule=meta.get("rule", config["type"]),
        severity=meta.get("severity", "error"),
        message=message,
        column=column,
        expectation=config["type"],
        unexpected_count=count,
        unexpected_percent=result.get("unexpected_percent"),
        examples=_examples(result),
        fix=fix,
    )


@cache
def suite_document(entity: str) -> dict[str, Any]:
    """The committed suite of one entity, read once per process."""
    return load_suite_json(entity)


@cache
def default_runner() -> SuiteRunner:
    """One runner per process (building the GX context takes seconds)."""
    return SuiteRunner()
