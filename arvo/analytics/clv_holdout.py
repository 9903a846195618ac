"""Calibration/holdout checks of the lifetime-value models on a built warehouse.

Build the CLV models with `--var clv_as_of=<calibration end>`; this module then compares, for the
customers of the calibration period, what the fitted models expect in the holdout period with what
happened:
- BG/NBD: the repeat transactions (transaction days with a non-void, non-credit invoice), in total and
  by calibration frequency;
- sBG: of the subscription customers paying in the calibration month, how many still pay (have MRR in
  fct_mrr) the given number of months later.
Used by `benchmarks/clv.py` and the end-to-end test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np

from arvo.analytics.clv import PERIOD_DAYS, bgnbd_expected_purchases
from arvo.analytics.contractual import choose_sbg_params, sbg_retention_ahead

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


@dataclass(frozen=True)
class ContractHoldoutCheck:
    """Subscription customers paying at the calibration month: expected vs actual still paying later."""

    calibration_month: date | None  # None without a customer paying at the calibration month
    months_ahead: int
    customers: int
    expected: float
    actual: int

    @property
    def relative_error(self) -> float:
        return (self.expected - self.actual) / self.actual if self.actual else float("nan")


def contract_holdout_check(con: duckdb.DuckDBPyConnection, months_ahead: int = 12) -> ContractHoldoutCheck:
    """Read int_clv_params / int_clv_subscription_lifetimes (built at the calibration date) and fct_mrr.

    Each customer active in the calibration month is expected to pay `months_ahead` months later with
    the sBG probability of its fit (segment x cohort year, else segment, else pooled, as the predictions
    choose); it did if fct_mrr has MRR for it in that month. fct_mrr must run past that month.
    """
    fits = [
        dict(zip(("segment", "cohort", "parameter", "value", "converged"), row, strict=True))
        for row in con.execute(
            "select segment, cohort, parameter, value, converged from intermediate.int_clv_params "
            "where model = 'shifted_beta_geometric'"
        ).fetchall()
    ]
    if not fits:
        raise ValueError("no sBG fit in intermediate.int_clv_params: build the CLV models first")
    rows = con.execute(
        f"""
        select
            lifetimes.segment,
            cast(year(lifetimes.cohort_month) as varchar),
            lifetimes.lifetime_months,
            coalesce(later.mrr_eur, 0) > 0,
            lifetimes.as_of_month
        from intermediate.int_clv_subscription_lifetimes as lifetimes
        left join marts.fct_mrr as later
            on later.customer_id = lifetimes.customer_id
            and later.month = lifetimes.as_of_month + interval {int(months_ahead)} month
        where lifetimes.is_active
        """
    ).fetchall()
    lifetimes: dict[tuple[str, str], list[int]] = {}
    for segment, cohort, lifetime, _paying, _month in rows:
        lifetimes.setdefault((segment, cohort), []).append(lifetime)
    expected = 0.0
    for (segment, cohort), group in lifetimes.items():
        params = choose_sbg_params(fits, segment, cohort)
        if params is not None:
            expected += float(sbg_retention_ahead(params, np.array(group), months_ahead)[:, -1].sum())
    actual = sum(1 for row in rows if row[3])
    calibration_month = rows[0][4] if rows else None
    return ContractHoldoutCheck(calibration_month, months_ahead, len(rows), expected, actual)
