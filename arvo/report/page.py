"""Page assembly: headline figures, the chart sections, the data-quality panel, and the embedded data.

The page is one HTML file with its style inline and no script to run: nothing is fetched, so it opens
offline, from an e-mail attachment or a file share. The data every chart was drawn from is embedded as a
JSON block (`<script type="application/json" id="report-data">`, inert) for checking against the marts.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from arvo.report import fmt
from arvo.report.sections import Section

CSS = """
:root { --ink: #222; --muted: #555; --line: #ddd; --card: #fff; --bg: #f4f5f7; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 28px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 0 0 6px; }
.meta, .source, footer { color: var(--muted); font-size: 0.85rem; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin: 18px 0; }
.kpi { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.kpi .label { color: var(--muted); font-size: 0.85rem; }
.kpi .value { font-size: 1.6rem; font-weight: 650; }
.kpi .note { color: var(--muted); font-size: 0.8rem; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 18px 20px; margin: 0 0 18px; break-inside: avoid; }
.reading { margin: 0 0 12px; padding-left: 10px; border-left: 4px solid var(--accent); }
.charts { display: grid; gap: 14px 22px; grid-template-columns: 1fr; }
.charts.multi { grid-template-columns: repeat(auto-fit, minmax(400px, 1fr)); }
svg.chart { width: 100%; height: auto; display: block; overflow: visible; }
figure { margin: 0; }
figcaption { font-weight: 600; font-size: 0.95rem; margin: 0 0 2px; }
figcaption span { font-weight: 400; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
.warn { background: #fff4e0; border: 1px solid #e69f00; border-radius: 6px; padding: 10px 12px; }
.status-ok { color: #00734f; font-weight: 600; }
.status-bad { color: #a0410d; font-weight: 600; }
@media (max-width: 700px) { .charts.multi { grid-template-columns: 1fr; } h1 { font-size: 1.35rem; } }
@media print { body { background: #fff; } section.card { border: none; } }
"""


def _kpi(label: str, value: str, note: str, key: str) -> str:
    return (
        f'<div class="kpi" data-kpi="{escape(key)}"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div><div class="note">{escape(note)}</div></div>'
    )


def kpi_strip(k: dict[str, Any]) -> str:
    """Four headline figures a reader takes away first."""
    nps_note = (
        f"{fmt.month_label(k['nps_month'])}, ±{k['nps_moe_95']:.1f} points, n = {k['nps_respondents']:,}"
        if k["nps_month"]
        else "no survey yet"
    )
    tiles = [
        _kpi("Active customers", fmt.number(k["active_customers"]), "with revenue now", "active_customers"),
        _kpi(
            "Monthly recurring revenue",
            fmt.eur(k["mrr_eur"]),
            fmt.month_label(k["mrr_month"]) if k["mrr_month"] else "no subscriptions yet",
            "mrr_eur",
        ),
        _kpi("NPS, all customers", fmt.points(k["nps"]) if fmt.finite(k["nps"]) else "–", nps_note, "nps"),
        _kpi(
            "Predicted lifetime value",
            fmt.eur(k["predicted_clv_eur"]),
            f"{k['clv_customers']:,} customers with revenue",
            "predicted_clv_eur",
        ),
    ]
    return f'<div class="kpis">{"".join(tiles)}</div>'


def _figure(caption: str, note: str, chart: str) -> str:
    if not caption:
        return f"<figure>{chart}</figure>"
    extra = f" <span>{escape(note)}</span>" if note else ""
    return f"<figure><figcaption>{escape(caption)}{extra}</figcaption>{chart}</figure>"


def section_html(s: Section) -> str:
    layout = "charts multi" if len(s.charts) > 1 else "charts"
    figures = "".join(_figure(c.caption, c.note, c.svg) for c in s.charts)
    return (
        f'<section class="card" id="{escape(s.key)}" data-section="{escape(s.key)}">'
        f"<h2>{escape(s.title)}</h2>"
        f'<p class="reading" data-reading="{escape(s.key)}">{escape(s.reading)}</p>'
        f'<div class="{layout}">{figures}</div>'
        f'<p class="source">Source: {escape(s.source)} in the serving snapshot.</p></section>'
    )


def quality_html(q: dict[str, Any]) -> str:
    """The data-quality panel: loads per entity, quarantined files with reasons, the last run."""
    head = (
        '<section class="card" id="data-quality" data-section="data-quality">'
        "<h2>Data quality: loads, rows and quarantined files</h2>"
    )
    if not q["available"]:
        return (
            head + f'<p class="warn" data-quality="unavailable">The data-quality panel is unavailable: '
            f"{escape(q['message'])}. The charts above come from the serving snapshot and are complete.</p></section>"
        )
    entities = q["entities"]
    loaded = sum(e["files_loaded"] + e["files_with_warnings"] for e in entities)
    rows = sum(e["rows_loaded"] for e in entities)
    run = q["last_run"]
    reading = (
        f"{loaded:,} files loaded ({rows:,} rows, {q['rows_rejected']:,} rows rejected); "
        f"{q['quarantined_total']:,} quarantined, {q['quarantined_unresolved']:,} not fixed since"
        + (f"; last ingest run finished {run['finished_at']} UTC." if run else ".")
    )
    body = [
        head,
        f'<p class="reading" data-reading="data-quality">{escape(reading)}</p><div class="table-wrap"><table>'
        '<thead><tr><th scope="col">Entity</th><th class="num" scope="col">Files loaded</th>'
        '<th class="num" scope="col">With warnings</th><th class="num" scope="col">Quarantined</th>'
        '<th class="num" scope="col">Duplicates skipped</th><th class="num" scope="col">Rows loaded</th>'
        '<th scope="col">Last load (UTC)</th></tr></thead><tbody>',
    ]
    for e in entities:
        body.append(
            f'<tr data-entity="{escape(e["entity"])}"><th scope="row">{escape(e["entity"])}</th>'
            f'<td class="num" data-field="files_loaded">{e["files_loaded"]:,}</td>'
            f'<td class="num" data-field="files_with_warnings">{e["files_with_warnings"]:,}</td>'
            f'<td class="num" data-field="files_quarantined">{e["files_quarantined"]:,}</td>'
            f'<td class="num" data-field="files_skipped">{e["files_skipped"]:,}</td>'
            f'<td class="num" data-field="rows_loaded">{e["rows_loaded"]:,}</td>'
            f"<td>{escape(str(e['last_load_at'] or '–'))}</td></tr>"
        )
    body.append("</tbody></table></div>")
    if q["quarantined"]:
        body.append(
            '<h3>Quarantined files</h3><div class="table-wrap"><table><thead><tr><th scope="col">Load id</th>'
            '<th scope="col">Entity</th><th scope="col">File</th><th scope="col">Reason</th>'
            '<th scope="col">Status</th></tr></thead><tbody>'
        )
        for f in q["quarantined"]:
            status = (
                '<span class="status-ok">fixed since</span>'
                if f["resolved"]
                else '<span class="status-bad">open</span>'
            )
            body.append(
                f'<tr data-load="{escape(f["load_id"])}"><td>{escape(f["load_id"])}</td><td>{escape(f["entity"])}</td>'
                f"<td>{escape(f['file_path'])}</td><td>{escape(f['reason'] or '')}</td><td>{status}</td></tr>"
            )
        body.append("</tbody></table></div>")
        if q["quarantined_total"] > len(q["quarantined"]):
            body.append(
                f'<p class="source">{q["quarantined_total"] - len(q["quarantined"])} older ones: '
                "arvo quarantine list --all</p>"
            )
    else:
        body.append('<p data-quality="no-quarantine">No file has been quarantined.</p>')
    body.append(
        f'<p class="source">Source: audit.load_ledger ({escape(q["source"])}); '
        "details: arvo status, arvo quarantine show ID.</p></section>"
    )
    return "".join(body)


def embedded_json(payload: dict[str, Any]) -> str:
    """JSON inside a non-executed script element; `</` is escaped so no value can close the element."""
    text = json.dumps(payload, ensure_ascii=False, default=str, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render(
    manifest: dict[str, Any],
    kpis: dict[str, Any],
    sections: list[Section],
    quality: dict[str, Any],
    payload: dict[str, Any],
) -> str:
    built = manifest.get("built_at", "")[:19].replace("T", " ")
    nav = " · ".join(f'<a href="#{escape(s.key)}">{escape(s.title.split(":")[0])}</a>' for s in sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Arvo value report</title>"
        f"<style>{CSS}</style></head><body>"
        "<header><h1>Arvo value report: customer value, NPS, retention and revenue</h1>"
        f'<p class="meta">Serving snapshot {escape(manifest.get("snapshot_id", "?"))}, published {escape(built)} UTC '
        f"(pipeline run {escape(str(manifest.get('run_id', '?'))[:8])}). "
        "Money in EUR; rates in %; NPS in points (−100 to 100).</p>"
        f'<nav class="meta">{nav} · <a href="#data-quality">Data quality</a></nav>'
        f"{kpi_strip(kpis)}</header><main>"
        + "".join(section_html(s) for s in sections)
        + quality_html(quality)
        + "</main><footer><p>Generated by <code>arvo report</code> from the serving snapshot; every number is "
        "embedded below as JSON (element <code>report-data</code>) for checking against the marts.</p></footer>"
        f'<script type="application/json" id="report-data">{embedded_json(payload)}</script>'
        "</body></html>\n"
    )
