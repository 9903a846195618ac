"""`arvo generate`: write a sample landing set (CRM, survey, revenue) with a known causal structure."""

from __future__ import annotations

import argparse
from pathlib import Path

from arvo.config import ConfigError, Settings, whole_number

EPILOG = """\
scales (rows with seed 42; time on 2 cores):
  tiny     ~300 accounts (unit tests)
  small    ~2,000 accounts, ~50k survey answer rows, ~80k invoices; ~1 s (CI, `make demo`)
  medium   ~50,000 accounts, ~1.3M survey answer rows, ~2.3M invoices; ~5-10 s, 0.8 GB RAM (benchmarks)
  large    ~500,000 accounts, ~13M survey answer rows, ~23M invoices; 1-2 min, 3.5 GB RAM (load tests)

what is written (UTF-8 CSV with header, under OUT/<source>/<entity>/):
  crm/accounts, crm/contacts        quarterly delta exports (later versions replace earlier ones)
  crm/deals                         one snapshot
  revenue/subscriptions, invoices   monthly files; revenue/fx_rates one file per year
  survey/questions                  one catalog file per survey (rel-2024, rel-2025)
  survey/responses                  monthly files, one row per response x question

Files are named by export date (the day after the period they cover), written as .part and renamed,
and cover 36 months ending 2026-09-30. The same --seed always gives byte-identical files. Which value
types drive NPS, retention and expansion is documented in docs/generator.md and exported as
arvo.generate.TRUE_DRIVERS.
"""


def _seed(text: str) -> int:
    """numpy's generators take seeds of 0 or more; refuse others before anything is written."""
    try:
        return whole_number("--seed", text, 0)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write sample CRM, survey and revenue files into the landing folder",
        description="Write a deterministic sample landing set with a known customer-value structure.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scale",
        choices=("tiny", "small", "medium", "large"),
        default="small",
        help="how much data (default: small)",
    )
    parser.add_argument("--seed", type=_seed, default=42, help="random seed, 0 or more (default: 42)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="landing folder to write into (default: $ARVO_LANDING, else ./landing)",
    )
    parser.add_argument(
        "--clean",
        action="store_true",
        help="first delete the data files already in the eight entity folders under OUT "
        "(otherwise files from an earlier run with another seed or scale stay and mix in)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from arvo.generate import generate

    out = args.out if args.out is not None else Settings.from_env().landing

    def progress(entity: str, rows: int, files: int, seconds: float) -> None:
        print(f"  {entity:<14} {rows:>11,} rows  {files:>3} files  {seconds:6.1f}s", flush=True)

    print(f"generating scale={args.scale} seed={args.seed} into {out}", flush=True)
    try:
        summary = generate(args.scale, args.seed, out, on_progress=progress, clean=args.clean)
    except OSError as error:
        print(f"arvo generate: cannot write the data set: {error}. Give --out a folder Arvo can write.")
        return 1
    total = sum(summary.rows.values())
    print(
        f"done: {total:,} rows in {sum(len(f) for f in summary.files.values())} files, "
        f"{summary.start_date}..{summary.end_date}, {summary.seconds:.1f}s"
    )
    if summary.stale:
        print(
            f"warning: {len(summary.stale)} other data files are in the entity folders (e.g. "
            f"{summary.stale[0]}); they were not written by this run. Use --clean to start from an empty set."
        )
    return 0
