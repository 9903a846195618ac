"""The data-quality guard of one staged batch (placeholder until the GX runner is wired in)."""

from __future__ import annotations

import duckdb

from ingestion.casting import TYPED, unparsed_column
from ingestion.contract import Entity
from ingestion.readers import ROW_NUMBER
from ingestion.results import ERROR, Finding
from ingestion.warehouse import quote_ident


def check(con: duckdb.DuckDBPyConnection, entity: Entity, staged_columns: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    present = set(staged_columns)
    for column in entity.columns:
        if column.name not in present:
            if column.required:
                findings.append(
                    Finding("column_exists", ERROR, f"required column {column.name} missing", column.name)
                )
            continue
        if column.type != "text":
            bad = con.execute(
                f"select {ROW_NUMBER}, {quote_ident(unparsed_column(column.name))} from {TYPED} "
                f"where {quote_ident(unparsed_column(column.name))} is not null order by 1"
            ).fetchall()
            if bad:
                findings.append(
                    Finding(
                        "type_parses",
                        ERROR,
                        f"not a {column.type}",
                        column.name,
                        unexpected_count=len(bad),
                        examples=[{"row": r, "value": v} for r, v in bad[:5]],
                    )
                )
    return findings
