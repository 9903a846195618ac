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
    """Per segment: NPS over all months (from the counts), then the segment's own latest month with its
    NPS, respondents and small-sample flag.

    The latest month is the segment's own: segments are surveyed in different months, and a month in
    which one late answer arrived (one respondent, NPS -100 or 100) must read as what it is.
    """
    return con.execute(
        """
        with latest as (
            select segment, period_month, nps, respondents, is_small_sample
            from marts.mart_nps
            qualify row_number() over (partition by segment order by period_month desc) = 1
        )
        select n.segment,
               round(100.0 * (sum(n.promoters) - sum(n.detractors)) / nullif(sum(n.respondents), 0), 1) as nps_all,
               l.period_month, l.nps, l.respondents, l.is_small_sample
        from marts.mart_nps as n
        join latest as l on l.segment = n.segment
        group by n.segment, l.period_month, l.nps, l.respondents, l.is_small_sample
        order by case n.segment when 'all' then 2 else 1 end, n.segment
        """
    ).fetchall()


def nps_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    lines = ["NPS by segment (all months | latest month):"]
    for segment, nps_all, month, nps, respondents, small in nps_by_segment(con):
        overall = "n/a" if nps_all is None else f"{nps_all:.1f}"
        latest = "n/a" if nps is None else f"{nps:.1f}"
        who = f"{respondents:,} respondent{'' if respondents == 1 else 's'}" + (", small sample" if small else "")
        lines.append(f"  {segment:<4} {overall:>6} | {month:%Y-%m} {latest:>6} ({who})")
    return lines


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
            lines += nps_lines(con)
    lines.append(f"Warehouse: {settings.warehouse}")
    lines.append(f"Serving snapshot for BI (read-only): {settings.serving / CURRENT / SNAPSHOT_DB}")
    return "\n".join(lines)
