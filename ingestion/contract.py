"""The landing contract of `shared/design/sources.md` as data.

One place says which entities exist, where their files land, which columns they have, of which type,
and which are required. The generator writes to it, the loaders type by it, the expectation suites
check it, and the dbt sources declare the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass

# Decimal places a `decimal` keeps in raw; a value with more is stored rounded, and said so (the guard's
# `decimal_rounded` warning).
DECIMAL_SCALE = 4

# Contract type -> DuckDB type used in the raw table.
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",  # stored as UTC, zone dropped after conversion
    "decimal": f"DECIMAL(18,{DECIMAL_SCALE})",
    "int": "INTEGER",
    "bool": "BOOLEAN",
}

# Lineage columns on every raw row (`raw.<entity>`).
LINEAGE_COLUMNS = {
    "_source_file": "VARCHAR",
    "_file_sha256": "VARCHAR",
    "_load_id": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
    "_row_number": "BIGINT",
}
# Those the same for every row of a file: shown from the load's ledger row (lineage column -> ledger
# column), not stored per row (see ingestion.warehouse).
FILE_LINEAGE = {"_source_file": "file_path", "_file_sha256": "sha256"}

FILE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".jsonl")
IN_PROGRESS_SUFFIXES = (".part", ".tmp")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    pii: bool = False


@dataclass(frozen=True)
class Entity:
    source: str  # crm, survey, revenue
    name: str  # accounts, contacts, ...; also the raw table name
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    versioned_by: str | None = None  # a later value of this column replaces an earlier version of the key

    @property
    def folder(self) -> str:
        """Folder under the landing root, e.g. `crm/accounts`."""
        return f"{self.source}/{self.name}"

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, type_: str = "text", required: bool = False, pii: bool = False) -> Column:
    return Column(name, type_, required, pii)


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "crm",
            "accounts",
            (
                _c("account_id", required=True),
                _c("account_name", required=True),
                _c("segment", required=True),
                _c("industry"),
                _c("country"),
                _c("created_at", "timestamp", True),
                _c("updated_at", "timestamp", True),
            ),
            key=("account_id",),
            versioned_by="updated_at",
        ),
        Entity(
            "crm",
            "contacts",
            (
                _c("contact_id", required=True),
                _c("account_id", required=True),
                _c("email", pii=True),
                _c("full_name", pii=True),
                _c("role"),
                _c("created_at", "timestamp", True),
                _c("updated_at", "timestamp", True),
            ),
            key=("contact_id",),
            versioned_by="updated_at",
        ),
        Entity(
            "crm",
            "deals",
            (
                _c("deal_id", required=True),
                _c("account_id", required=True),
                _c("stage", required=True),
                _c("amount", "decimal"),
                _c("currency"),
                _c("created_at", "timestamp", True),
                _c("closed_at", "timestamp"),
                _c("is_won", "bool"),
            ),
            key=("deal_id",),
        ),
        Entity(
            "survey",
            "questions",
            (
                _c("survey_id", required=True),
                _c("question_id", required=True),
                _c("construct", required=True),
                _c("scale_min", "int"),
                _c("scale_max", "int"),
                _c("question_text"),
            ),
            key=("survey_id", "question_id"),
        ),
        Entity(
            "survey",
            "responses",
            (
                _c("response_id", required=True),
                _c("survey_id", required=True),
                _c("question_id", required=True),
                _c("account_id", required=True),
                _c("contact_id"),
                _c("responded_at", "timestamp", True),
                _c("answer_numeric", "decimal"),
                _c("answer_text"),
            ),
            key=("response_id", "question_id"),
        ),
        Entity(
            "revenue",
            "invoices",
            (
                _c("invoice_id", required=True),
                _c("account_id", required=True),
                _c("invoice_date", "date", True),
                _c("currency", required=True),
                _c("amount", "decimal", True),
                _c("status"),
            ),
            key=("invoice_id",),
        ),
        Entity(
            "revenue",
            "subscriptions",
            (
                _c("subscription_id", required=True),
                _c("account_id", required=True),
                _c("plan"),
                _c("start_date", "date", True),
                _c("end_date", "date"),
                _c("mrr", "decimal", True),
                _c("currency", required=True),
                _c("updated_at", "timestamp", True),
            ),
            key=("subscription_id",),
            versioned_by="updated_at",
        ),
        Entity(
            "revenue",
            "fx_rates",
            (
                _c("rate_date", "date", True),
                _c("currency", required=True),
                _c("rate", "decimal", True),
            ),
            key=("rate_date", "currency"),
        ),
    )
}

SEGMENTS = ("B2B", "B2C")
INVOICE_STATUSES = ("paid", "open", "void")
VALUE_TYPES = ("economic", "functional", "emotional", "social", "symbolic")
LADDER_STEPS = ("awareness", "understanding", "meaning", "differentiation", "fulfilment")
CONSTRUCTS = (
    "nps",
    *(f"value_{v}" for v in VALUE_TYPES),
    *(f"ladder_{s}" for s in LADDER_STEPS),
    "expectation",
    "experience",
    "comment",
)
NUMERIC_CONSTRUCTS = tuple(c for c in CONSTRUCTS if c != "comment")
