"""`arvo`: the command line of the customer-value warehouse.

Each subcommand lives in its own module under `arvo.commands` and registers itself here, so the
parts of Arvo (generator, ingestion, pipeline, report) can grow their commands independently.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from arvo.config import ConfigError

COMMAND_MODULES = ("generate", "ingest", "run", "status", "quarantine", "report")

DESCRIPTION = """\
Arvo loads CRM, survey and revenue files into a DuckDB warehouse, validates every load, builds the
customer-value, NPS, MRR/retention and lifetime-value marts with dbt, and publishes a read-only
snapshot for BI tools.

Configuration (environment):
  ARVO_LANDING     folder where source systems drop files      (default ./landing)
  ARVO_WAREHOUSE   the DuckDB warehouse file                   (default ./warehouse/arvo.duckdb)
  ARVO_SERVING     the snapshot BI tools read                  (default ./serving)
  ARVO_QUARANTINE  where rejected files are kept with reports  (default ./quarantine)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arvo", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"arvo.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    # Dagster prints its own console log; keep its records from being printed a second time by the root.
    logging.getLogger("dagster").propagate = False
    # Dagster's in-memory instance sets up its SQLite storage with alembic, which logs every step of it
    # (15 lines) at INFO on every run.
    logging.getLogger("alembic").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as error:
        print(f"arvo: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
