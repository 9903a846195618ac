"""Scales and the fixed time window of the sample data.

The window is fixed (not derived from today's date) so that a seed always produces the same bytes,
whenever and wherever it runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The data speaks of 36 months ending on this date (the "export date" of the landing files is the
# day after a period ends).
END_DATE = np.datetime64("2026-09-30", "D")
START_DATE = np.datetime64("2023-10-01", "D")
MONTHS = 36
DAY = 86_400  # seconds
START_DAY = int(START_DATE.astype(np.int64))  # days since 1970-01-01
END_DAY = int(END_DATE.astype(np.int64))


@dataclass(frozen=True)
class Scale:
    """How much data a scale produces; everything else (rates, structure) is the same at every scale."""

    name: str
    accounts: int
    description: str
    partition_accounts: int = 60_000  # accounts whose orders, invoices and answers are built at once


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("tiny", 300, "~300 accounts: unit tests"),
        Scale("small", 2_000, "~2,000 accounts, ~50k survey answer rows, ~80k invoices, ~1 s: CI and the demo"),
        Scale("medium", 50_000, "~50,000 accounts, ~1.3M survey answer rows, ~2.3M invoices, ~5-10 s: benchmarks"),
        Scale("large", 500_000, "~500,000 accounts, ~13M survey answer rows, ~23M invoices, 1-2 min: load tests"),
    )
}

B2B_SHARE = 0.30
