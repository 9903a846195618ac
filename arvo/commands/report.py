"""`arvo report`: write the value report (one self-contained HTML file) from the serving snapshot."""

from __future__ import annotations

import argparse
from pathlib import Path

from arvo.config import Settings

HELP = """\
Writes one HTML file with every chart inlined (no script, no network: it opens offline) from the
current serving snapshot ($ARVO_SERVING/current): NPS by month with margins of error, the value-type
profile, the value-ladder funnel, retention and NRR by NPS category and ladder position, NRR by cohort,
predicted CLV by segment, the value drivers, MRR movements, and a data-quality panel from the load
ledger. Reads the snapshot only, so it can run while a pipeline run is writing the warehouse.
Default output: $ARVO_SERVING/report.html. Prints the path written.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write the value report (self-contained HTML) from the serving snapshot",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="where to write (default $ARVO_SERVING/report.html; a folder gets report.html inside)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from arvo.report import NoSnapshot, write_report

    settings = Settings.from_env()
    try:
        path = write_report(settings, args.out)
    except NoSnapshot as error:
        print(f"arvo report: {error}")
        return 1
    except OSError as error:
        print(f"arvo report: cannot write the report: {error}. Give --out a file in a writable folder.")
        return 1
    print(path)
    return 0
