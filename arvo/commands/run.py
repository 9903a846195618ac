"""`arvo run`: ingest pending landing files, validate, build every dbt model, publish the snapshot."""

from __future__ import annotations

import argparse
import logging

import yaml

from arvo.config import DBT_PROJECT_DIR, Settings

HELP = """\
Runs the whole pipeline once, in this process (the same Dagster job the schedule and sensor start):
  1. ingest every complete, new file under $ARVO_LANDING, each validated by its Great Expectations
     suite, evaluated in DuckDB (a failing file is quarantined under $ARVO_QUARANTINE and fails the
     run; so does a file or an entity folder that cannot be read, named and left for the next run);
  2. dbt build: staging, intermediate and mart models with their data tests (a failing test stops
     what depends on it). Only what the new loads can change is built: the models downstream of the
     raw tables that received files since the last complete build, and the marts; nothing at all
     when no file arrived and the snapshot is current. The incremental models process only rows
     loaded since the last build. After a change of the dbt project, its Python, the engine, the
     pseudonym key or --var values, everything is built, the incremental models from all rows
     (--build-all: every model, always; --full-refresh: every model, from all rows, always);
  3. publish the marts to $ARVO_SERVING/current (a DuckDB file and Parquet), only if all passed.
Exits 0 when everything passed, 1 when a check or step failed (it says which and why).
Only one run per warehouse at a time: a second `arvo run` waits for the first.
"""

log = logging.getLogger("arvo.run")


def project_vars() -> dict[str, object]:
    """The dbt vars the project declares, with their defaults (`vars:` of dbt_project.yml)."""
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


def parse_var(text: str) -> tuple[str, object]:
    """`name=value`; the value is read as YAML so numbers, dates and lists keep their type.

    A name the project does not declare is refused: dbt would ignore it, and the run would quietly
    build with the default the user meant to change.
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"--var takes name=value, got {text!r}")
    known = project_vars()
    if name not in known:
        raise argparse.ArgumentTypeError(
            f"unknown dbt var {name!r}; the project's vars are {', '.join(known)} (dbt_project/dbt_project.yml)"
        )
    try:
        return name, yaml.safe_load(value)
    except (yaml.YAMLError, ValueError) as error:
        reason = str(error).splitlines()[0]
        raise argparse.ArgumentTypeError(f"{name}: {value!r} cannot be read as YAML ({reason})") from error


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="ingest, validate, build all marts and publish the snapshot",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--var",
        dest="vars",
        action="append",
        default=[],
        type=parse_var,
        metavar="NAME=VALUE",
        help="a dbt var for this run, e.g. --var as_of_date=2026-06-30 (repeatable)",
    )
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental models (invoices converted, survey answers) from all raw rows instead "
        "of processing only what arrived since the last build. A run does this by itself when the build's "
        "fingerprint changed (code, engine, key, --var values); force it after repairing raw rows by hand",
    )
    parser.add_argument(
        "--build-all",
        action="store_true",
        help="build and test every dbt model, also those the last build's record says are current",
    )
    parser.add_argument("--no-summary", action="store_true", help="do not print the summary at the end")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from arvo.build_scope import NOTHING
    from arvo.pipeline import run_pipeline
    from arvo.summary import render_summary

    settings = Settings.from_env()
    dbt_vars = dict(args.vars)
    log.info("Running the pipeline on %s (landing %s)", settings.warehouse, settings.landing)
    outcome = run_pipeline(
        settings,
        dbt_vars,
        log_level="DEBUG" if args.verbose else "INFO",
        full_refresh=args.full_refresh,
        build_all=args.build_all,
    )
    print(f"\nRun {outcome.run_id}: {'succeeded' if outcome.success else 'FAILED'} in {outcome.seconds:.1f}s")
    print(f"  {len(outcome.materialized)} assets materialised")
    for check in outcome.failed_checks:
        print(f"  failed check: {check}")
    for step in outcome.failed_steps:
        print("  failed step: " + step.replace("\n", "\n    "))
    up_to_date = outcome.build is not None and outcome.build["scope"] == NOTHING
    if outcome.build is not None:
        print(f"  {outcome.build['summary']}")
    if up_to_date:
        print("  The marts and the serving snapshot are current; the snapshot was not published again.")
    if outcome.skipped and not up_to_date:
        print(f"  not run because something upstream failed: {', '.join(outcome.skipped)}")
    if not outcome.success:
        print("  The previous serving snapshot is unchanged. See `arvo status` and `arvo quarantine list`.")
    if not args.no_summary and settings.warehouse.exists():
        print()
        print(render_summary(settings))
    return 0 if outcome.success else 1
