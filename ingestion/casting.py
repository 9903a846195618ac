"""From the staged text to contract types, in SQL, without losing track of what did not parse.

For each typed contract column the typed table also carries `<column>__unparsed`: the original text
where a value was present but did not parse (else null). The guard turns those into findings with row
numbers; nothing is silently nulled.
"""

from __future__ import annotations

import duckdb

from ingestion.contract import DUCKDB_TYPES, Entity
from ingestion.readers import ROW_NUMBER, STAGE
from ingestion.warehouse import quote_ident

TYPED = "_arvo_typed"
UNPARSED_SUFFIX = "__unparsed"


def _cast_expression(column_sql: str, type_: str) -> str:
    value = f"nullif(trim({column_sql}), '')"
    if type_ == "timestamp":
        # Parse with the zone if one is given (session zone is UTC), then drop it: stored as UTC.
        return f"cast(try_cast({value} as TIMESTAMPTZ) as TIMESTAMP)"
    if type_ == "bool":
        return f"try_cast(lower({value}) as BOOLEAN)"
    return f"try_cast({value} as {DUCKDB_TYPES[type_]})"


def unparsed_column(name: str) -> str:
    return f"{name}{UNPARSED_SUFFIX}"


def build_typed(con: duckdb.DuckDBPyConnection, entity: Entity, staged_columns: list[str]) -> list[str]:
    """Create temp table `_arvo_typed`; returns the extra (non-contract) column names, in file order."""
    present = set(staged_columns)
    select: list[str] = []
    for column in entity.columns:
        target = quote_ident(column.name)
        if column.name not in present:
            select.append(f"cast(null as {DUCKDB_TYPES[column.type]}) as {target}")
        elif column.type == "text":
            select.append(target)
        else:
            cast = _cast_expression(target, column.type)
            select.append(f"{cast} as {target}")
            select.append(
                f"case when nullif(trim({target}), '') is not null and {cast} is null "
                f"then {target} end as {quote_ident(unparsed_column(column.name))}"
            )
    extras = [c for c in staged_columns if c not in set(entity.column_names)]
    select += [quote_ident(c) for c in extras]
    select.append(ROW_NUMBER)
    con.execute(f"create or replace temp table {TYPED} as select {', '.join(select)} from {STAGE}")
    return extras
