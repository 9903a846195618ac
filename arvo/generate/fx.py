"""Reference FX rates, ECB style: units of currency per 1 EUR on business days."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from arvo.generate import writer
from arvo.generate.scales import END_DAY, START_DAY

# Long-run level and daily volatility (log) per currency; DKK is pegged.
LEVELS = {
    "EUR": (1.0, 0.0),
    "SEK": (11.3, 0.004),
    "NOK": (11.6, 0.005),
    "DKK": (7.46, 0.0002),
    "GBP": (0.86, 0.003),
    "USD": (1.09, 0.004),
}
FIRST_RATE_DAY = START_DAY - 14  # rates start before the first invoice
MEAN_REVERSION = 0.01
CURRENCIES = tuple(LEVELS)
LEVEL_BY_CODE = np.array([level for level, _ in LEVELS.values()])


def fx_table(rng: np.random.Generator) -> tuple[pa.Table, np.ndarray]:
    """Business-daily rates for every currency the generator uses, split by year."""
    days = np.arange(FIRST_RATE_DAY, END_DAY + 1)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday -> 0 = Monday
    days = days[weekday < 5]
    cols_day, cols_cur, cols_rate = [], [], []
    for currency, (level, vol) in LEVELS.items():
        x = np.empty(len(days))
        x[0] = np.log(level) + vol * 5 * rng.standard_normal()
        shocks = vol * rng.standard_normal(len(days))
        for i in range(1, len(days)):  # ~780 steps per currency: cheap
            x[i] = x[i - 1] + MEAN_REVERSION * (np.log(level) - x[i - 1]) + shocks[i]
        cols_day.append(days)
        cols_cur.append(np.full(len(days), currency, dtype=object))
        cols_rate.append(np.exp(x))
    day = np.concatenate(cols_day)
    order = np.lexsort((np.concatenate(cols_cur).astype(str), day))
    day = day[order]
    tbl = writer.table(
        "fx_rates",
        {
            "rate_date": writer.dates(day),
            "currency": writer.text(np.concatenate(cols_cur)[order]),
            "rate": writer.decimals(np.concatenate(cols_rate)[order], scale=4),
        },
    )
    labels = day.astype("datetime64[D]").astype("datetime64[Y]").astype(str)
    return tbl, labels


def approx_rate(currency: np.ndarray) -> np.ndarray:
    """Long-run rate per row (units per EUR), for pricing in local currency."""
    out = np.ones(len(currency))
    for c, (level, _) in LEVELS.items():
        out[currency == c] = level
    return out
