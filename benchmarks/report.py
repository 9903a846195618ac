"""Render the benchmark figures (`benchmarks/results.json`) as `benchmarks/RESULTS.md`."""

from __future__ import annotations

import statistics

from arvo.generate.scales import SCALES

ROWS = (
    ("startup: Python, Dagster, dbt manifest", "startup", None),
    ("ingest + validate (baseline: read_csv into tables)", "ingest", "load"),
    ("dbt build: models and tests", "dbt", "models"),
    ("  of which Python models", "python_models", "python_models"),
    ("publish the snapshot", "publish", "publish"),
    ("**end to end** (pipeline: `arvo run`)", "end_to_end", "end_to_end"),
)
TARGETS = (
    "Targets: medium end to end within 2x of the baseline, incremental 1% run under 15% of a full run,"
    " peak RSS under 4 GB on medium."
)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _runs(incremental: dict) -> str:
    """' (median of 3: 30.1, 32.5, 39.8 s)' when the incremental run was repeated."""
    runs = incremental.get("end_to_end_runs", [])
    if len(runs) < 2:
        return ""
    return f" (median of {len(runs)}: {', '.join(f'{r:.1f}' for r in runs)} s)"


def _mb(value: float) -> str:
    return f"{value / 2**20:,.0f} MB"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "-"


def _end_to_end(run: dict, side: str) -> float:
    return run[side]["stages"]["end_to_end"]


def _measured(entry: dict) -> str:
    """' Measured <start> .. <end>.' (sets measured before the tenth session recorded no times)."""
    if "started" not in entry:
        return ""
    return f" Measured {entry['started']} .. {entry.get('finished', '')}."


def _scale_order(scale: str) -> int:
    """Smallest scale first, whatever order the scales were run or updated in."""
    return list(SCALES).index(scale) if scale in SCALES else len(SCALES)


def _scale_section(scale: str, entry: dict) -> list[str]:
    runs = entry["runs"]
    pipe = {k: _median([r["pipeline"]["stages"][k] for r in runs]) for _, k, _ in ROWS}
    base = {k: _median([r["baseline"]["stages"][k] for r in runs]) for _, _, k in ROWS if k}
    rows = runs[0]["raw_rows"]
    generate = _median([r["generate"]["seconds"] for r in runs])
    lines = [
        f"## {scale}",
        "",
        f"{len(runs)} repetition(s), medians; {rows:,} raw rows in the landing files.{_measured(entry)} "
        f"Generate: {generate:.1f} s ({rows / generate:,.0f} rows/s), peak "
        f"{_mb(max(r['generate']['peak_tree_rss'] for r in runs))}.",
        "",
        "| stage | pipeline (s) | baseline (s) | pipeline / baseline |",
        "|---|---:|---:|---:|",
    ]
    for label, pk, bk in ROWS:
        b = base.get(bk) if bk else None
        shown, ratio = ("", "") if b is None else (f"{b:.1f}", _ratio(pipe[pk], b))
        lines.append(f"| {label} | {pipe[pk]:.1f} | {shown} | {ratio} |")
    lines += [
        "",
        f"- Rows/s: ingest + validate {rows / pipe['ingest']:,.0f} (baseline load {rows / base['load']:,.0f}); "
        f"end to end {rows / pipe['end_to_end']:,.0f} (baseline {rows / base['end_to_end']:,.0f}).",
        f"- Peak RSS of the process tree: pipeline {_mb(max(r['pipeline']['peak_tree_rss'] for r in runs))} "
        f"(largest single process {_mb(max(r['pipeline']['peak_process_rss'] for r in runs))}), "
        f"baseline {_mb(max(r['baseline']['peak_tree_rss'] for r in runs))}.",
        "- Every repetition (end to end pipeline / baseline, load average 1 min before -> after): "
        + "; ".join(
            f"{_end_to_end(r, 'pipeline'):.1f} s / {_end_to_end(r, 'baseline'):.1f} s = "
            f"{_ratio(_end_to_end(r, 'pipeline'), _end_to_end(r, 'baseline'))} "
            f"(load {r['load_before'][0]:.1f} -> {r['load_after'][0]:.1f})"
            for r in runs
        )
        # Each pipeline run has its baseline right beside it, so the median of the paired ratios is
        # less moved by the shared machine's slow spells than the ratio of the two medians above.
        + f". Median of these paired ratios: "
        f"{_median([_end_to_end(r, 'pipeline') / _end_to_end(r, 'baseline') for r in runs]):.2f}x.",
    ]
    incremental = entry.get("incremental")
    if incremental and "error" in incremental:
        lines += ["", "**Incremental**: the rerun failed:", "", "```", incremental["error"][-1500:], "```"]
    elif incremental:
        stages = incremental["stages"]
        added = sum(incremental["rows_added"].values())
        lines += [
            "",
            f"**Incremental**: a new day of files, {added:,} rows ({added / rows:.1%} of the raw rows: "
            + ", ".join(f"{n} {k}" for k, n in incremental["rows_added"].items())
            + f"), then `arvo run`: {stages['end_to_end']:.1f} s{_runs(incremental)} = "
            f"**{stages['end_to_end'] / pipe['end_to_end']:.0%} of the full run** "
            f"(startup {stages['startup']:.1f}, ingest {stages['ingest']:.1f}, dbt {stages['dbt']:.1f} "
            f"of which Python models {stages['python_models']:.1f}, publish {stages['publish']:.1f}; "
            f"peak {_mb(incremental['peak_tree_rss'])}, load {incremental['load'][0]:.1f}).",
        ]
        if incremental.get("dbt_nodes"):
            lines += ["", _dbt_nodes(incremental["dbt_nodes"])]
        if "nothing_new_seconds" in incremental:
            nothing = incremental["nothing_new_seconds"]
            lines += [
                "",
                f"**Nothing new**: `arvo run` once more with no new file: {nothing:.1f} s = "
                f"{nothing / pipe['end_to_end']:.0%} of the full run (every model is current: dbt builds "
                "nothing and the snapshot is kept).",
            ]
    return lines + [""]


def _dbt_nodes(nodes: dict) -> str:
    """What the new day's dbt build spent its time on (benchmarks.dbt_nodes), for "what holds it back"."""
    largest = ", ".join(f"`{name}` {seconds:.1f}" for name, seconds in nodes["largest"])
    return (
        f"Inside the new day's dbt build (the median run, from dbt's log): {nodes['nodes']} models and tests, "
        f"{nodes['models']:.1f} s of model time and {nodes['tests']:.1f} s of data tests (thread time) in "
        f"{nodes['span']:.1f} s; the largest: {largest} s."
    )


def render(data: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`python -m benchmarks.run`), {data['started']} .. {data.get('finished', '')}, "
        f"{data['cpus']} CPUs. Method and discussion: [docs/benchmarks.md](../docs/benchmarks.md). {TARGETS}",
        "",
        "The pipeline is `arvo run` in a subprocess (stage times from its output lines); the baseline is"
        " `benchmarks.baseline` in a subprocess: the same files `read_csv` into the raw tables, the SQL dbt"
        " compiled for the same build run in DAG order in one DuckDB connection (Python models called"
        " directly, every data test's query run), the marts copied to a DuckDB file and Parquet.",
        "",
    ]
    for scale in sorted(data["scales"], key=_scale_order):
        lines += _scale_section(scale, data["scales"][scale])
    return "\n".join(lines)
