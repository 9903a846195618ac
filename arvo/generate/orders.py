"""B2C orders: a BG/NBD purchase process with Gamma-Gamma spend, shifted by value perception.

Each person buys at rate lambda ~ Gamma(r, alpha) per week while alive and drops out after any
purchase with probability p ~ Beta(a, b); a higher retention latent raises lambda a little and
lowers p a lot. Order values are Gamma(p, nu) with nu ~ Gamma(q, gamma) per person; a person's
basket value drifts over the years, up for a high expansion latent and down for a low one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arvo.generate import fx, structure
from arvo.generate.population import DAY, END_DAY, Population

WEEK = 7 * DAY
NEVER_BUY_SHARE = 0.05


@dataclass
class Orders:
    account_idx: np.ndarray
    day: np.ndarray
    amount: np.ndarray  # in the account's currency
    currency_idx: np.ndarray  # index into fx.CURRENCIES


def simulate_orders(rng: np.random.Generator, pop: Population, accounts: np.ndarray) -> Orders:
    """The orders of the B2C accounts among `accounts`, sorted by account and time."""
    who = accounts[~pop.is_b2b[accounts]]
    n = len(who)
    bg, gg = structure.BG_NBD, structure.GAMMA_GAMMA
    eta_ret = pop.eta["retention_12m"][who]
    eta_exp = pop.eta["expansion_12m"][who]
    lam = rng.gamma(bg["r"], 1.0 / bg["alpha"], n) * np.exp(structure.B2C_FREQUENCY_SENSITIVITY * eta_ret)
    p = np.minimum(rng.beta(bg["a"], bg["b"], n) * np.exp(-structure.B2C_DROPOUT_SENSITIVITY * eta_ret), 0.9)
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n)
    buyer = rng.random(n) >= NEVER_BUY_SHARE

    start_s = pop.created_s[who]
    horizon_w = (END_DAY * DAY + DAY - 1 - start_s) / WEEK
    # Repeat purchases: a Poisson process on [0, T] truncated after the dropout purchase. Given N(T) = k,
    # the first j event times are the first j order statistics of k uniforms: S_i / S_(k+1) with
    # exponential spacings, so only the kept events are ever drawn.
    n_events = rng.poisson(lam * horizon_w)
    n_before_drop = rng.geometric(p) - 1
    keep = np.where(buyer, np.minimum(n_events, n_before_drop), 0)
    total = int(keep.sum())
    owner = np.repeat(np.arange(n), keep)
    spacings = rng.exponential(1.0, total)
    cumulative = np.r_[0.0, np.cumsum(spacings)]  # cumulative[i] = sum of the first i spacings
    ends = np.cumsum(keep)
    starts = ends - keep
    within = cumulative[1:] - np.repeat(cumulative[starts], keep)  # S_1..S_j per customer
    tail = rng.gamma(np.maximum(n_events - keep + 1, 1).astype(float), 1.0, n)
    s_total = (cumulative[ends] - cumulative[starts]) + tail  # S_(k+1) = S_j + Gamma(k - j + 1)
    frac = within / s_total[owner]
    repeat_s = start_s[owner] + (frac * horizon_w[owner] * WEEK).astype(np.int64)

    owners = np.concatenate([np.flatnonzero(buyer), owner])
    when_s = np.concatenate([start_s[buyer], repeat_s])
    # Spend: Gamma(p, nu) in EUR, drifting up (or down) over the years with the expansion latent.
    growth = structure.B2C_SPEND_GROWTH_PER_YEAR * np.tanh(eta_exp[owners])
    years = np.minimum((when_s - start_s[owners]) / (365.25 * DAY), structure.B2C_SPEND_GROWTH_YEARS)
    eur = rng.gamma(gg["p"], 1.0, len(owners)) / nu[owners] * np.exp(growth * years)
    currency = pop.currency_idx[who][owners]
    amount = np.round(eur * fx.LEVEL_BY_CODE[currency], 2)
    order = np.lexsort((when_s, owners))
    return Orders(who[owners][order], (when_s // DAY)[order], amount[order], currency[order])
