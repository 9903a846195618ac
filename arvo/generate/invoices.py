"""Invoices: monthly bills for B2B subscriptions and B2C orders, with statuses and credit notes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from arvo.generate import fx, writer
from arvo.generate.orders import Orders
from arvo.generate.periods import add_months, month_start, next_month_label
from arvo.generate.population import END_DAY, Population

STATUSES = ("paid", "open", "void")
PAID, OPEN, VOID = range(3)


def subscription_bills(subs: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(account_idx, day, amount, currency): the first month prorated from the start day, then the 1st of
    every month the subscription overlaps, up to its end or the end of the data."""
    start = subs["start_day"]
    end = np.where(subs["end_day"] >= 0, subs["end_day"], END_DAY)
    first_month = month_start(start)
    months_start = first_month.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    months_end = end.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    count = months_end - months_start + 1
    sub = np.repeat(np.arange(len(start)), count)
    k = np.arange(len(sub)) - np.repeat(np.cumsum(count) - count, count)
    bill_day = add_months(first_month[sub], k)
    first = k == 0
    bill_day = np.where(first, start[sub], bill_day)
    days_in_month = add_months(first_month, 1) - first_month
    prorate = (add_months(first_month, 1) - start) / days_in_month
    factor = np.where(first, prorate[sub], 1.0)
    return (
        subs["account_idx"][sub],
        bill_day,
        np.round(subs["mrr"][sub] * factor, 2),
        subs["currency_idx"][sub],
    )


def invoices_table(
    rng: np.random.Generator,
    pop: Population,
    subs: dict[str, np.ndarray],
    orders: Orders,
    counters: np.ndarray,
) -> tuple[pa.Table, np.ndarray]:
    """Invoices (B2B bills `INV-`, B2C orders `ORD-`, credit notes `CN-`) and their monthly file labels.

    `counters` holds the last number used per kind and is advanced, so parts built one after another
    get unique, increasing numbers.
    """
    b_acc, b_day, b_amount, b_cur = subscription_bills(subs)
    nb, no = len(b_acc), len(orders.day)
    acc = np.concatenate([b_acc, orders.account_idx])
    day = np.concatenate([b_day, orders.day])
    amount = np.concatenate([b_amount, orders.amount])
    currency = np.concatenate([b_cur, orders.currency_idx])
    is_b2b = np.r_[np.ones(nb, dtype=bool), np.zeros(no, dtype=bool)]
    n = nb + no

    # Status: recent B2B bills are mostly still open; a few of everything are void or overdue.
    u = rng.random(n)
    recent = day > END_DAY - 30
    status = np.where(u < 0.025, VOID, np.where(u < 0.035, OPEN, PAID)).astype(np.int8)
    status[is_b2b & recent & (rng.random(n) < 0.7)] = OPEN
    # Credit notes: B2C returns and B2B billing corrections, after the invoice, within the window.
    cn_rate = np.where(is_b2b, 0.01, 0.03)
    cn_day = day + rng.integers(3, 30, n)
    has_cn = (status == PAID) & (rng.random(n) < cn_rate) & (cn_day <= END_DAY) & (amount > 0)
    ci = np.flatnonzero(has_cn)
    cn_amount = -np.round(amount[ci] * rng.uniform(0.2, 1.0, len(ci)), 2)

    all_acc = np.concatenate([acc, acc[ci]])
    all_day = np.concatenate([day, cn_day[ci]])
    all_amount = np.concatenate([amount, cn_amount])
    all_cur = np.concatenate([currency, currency[ci]])
    all_status = np.concatenate([status, np.full(len(ci), PAID, dtype=np.int8)])
    kind = np.concatenate([np.where(is_b2b, 0, 1), np.full(len(ci), 2)])
    # Numbered in date order per kind, as billing systems do.
    order = np.lexsort((all_acc, all_day))
    all_acc, all_day, all_amount, all_cur, all_status, kind = (
        a[order] for a in (all_acc, all_day, all_amount, all_cur, all_status, kind)
    )
    number = np.zeros(len(kind), dtype=np.int64)
    for k in range(3):
        mask = kind == k
        number[mask] = counters[k] + np.arange(1, int(mask.sum()) + 1)
        counters[k] += int(mask.sum())
    ids = writer.make_ids(writer.lookup(["INV-", "ORD-", "CN-"], kind), number, 9)
    tbl = writer.table(
        "invoices",
        {
            "invoice_id": ids,
            "account_id": writer.lookup(pop.account_id, all_acc),
            "invoice_date": writer.dates(all_day),
            "currency": writer.lookup(fx.CURRENCIES, all_cur),
            "amount": writer.decimals(all_amount),
            "status": writer.lookup(STATUSES, all_status),
        },
    )
    return tbl, next_month_label(all_day)
