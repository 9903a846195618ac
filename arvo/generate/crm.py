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

    account_name: pa.Array
    first: pa.Array  # B2C person first name (null for B2B)
    last: pa.Array


def _ts_style(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(3, size=n, p=CRM_TS_STYLE_P)


def account_names(rng: np.random.Generator, pop: Population) -> People:
    first, last = names.person_names(rng, pop.country_idx)
    company = names.company_names(rng, pop.country_idx)
    person = names.join(first, last, sep=" ")
    return People(names.where(pop.is_b2b, company, person), names.where(pop.is_b2b, None, first), last)


def accounts_table(rng: np.random.Generator, pop: Population, people: People) -> tuple[pa.Table, np.ndarray]:
    """All account versions and their file labels (quarterly delta exports)."""
    n = pop.n
    industries = pa.array(names.INDUSTRIES, pa.string())
    industry = writer.lookup(industries, rng.integers(0, len(industries), n), valid=pop.is_b2b)
    countries = pa.array(names.COUNTRIES, pa.string())
    country = countries.take(pa.array(pop.country_idx))

    # Second versions: a later update in a later quarter (rename, new industry, a move).
    created_day = pop.created_day
    next_q = next_quarter_label(created_day).astype(np.int64)
    update_day = next_q + (rng.random(n) * (END_DAY + 1 - next_q).clip(0)).astype(np.int64)
    has_v2 = (rng.random(n) < SECOND_VERSION_SHARE) & (update_day <= END_DAY)
    idx = np.flatnonzero(has_v2)
    change = rng.random(len(idx))
    take = pa.array(idx)
    b2b = pop.is_b2b[idx]
    new_company = names.company_names(rng, pop.country_idx[idx])
    new_last = names.person_names(rng, pop.country_idx[idx])[1]
    renamed_person = names.join(names.where(b2b, "", people.first.take(take)), new_last, sep=" ")
    v2_name = names.where(
        b2b & (change < 0.5),
        new_company,
        names.where(~b2b & (change < 0.7), renamed_person, people.account_name.take(take)),
    )
    new_industry = industries.take(pa.array(rng.integers(0, len(industries), len(idx))))
    v2_industry = names.where(b2b & (change >= 0.5), new_industry, industry.take(take))
    new_country = countries.take(pa.array(rng.integers(0, 3, len(idx))))
    v2_country = names.where(~b2b & (change >= 0.7), new_country, country.take(take))
    v2_updated = update_day[idx] * DAY + business_seconds(rng, len(idx))

    rows = np.concatenate([np.arange(n), idx])
    updated_s = np.concatenate([pop.created_s + rng.integers(0, 600, n), v2_updated])
    created_s = np.concatenate([pop.created_s, pop.created_s[idx]])
    segment = np.where(np.concatenate([pop.is_b2b, b2b]), "B2B", "B2C")
    style = _ts_style(rng, len(rows))
    labels = next_quarter_label(updated_s // DAY)
    tbl = writer.table(
        "accounts",
        {
            "account_id": writer.lookup(pop.account_id, rows),
            "account_name": pa.concat_arrays([people.account_name, v2_name]),
            "segment": writer.text(segment),
            "industry": pa.concat_arrays([industry, v2_industry]),
            "country": pa.concat_arrays([country, v2_country]),
            "created_at": writer.timestamps(created_s, style),
            "updated_at": writer.timestamps(updated_s, style),
        },
    )
    keep = latest_per_key_and_label(rows, labels, updated_s)
    return tbl.take(pa.array(keep)), labels[keep]


@dataclass
class Contacts:
    """Contacts in account order (the first version of each), for the survey."""

    contact_id: pa.Array
    account_idx: np.ndarray
    created_s: np.ndarray

    def for_accounts(self, lo: int, hi: int) -> Contacts:
        """The contacts of accounts lo <= index < hi (a contiguous slice: contacts are in account order)."""
        a, b = np.searchsorted(self.account_idx, [lo, hi])
        return Contacts(self.contact_id.slice(a, b - a), self.account_idx[a:b], self.created_s[a:b])


def contacts_table(rng: np.random.Generator, pop: Population, people: People) -> tuple[pa.Table, np.ndarray, Contacts]:
    """1-4 contacts per B2B account, the person themself for B2C; some later role changes."""
    per_account = np.where(pop.is_b2b, rng.choice([1, 2, 3, 4], size=pop.n, p=[0.3, 0.35, 0.2, 0.15]), 1)
    account_idx = np.repeat(np.arange(pop.n), per_account)
    first_of_account = np.r_[True, account_idx[1:] != account_idx[:-1]]
    m = len(account_idx)
    b2b = pop.is_b2b[account_idx]
    lag = np.where(first_of_account, 0, rng.exponential(90, m)).astype(np.int64) * DAY
    created_s = np.minimum(pop.created_s[account_idx] + lag, END_DAY * DAY + 12 * 3600)

    of_account = pa.array(account_idx)
    first, last = names.person_names(rng, pop.country_idx[account_idx])
    first = names.where(b2b, first, people.first.take(of_account))
    last = names.where(b2b, last, people.last.take(of_account))
    full_name = names.join(first, last, sep=" ")
    local = names.join(names.ascii_slug(first), names.ascii_slug(last), sep=".")
    company_domain = names.join(names.ascii_slug(people.account_name.take(of_account), sep="-"), "example", sep=".")
    mailbox = writer.lookup(["posti.example", "mail.example", "inbox.example"], rng.integers(0, 3, m))
    number = pa.array(np.arange(m) % 997).cast(pa.string())
    email = names.where(
        b2b,
        names.join(local, company_domain, sep="@"),
        names.join(names.join(local, number, sep=""), mailbox, sep="@"),
    )
    has_email = rng.random(m) > 0.02
    roles = pa.array(names.B2B_ROLES, pa.string())
    role = writer.lookup(roles, rng.integers(0, len(roles), m), valid=b2b)
    contact_id = writer.make_ids("CON-", np.arange(1, m + 1), 8)

    # A tenth of B2B contacts change role in a later quarter: a second version.
    next_q = next_quarter_label(created_s // DAY).astype(np.int64)
    update_day = next_q + (rng.random(m) * (END_DAY + 1 - next_q).clip(0)).astype(np.int64)
    v2 = np.flatnonzero(b2b & (rng.random(m) < 0.10) & (update_day <= END_DAY))
    rows = np.r_[np.arange(m), v2]
    created_all = np.concatenate([created_s, created_s[v2]])
    updated_all = np.concatenate(
        [created_s + rng.integers(0, 600, m), update_day[v2] * DAY + business_seconds(rng, len(v2))]
    )
    style = _ts_style(rng, len(rows))
    labels = next_quarter_label(updated_all // DAY)
    tbl = writer.table(
        "contacts",
        {
            "contact_id": contact_id.take(pa.array(rows)),
            "account_id": writer.lookup(pop.account_id, account_idx[rows]),
            "email": names.where(has_email[rows], email.take(pa.array(rows)), None),
            "full_name": full_name.take(pa.array(rows)),
            "role": pa.concat_arrays([role, roles.take(pa.array(rng.integers(0, len(roles), len(v2))))]),
            "created_at": writer.timestamps(created_all, style),
            "updated_at": writer.timestamps(updated_all, style),
        },
    )
    keep = latest_per_key_and_label(rows, labels, updated_all)
    return tbl.take(pa.array(keep)), labels[keep], Contacts(contact_id, account_idx, created_s)


def deals_table(rng: np.random.Generator, pop: Population, deals: dict[str, np.ndarray]) -> pa.Table:
    """Deals as one snapshot (not versioned: each deal once, in its current stage)."""
    order = np.argsort(deals["created_s"], kind="stable")
    d = {k: v[order] for k, v in deals.items()}
    n = len(order)
    ids = writer.make_ids("DEAL-", np.arange(1, n + 1), 7)
    style = _ts_style(rng, n)
    closed = d["closed_s"] >= 0
    return writer.table(
        "deals",
        {
            "deal_id": ids,
            "account_id": writer.lookup(pop.account_id, d["account_idx"]),
            "stage": writer.text(d["stage"]),
            "amount": writer.decimals(d["amount"], valid=d["has_amount"]),
            "currency": writer.text(d["currency"]),
            "created_at": writer.timestamps(d["created_s"], style),
            "closed_at": writer.timestamps(d["closed_s"], style, valid=closed),
            "is_won": pa.array(d["is_won"] == 1, pa.bool_(), mask=d["is_won"] < 0),
        },
    )
