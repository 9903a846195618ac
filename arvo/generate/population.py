"""The customer population: who the accounts are, when they arrive, and what they latently value.

Everything later (CRM rows, revenue behaviour, survey answers) is derived from these arrays, so the
causal structure of `structure.py` flows through one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from arvo.generate import fx, names, structure, writer
from arvo.generate.scales import B2B_SHARE, DAY, END_DAY, START_DAY

__all__ = ["DAY", "END_DAY", "START_DAY", "Population", "business_seconds", "draw_population"]


@dataclass
class Population:
    """One entry per account, sorted by creation time (account ids follow that order)."""

    account_id: pa.Array  # ACC-0000001 ... in creation order
    is_b2b: np.ndarray  # bool
    country_idx: np.ndarray  # index into names.COUNTRIES
    currency: np.ndarray  # object, ISO 4217
    currency_idx: np.ndarray  # index into fx.CURRENCIES
    created_s: np.ndarray  # epoch seconds, UTC
    values: np.ndarray  # (n, 5) latent value types, standard normal
    ladder: np.ndarray  # (n,) standardised latent ladder score
    expectation: np.ndarray  # (n,) latent expectation level
    eta: dict[str, np.ndarray]  # outcome -> standardised latent driving that outcome

    @property
    def n(self) -> int:
        return len(self.account_id)

    @property
    def created_day(self) -> np.ndarray:
        return self.created_s // DAY


def business_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds into the day, during (UTC) office hours 06:00-18:00."""
    return (6 * 3600 + rng.integers(0, 12 * 3600, n)).astype(np.int64)


def draw_population(rng: np.random.Generator, n_accounts: int) -> Population:
    """Draw segment, country, arrival time and latent value perception for every account."""
    is_b2b = rng.random(n_accounts) < B2B_SHARE
    country_idx = np.empty(n_accounts, dtype=np.int64)
    for segment, mask in (("B2B", is_b2b), ("B2C", ~is_b2b)):
        p = np.array(names.COUNTRY_WEIGHTS[segment])
        country_idx[mask] = rng.choice(len(names.COUNTRIES), size=int(mask.sum()), p=p / p.sum())
    # A quarter of the base arrives in the first quarter (the migration from the old CRM), the rest
    # steadily until three weeks before the end.
    founding = rng.random(n_accounts) < 0.25
    last = END_DAY - 21
    day = np.where(
        founding,
        START_DAY + rng.integers(0, 90, n_accounts),
        START_DAY + rng.integers(0, last - START_DAY, n_accounts),
    )
    created_s = day.astype(np.int64) * DAY + business_seconds(rng, n_accounts)
    order = np.argsort(created_s, kind="stable")
    is_b2b, country_idx, created_s = is_b2b[order], country_idx[order], created_s[order]

    values, ladder = structure.draw_latents(rng, is_b2b)
    eta = {o: structure.outcome_latent(values, ladder, is_b2b, o) for o in structure.OUTCOMES}
    currency_code = np.array([fx.CURRENCIES.index(names.CURRENCY_BY_COUNTRY[c]) for c in names.COUNTRIES])
    currency_idx = currency_code[country_idx]
    ids = writer.make_ids("ACC-", np.arange(1, n_accounts + 1), 7)
    return Population(
        account_id=ids,
        is_b2b=is_b2b,
        country_idx=country_idx,
        currency=np.array(fx.CURRENCIES, dtype=object)[currency_idx],
        currency_idx=currency_idx,
        created_s=created_s,
        values=values,
        ladder=ladder,
        expectation=rng.standard_normal(n_accounts),
        eta=eta,
    )
