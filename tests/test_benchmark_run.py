"""`make bench` end to end at the tiny scale: progress as it goes, and a report with every figure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks import run
from benchmarks.increment import make_increment
from benchmarks.report import render
from ingestion.contract import ENTITIES

pytestmark = pytest.mark.e2e


def test_bench_reports_each_step_and_writes_the_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    results = tmp_path / "RESULTS.md"
    code = run.main(["--scales", "tiny", "--work", str(tmp_path / "work"), "--results", str(results)])
    progress = capsys.readouterr().out

    assert code == 0
    steps = [
        "tiny run 1/1: generating the tiny set",
        "tiny run 1/1: arvo run ",
        "tiny run 1/1: baseline ",
        "tiny new day 1/1: a new day of ",
        "tiny new day 1/1: nothing new ",
        f"wrote {results}",
    ]
    positions = [progress.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), progress
    assert re.search(r"^\d\d:\d\d:\d\d tiny run 1/1: arvo run [\d.]+ s \(startup [\d.]+, ingest", progress, re.M)

    figures = json.loads(results.with_suffix(".json").read_text())["scales"]["tiny"]
    pipeline, baseline = figures["runs"][0]["pipeline"]["stages"], figures["runs"][0]["baseline"]["stages"]
    assert 0 < pipeline["ingest"] < pipeline["end_to_end"] and 0 < pipeline["dbt"] < pipeline["end_to_end"]
    assert baseline["end_to_end"] > 0 and figures["runs"][0]["raw_rows"] > 0
    assert sum(figures["incremental"]["rows_added"].values()) > 0
    assert figures["incremental"]["nothing_new_seconds"] > 0 and figures["incremental"]["stages"]["dbt"] > 0
    nodes = figures["incremental"]["dbt_nodes"]
    assert nodes["models"] > 0 and nodes["tests"] > 0 and 0 < nodes["span"] < figures["incremental"]["stages"]["dbt"]
    seconds = [s for _, s in nodes["largest"]]
    assert seconds == sorted(seconds, reverse=True) and len(seconds) == min(8, nodes["nodes"])
    assert all(name for name, _ in nodes["largest"])
    report = results.read_text()
    assert "## tiny" in report and "**end to end**" in report and "**Incremental**" in report
    assert "Inside the new day's dbt build" in report
    assert re.search(r"raw rows in the landing files\. Measured 20\d\d-\d\d-\d\dT[\d:+]+ \.\. 20\d\d-", report)
    reordered = json.loads(results.with_suffix(".json").read_text())
    reordered["scales"] = {"large": figures, "tiny": figures}  # as after `--scales tiny --update` over a large set
    sections = re.findall(r"^## (\w+)$", render(reordered), re.M)
    assert sections == ["tiny", "large"]


def test_bench_rejects_a_malformed_repeat(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_:
        run.main(["--repeat", "medium3"])
    assert exit_.value.code == 2
    assert "--repeat 'medium3': write SCALE=N" in capsys.readouterr().err


def test_the_new_day_copies_a_whole_delivery_not_the_last_late_answer(tmp_path: Path):
    """The medium set's last survey delivery is one late response: a day copied from it was one
    respondent a thousand times. The day is copied from the entity's largest delivery."""
    landing = tmp_path / "landing"
    for entity, key, date_column in (("invoices", "invoice_id", "invoice_date"), ("responses", "response_id", "x")):
        folder = landing / ENTITIES[entity].folder
        folder.mkdir(parents=True)
        header = f"{key},{date_column},responded_at\n"
        (folder / "2026-09-01.csv").write_text(header + "".join(f"K-{i},d,2026-09-01T08:00:00\n" for i in range(6)))
        (folder / "2026-10-01.csv").write_text(header + "K-9,d,2026-09-01T09:00:00\n")
    assert make_increment(landing, fraction=0.5) == {"invoices": 4, "responses": 4}
    for entity in ("invoices", "responses"):
        (day,) = (landing / ENTITIES[entity].folder).glob("*_increment.csv")
        assert [line.split(",")[0] for line in day.read_text().splitlines()[1:]] == [f"K-N{i}" for i in range(4)]


def test_a_new_day_starts_from_the_full_build_with_the_landing_files_left_in_place(tmp_path: Path):
    """Each repeated new day restores the warehouse and the rest of the full build, but not the landing
    files: a copy would give them new ctimes, and the ledger would hash every one again."""
    root, saved = tmp_path / "medium", tmp_path / "medium-full-build"
    (root / "landing" / "crm").mkdir(parents=True)
    (root / "warehouse").mkdir()
    landed = root / "landing" / "crm" / "accounts.csv"
    landed.write_text("account_id\n")
    (root / "warehouse" / "arvo.duckdb").write_text("full build")
    saved.mkdir()
    run._restore(root, saved)
    assert sorted(p.name for p in saved.iterdir()) == ["warehouse"]

    (root / "warehouse" / "arvo.duckdb").write_text("after a new day")
    (root / "warehouse" / "extra.wal").write_text("x")
    ctime = landed.stat().st_ctime_ns
    run._restore(saved, root)
    assert (root / "warehouse" / "arvo.duckdb").read_text() == "full build"
    assert not (root / "warehouse" / "extra.wal").exists()
    assert landed.stat().st_ctime_ns == ctime


def test_a_repeated_new_day_is_the_same_day(tmp_path: Path):
    """The day is 1% of the deliveries, not of the deliveries and the last day: repeated new days (which
    leave the landing files in place) write the same rows."""
    landing = tmp_path / "landing"
    for entity, key, date_column in (("invoices", "invoice_id", "invoice_date"), ("responses", "response_id", "x")):
        folder = landing / ENTITIES[entity].folder
        folder.mkdir(parents=True)
        rows = "".join(f"K-{i},d,2026-09-01T08:00:00\n" for i in range(100))
        (folder / "2026-09-01.csv").write_text(f"{key},{date_column},responded_at\n{rows}")
    first = make_increment(landing, fraction=0.1)
    assert first == {"invoices": 10, "responses": 10}
    assert make_increment(landing, fraction=0.1) == first
