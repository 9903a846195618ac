"""From the staged text to contract types, in SQL, without losing track of what did not parse.

For each typed contract column the typed table also carries `<column>__unparsed`: the original text
where a value was present but did not parse (else null), and each decimal column `<column>__rounded`:
the original value where it has more decimal places than raw keeps. The guard turns those into
findings with row numbers; nothing is silently nulled or rounded.
"""

from __future__ import annotations

import duckdb

from ingestion.contract import DECIMAL_SCALE, DUCKDB_TYPES, Entity
from ingestion.warehouse import quote_ident

TYPED = "_arvo_typed"
ROW_NUMBER = "_row_number"
UNPARSED_SUFFIX = "__unparsed"
ROUNDED_SUFFIX = "__rounded"


def staged_column(position: int) -> str:
    """The name the reader gives the file's column at `position` (0-based). Header names stay data:
    a header such as `rowid` cannot shadow DuckDB's row id, which numbers the rows."""
    return f"c{position}"


# A date and a time to the minute, then a zone: `Z`, `+02`, `+0200` or `+02:00`.
_MINUTE_WITH_ZONE = r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})(Z|[+-]\d{2}(?::?\d{2})?)$"


def _cast_expression(column_sql: str, type_: str, source_type: str) -> str:
    """The contract type from a text value (trimmed, empty = null) or from a typed one (Parquet,
    JSON numbers: cast directly, no round trip through text).

    DuckDB's casts round and coerce where the contract does not: '5.5' or a Parquet 5.5 cast to
    INTEGER is 6, and a BOOLEAN casts to 1/0 as a number. An `int` must be a whole number and a
    number is never a boolean, so those give null here and are reported as not parsing.
    """
    is_text = source_type == "VARCHAR"
    value = f"nullif(trim({column_sql}), '')" if is_text else column_sql
    if type_ == "timestamp":
        # Parse with the zone if one is given (session zone is UTC), then drop it: stored as UTC.
        parsed = f"try_cast({value} as TIMESTAMPTZ)"
        if is_text:
            # ISO 8601 allows a time to the minute before a zone (`10:00Z`, `10:00+02:00`), DuckDB only
            # without one: such a value is parsed again with `:00` seconds added.
            to_the_minute = f"try_cast(regexp_replace({value}, '{_MINUTE_WITH_ZONE}', '\\1:00\\2') as TIMESTAMPTZ)"
            parsed = f"coalesce({parsed}, {to_the_minute})"
        return f"cast({parsed} as TIMESTAMP)"
    if type_ == "bool" and is_text:
        return f"try_cast(lower({value}) as BOOLEAN)"
    target = DUCKDB_TYPES[type_]
    if type_ in ("int", "decimal") and source_type == "BOOLEAN":
        return f"cast(null as {target})"
    if type_ == "int" and is_text:
        return f"case when regexp_full_match({value}, '[+-]?[0-9]+') then try_cast({value} as {target}) end"
    if type_ == "int" and (source_type in ("FLOAT", "DOUBLE") or source_type.startswith("DECIMAL")):
        return f"case when {value} = trunc({value}) then try_cast({value} as {target}) end"
    return f"try_cast({value} as {target})"


def _unparsed_expression(column_sql: str, cast: str, is_text: bool) -> str:
    """The original value, as text, where one was given but did not convert."""
    given = f"nullif(trim({column_sql}), '') is not null" if is_text else f"{column_sql} is not null"
    original = column_sql if is_text else f"cast({column_sql} as VARCHAR)"
    return f"case when {given} and {cast} is null then {original} end"


def _rounded_expression(column_sql: str, cast: str, source_type: str) -> str | None:
    """The original value, as text, where the stored decimal differs from it (more decimal places than
    `DECIMAL_SCALE`); None when the source type cannot carry more (integers)."""
    if source_type == "VARCHAR":
        # On the text: a non-zero digit after DECIMAL_SCALE places. (Casting to a wider DECIMAL to compare
        # made reading 1M invoices 2.5x slower; the length test skips the regex for almost every value.)
        value = f"trim({column_sql})"
        dot = f"strpos({value}, '.')"
        return (
            f"case when {dot} > 0 and length({value}) - {dot} > {DECIMAL_SCALE} "
            f"and regexp_full_match({value}, '[+-]?[0-9_]*\\.[0-9]{{{DECIMAL_SCALE}}}[0-9]*[1-9][0-9]*') "
            f"and {cast} is not null "
            f"then {column_sql} end"
        )
    elif source_type in ("FLOAT", "DOUBLE"):
        # A binary float is only near its decimal: 0.30000000000000004 is how pandas writes 0.1 + 0.2,
        # not a fifth place. A difference beyond float noise (relative 1e-9) is a real one.
        return (
            f"case when {cast} is not null and abs({column_sql} - cast({cast} as DOUBLE)) > "
            f"1e-9 * greatest(1, abs({column_sql})) then cast({column_sql} as VARCHAR) end"
        )
    elif source_type.startswith("DECIMAL"):
        exact, original = column_sql, f"cast({column_sql} as VARCHAR)"
    else:
        return None
    return f"case when {cast} is not null and {exact} <> {cast} then {original} end"


def unparsed_column(name: str) -> str:
    return f"{name}{UNPARSED_SUFFIX}"


def rounded_column(name: str) -> str:
    return f"{name}{ROUNDED_SUFFIX}"


def extra_columns(entity: Entity, staged_columns: list[str]) -> list[tuple[str, str]]:
    """(name, column in the typed table) of the file's columns beyond the contract, in file order."""
    contract = set(entity.column_names)
    return [(name, staged_column(i)) for i, name in enumerate(staged_columns) if name not in contract]


def _as_value(staged: str, source_type: str) -> str:
    """The column as the reader gives it; a JSON-typed one (DuckDB's type for a JSON Lines field that
    mixes strings with numbers or objects) as text: a string without its JSON quotes, anything else as
    its JSON text. Cast to VARCHAR, `"A1"` would keep the quotes."""
    return f"json_extract_string({staged}, '$')" if source_type == "JSON" else staged


def build_typed(
    con: duckdb.DuckDBPyConnection, entity: Entity, staged_columns: list[str], source: str, parameters: list
) -> int:
    """Read `source` (a relation whose columns are named by `staged_column`: text from CSV, typed or
    text from Parquet and JSON) once into the typed temp table; view `_arvo_typed` adds `_row_number`
    (1-based, file order). Returns the row count.

    Reading and typing in one statement keeps the batch in memory once, not as text and again typed.
    """
    position = {name: staged_column(i) for i, name in enumerate(staged_columns)}
    source_types = dict(
        con.execute(f"select column_name, column_type from (describe select * from {source})", parameters).fetchall()
    )
    columns_sql = {staged: _as_value(staged, type_) for staged, type_ in source_types.items()}
    source_types = {
        staged: "VARCHAR" if type_ == "JSON" else type_ for staged, type_ in source_types.items()
    }  # as text
    select: list[str] = []
    for column in entity.columns:
        target = quote_ident(column.name)
        if column.name not in position:
            select.append(f"cast(null as {DUCKDB_TYPES[column.type]}) as {target}")
            continue
        staged = position[column.name]
        source_column, source_type = columns_sql[staged], source_types[staged]
        is_text = source_type == "VARCHAR"
        if column.type == "text":
            text = source_column if is_text else f"cast({source_column} as VARCHAR)"
            if column.required:
                # Blank is missing: CSV already reads `""` as null, but JSON/Parquet `""` and a
                # whitespace-only value anywhere would pass `required_not_null` and reach staging as ''.
                # (Trimmed only when it starts with a space: half the cost of trimming every value.)
                text = (
                    f"case when {text} <> '' and (not starts_with({text}, ' ') or trim({text}) <> '') then {text} end"
                )
            select.append(f"{text} as {target}")
        else:
            cast = _cast_expression(source_column, column.type, source_type)
            select.append(f"{cast} as {target}")
            unparsed = _unparsed_expression(source_column, cast, is_text)
            select.append(f"{unparsed} as {quote_ident(unparsed_column(column.name))}")
            if column.type == "decimal":
                rounded = _rounded_expression(source_column, cast, source_type)
                select.append(f"{rounded or 'cast(null as VARCHAR)'} as {quote_ident(rounded_column(column.name))}")
    select += [
        f"{columns_sql[staged] if source_types[staged] == 'VARCHAR' else f'cast({staged} as VARCHAR)'} as {staged}"
        for _, staged in extra_columns(entity, staged_columns)
    ]
    con.execute(f"create or replace temp table {TYPED}_rows as select {', '.join(select)} from {source}", parameters)
    # rowid follows file order: DuckDB preserves insertion order.
    con.execute(f"create or replace temp view {TYPED} as select *, rowid + 1 as {ROW_NUMBER} from {TYPED}_rows")
    return con.execute(f"select count(*) from {TYPED}_rows").fetchone()[0]
