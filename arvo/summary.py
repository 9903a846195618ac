"""The short summary a person reads after a run: what was loaded, what the marts hold, NPS by segment."""

from __future__ import annotations

from pathlib import Path

import duckdb

from arvo.config import Settings
from arvo.serving import CURRENT, SNAPSHOT_DB, current_snapshot
from ingestion.contract import ENTITIES


def row_counts(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, int]:
    """Rows per table (and view) of `schema`: what a run summary and the benchmark test compare."""
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
    ).fetchall()
    return {t: con.execute(f'select count(*) from {schema}."{t}"').fetchone()[0] for (t,) in tables}


def nps_by_segment(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """NPS per segment over all months (from counts), and in the latest month."""
    return con.execute(
        """
        with latest as (select max(period_month) as m from marts.mart_nps)
        select segment,
               sum(respondents) as respondents,
               round(100.0 * (sum(promoters) - sum(detractors)) / nullif(sum(respondents), 0), 1) as nps_all,
               max(case when period_month = (select m from latest) then nps end) as nps_latest
        from marts.mart_nps
        group by segment
        order by case segment when 'all' then 2 else 1 end, segment
        """
    ).fetchall()


def render_summary(settings: Settings) -> str:
    lines: list[str] = []
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        raw = row_counts(con, "raw")
    lines.append("Raw tables (rows):")
    lines += [f"  raw.{name:<14} {raw.get(name, 0):>12,}" for name in ENTITIES]
    snapshot = current_snapshot(settings.serving)
    if snapshot is None:
        lines.append("No serving snapshot published yet.")
        return "\n".join(lines)
    with duckdb.connect(str(Path(snapshot) / SNAPSHOT_DB), read_only=True) as con:
        marts = row_counts(con, "marts")
        lines.append("Marts (rows):")
        lines += [f"  marts.{name:<32} {rows:>10,}" for name, rows in marts.items()]
        if "mart_nps" in marts:
            lines.append("NPS by segment (all months from counts | latest month):")
            for segment, respondents, nps_all, nps_latest in nps_by_segment(con):
                latest = "n/a" if nps_latest is None else f"{nps_latest:.1f}"
                lines.append(f"  {segment:<4} {nps_all:>6} | {latest:>6}   ({respondents:,} respondents)")
    lines.append(f"Warehouse: {settings.warehouse}")
    lines.append(f"Serving snapshot for BI (read-only): {settings.serving / CURRENT / SNAPSHOT_DB}")
    return "\n".join(lines)
