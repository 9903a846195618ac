"""CRM contacts with e-mail and name replaced by a keyed pseudonym (`contact_key`).

A Python model, not a SQL view, on purpose: the HMAC key is read from the environment here and never
becomes SQL text, so it cannot leak into a view definition, the compiled SQL or dbt's logs. DuckDB has
no built-in HMAC and extensions cannot be downloaded, and a UDF plugin would make every reader of the
warehouse need the key; a table of pseudonyms needs none.

contact_key = hex HMAC-SHA256(key, identity) where identity is the trimmed, lower-cased e-mail, or
`name:<account_id>:<casefolded full name>` when the e-mail is empty, or `contact:<contact_id>` when
both are empty. The same person keeps the same key across loads and surveys while the key is kept.
"""

from __future__ import annotations

import hmac
import os

import pandas as pd

KEY_ENV = "ARVO_PSEUDONYM_KEY"
COLUMN_TYPES = {
    "contact_id": "string",
    "account_id": "string",
    "contact_key": "string",
    "has_email": "bool",
    "role": "string",
    "created_at": "datetime64[us]",
    "updated_at": "datetime64[us]",
}
# What is read from raw: not the file lineage the raw view joins from the ledger.
RAW_COLUMNS = (
    *("contact_id", "account_id", "email", "full_name", "role", "created_at", "updated_at"),
    *("_loaded_at", "_row_number"),
)


def _clean(value: object) -> str | None:
    """Trimmed text, or None for missing/blank values."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _identity(mail: str | None, name: str | None, account_id: str | None, contact_id: str) -> str:
    """The normalised text the pseudonym is computed from (arguments already `_clean`ed)."""
    if mail:
        return mail.lower()
    if name:
        return f"name:{account_id}:{' '.join(name.casefold().split())}"
    return f"contact:{contact_id}"


def model(dbt, session):
    dbt.config(materialized="table")
    key = os.environ.get(KEY_ENV, "")
    if not key:
        raise RuntimeError(f"{KEY_ENV} is not set: contacts cannot be pseudonymised (`arvo` sets it).")
    key_bytes = key.encode("utf-8")

    raw = dbt.source("crm", "contacts").project(", ".join(RAW_COLUMNS)).df()
    raw = raw.sort_values(["updated_at", "_loaded_at", "_row_number"], ascending=False, kind="stable")
    raw["contact_id"] = raw["contact_id"].map(_clean)
    latest = raw.drop_duplicates("contact_id", keep="first")
    account_id = latest["account_id"].map(_clean)
    email = latest["email"].map(_clean)

    contacts = pd.DataFrame(
        {
            "contact_id": latest["contact_id"],
            "account_id": account_id,
            "contact_key": pd.Series(
                [
                    hmac.digest(key_bytes, _identity(e, _clean(n), a, c).encode("utf-8"), "sha256").hex()
                    for e, n, a, c in zip(email, latest["full_name"], account_id, latest["contact_id"], strict=True)
                ],
                index=latest.index,
                dtype="object",
            ),
            "has_email": email.notna(),
            "role": latest["role"].map(_clean),
            "created_at": pd.to_datetime(latest["created_at"]),
            "updated_at": pd.to_datetime(latest["updated_at"]),
        }
    )
    # explicit types: an empty source (no file delivered yet) must still give text columns
    return contacts.astype(COLUMN_TYPES).reset_index(drop=True)
