"""Stage one landed file with DuckDB's native readers into the typed temp table the guard checks.

CSV columns are read as text so that a value that does not parse is a finding with a row number, not
a reader crash; Parquet and JSON columns keep the types the file gives them. `ingestion.casting`
converts to the contract types in the same statement. The file name and the header names never
become SQL text: the path is a bound parameter, columns are named by position.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass

import duckdb

from ingestion.casting import build_typed, staged_column
from ingestion.contract import LINEAGE_COLUMNS
from ingestion.files import LandedFile
from ingestion.warehouse import quote_ident


class Rejected(Exception):
    """The file as a whole cannot be loaded: `rule` names the check, `message` says what to fix."""

    def __init__(self, rule: str, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Staged:
    """The staged file: its column names in file order (contract spelling where they match; staged
    as `staged_column(position)`) and its row count."""

    columns: list[str]
    rows_in: int


# What DuckDB's CSV reader says is wrong with a line, after quoting the line itself.
_CSV_PROBLEM = re.compile(
    r"Expected Number of Columns: \d+ Found: \d+|Value with unterminated quote found\."
    r"|Invalid unicode \(byte sequence mismatch\) detected\.|Maximum line size of \d+ bytes exceeded[^\n]*"
)


# DuckDB's JSON reader quotes the start of an object it refuses: `Object {"email":"aino@...","...`.
_JSON_OBJECT = re.compile(r"Object \{.*?\.\.\.", re.DOTALL)


def _without_line_text(text: str) -> str:
    """DuckDB's CSV error minus the `Original Line:` it quotes, and a JSON error minus the object it
    quotes. Both are a row of the file: from crm/contacts an e-mail address and a name, which must not
    reach the ledger (published with the serving snapshot), the log or the report. The line number and
    the problem stay; the file itself is kept whole in quarantine."""
    text = _JSON_OBJECT.sub("The object", text)
    text = re.split(r"\s+Try (?:increasing|setting) ", text)[0]  # advice on DuckDB's reader options, not ours
    head, quoted, rest = text.partition("Original Line:")
    if not quoted:
        return text
    problems = _CSV_PROBLEM.findall(rest)  # the last one: the line's own text may precede it, multi-line
    problem = problems[-1] if problems else "the line does not follow the CSV rules."
    return f"{head.rstrip()} (its text is not repeated here; see the file) {problem}"


_PARSE_ADVICE = {
    "csv": "Fix that line (a quote left open, a row with too many or too few fields, a truncated export) and "
    "drop the file again.",
    "jsonl": "Fix that line (one complete JSON object per line) and drop the file again.",
    "parquet": "Export the Parquet file again (it is truncated or not Parquet) and drop it again.",
}


def _duckdb_message(exc: Exception) -> str:
    """DuckDB's reader error without its generic 'possible fixes' advice (ours is more specific), the
    row text it quotes, or the SQL statement it points into (`LINE 1: describe select ...`)."""
    text = str(exc).split("Possible fixes:")[0]
    text = _without_line_text(re.split(r"\n\s*LINE \d+:", text)[0].strip())
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
    """The header row's names. A BOM is dropped before parsing (`utf-8-sig`), not after: left in, it
    stands before the first field's opening quote and the quotes become part of the name."""
    opener = gzip.open if landed.path.name.lower().endswith(".gz") else open
    with opener(landed.path, "rb") as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        return next(csv.reader(text), None)


def _csv_source(landed: LandedFile, contract: tuple[str, ...]) -> tuple[list[str], str]:
    """(header names, read_csv relation with every column as text, named by position)."""
    header = _csv_header(landed)
    if header is None:
        raise Rejected("empty_file", "the file has no header row; export it with a header.")
    if not header:
        raise Rejected(
            "header", "the first line is empty: the header must be the file's first line; remove the blank line."
        )
    if header[0].strip().lower().startswith("sep="):
        raise Rejected(
            "header",
            f"the first line is Excel's {','.join(header)!r} hint, not the header: remove that line "
            "(the header must be the file's first line).",
        )
    names = normalise_header(header, contract)
    if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
        sep = next(s for s in ";\t|" if s in names[0])
        raise Rejected(
            "delimiter",
            f"the header is a single column {names[0][:80]!r}: the file seems to be delimited by {sep!r}; "
            "export it comma-separated.",
        )
    columns_literal = "{" + ", ".join(f"'{staged_column(i)}': 'VARCHAR'" for i in range(len(names))) + "}"
    source = (
        f"read_csv(?, columns = {columns_literal}, header = false, skip = 1, delim = ',', quote = '\"', "
        "escape = '\"', auto_detect = false, strict_mode = true, null_padding = false, compression = 'auto')"
    )
    return names, source


# DuckDB's name for the second of two columns whose names differ at most in case: `amount_1`.
_RENAMED = re.compile(r"^(.+)_\d+$")


def _parquet_names(con: duckdb.DuckDBPyConnection, path: str) -> list[str]:
    """The file's top-level column names as written (the schema lists nested fields depth first)."""
    schema = con.execute("select name, coalesce(num_children, 0) from parquet_schema(?)", [path]).fetchall()

    def after(i: int) -> int:  # the index past the element at i and its descendants
        end = i + 1
        for _ in range(schema[i][1]):
            end = after(end)
        return end

    names, i = [], 1  # element 0 is the root
    while i < len(schema):
        names.append(schema[i][0])
        i = after(i)
    return names


def _jsonl_keys(con: duckdb.DuckDBPyConnection, path: str) -> list[str]:
    """Every key of the file's objects as written (read again: only when DuckDB seems to have renamed one)."""
    rows = con.execute(
        "select distinct unnest(json_keys(json)) from read_json_objects(?, format = 'newline_delimited')", [path]
    ).fetchall()
    return [row[0] for row in rows]


def _file_names(con: duckdb.DuckDBPyConnection, reader_sql: str, path: str, described: list[str]) -> list[str]:
    """The column names as the file has them. DuckDB gives the second of two names that differ at most in
    case another name (`amount`, `Amount` -> `amount`, `Amount_1`), so a repeated column would load as
    an extra one; the names the file really has let `normalise_header` refuse it as the CSV reader does."""
    lower = {name.lower() for name in described}
    renamed = any((m := _RENAMED.match(name)) and m.group(1).lower() in lower for name in described)
    if not renamed:
        return described
    if reader_sql.startswith("read_parquet"):
        return _parquet_names(con, path)
    keys = set(_jsonl_keys(con, path))
    return [m.group(1) if name not in keys and (m := _RENAMED.match(name)) else name for name in described]


def _typed_source(
    con: duckdb.DuckDBPyConnection, reader_sql: str, path: str, contract: tuple[str, ...]
) -> tuple[list[str], str]:
    """(column names, the reader's relation with its own column types, named by position)."""
    described = con.execute(f"describe select * from {reader_sql}", [path]).fetchall()
    source_names = [row[0] for row in described]
    file_names = _file_names(con, reader_sql, path, source_names)
    if file_names != source_names:
        normalise_header(file_names, contract)  # refuses the repeated name DuckDB renamed
    names = normalise_header(source_names, contract)
    select = ", ".join(f"{quote_ident(source)} as {staged_column(i)}" for i, source in enumerate(source_names))
    return names, f"(select {select} from {reader_sql})"


def stage(con: duckdb.DuckDBPyConnection, landed: LandedFile, shown_as: str | None = None) -> Staged:
    """Read the file and type it into the temp view `_arvo_typed` (see `ingestion.casting`).

    `shown_as` is the name the user knows the file by (its path under landing): `landed` may be a
    link in a temporary folder, gone by the time anyone reads a message that names it.
    """
    try:
        return _stage(con, landed)
    except Rejected as exc:
        if shown_as is not None:
            exc.message = exc.message.replace(str(landed.path), shown_as)
            exc.args = (exc.message,)
        raise


def _stage(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> Staged:
    contract = landed.entity.column_names
    if landed.size == 0:
        raise Rejected("empty_file", "the file is empty (0 bytes); re-send it with a header and rows.")
    path = str(landed.path)
    try:
        if landed.format == "csv":
            names, source = _csv_source(landed, contract)
        elif landed.format == "parquet":
            names, source = _typed_source(con, "read_parquet(?)", path, contract)
        else:
            reader = "read_json(?, format = 'newline_delimited', records = true, sample_size = -1)"
            names, source = _typed_source(con, reader, path, contract)
        rows_in = build_typed(con, landed.entity, names, source, [path])
    except Rejected:
        raise
    except (duckdb.Error, csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
        raise Rejected(
            "parse",
            f"the {landed.format} file cannot be read: {_duckdb_message(exc).rstrip('.')}. "
            + _PARSE_ADVICE[landed.format],
        ) from exc
    if rows_in == 0:
        raise Rejected("no_rows", "the file has a header but no data rows; send a file with data.")
    return Staged(names, rows_in)
