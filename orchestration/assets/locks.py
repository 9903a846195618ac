"""One writer at a time: every asset that writes the warehouse shares one pool, and a held lock retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import dagster as dg
import duckdb

from ingestion.warehouse import is_lock_error

WAREHOUSE_POOL = "arvo_warehouse"
LOCK_RETRIES = 5
LOCK_FIRST_WAIT_SECONDS = 2.0

T = TypeVar("T")


def with_warehouse_lock_retry(context: dg.AssetExecutionContext, work: Callable[[], T]) -> T:
    """Run `work`; if another process holds the warehouse, ask Dagster to retry with backoff."""
    try:
        return work()
    except duckdb.IOException as error:
        if not is_lock_error(error):
            raise
        attempt = context.retry_number
        wait = LOCK_FIRST_WAIT_SECONDS * 2**attempt
        context.log.warning(
            f"The warehouse is held by another process (attempt {attempt + 1} of {LOCK_RETRIES + 1}); "
            f"retrying in {wait:.0f}s. DuckDB said: {error}"
        )
        raise dg.RetryRequested(max_retries=LOCK_RETRIES, seconds_to_wait=wait) from error
