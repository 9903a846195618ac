"""Export-period labels: a delta file is named after its export date, the day after its period."""

from __future__ import annotations

import numpy as np


def next_month_label(days: np.ndarray) -> np.ndarray:
    """The 1st of the month after each day (the export date of a monthly delta file), as datetime64[D].

    Labels stay dates (cheap to sort and compare) and become 'YYYY-MM-DD' only in file names.
    """
    months = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]") + 1
    return months.astype("datetime64[D]")


def next_quarter_label(days: np.ndarray) -> np.ndarray:
    """The 1st day of the quarter after each day (the export date of a quarterly delta file)."""
    months = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    next_q = (months // 3 + 1) * 3
    return next_q.astype("datetime64[M]").astype("datetime64[D]")


def month_start(days: np.ndarray) -> np.ndarray:
    """Day number of the first day of each day's month."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def add_months(month_start_days: np.ndarray, k: int | np.ndarray) -> np.ndarray:
    """First day of the month k months after the month containing each day."""
    months = np.asarray(month_start_days).astype("datetime64[D]").astype("datetime64[M]") + k
    return months.astype("datetime64[D]").astype(np.int64)


def latest_per_key_and_label(keys: np.ndarray, labels: np.ndarray, updated: np.ndarray) -> np.ndarray:
    """Indices keeping only the latest version of each key within each file label.

    A delta export carries a record's state at export time, so two changes within one period show
    up as one row; this keeps keys unique within every file.
    """
    order = np.lexsort((updated, labels, keys))
    k, lab = keys[order], labels[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (k[1:] != k[:-1]) | (lab[1:] != lab[:-1])
    return np.sort(order[last])
