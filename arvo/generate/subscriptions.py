"""B2B revenue: deals and subscription histories (their bills are made in `invoices`).

A month-by-month simulation, vectorised over accounts: each active account may churn (hazard driven
by its retention latent), upgrade or downgrade (driven by its expansion latent), add an overlapping
add-on, and a churned account may be won back after a gap. Plan changes close the old subscription
at a month end and open a new one on the 1st, so MRR history survives "latest version wins".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from arvo.generate import fx, structure, writer
from arvo.generate.periods import add_months, latest_per_key_and_label, next_month_label
from arvo.generate.population import DAY, END_DAY, START_DAY, Population, business_seconds
from arvo.generate.scales import MONTHS

PLANS = ("starter", "team", "business", "enterprise")
PLAN_PRICE_EUR = np.array([290.0, 790.0, 1900.0, 4900.0])
ADDON_PLAN = "analytics-addon"
ADDON_PRICE_EUR = 190.0
INITIAL_PLAN_P = (0.38, 0.34, 0.2, 0.08)
WIN_RATE = 0.8
DISCOUNTS = (np.array([0.0, 0.1, 0.15, 0.2]), np.array([0.6, 0.2, 0.1, 0.1]))
OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")


def local_price(eur: np.ndarray, currency: np.ndarray) -> np.ndarray:
    """List price in the account's currency, rounded like a price list (10s for SEK/NOK/DKK)."""
    raw = eur * fx.approx_rate(currency)
    big = np.isin(currency, ["SEK", "NOK", "DKK"])
    return np.where(big, np.round(raw / 10) * 10, np.round(raw))


@dataclass
class _Growable:
    """Column store that grows by batches of appended arrays."""

    cols: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, **arrays: np.ndarray) -> None:
        for k, v in arrays.items():
            self.cols.setdefault(k, []).append(np.asarray(v))

    def get(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}


@dataclass
class B2BRevenue:
    subs: dict[str, np.ndarray]  # account_idx, plan, start_day, end_day (-1 running), mrr, currency, ...
    deals: dict[str, np.ndarray]


def simulate_b2b(rng: np.random.Generator, pop: Population) -> B2BRevenue:
    """Deals and subscription histories for every B2B account."""
    b2b = np.flatnonzero(pop.is_b2b)
    nb = len(b2b)
    currency = pop.currency[b2b]
    created_day = pop.created_day[b2b]
    eta_ret = pop.eta["retention_12m"][b2b]
    eta_exp = pop.eta["expansion_12m"][b2b]
    churn_h = structure.B2B_MONTHLY_CHURN_BASE * np.exp(-structure.B2B_CHURN_SENSITIVITY * eta_ret)
    up_h = np.minimum(
        structure.B2B_MONTHLY_UPGRADE_BASE * np.exp(structure.B2B_UPGRADE_SENSITIVITY * eta_exp),
        structure.B2B_MONTHLY_UPGRADE_CAP,
    )
    down_h = structure.B2B_MONTHLY_DOWNGRADE_BASE * np.exp(-structure.B2B_DOWNGRADE_SENSITIVITY * eta_exp)
    winback_h = structure.B2B_MONTHLY_WINBACK_BASE * np.exp(structure.B2B_WINBACK_SENSITIVITY * eta_ret)

    subs = _Growable()
    deals = _Growable()
    n_subs = 0

    def open_subs(who: np.ndarray, plan: np.ndarray, start: np.ndarray, mrr: np.ndarray, addon: bool) -> np.ndarray:
        nonlocal n_subs
        ids = np.arange(n_subs, n_subs + len(who))
        n_subs += len(who)
        subs.add(
            local_idx=who,
            plan=np.where(addon, len(PLANS), plan),
            start_day=start,
            mrr=mrr,
            created_s=start * DAY - rng.integers(1, 5, len(who)) * DAY + business_seconds(rng, len(who)),
        )
        return ids

    closes = _Growable()  # sub index, end_day, updated_s: each subscription closes at most once

    def close(ids: np.ndarray, end_day: np.ndarray, updated_s: np.ndarray) -> None:
        closes.add(sub=ids, end_day=end_day, updated_s=updated_s)

    # The first deal: created with the account, closed weeks later, won 80% of the time.
    cycle = (14 + rng.gamma(2.0, 15.0, nb)).astype(np.int64)
    close_day = created_day + cycle
    won = rng.random(nb) < WIN_RATE
    plan0 = rng.choice(len(PLANS), size=nb, p=INITIAL_PLAN_P)
    discount = rng.choice(DISCOUNTS[0], size=nb, p=DISCOUNTS[1])
    price = local_price(PLAN_PRICE_EUR[plan0], currency)
    mrr0 = np.round(price * (1 - discount), 2)
    is_open = close_day > END_DAY
    progress = np.clip((END_DAY - created_day) / np.maximum(cycle, 1), 0, 0.999)
    deals.add(
        local_idx=np.arange(nb),
        stage=np.where(
            is_open,
            np.array(OPEN_STAGES, dtype=object)[(progress * 4).astype(int)],
            np.where(won, "closed_won", "closed_lost"),
        ),
        amount=12 * mrr0,
        has_amount=~(is_open & (progress < 0.25)),
        created_s=pop.created_s[b2b] + rng.integers(600, 7200, nb),
        closed_s=np.where(is_open, -1, close_day * DAY + business_seconds(rng, nb)),
        is_won=np.where(is_open, -1, won.astype(int)),
    )

    # State per account.
    active = np.zeros(nb, dtype=bool)
    plan = plan0.copy()
    mrr = mrr0.copy()
    main_sub = np.full(nb, -1)
    addon_sub = np.full(nb, -1)
    churned_month = np.full(nb, -10_000)
    ever = np.zeros(nb, dtype=bool)

    first_month = add_months(START_DAY, 0)
    for m in range(0, MONTHS + 1):
        month_day = add_months(first_month, m)  # 1st of month m
        next_month_day = add_months(first_month, m + 1)
        # Won deals start their subscription on the close day.
        starting = won & ~ever & (close_day >= month_day) & (close_day < next_month_day) & (close_day <= END_DAY)
        idx = np.flatnonzero(starting)
        if len(idx):
            main_sub[idx] = open_subs(idx, plan[idx], close_day[idx], mrr[idx], False)
            active[idx] = True
            ever[idx] = True
        if m == 0 or month_day > END_DAY:
            continue
        u = rng.random((5, nb))
        eligible = active & (close_day < month_day - 27)
        # Churn: notice during the month, subscription ends at the month end.
        churn = eligible & (u[0] < churn_h)
        idx = np.flatnonzero(churn)
        if len(idx):
            end = np.full(len(idx), min(next_month_day - 1, END_DAY))
            notice = (month_day + rng.integers(0, 20, len(idx))) * DAY + business_seconds(rng, len(idx))
            notice = np.minimum(notice, END_DAY * DAY + 17 * 3600)
            close(main_sub[idx], end, notice)
            has_addon = addon_sub[idx] >= 0
            close(addon_sub[idx][has_addon], end[has_addon], notice[has_addon])
            addon_sub[idx] = -1
            active[idx] = False
            churned_month[idx] = m
        # Upgrades and downgrades: the old subscription ends yesterday, a new one starts today.
        change = eligible & ~churn
        up = change & (u[1] < up_h) & (plan < len(PLANS) - 1)
        down = change & ~up & (u[2] < down_h) & (plan > 0)
        for mask, step in ((up, 1), (down, -1)):
            idx = np.flatnonzero(mask)
            if not len(idx):
                continue
            decided = (month_day - rng.integers(3, 20, len(idx))) * DAY + business_seconds(rng, len(idx))
            close(main_sub[idx], np.full(len(idx), month_day - 1), decided)
            old_mrr = mrr[idx]
            plan[idx] += step
            new_price = local_price(PLAN_PRICE_EUR[plan[idx]], currency[idx])
            mrr[idx] = np.round(new_price * (1 - discount[idx]), 2)
            main_sub[idx] = open_subs(idx, plan[idx], np.full(len(idx), month_day), mrr[idx], False)
            if step == 1:
                deals.add(
                    local_idx=idx,
                    stage=np.full(len(idx), "closed_won", dtype=object),
                    amount=12 * (mrr[idx] - old_mrr),
                    has_amount=np.ones(len(idx), dtype=bool),
                    created_s=decided - rng.integers(10, 40, len(idx)) * DAY,
                    closed_s=decided,
                    is_won=np.ones(len(idx), dtype=int),
                )
        # An add-on overlapping the main subscription, sold mid-month.
        addon = change & (addon_sub < 0) & (u[3] < 0.3 * up_h)
        idx = np.flatnonzero(addon)
        if len(idx):
            start = np.minimum(month_day + rng.integers(2, 25, len(idx)), END_DAY)
            addon_mrr = local_price(np.full(len(idx), ADDON_PRICE_EUR), currency[idx])
            addon_sub[idx] = open_subs(idx, plan[idx], start, addon_mrr, True)
            decided = start * DAY - 3 * DAY + business_seconds(rng, len(idx))
            deals.add(
                local_idx=idx,
                stage=np.full(len(idx), "closed_won", dtype=object),
                amount=12 * addon_mrr,
                has_amount=np.ones(len(idx), dtype=bool),
                created_s=decided - rng.integers(5, 30, len(idx)) * DAY,
                closed_s=decided,
                is_won=np.ones(len(idx), dtype=int),
            )
        # Win-backs: a new subscription on a lower plan after at least two months away.
        back = ~active & ever & (m - churned_month >= 3) & (u[4] < winback_h)
        idx = np.flatnonzero(back)
        if len(idx):
            plan[idx] = np.maximum(plan[idx] - 1, 0)
            mrr[idx] = np.round(local_price(PLAN_PRICE_EUR[plan[idx]], currency[idx]) * (1 - discount[idx]), 2)
            main_sub[idx] = open_subs(idx, plan[idx], np.full(len(idx), month_day), mrr[idx], False)
            active[idx] = True
            decided = (month_day - rng.integers(3, 15, len(idx))) * DAY + business_seconds(rng, len(idx))
            deals.add(
                local_idx=idx,
                stage=np.full(len(idx), "closed_won", dtype=object),
                amount=12 * mrr[idx],
                has_amount=np.ones(len(idx), dtype=bool),
                created_s=decided - rng.integers(10, 60, len(idx)) * DAY,
                closed_s=decided,
                is_won=np.ones(len(idx), dtype=int),
            )
    s = subs.get()
    end_day = np.full(n_subs, -1, dtype=np.int64)
    end_updated = np.full(n_subs, -1, dtype=np.int64)
    if closes.cols:
        c = closes.get()
        end_day[c["sub"]], end_updated[c["sub"]] = c["end_day"], c["updated_s"]
    s["end_day"] = end_day
    s["end_updated_s"] = end_updated
    s["account_idx"] = b2b[s.pop("local_idx")]
    s["currency"] = pop.currency[s["account_idx"]]
    s["currency_idx"] = pop.currency_idx[s["account_idx"]]
    d = deals.get()
    d["account_idx"] = b2b[d.pop("local_idx")]
    d["currency"] = pop.currency[d["account_idx"]]
    return B2BRevenue(subs=s, deals=d)


def subscriptions_table(
    rng: np.random.Generator, pop: Population, subs: dict[str, np.ndarray]
) -> tuple[pa.Table, np.ndarray]:
    """Subscription versions as monthly delta exports.

    Every subscription appears when it starts (end_date empty); a few get an MRR correction weeks
    later (a new version); a closed one appears again with its end_date. Within one export only the
    latest state of a subscription is shown.
    """
    n = len(subs["start_day"])
    final_mrr = subs["mrr"]
    corr_s = (subs["start_day"] + rng.integers(20, 50, n)) * DAY + business_seconds(rng, n)
    corrected = (rng.random(n) < 0.08) & (corr_s <= END_DAY * DAY + 17 * 3600)
    corrected &= (subs["end_updated_s"] < 0) | (corr_s < subs["end_updated_s"])
    first_mrr = np.where(corrected, np.round(final_mrr * rng.uniform(0.85, 1.15, n), 2), final_mrr)
    ci = np.flatnonzero(corrected)
    ei = np.flatnonzero(subs["end_day"] >= 0)
    rows = np.concatenate([np.arange(n), ci, ei])
    version_end = np.concatenate([np.full(n + len(ci), -1), subs["end_day"][ei]])
    updated = np.concatenate([subs["created_s"], corr_s[ci], subs["end_updated_s"][ei]])
    mrr = np.concatenate([first_mrr, final_mrr[ci], final_mrr[ei]])
    plan_names = np.array([*PLANS, ADDON_PLAN], dtype=object)
    style = rng.choice(3, size=len(rows), p=(0.9, 0.1, 0.0))
    tbl = writer.table(
        "subscriptions",
        {
            "subscription_id": writer.make_ids("SUB-", rows + 1, 7),
            "account_id": writer.lookup(pop.account_id, subs["account_idx"][rows]),
            "plan": writer.text(plan_names[subs["plan"][rows]]),
            "start_date": writer.dates(subs["start_day"][rows]),
            "end_date": writer.dates(np.maximum(version_end, 0), valid=version_end >= 0),
            "mrr": writer.decimals(mrr),
            "currency": writer.text(subs["currency"][rows]),
            "updated_at": writer.timestamps(updated, style),
        },
    )
    labels = next_month_label(updated // DAY)
    keep = latest_per_key_and_label(rows, labels, updated)
    return tbl.take(pa.array(keep)), labels[keep]
