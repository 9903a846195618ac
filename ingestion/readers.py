"""Stage one landed file into a temporary all-text table with DuckDB's native readers.

Everything is read as text first so that a value that does not parse is a finding with a row number,
not a reader crash; typing happens afterwards in SQL (`ingestion.typing`). The file name and the
header names never become SQL text: the path is a bound parameter, column names are quoted.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass

import duckdb

from ingestion.contract import LINEAGE_COLUMNS
from ingestion.files import LandedFile
from ingestion.warehouse import quote_ident

STAGE = "_arvo_stage"
ROW_NUMBER = "_row_number"


class Rejected(Exception):
    """The file as a whole cannot be loaded: `rule` names the check, `message` says what to fix."""

    def __init__(self, rule: str, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Staged:
    """The staged file: its column names (contract spelling where they match) and its row count."""

    columns: list[str]
    rows_in: int


def _duckdb_message(exc: Exception) -> str:
    """DuckDB's reader error without its generic 'possible fixes' advice (ours is more specific)."""
    text = str(exc).split("Possible fixes:")[0].strip()
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def normalise_header(names: list[str], contract_columns: tuple[str, ...]) -> list[str]:
    """Strip whitespace/BOM, map case-insensitive matches to the contract spelling, refuse clashes."""
    by_lower = {c.lower(): c for c in contract_columns}
    result: list[str] = []
    seen: set[str] = set()
    for position, raw_name in enumerate(names, start=1):
        name = raw_name.replace("\ufeff", "").strip()
        if not name:
            raise Rejected("header", f"header column {position} has no name; give every column a name.")
        name = by_lower.get(name.lower(), name)
        if name.lower() in seen:
            raise Rejected("header", f"column {name!r} appears twice in the header; remove one.", name)
        if name.lower() in LINEAGE_COLUMNS:
            raise Rejected("header", f"column {name!r} is reserved for lineage; rename it.", name)
        seen.add(name.lower())
        result.append(name)
    return result


def _csv_header(landed: LandedFile) -> list[str] | None:
    opener = gzip.open if landed.path.name.lower().endswith(".gz") else open
    with opener(landed.path, "rb") as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        return next(csv.reader(text), None)


def _stage_csv(con: duckdb.DuckDBPyConnection, landed: LandedFile, contract: tuple[str, ...]) -> list[str]:
    header = _csv_header(landed)
    if not header:
        raise Rejected("empty_file", "the file has no header row; export it with a header.")
    names = normalise_header(header, contract)
    if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
        sep = next(s for s in ";\t|" if s in names[0])
        raise Rejected(
            "delimiter",
            f"the header is a single column {names[0][:80]!r}: the file seems to be delimited by {sep!r}; "
            "export it comma-separated.",
        )
    positional = {f"c{i}": "VARCHAR" for i in range(len(names))}
    columns_literal = "{" + ", ".join(f"'{k}': 'VARCHAR'" for k in positional) + "}"
    select = ", ".join(f"c{i} as {quote_ident(n)}" for i, n in enumerate(names))
    con.execute(
        f"create or replace temp table {STAGE}_text as select {select} from read_csv(?, "
        f"columns = {columns_literal}, header = false, skip = 1, delim = ',', quote = '\"', "
        "escape = '\"', auto_detect = false, strict_mode = true, null_padding = false, "
        "compression = 'auto')",
        [str(landed.path)],
    )
    return names


def _stage_as_text(con: duckdb.DuckDBPyConnection, reader_sql: str, path: str, contract) -> list[str]:
    described = con.execute(f"describe select * from {reader_sql}", [path]).fetchall()
    source_names = [row[0] for row in described]
    names = normalise_header(source_names, contract)
    select = ", ".join(
        f"cast({quote_ident(s)} as VARCHAR) as {quote_ident(n)}" for s, n in zip(source_names, names, strict=True)
    )
    con.execute(f"create or replace temp table {STAGE}_text as select {select} from {reader_sql}", [path])
    return names


def stage(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> Staged:
    """Read the file into temp table `_arvo_stage` (all VARCHAR plus `_row_number`, 1-based data row)."""
    contract = landed.entity.column_names
    if landed.size == 0:
        raise Rejected("empty_file", "the file is empty (0 bytes); re-send it with a header and rows.")
    try:
        if landed.format == "csv":
            names = _stage_csv(con, landed, contract)
        elif landed.format == "parquet":
            names = _stage_as_text(con, "read_parquet(?)", str(landed.path), contract)
        else:
            names = _stage_as_text(
                con,
                "read_json(?, format = 'newline_delimited', records = true, sample_size = -1)",
                str(landed.path),
                contract,
            )
    except Rejected:
        raise
    except (duckdb.Error, csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
        raise Rejected(
            "parse",
            f"the {landed.format} file cannot be read: {_duckdb_message(exc)}. "
            "Fix that line (a quote left open, a row with too many or too few fields, a truncated "
            "export) and drop the file again.",
        ) from exc
    # rowid follows file order (insertion order is preserved), so it numbers the data rows.
    con.execute(f"create or replace temp table {STAGE} as select *, rowid + 1 as {ROW_NUMBER} from {STAGE}_text")
    con.execute(f"drop table {STAGE}_text")
    rows_in = con.execute(f"select count(*) from {STAGE}").fetchone()[0]
    if rows_in == 0:
        raise Rejected("no_rows", "the file has a header but no data rows; send a file with data.")
    return Staged(names, rows_in)
