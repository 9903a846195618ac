"""Calibration/holdout check of the BG/NBD model on a built warehouse.

Build the CLV models with `--var clv_as_of=<calibration end>`; this module then compares, for the
customers of the calibration period, the repeat transactions the fitted model expects in the holdout
period with the ones that happened (transaction days with a non-void, non-credit invoice), in total
and by calibration frequency. Used by `benchmarks/clv.py` and the end-to-end test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np

from arvo.analytics.clv import PERIOD_DAYS, bgnbd_expected_purchases

FREQUENCY_BANDS = ((0, 0), (1, 2), (3, 6), (7, 15), (16, 10**9))


@dataclass(frozen=True)
class HoldoutCheck:
    """Expected vs actual repeat transactions in the holdout, in total and per frequency band."""

    calibration_end: date
    holdout_end: date
    customers: int
    expected: float
    actual: int
    by_frequency: list[tuple[str, int, float, float]]  # band, customers, mean expected, mean actual

    @property
    def relative_error(self) -> float:
        return (self.expected - self.actual) / self.actual if self.actual else float("nan")


def holdout_check(
    con: duckdb.DuckDBPyConnection, calibration_end: date, holdout_end: date, period: str = "week"
) -> HoldoutCheck:
    """Read int_clv_params / int_clv_customer_summary (built at calibration_end) and the invoices."""
    params = dict(
        con.execute("select parameter, value from intermediate.int_clv_params where model = 'bg_nbd'").fetchall()
    )
    if not params:
        raise ValueError("no BG/NBD fit in intermediate.int_clv_params: build the CLV models first")
    rows = con.execute(
        """
        select summary.frequency, summary.recency, summary.tenure, count(distinct invoices.invoice_date)
        from intermediate.int_clv_customer_summary as summary
        left join intermediate.int_invoices_converted as invoices
            on invoices.customer_id = summary.customer_id
            and invoices.invoice_date > ? and invoices.invoice_date <= ?
            and not invoices.is_void and invoices.amount >= 0
        group by summary.customer_id, summary.frequency, summary.recency, summary.tenure
        """,
        [calibration_end, holdout_end],
    ).fetchall()
    x, t_x, tenure, actual = np.array(rows, dtype=float).reshape(-1, 4).T
    horizon = (holdout_end - calibration_end).days / PERIOD_DAYS[period]
    expected = bgnbd_expected_purchases(params, horizon, x, t_x, tenure)
    bands = []
    for low, high in FREQUENCY_BANDS:
        chosen = (x >= low) & (x <= high)
        if chosen.any():
            label = f"{low}" if low == high else (f"{low}+" if high >= 10**9 else f"{low}-{high}")
            bands.append((label, int(chosen.sum()), float(expected[chosen].mean()), float(actual[chosen].mean())))
    return HoldoutCheck(calibration_end, holdout_end, int(x.size), float(expected.sum()), int(actual.sum()), bands)
