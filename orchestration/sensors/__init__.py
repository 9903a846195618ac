"""Start a run when complete new files land; a file's sha256 makes sure it never starts two runs."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from ingestion.contract import ENTITIES
from ingestion.files import discover, fingerprint
from orchestration.jobs import arvo_pipeline_job
from orchestration.resources import ArvoResource

SETTLE_SECONDS = 1.0


def _load_cursor(cursor: str | None) -> dict[str, list]:
    """Cursor: path -> [size, mtime, sha256, requested, ctime_ns] for every complete file seen so far
    (entries written before the ctime was kept have four items: their file is hashed once more)."""
    return json.loads(cursor) if cursor else {}


def new_files_request(landing: Path, cursor: str | None, settle_seconds: float = SETTLE_SECONDS):
    """What one sensor tick decides: a run request (or a skip reason) and the next cursor.

    Hashes only files whose size, mtime or ctime changed since the last tick (a correction copied
    with `cp -p` keeps the size and mtime); content already requested, under any name, is not
    requested again. A file removed before it is hashed is left for the tick that finds it again.
    """
    seen = _load_cursor(cursor)
    requested = {entry[2] for entry in seen.values() if entry[3]}
    new_shas: dict[str, str] = {}
    for landed in discover(landing, list(ENTITIES), settle_seconds=settle_seconds):
        key = str(landed.path)
        entry = seen.get(key)
        if entry and entry[:2] == [landed.size, landed.mtime] and entry[4:] == [landed.ctime_ns]:
            sha = entry[2]
        else:
            try:
                sha = fingerprint(landed.path, check_utf8=False).sha256
            except FileNotFoundError:
                continue
        if sha not in requested:
            new_shas[sha] = key
        seen[key] = [landed.size, landed.mtime, sha, True, landed.ctime_ns]
    next_cursor = json.dumps(seen, sort_keys=True)
    if not new_shas:
        return dg.SkipReason("No new complete files in the landing folder."), next_cursor
    run_key = "files-" + hashlib.sha256("".join(sorted(new_shas)).encode()).hexdigest()[:32]
    files = sorted(new_shas.values())
    request = dg.RunRequest(
        run_key=run_key,
        tags={"arvo/trigger": "landing_sensor", "arvo/new_files": str(len(files))},
    )
    return request, next_cursor


@dg.sensor(
    name="arvo_landing_sensor",
    job=arvo_pipeline_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Runs the pipeline when complete new files appear under $ARVO_LANDING.",
)
def landing_sensor(context: dg.SensorEvaluationContext, arvo: ArvoResource):
    result, next_cursor = new_files_request(arvo.settings().landing, context.cursor)
    context.update_cursor(next_cursor)
    return result
