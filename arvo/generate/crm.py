"""CRM entities: accounts (with later second versions), contacts and deals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from arvo.generate import names, writer
from arvo.generate.periods import latest_per_key_and_label, next_quarter_label
from arvo.generate.population import DAY, END_DAY, Population, business_seconds

SECOND_VERSION_SHARE = 0.15
CRM_TS_STYLE_P = (0.85, 0.05, 0.10)  # Z, naive, +02:00/+03:00


@dataclass
class People:
    """Names of the account itself: a company name (B2B) or a person (B2C)."""

    account_name: np.ndarray
    first: np.ndarray  # B2C person first name (None for B2B)
    last: np.ndarray


def _ts_style(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(3, size=n, p=CRM_TS_STYLE_P)


def account_names(rng: np.random.Generator, pop: Population) -> People:
    first, last = names.person_names(rng, pop.country_idx)
    company = names.company_names(rng, pop.country_idx)
    person = names._join(first, last, sep=" ")
    return People(np.where(pop.is_b2b, company, person), np.where(pop.is_b2b, None, first), last)


def accounts_table(rng: np.random.Generator, pop: Population, people: People) -> tuple[pa.Table, np.ndarray]:
    """All account versions and their file labels (quarterly delta exports)."""
    n = pop.n
    industries = np.array(names.INDUSTRIES, dtype=object)
    industry = np.where(pop.is_b2b, industries[rng.integers(0, len(industries), n)], None)
    countries = np.array(names.COUNTRIES, dtype=object)
    country = countries[pop.country_idx]

    # Second versions: a later update in a later quarter (rename, new industry, a move).
    created_day = pop.created_day
    next_q = next_quarter_label(created_day).astype(np.int64)
    update_day = next_q + (rng.random(n) * (END_DAY + 1 - next_q).clip(0)).astype(np.int64)
    has_v2 = (rng.random(n) < SECOND_VERSION_SHARE) & (update_day <= END_DAY)
    idx = np.flatnonzero(has_v2)
    change = rng.random(len(idx))
    v2_name = people.account_name[idx].copy()
    v2_industry = industry[idx].copy()
    v2_country = country[idx].copy()
    b2b = pop.is_b2b[idx]
    new_company = names.company_names(rng, pop.country_idx[idx])
    new_last = names.person_names(rng, pop.country_idx[idx])[1]
    renamed_person = names._join(np.where(b2b, "", people.first[idx]), new_last, sep=" ")
    v2_name = np.where(b2b & (change < 0.5), new_company, np.where(~b2b & (change < 0.7), renamed_person, v2_name))
    v2_industry = np.where(b2b & (change >= 0.5), industries[rng.integers(0, len(industries), len(idx))], v2_industry)
    v2_country = np.where(~b2b & (change >= 0.7), countries[rng.integers(0, 3, len(idx))], v2_country)
    v2_updated = update_day[idx] * DAY + business_seconds(rng, len(idx))

    account_id = np.concatenate([pop.account_id, pop.account_id[idx]])
    updated_s = np.concatenate([pop.created_s + rng.integers(0, 600, n), v2_updated])
    created_s = np.concatenate([pop.created_s, pop.created_s[idx]])
    segment = np.where(np.concatenate([pop.is_b2b, b2b]), "B2B", "B2C")
    style = _ts_style(rng, len(account_id))
    labels = next_quarter_label(updated_s // DAY)
    tbl = writer.table(
        "accounts",
        {
            "account_id": writer.text(account_id),
            "account_name": writer.text(np.concatenate([people.account_name, v2_name])),
            "segment": writer.text(segment),
            "industry": writer.text(np.concatenate([industry, v2_industry])),
            "country": writer.text(np.concatenate([country, v2_country])),
            "created_at": writer.timestamps(created_s, style),
            "updated_at": writer.timestamps(updated_s, style),
        },
    )
    keep = latest_per_key_and_label(np.concatenate([np.arange(n), idx]), labels, updated_s)
    return tbl.take(pa.array(keep)), labels[keep]


@dataclass
class Contacts:
    """Contacts in account order (the first version of each), for the survey."""

    contact_id: np.ndarray
    account_idx: np.ndarray
    created_s: np.ndarray

    def for_accounts(self, lo: int, hi: int) -> Contacts:
        """The contacts of accounts lo <= index < hi (a contiguous slice: contacts are in account order)."""
        a, b = np.searchsorted(self.account_idx, [lo, hi])
        return Contacts(self.contact_id[a:b], self.account_idx[a:b], self.created_s[a:b])


def contacts_table(rng: np.random.Generator, pop: Population, people: People) -> tuple[pa.Table, np.ndarray, Contacts]:
    """1-4 contacts per B2B account, the person themself for B2C; some later role changes."""
    per_account = np.where(pop.is_b2b, rng.choice([1, 2, 3, 4], size=pop.n, p=[0.3, 0.35, 0.2, 0.15]), 1)
    account_idx = np.repeat(np.arange(pop.n), per_account)
    first_of_account = np.r_[True, account_idx[1:] != account_idx[:-1]]
    m = len(account_idx)
    b2b = pop.is_b2b[account_idx]
    lag = np.where(first_of_account, 0, rng.exponential(90, m)).astype(np.int64) * DAY
    created_s = np.minimum(pop.created_s[account_idx] + lag, END_DAY * DAY + 12 * 3600)

    first, last = names.person_names(rng, pop.country_idx[account_idx])
    first = np.where(b2b, first, people.first[account_idx])
    last = np.where(b2b, last, people.last[account_idx])
    full_name = names._join(first, last, sep=" ")
    local = names._join(names.ascii_slug(first), names.ascii_slug(last), sep=".")
    company_domain = names._join(names.ascii_slug(people.account_name[account_idx], sep="-"), "example", sep=".")
    mailbox = np.array(["posti.example", "mail.example", "inbox.example"], dtype=object)[rng.integers(0, 3, m)]
    number = (np.arange(m) % 997).astype(str).astype(object)
    email = np.where(
        b2b,
        names._join(local, company_domain, sep="@"),
        names._join(names._join(local, number, sep=""), mailbox, sep="@"),
    )
    has_email = rng.random(m) > 0.02
    roles = np.array(names.B2B_ROLES, dtype=object)
    role = np.where(b2b, roles[rng.integers(0, len(roles), m)], None)
    contact_id = np.char.add("CON-", np.char.zfill(np.arange(1, m + 1).astype(str), 8)).astype(object)

    # A tenth of B2B contacts change role in a later quarter: a second version.
    next_q = next_quarter_label(created_s // DAY).astype(np.int64)
    update_day = next_q + (rng.random(m) * (END_DAY + 1 - next_q).clip(0)).astype(np.int64)
    v2 = np.flatnonzero(b2b & (rng.random(m) < 0.10) & (update_day <= END_DAY))
    cid = np.concatenate([contact_id, contact_id[v2]])
    created_all = np.concatenate([created_s, created_s[v2]])
    updated_all = np.concatenate(
        [created_s + rng.integers(0, 600, m), update_day[v2] * DAY + business_seconds(rng, len(v2))]
    )
    style = _ts_style(rng, len(cid))
    labels = next_quarter_label(updated_all // DAY)
    tbl = writer.table(
        "contacts",
        {
            "contact_id": writer.text(cid),
            "account_id": writer.text(pop.account_id[account_idx][np.r_[np.arange(m), v2]]),
            "email": writer.text(np.concatenate([email, email[v2]]), valid=np.concatenate([has_email, has_email[v2]])),
            "full_name": writer.text(np.concatenate([full_name, full_name[v2]])),
            "role": writer.text(np.concatenate([role, roles[rng.integers(0, len(roles), len(v2))]])),
            "created_at": writer.timestamps(created_all, style),
            "updated_at": writer.timestamps(updated_all, style),
        },
    )
    keep = latest_per_key_and_label(np.r_[np.arange(m), v2], labels, updated_all)
    return tbl.take(pa.array(keep)), labels[keep], Contacts(contact_id, account_idx, created_s)


def deals_table(rng: np.random.Generator, pop: Population, deals: dict[str, np.ndarray]) -> pa.Table:
    """Deals as one snapshot (not versioned: each deal once, in its current stage)."""
    order = np.argsort(deals["created_s"], kind="stable")
    d = {k: v[order] for k, v in deals.items()}
    n = len(order)
    ids = np.char.add("DEAL-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)).astype(object)
    style = _ts_style(rng, n)
    closed = d["closed_s"] >= 0
    return writer.table(
        "deals",
        {
            "deal_id": writer.text(ids),
            "account_id": writer.text(pop.account_id[d["account_idx"]]),
            "stage": writer.text(d["stage"]),
            "amount": writer.decimals(d["amount"], valid=d["has_amount"]),
            "currency": writer.text(d["currency"]),
            "created_at": writer.timestamps(d["created_s"], style),
            "closed_at": writer.timestamps(d["closed_s"], style, valid=closed),
            "is_won": pa.array(d["is_won"] == 1, pa.bool_(), mask=d["is_won"] < 0),
        },
    )
