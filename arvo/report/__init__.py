"""The value report: one self-contained HTML page drawn from the serving snapshot.

`write_report(settings, out)` reads the current snapshot (`$ARVO_SERVING/current/arvo.duckdb`, never the
warehouse, so it runs while a pipeline is writing) and the load ledger for the data-quality panel, and
writes the page atomically. Modules: `data` (queries, one per chart), `svg` (chart primitives),
`sections` (chart + title + data-driven reading), `quality` (ledger facts), `page` (HTML assembly).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb

from arvo.config import Settings
from arvo.report import data, sections
from arvo.report.page import render
from arvo.report.quality import quality_summary
from arvo.serving import SNAPSHOT_DB, current_snapshot, snapshot_manifest

REPORT_FILE = "report.html"


class NoSnapshot(RuntimeError):
    """There is no serving snapshot to report on yet."""


def default_output(settings: Settings) -> Path:
    """`$ARVO_SERVING/report.html`: beside the snapshots, outside them (they are replaced on publish)."""
    return settings.serving / REPORT_FILE


def collect(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every chart's data from an open snapshot connection (the payload embedded in the page)."""
    return {
        "kpis": data.kpis(con),
        "nps_by_month": data.nps_by_month(con),
        "value_profile": data.value_profile(con),
        "ladder_funnel": data.ladder_funnel(con),
        "retention_by_band": data.retention_by_band(con),
        "nrr_by_cohort": data.nrr_by_cohort(con),
        "clv_distribution": data.clv_distribution(con),
        "value_drivers": data.value_drivers(con),
        "mrr_movements": data.mrr_movements(con),
    }


def build_report(settings: Settings, snapshot: Path | None = None) -> str:
    """The report's HTML for a snapshot folder (default: the current one)."""
    folder = snapshot or current_snapshot(settings.serving)
    if folder is None or not (folder / SNAPSHOT_DB).exists():
        raise NoSnapshot(f"no serving snapshot under {settings.serving}: run `arvo run` first")
    manifest = snapshot_manifest(folder)
    with duckdb.connect(str(folder / SNAPSHOT_DB), read_only=True) as con:
        payload = collect(con)
    quality = quality_summary(settings, folder / SNAPSHOT_DB)
    payload["quality"] = quality
    payload["snapshot"] = {k: manifest.get(k) for k in ("snapshot_id", "run_id", "built_at", "as_of_date")}
    charts = [
        sections.nps_section(payload["nps_by_month"]),
        sections.value_profile_section(payload["value_profile"]),
        sections.funnel_section(payload["ladder_funnel"]),
        sections.retention_section(payload["retention_by_band"]),
        sections.cohort_section(payload["nrr_by_cohort"]),
        sections.clv_section(payload["clv_distribution"]),
        sections.drivers_section(payload["value_drivers"]),
        sections.mrr_section(payload["mrr_movements"]),
    ]
    payload["readings"] = {s.key: s.reading for s in charts}
    return render(manifest, payload["kpis"], charts, quality, payload)


def write_report(settings: Settings, out: Path | None = None, snapshot: Path | None = None) -> Path:
    """Write the report (default `$ARVO_SERVING/report.html`; `report.html` inside `out` when that is a
    folder) atomically and return its path. An OSError leaves no temporary file behind.

    Atomically means a new file renamed over the old, which would put a file in place of a device or a
    pipe (`--out /dev/stdout`) and of a symbolic link: those are written into, and a link's own file is
    replaced.
    """
    target = Path(out) if out else default_output(settings)
    if target.is_dir():
        target = target / REPORT_FILE
    page = build_report(settings, snapshot)
    if target.exists() and not target.is_file():
        with target.open("w", encoding="utf-8") as stream:
            stream.write(page)
        return target
    if target.is_symlink():
        target = target.resolve()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target.resolve()
