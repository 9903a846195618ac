"""Where a dbt build's time went, node by node, from dbt's own log.

A stage time says how long the build took, not what held it: that is the question the incremental
target asks ("report what holds it back"). dbt writes a JSON line per event to `dbt.log` in the
warehouse's dbt target folder (`DBT_LOG_FORMAT=json`, orchestration/resources/dbt_env.py); a node's
result carries its start and end. The last invocation in the log is the build just measured.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

LARGEST = 8


def _lines(log: Path) -> list[dict]:
    """The log's JSON events, oldest first, across dbt's rotated files (`dbt.log.1` is older than
    `dbt.log`), so that a build whose debug lines filled a file is read whole."""
    rotated = sorted(log.parent.glob(log.name + ".*"), key=lambda p: int(p.suffix[1:]) if p.suffix[1:].isdigit() else 0)
    events = []
    for path in [*reversed(rotated), log]:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    return events


def node_times(log: Path) -> dict | None:
    """The last invocation's span (first to last event, seconds), thread time of models and of data
    tests, and its largest nodes as [name, seconds]; None when the log holds no node result."""
    events = _lines(log)
    if not events:
        return None
    invocation = events[-1]["info"]["invocation_id"]
    stamps: list[datetime] = []
    nodes: dict[str, tuple[str, str, float]] = {}
    for event in events:
        if event["info"].get("invocation_id") != invocation:
            continue
        stamps.append(datetime.fromisoformat(event["info"]["ts"].replace("Z", "+00:00")))
        node = event.get("data", {}).get("node_info") or {}
        if node.get("node_started_at") and node.get("node_finished_at"):
            seconds = (
                datetime.fromisoformat(node["node_finished_at"]) - datetime.fromisoformat(node["node_started_at"])
            ).total_seconds()
            kind = node["unique_id"].split(".")[0]
            if kind in ("model", "test", "unit_test"):
                nodes[node["unique_id"]] = (kind, node["node_name"], seconds)
    if not nodes:
        return None
    largest = sorted(((name, seconds) for _, name, seconds in nodes.values()), key=lambda n: -n[1])[:LARGEST]
    return {
        "span": (max(stamps) - min(stamps)).total_seconds(),
        "nodes": len(nodes),
        "models": sum(seconds for kind, _, seconds in nodes.values() if kind == "model"),
        "tests": sum(seconds for kind, _, seconds in nodes.values() if kind in ("test", "unit_test")),
        "largest": [[name, round(seconds, 2)] for name, seconds in largest],
    }


def build_log(target_path: Path) -> Path | None:
    """The warehouse's dbt.log under a DBT_TARGET_PATH (one target folder per warehouse)."""
    return next(iter(sorted(target_path.glob("warehouses/*/dbt.log"))), None)
