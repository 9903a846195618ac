"""`arvo quarantine list|show ID`: rejected files, why, and what to fix."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from arvo.commands.ledger import open_ledger
from arvo.config import Settings
from ingestion.audit import UnknownLoad, WarehouseBusy, quarantine_report, quarantined


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("quarantine", help="list rejected files or show why one was rejected")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list",
        help="quarantined loads, newest first",
        description="Quarantined loads, newest first, with the first reason; those fixed since (the same path "
        "loaded later) only with --all. Reads the warehouse's load ledger read-only; while a run writes the "
        "warehouse, reads the ledger as last published in the serving snapshot and says so.",
    )
    fixed_help = "include loads fixed since (same path loaded later)"
    listing.add_argument("--all", action="store_true", help=fixed_help)
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="the report of one quarantined load")
    show.add_argument("load_id", metavar="ID", help="load id (a unique prefix is enough)")
    show.add_argument("--json", action="store_true", help="print the raw report.json")
    show.set_defaults(handler=run_show)


def run_list(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        con, _ = open_ledger(settings, "quarantine list")
    except WarehouseBusy as error:
        print(f"arvo quarantine list: {error}", file=sys.stderr)
        return 1
    if con is None:
        print("nothing quarantined (no loads yet)")
        return 0
    try:
        rows = [r for r in quarantined(con) if args.all or not r["resolved"]]
    finally:
        con.close()
    if not rows:
        print("nothing quarantined")
        return 0
    for row in rows:
        fixed = "  (fixed: loaded since)" if row["resolved"] else ""
        when = f"{row['finished_at']:%Y-%m-%d %H:%M}"
        print(f"{row['load_id']}  {when}  {row['entity']:<13} {row['file_path']}{fixed}")
        print(f"    {row['reason'].split('; error [')[0]}")
    print("details: arvo quarantine show ID")
    return 0


def render_report(report: dict[str, Any]) -> str:
    """A quarantine report as text: the file, then each failed rule with examples and the fix."""
    lines = [
        f"load {report['load_id']}: {report['status']}",
        f"file      {report['file_path']} ({report.get('file_format')}, sha256 {report['sha256'][:12]}...)",
        f"entity    {report['entity']}",
        f"rows      in={report['rows_in']} loaded={report['rows_loaded']} rejected={report['rows_rejected']}",
        f"kept at   {report.get('quarantine_path')}",
        "",
    ]
    for finding in report.get("findings", []):
        column = f" column {finding['column']!r}" if finding.get("column") else ""
        lines.append(f"{finding['severity'].upper()} [{finding['rule']}]{column}")
        lines.append(f"    {finding['message']}")
        for example in finding.get("examples", []):
            where = f"row {example['row']}" if example.get("row") is not None else "value"
            lines.append(f"      {where}: {json.dumps(example['value'], ensure_ascii=False, default=str)}")
        if finding.get("fix") and finding["fix"] not in finding["message"]:
            lines.append(f"    fix: {finding['fix']}")
    lines += ["", "Rows are numbered from 1 after the header. Fix the file and drop it in landing again."]
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        report = quarantine_report(settings, args.load_id)
    except UnknownLoad as exc:
        print(f"{exc}; see arvo quarantine list")
        return 2
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else render_report(report))
    return 0
