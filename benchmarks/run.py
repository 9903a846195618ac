"""`make bench`: the pipeline against the bare engine, per stage, at several scales -> benchmarks/RESULTS.md.

For each scale and repetition, in a fresh folder: generate the landing set, `arvo run` it (stages read
from its output: startup, ingest+validate, dbt build with the Python models inside it, publish), then
the baseline (`benchmarks.baseline`: the same files straight into DuckDB, the same compiled SQL run
directly). After the last full run of a scale, a new day of files (~1% of the rows) is dropped and
`arvo run` goes again: the incremental cost; then once more with nothing new (as many times as
the full run, each on a copy of the same full build). Medians over repetitions; the load average is
recorded because the machine may be shared.

Progress goes to standard output, a line per step (a large repetition takes about 13 minutes). The
figures go to benchmarks/RESULTS.md and benchmarks/results.json after every repetition, so an
interrupted benchmark keeps what it measured. Method and results: docs/benchmarks.md.

Example: python -m benchmarks.run --scales small medium --repeat small=3 medium=3
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from arvo.config import REPO_ROOT, Settings
from benchmarks.dbt_nodes import build_log, node_times
from benchmarks.increment import make_increment
from benchmarks.measure import Measured, run_measured

ARVO = str(Path(sys.executable).with_name("arvo"))
RESULTS = REPO_ROOT / "benchmarks" / "RESULTS.md"
RAW_JSON = REPO_ROOT / "benchmarks" / "results.json"
DEFAULT_REPEAT = {"tiny": 1, "small": 3, "medium": 1, "large": 1}
PYTHON_MODEL = re.compile(r"OK created python \w+ model \S+ .*? in ([\d.]+)s\]")
INGEST_EVENT = re.compile(r"\] \w+: \S+ (hashing|started)")

PIPELINE_MARKS = {
    "ingest_start": lambda line: bool(INGEST_EVENT.search(line)),
    "dbt_start": lambda line: "Running dbt command" in line,
    "dbt_end": lambda line: "Finished dbt command" in line,
    "published": lambda line: "Published snapshot" in line,
}


def say(message: str) -> None:
    """One progress line, at once (the benchmark runs for minutes between its figures)."""
    print(f"{datetime.now():%H:%M:%S} {message}", flush=True)


def _env(root: Path) -> dict[str, str]:
    env = {**os.environ, **Settings.under(root).path_env()}
    env.update(
        ARVO_PSEUDONYM_KEY="benchmark-key",
        DBT_TARGET_PATH=str(root / "dbt_target"),
        DBT_LOG_PATH=str(root / "dbt_logs"),
        PYTHONUNBUFFERED="1",
    )
    return env


def pipeline_stages(measured: Measured) -> dict[str, float]:
    """Stage seconds from the timestamps of the run's output lines."""
    marks = measured.marks
    dbt_start = marks.get("dbt_start", measured.seconds)
    ingest_start = marks.get("ingest_start", dbt_start)
    dbt_end = marks.get("dbt_end", dbt_start)
    published = marks.get("published", dbt_end)
    python = sum(float(m) for m in PYTHON_MODEL.findall(measured.output))
    return {
        "startup": ingest_start,
        "ingest": dbt_start - ingest_start,
        "dbt": dbt_end - dbt_start,
        "python_models": python,
        "publish": published - dbt_end,
        "end_to_end": measured.seconds,
    }


def _stage_line(stages: dict[str, float]) -> str:
    parts = ", ".join(f"{name} {stages[name]:.1f}" for name in ("startup", "ingest", "dbt", "publish"))
    return f"{stages['end_to_end']:.1f} s ({parts})"


def _check(measured: Measured, what: str) -> None:
    if measured.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {measured.returncode}):\n{measured.output[-4000:]}")


def one_run(scale: str, seed: int, root: Path, label: str) -> dict:
    """Generate, pipeline, baseline in a fresh folder; every figure of one repetition (`label` names it
    in the progress lines)."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    env = _env(root)
    load_before = os.getloadavg()
    say(f"{label}: generating the {scale} set (seed {seed})")
    generated = run_measured(
        [ARVO, "generate", "--scale", scale, "--seed", str(seed), "--out", env["ARVO_LANDING"]], env, REPO_ROOT
    )
    _check(generated, "arvo generate")
    say(f"{label}: generated in {generated.seconds:.1f} s; arvo run (log: {root / 'run.log'})")
    pipeline = run_measured([ARVO, "run", "--no-summary"], env, REPO_ROOT, PIPELINE_MARKS, log=root / "run.log")
    _check(pipeline, "arvo run")
    stages = pipeline_stages(pipeline)
    say(f"{label}: arvo run {_stage_line(stages)}; the baseline")
    manifest = next((root / "dbt_target").rglob("manifest.json"))  # the dbt target folder of this warehouse
    result_file = root / "baseline.json"
    baseline = run_measured(
        [
            sys.executable,
            "-m",
            "benchmarks.baseline",
            "--landing",
            env["ARVO_LANDING"],
            "--warehouse",
            str(root / "baseline" / "arvo.duckdb"),
            "--manifest",
            str(manifest),
            "--out",
            str(result_file),
        ],
        env,
        REPO_ROOT,
    )
    _check(baseline, "baseline")
    base = json.loads(result_file.read_text())
    base["end_to_end"] = baseline.seconds
    ratio = stages["end_to_end"] / baseline.seconds
    say(f"{label}: baseline {baseline.seconds:.1f} s; the pipeline end to end is {ratio:.2f}x the baseline")
    return {
        "scale": scale,
        "seed": seed,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "generate": {"seconds": generated.seconds, "peak_tree_rss": generated.peak_tree_rss},
        "pipeline": {
            "stages": stages,
            "peak_tree_rss": pipeline.peak_tree_rss,
            "peak_process_rss": pipeline.peak_process_rss,
        },
        "baseline": {"stages": base, "peak_tree_rss": baseline.peak_tree_rss},
        "raw_rows": base["raw_rows"],
    }


def incremental_run(root: Path, label: str) -> dict:
    """A new day of files on top of the full build in `root`, and `arvo run` again; then once more with
    nothing new (the build records say every model is current: dbt builds nothing)."""
    env = _env(root)
    written = make_increment(Settings.under(root).landing)
    say(f"{label}: a new day of {sum(written.values()):,} rows; arvo run (log: {root / 'incr.log'})")
    measured = run_measured([ARVO, "run", "--no-summary"], env, REPO_ROOT, PIPELINE_MARKS, log=root / "incr.log")
    if measured.returncode != 0:
        say(f"{label}: arvo run failed (exit {measured.returncode}); see {root / 'incr.log'}")
        return {"rows_added": written, "error": measured.output[-3000:]}
    stages = pipeline_stages(measured)
    log = build_log(root / "dbt_target")
    nodes = node_times(log) if log else None
    say(f"{label}: arvo run {_stage_line(stages)}; again with nothing new")
    unchanged = run_measured([ARVO, "run", "--no-summary"], env, REPO_ROOT, log=root / "unchanged.log")
    _check(unchanged, "arvo run with nothing new")
    say(f"{label}: nothing new {unchanged.seconds:.1f} s")
    return {
        "rows_added": written,
        "stages": stages,
        "peak_tree_rss": measured.peak_tree_rss,
        "load": os.getloadavg(),
        "nothing_new_seconds": unchanged.seconds,
        "dbt_nodes": nodes,
    }


def _restore(source: Path, target: Path) -> None:
    """Replace everything in `target` but the landing folder with a copy of what is in `source`.

    The landing files stay where they are: a copy would give each a new ctime, and the ledger, which
    knows a delivery by its path, size, mtime and ctime, would hash every one of them again (the
    one-off cost of a landing folder restored from a backup, ~2 s at medium), which a new day does not
    have. The new day's own files are written again by each `incremental_run`.
    """
    landing = Settings.under(target).landing.name
    for child in target.iterdir():
        if child.name == landing:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in source.iterdir():
        if child.name == landing:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.copytree(child, target / child.name, symlinks=True)
        else:
            shutil.copy2(child, target / child.name, follow_symlinks=False)


def incremental_runs(root: Path, count: int, scale: str) -> dict:
    """`incremental_run` `count` times, each on a fresh copy of the same full build; medians."""
    full_build = root.with_name(root.name + "-full-build")
    if count > 1:
        shutil.rmtree(full_build, ignore_errors=True)
        full_build.mkdir()
        _restore(root, full_build)
    runs: list[dict] = []
    for index in range(count):
        if index:
            _restore(full_build, root)
        runs.append(incremental_run(root, f"{scale} new day {index + 1}/{count}"))
        if "error" in runs[-1]:
            break
    shutil.rmtree(full_build, ignore_errors=True)
    if "error" in runs[-1]:
        return runs[-1]
    middle = sorted(runs, key=lambda r: r["stages"]["end_to_end"])[len(runs) // 2]
    return {
        "rows_added": runs[0]["rows_added"],
        "stages": {name: statistics.median(r["stages"][name] for r in runs) for name in runs[0]["stages"]},
        "end_to_end_runs": [r["stages"]["end_to_end"] for r in runs],
        "peak_tree_rss": max(r["peak_tree_rss"] for r in runs),
        "load": runs[-1]["load"],
        "nothing_new_seconds": statistics.median(r["nothing_new_seconds"] for r in runs),
        "dbt_nodes": middle["dbt_nodes"],
    }


def _parse_repeat(values: list[str]) -> dict[str, int]:
    repeat = dict(DEFAULT_REPEAT)
    for value in values:
        name, _, count = value.partition("=")
        if name not in DEFAULT_REPEAT or not count.isdigit() or int(count) < 1:
            raise ValueError(f"--repeat {value!r}: write SCALE=N, SCALE one of {', '.join(DEFAULT_REPEAT)}, N >= 1")
        repeat[name] = int(count)
    return repeat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scales",
        nargs="+",
        default=["small", "medium"],
        choices=list(DEFAULT_REPEAT),
        help="generator scales to run, in this order (default: small medium)",
    )
    parser.add_argument(
        "--repeat",
        nargs="*",
        default=[],
        metavar="SCALE=N",
        help="repetitions per scale; the report quotes medians (default: "
        + ", ".join(f"{k}={v}" for k, v in DEFAULT_REPEAT.items())
        + ")",
    )
    parser.add_argument("--seed", type=int, default=42, help="generator seed (default: 42)")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "arvo-bench-run",
        help="scratch folder, one sub-folder per scale (default: %(default)s)",
    )
    parser.add_argument(
        "--no-incremental", action="store_true", help="skip the new-day rerun and the rerun with nothing new"
    )
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="the report; the raw figures go to a .json beside it"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    parser.add_argument("--update", action="store_true", help="keep the other scales' figures of the last results")
    args = parser.parse_args(argv)
    try:
        repeat = _parse_repeat(args.repeat)
    except ValueError as error:
        parser.error(str(error))

    from benchmarks.report import render

    data: dict = {"started": _now(), "cpus": os.cpu_count(), "scales": {}}
    json_path = args.results.with_suffix(".json") if args.results != RESULTS else RAW_JSON
    if args.update and json_path.exists():
        previous = json.loads(json_path.read_text())
        data["scales"] = {k: v for k, v in previous["scales"].items() if k not in args.scales}
        data["started"] = previous["started"]

    def save(entry: dict) -> None:  # after every run, so an interrupted benchmark still leaves its figures
        data["finished"] = entry["finished"] = _now()
        json_path.write_text(json.dumps(data, indent=2) + "\n")
        args.results.write_text(render(data))

    for scale in args.scales:
        root = args.work / scale
        # each scale says when it was measured: with --update the report mixes sets of different days
        entry: dict = {"started": _now(), "runs": []}
        data["scales"][scale] = entry
        for index in range(repeat[scale]):
            entry["runs"].append(one_run(scale, args.seed, root, f"{scale} run {index + 1}/{repeat[scale]}"))
            save(entry)
        if not args.no_incremental:
            entry["incremental"] = incremental_runs(root, repeat[scale], scale)
            save(entry)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    say(f"wrote {args.results} and {json_path.name}")
    return 0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def median(values: list[float]) -> float:
    return statistics.median(values)


if __name__ == "__main__":
    raise SystemExit(main())
