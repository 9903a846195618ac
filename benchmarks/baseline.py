"""The baseline the pipeline is measured against: the engine alone, with no framework around it.

Two steps, each timed, run in a process of its own so its memory is measured like the pipeline's:
- `load`: every landing file read straight into its raw table with DuckDB's `read_csv` (contract types,
  no hashing, no validation, no ledger);
- `models`: the SQL that dbt compiled for this very build (the run's `manifest.json`), executed in DAG
  order in one DuckDB connection: views and tables as dbt materialised them, Python models by calling
  their compiled `model(dbt, session)` with DuckDB relations, then every data test's query;
- `publish`: the marts copied to a new DuckDB file and to Parquet.

Usage: python -m benchmarks.baseline --landing DIR --warehouse FILE --manifest FILE --out RESULT.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import yaml

from ingestion.contract import DUCKDB_TYPES, ENTITIES
from ingestion.warehouse import STORED_LINEAGE, ensure_schemas, stored_table

SCHEMAS = ("staging", "intermediate", "marts", "main")


def _cast(name: str, contract_type: str) -> str:
    quoted = f'"{name}"'
    if contract_type == "timestamp":  # offsets converted to UTC, naive taken as UTC (session zone is UTC)
        return f"cast(cast({quoted} as timestamptz) as timestamp)"
    return f"cast({quoted} as {DUCKDB_TYPES[contract_type]})"


def dbt_profile_settings() -> dict[str, str]:
    """The DuckDB settings dbt's profile gives its connection, so both sides run the same engine setup."""
    from arvo.config import DBT_PROJECT_DIR

    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))["arvo"]
    return {key: str(value) for key, value in profile["outputs"][profile["target"]].get("settings", {}).items()}


def load(con: duckdb.DuckDBPyConnection, landing: Path) -> int:
    """Each landing file into its raw table with one `insert ... select from read_csv`; returns rows."""
    con.execute("set TimeZone = 'UTC'")
    ensure_schemas(con)
    rows = 0
    for entity in ENTITIES.values():
        columns = "{" + ", ".join(f"'{c.name}': 'VARCHAR'" for c in entity.columns) + "}"
        selects = ", ".join(_cast(c.name, c.type) for c in entity.columns)
        target = ", ".join([*(f'"{c}"' for c in entity.column_names), *STORED_LINEAGE])  # filled in this order below
        for index, path in enumerate(sorted((landing / entity.folder).glob("*.csv"))):
            con.execute(
                f"insert into {stored_table(entity)} ({target}) select {selects}, 'baseline',"
                f" timestamp '2000-01-01' + to_seconds(?), row_number() over ()"
                f" from read_csv(?, header = true, quote = '\"', escape = '\"', auto_detect = false,"
                f" columns = {columns})",
                [index, str(path)],
            )
        rows += con.execute(f"select count(*) from {entity.raw_table}").fetchone()[0]
    return rows


def _dag_order(nodes: dict[str, dict]) -> Iterator[dict]:
    """Models in dependency order (depth-first on `depends_on`), then every data test."""
    done: set[str] = set()

    def visit(unique_id: str) -> Iterator[dict]:
        if unique_id in done or unique_id not in nodes:
            return
        done.add(unique_id)
        node = nodes[unique_id]
        for parent in node["depends_on"]["nodes"]:
            yield from visit(parent)
        yield node

    models = sorted(uid for uid, n in nodes.items() if n["resource_type"] == "model")
    for unique_id in models:
        yield from visit(unique_id)
    for unique_id in sorted(uid for uid, n in nodes.items() if n["resource_type"] == "test"):
        yield nodes[unique_id]


def _python_model(con: duckdb.DuckDBPyConnection, node: dict) -> None:
    namespace: dict = {"__name__": f"baseline_{node['name']}"}
    exec(compile(node["compiled_code"], node["original_file_path"], "exec"), namespace)  # noqa: S102
    # dbt-duckdb loads refs and sources the same way (`raw.<entity>` is a view: `con.table` would not do)
    frame = namespace["model"](namespace["dbtObj"](lambda name: con.query(f"select * from {name}")), con)
    if isinstance(frame, duckdb.DuckDBPyRelation):
        frame = frame.df()
    con.register("__baseline_frame", frame)
    con.execute(f"create or replace table {node['relation_name']} as select * from __baseline_frame")
    con.unregister("__baseline_frame")


def models(con: duckdb.DuckDBPyConnection, manifest: Path) -> dict[str, float]:
    """Execute the compiled build; seconds for SQL models, Python models and data tests."""
    nodes = json.loads(manifest.read_text())["nodes"]
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    seconds = {"sql_models": 0.0, "python_models": 0.0, "tests": 0.0}
    for node in _dag_order(nodes):
        started = time.perf_counter()
        if node["resource_type"] == "test":
            con.execute(f"select count(*) from ({node['compiled_code']}) as failures").fetchone()
            seconds["tests"] += time.perf_counter() - started
        elif node["language"] == "python":
            _python_model(con, node)
            seconds["python_models"] += time.perf_counter() - started
        else:
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            con.execute(f"create or replace {kind} {node['relation_name']} as {node['compiled_code']}")
            seconds["sql_models"] += time.perf_counter() - started
    return seconds


def publish(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Every mart into a new DuckDB file and a Parquet file, as the serving snapshot holds them."""
    (target / "parquet").mkdir(parents=True, exist_ok=True)
    con.execute(f"attach '{target / 'snapshot.duckdb'}' as snapshot")
    con.execute("create schema snapshot.marts")
    tables = [
        r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
    ]
    for table in tables:
        con.execute(f'create table snapshot.marts."{table}" as select * from marts."{table}"')
        con.execute(f"copy marts.\"{table}\" to '{target / 'parquet' / (table + '.parquet')}' (format parquet)")
    con.execute("detach snapshot")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True, help="a new file named arvo.duckdb")
    parser.add_argument("--manifest", type=Path, required=True, help="manifest.json of the pipeline's dbt build")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from arvo.config import Settings

    args.warehouse.parent.mkdir(parents=True, exist_ok=True)
    config = {**Settings.from_env().duckdb_config(), **dbt_profile_settings()}
    result: dict[str, float] = {}
    with duckdb.connect(str(args.warehouse), config=config) as con:
        started = time.perf_counter()
        result["raw_rows"] = load(con, args.landing)
        result["load"] = time.perf_counter() - started
        started = time.perf_counter()
        result.update(models(con, args.manifest))
        result["models"] = time.perf_counter() - started
        started = time.perf_counter()
        publish(con, args.warehouse.parent / "snapshot")
        result["publish"] = time.perf_counter() - started
    args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
