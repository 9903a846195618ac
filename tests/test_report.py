"""The value report, end to end: a real small pipeline build, the report written from its snapshot and
rendered in headless Chromium through the DevTools protocol (over a pipe: no port, no extra package).

Checked: every chart is present with non-empty marks and a visible size, the page logs no console error
and makes no network request, the HTML references no http(s) resource, the numbers drawn equal SQL on
the snapshot's marts, the quality panel matches the ledger (and degrades when the warehouse is locked),
the CLI writes the file, and the dbt exposure declares exactly the marts the report reads.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest

from arvo.chromium import HEADLESS_FLAGS
from arvo.config import Settings
from arvo.report import build_report, data, write_report
from arvo.report import fmt as report_fmt
from arvo.report.quality import quality_summary
from arvo.serving import current_snapshot

e2e = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
CHART_IDS = (
    "chart-nps",
    "chart-value-profile",
    "chart-ladder-funnel",
    "chart-retention-rate-12m-by-nps-category",
    "chart-retention-rate-12m-by-ladder-position",
    "chart-net-revenue-retention-12m-by-nps-category",
    "chart-net-revenue-retention-12m-by-ladder-position",
    "chart-nrr-cohorts",
    "chart-clv-distribution",
    "chart-drivers-b2b-nps",
    "chart-drivers-b2c-nps",
    "chart-drivers-b2b-retention-12m",
    "chart-drivers-b2c-retention-12m",
    "chart-drivers-b2b-expansion-12m",
    "chart-drivers-b2c-expansion-12m",
    "chart-mrr-movements",
)
LAPTOP = (1366, 900)


# ---------------------------------------------------------------------------------------------------------
# Chromium over the DevTools protocol


class Browser:
    """Headless Chromium driven through `--remote-debugging-pipe` (fd 3 in, fd 4 out, NUL-separated JSON)."""

    def __init__(self, binary: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="arvo-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:
            # Move both ends above 3 and 4 first, so placing one cannot overwrite the other.
            high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [binary, *HEADLESS_FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_fds,
            pass_fds=(3, 4),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the browser may already be gone; it is killed below
            self.send("Browser.close", session=False, timeout=10)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._from_child], [], [], remaining)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: bool = True, timeout: float = 60) -> dict:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._read_message(deadline)
            if "method" in event:
                self.events.append(event)
                if event["method"] == method:
                    return event

    def open(self, url: str, width: int, height: int) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, path: Path, clip: dict[str, float] | None = None) -> Path:
        import base64

        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        shot = self.send("Page.captureScreenshot", params)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def console_errors(self) -> list[str]:
        errors = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                errors.append(json.dumps(p["exceptionDetails"])[:500])
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(json.dumps(p.get("args"))[:500])
            elif e["method"] == "Log.entryAdded" and p["entry"].get("level") == "error":
                errors.append(p["entry"].get("text", ""))
        return errors

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]


# ---------------------------------------------------------------------------------------------------------
# The page: marks and their values as the HTML carries them


class MarkCollector(HTMLParser):
    """Every `class="mark"` element with the chart it sits in; KPI tiles; quality-table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.chart: str | None = None
        self.marks: list[dict[str, str]] = []
        self.kpi: str | None = None
        self._in_kpi_value = False
        self.kpis: dict[str, str] = {}
        self.entity: str | None = None
        self.field: str | None = None
        self.quality: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg":
            self.chart = a.get("data-chart")
        if "mark" in (a.get("class") or "").split():
            self.marks.append({**a, "chart": self.chart or ""})
        if a.get("data-kpi"):
            self.kpi = a["data-kpi"]
        if self.kpi and a.get("class") == "value":
            self._in_kpi_value = True
        if tag == "tr" and a.get("data-entity"):
            self.entity = a["data-entity"]
            self.quality[self.entity] = {}
        if tag == "td" and self.entity and a.get("data-field"):
            self.field = a["data-field"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.chart = None
        if tag == "div" and self._in_kpi_value:
            self._in_kpi_value = False
            self.kpi = None
        if tag == "td":
            self.field = None
        if tag == "tr":
            self.entity = None

    def handle_data(self, text: str) -> None:
        if self._in_kpi_value and self.kpi:
            self.kpis[self.kpi] = self.kpis.get(self.kpi, "") + text
        if self.entity and self.field:
            self.quality[self.entity][self.field] = text


def parse_page(html: str) -> MarkCollector:
    collector = MarkCollector()
    collector.feed(html)
    return collector


def marks_of(page: MarkCollector, chart: str) -> dict[tuple[str, str], float]:
    return {(m["data-series"], m["data-key"]): float(m["data-value"]) for m in page.marks if m["chart"] == chart}


def assert_same(drawn: dict, expected: dict, what: str) -> None:
    assert drawn.keys() == expected.keys(), f"{what}: drawn {sorted(drawn)[:5]} vs marts {sorted(expected)[:5]}"
    for key, value in expected.items():
        assert drawn[key] == pytest.approx(value, rel=1e-9, abs=1e-9), f"{what} {key}"


# ---------------------------------------------------------------------------------------------------------
# Fixtures: one real small build, one report, one browser session


@pytest.fixture(scope="module")
def built(small_pipeline) -> Settings:
    """The session's small sample set through the whole pipeline (generate, ingest, dbt build, publish)."""
    settings, outcome = small_pipeline
    assert outcome.success, outcome.failed_steps + outcome.failed_checks
    return settings


@pytest.fixture(scope="module")
def snapshot_db(built: Settings) -> Path:
    folder = current_snapshot(built.serving)
    assert folder is not None
    return folder / "arvo.duckdb"


@pytest.fixture(scope="module")
def report(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(built, tmp_path_factory.mktemp("out") / "report.html")


@pytest.fixture(scope="module")
def page(report: Path) -> MarkCollector:
    return parse_page(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered(report: Path, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The report opened in headless Chromium at laptop width and at a narrow width, with screenshots.

    Screenshots land in a temporary folder, or in $ARVO_REPORT_SCREENSHOTS when set (to look at them).
    """
    shots = Path(os.environ.get("ARVO_REPORT_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    browser = Browser(chromium)
    try:
        browser.open(report.as_uri(), *LAPTOP)
        charts = browser.evaluate(
            "JSON.stringify(Object.fromEntries([...document.querySelectorAll('svg.chart')].map(s => {"
            " const r = s.getBoundingClientRect();"
            " const marks = [...s.querySelectorAll('.mark')];"
            " const hidden = marks.filter(m => { const b = m.getBoundingClientRect();"
            "   return Number(m.dataset.value) !== 0 && (b.width === 0 || b.height === 0); });"
            " return [s.id, {width: r.width, height: r.height, marks: marks.length, hidden: hidden.length}]; })))"
        )
        readings = browser.evaluate(
            "JSON.stringify([...document.querySelectorAll('.reading')]"
            ".map(p => [p.dataset.reading, p.innerText.trim()]))"
        )
        result = {
            "charts": json.loads(charts),
            "readings": dict(json.loads(readings)),
            "overflow_laptop": browser.evaluate("document.documentElement.scrollWidth - window.innerWidth"),
            "page_height": browser.evaluate("document.documentElement.scrollHeight"),
            "screenshot": browser.screenshot(shots / "report-laptop.png"),
            "top_screenshot": browser.screenshot(
                shots / "report-laptop-top.png", {"x": 0, "y": 0, "width": LAPTOP[0], "height": LAPTOP[1]}
            ),
            "console_errors": browser.console_errors(),
            "requests": browser.requested_urls(),
        }
        browser.open(report.as_uri(), 820, 900)
        result["overflow_narrow"] = browser.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        result["console_errors"] += browser.console_errors()
        result["requests"] += browser.requested_urls()
        yield result
    finally:
        browser.close()


# ---------------------------------------------------------------------------------------------------------
# Rendering


@e2e
def test_every_chart_is_present_drawn_and_visible(rendered):
    charts = rendered["charts"]
    assert set(charts) == set(CHART_IDS)
    for chart_id, info in charts.items():
        assert info["marks"] > 0, f"{chart_id} has no data marks"
        assert info["hidden"] == 0, f"{chart_id}: marks with a value but no size: {info}"
        assert info["width"] > 300 and info["height"] > 150, f"{chart_id} is too small: {info}"
    for key in ("nps", "value-profile", "ladder-funnel", "retention", "nrr-cohorts", "clv", "drivers"):
        assert len(rendered["readings"].get(key, "")) > 40, f"reading of {key} is missing or empty"
    assert rendered["readings"]["data-quality"].startswith(tuple("0123456789"))
    png = rendered["screenshot"].read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 100_000
    assert rendered["page_height"] > 4000


@e2e
def test_the_page_logs_no_console_error_and_requests_nothing_but_itself(rendered, report):
    assert rendered["console_errors"] == []
    assert set(rendered["requests"]) == {report.as_uri()}


@e2e
def test_it_reads_at_laptop_width_and_narrower_without_sideways_scrolling(rendered):
    assert rendered["overflow_laptop"] <= 0
    assert rendered["overflow_narrow"] <= 0


@e2e
def test_the_html_references_no_http_resource(report):
    html = report.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"""(?:src|href|xlink:href|action)\s*=\s*["'](?!#)""", html), "a non-fragment reference"
    assert "@import" not in html and "url(" not in html


# ---------------------------------------------------------------------------------------------------------
# The numbers drawn equal the marts (independent SQL on the snapshot)


@e2e
def test_nps_points_equal_mart_nps(page, snapshot_db):
    names = {"B2B": "B2B", "B2C": "B2C", "all": "All customers"}
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        rows = con.execute(
            "select segment, strftime(period_month, '%Y-%m-%d'), nps from marts.mart_nps where nps is not null"
        ).fetchall()
    assert_same(marks_of(page, "chart-nps"), {(names[s], m): v for s, m, v in rows}, "NPS")


@e2e
def test_value_profile_and_funnel_equal_mart_customer_value(page, snapshot_db):
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        profile = {}
        for column in data.VALUE_TYPES:
            for segment, mean in con.execute(
                f"select segment, avg({column}) from marts.mart_customer_value group by segment"
            ).fetchall():
                profile[(segment, column)] = mean
        funnel = {}
        for k, step in enumerate(data.LADDER_STEPS, start=1):
            for segment, share in con.execute(
                f"select segment, avg(case when ladder_step >= {k} then 1.0 else 0.0 end)"
                " from marts.mart_customer_value where ladder_step is not null group by segment"
            ).fetchall():
                funnel[(segment, step)] = share
    drawn = {(s.split(" ")[0], k): v for (s, k), v in marks_of(page, "chart-value-profile").items()}
    assert_same(drawn, profile, "value profile")
    drawn = {(s.split(" ")[0], k): v for (s, k), v in marks_of(page, "chart-ladder-funnel").items()}
    assert_same(drawn, funnel, "ladder funnel")


@e2e
def test_retention_bars_equal_mart_value_retention(page, snapshot_db):
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        rows = con.execute(
            "select segment, dimension, band, retention_rate_12m, net_revenue_retention_12m"
            " from marts.mart_value_retention where dimension in ('nps_category', 'ladder_position')"
        ).fetchall()
    for metric, index in (("retention-rate-12m", 3), ("net-revenue-retention-12m", 4)):
        for dimension in ("nps_category", "ladder_position"):
            chart = f"chart-{metric}-by-{dimension.replace('_', '-')}"
            expected = {(r[0], r[2]): r[index] for r in rows if r[1] == dimension and r[index] is not None}
            assert_same(marks_of(page, chart), expected, chart)


@e2e
def test_cohort_heat_map_equals_mart_revenue_retention(page, snapshot_db):
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        rows = con.execute(
            "select strftime(cohort_month, '%Y-%m-%d'), months_since_start, net_revenue_retention"
            " from marts.mart_revenue_retention where segment = 'all' and net_revenue_retention is not null"
        ).fetchall()
    expected = {("net_revenue_retention", f"{c}|{m}"): v for c, m, v in rows}
    assert len(expected) > 100
    assert_same(marks_of(page, "chart-nrr-cohorts"), expected, "NRR heat map")


@e2e
def test_clv_distribution_equals_mart_customer_lifetime_value(page, snapshot_db):
    labels = ["< €1", "€1–10", "€10–100", "€100–1k", "€1k–10k", "€10k–100k", "≥ €100k"]
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        rows = con.execute(
            "with banded as (select segment,"
            " least(greatest(floor(log10(greatest(predicted_clv_eur, 0.5))) + 1, 0), 6)::int as band"
            " from marts.mart_customer_lifetime_value where predicted_clv_eur is not null)"
            " select segment, band, count(*) / sum(count(*)) over (partition by segment)"
            " from banded group by segment, band"
        ).fetchall()
    expected = {(segment, label): 0.0 for segment in ("B2B", "B2C") for label in labels}
    expected.update({(segment, labels[band]): share for segment, band, share in rows})
    drawn = {(s.split(" ")[0], k): v for (s, k), v in marks_of(page, "chart-clv-distribution").items()}
    assert_same(drawn, expected, "CLV distribution")


@e2e
def test_driver_rankings_equal_mart_value_drivers(page, snapshot_db):
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        rows = con.execute("select segment, outcome, driver, importance_pct from marts.mart_value_drivers").fetchall()
    assert rows
    for segment, outcome in {(r[0], r[1]) for r in rows}:
        chart = f"chart-drivers-{segment.lower()}-{outcome.replace('_', '-')}"
        expected = {(f"{segment}|{outcome}", r[2]): r[3] for r in rows if r[:2] == (segment, outcome)}
        assert_same(marks_of(page, chart), expected, chart)
        ranked = [m["data-key"] for m in page.marks if m["chart"] == chart]
        assert ranked == sorted(ranked, key=lambda k: -expected[(f"{segment}|{outcome}", k)]), "not ranked"


@e2e
def test_mrr_movements_equal_fct_mrr(page, snapshot_db):
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        rows = con.execute(
            "select strftime(month, '%Y-%m-%d'), change_category, sum(mrr_change_eur)::double"
            " from marts.fct_mrr group by all"
        ).fetchall()
        net = con.execute(
            "select strftime(month, '%Y-%m-%d'), sum(mrr_change_eur)::double from marts.fct_mrr group by 1"
        ).fetchall()
        months = {r[0] for r in net}
    expected = {(c.capitalize(), m): 0.0 for c in data.MRR_MOVEMENTS for m in months}
    expected.update({(c.capitalize(), m): v for m, c, v in rows if c != "unchanged"})
    expected.update({("Net change", m): v for m, v in net})
    assert_same(marks_of(page, "chart-mrr-movements"), expected, "MRR movements")


@e2e
def test_headline_figures_equal_the_marts(page, snapshot_db):
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        active = con.execute("select count(*) from marts.dim_customers where lifecycle_status = 'active'").fetchone()[0]
        mrr = con.execute(
            "select sum(mrr_eur)::double from marts.fct_mrr where month = (select max(month) from marts.fct_mrr)"
        ).fetchone()[0]
        nps = con.execute(
            "select nps from marts.mart_nps where segment = 'all' order by period_month desc limit 1"
        ).fetchone()[0]
    assert page.kpis["active_customers"] == f"{active:,}"
    assert page.kpis["mrr_eur"] == f"€{mrr:,.0f}"
    assert page.kpis["nps"] == report_fmt.points(nps)


@e2e
def test_the_readings_quote_the_marts(rendered, snapshot_db):
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        latest = con.execute(
            "select segment, period_month, nps, nps_moe_95 from marts.mart_nps where segment in ('B2B', 'B2C')"
            " qualify row_number() over (partition by segment order by period_month desc) = 1"
        ).fetchall()
        leaders = con.execute(
            "select segment, driver, importance_pct from marts.mart_value_drivers where outcome = 'nps'"
            " qualify row_number() over (partition by segment order by importance_pct desc) = 1"
        ).fetchall()
        clv = con.execute(
            "select segment, median(predicted_clv_eur)::double from marts.mart_customer_lifetime_value group by 1"
        ).fetchall()
    nps_text = rendered["readings"]["nps"]
    for segment, month, nps, moe in latest:
        assert f"{nps:.1f} (±{moe:.1f})" in nps_text, segment
        assert report_fmt.month_label(month) in nps_text
    for segment, driver, importance in leaders:
        phrase = f"{report_fmt.driver_phrase(driver)} in {segment} ({importance:.0f}% of explained variance)"
        assert phrase in rendered["readings"]["drivers"]
    for segment, median in clv:
        assert f"{report_fmt.eur(median)} in {segment}" in rendered["readings"]["clv"]


@e2e
def test_embedded_data_is_the_data_drawn(report, page):
    html = report.read_text(encoding="utf-8")
    payload = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html).group(1))
    nps = {(r["segment"], r["month"]): r["nps"] for r in payload["nps_by_month"] if r["nps"] is not None}
    names = {"B2B": "B2B", "B2C": "B2C", "all": "All customers"}
    assert_same(marks_of(page, "chart-nps"), {(names[s], m): v for (s, m), v in nps.items()}, "embedded NPS")
    assert set(payload["readings"]) >= {"nps", "drivers", "mrr-movements"}


# ---------------------------------------------------------------------------------------------------------
# The data-quality panel


@e2e
def test_quality_panel_equals_the_load_ledger(page, built):
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        rows = con.execute(
            "select entity, count(*) filter (where status = 'loaded'), sum(rows_loaded)"
            " from audit.load_ledger group by entity"
        ).fetchall()
    assert rows
    for entity, files, loaded_rows in rows:
        assert page.quality[entity]["files_loaded"] == f"{files:,}", entity
        assert page.quality[entity]["rows_loaded"] == f"{loaded_rows:,}", entity


@e2e
def test_the_report_still_renders_while_a_run_holds_the_warehouse(built, snapshot_db, tmp_path):
    """Another process holding DuckDB's write lock (as `arvo run` does): the snapshot's own ledger feeds
    the panel; a snapshot without one renders its charts and says the panel is unavailable."""
    without_ledger = tmp_path / "without-ledger"
    without_ledger.mkdir()
    shutil.copyfile(snapshot_db, without_ledger / "arvo.duckdb")
    with duckdb.connect(str(without_ledger / "arvo.duckdb")) as con:
        con.execute("drop schema audit cascade")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(120)",
            str(built.warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        from_snapshot = build_report(built)
        unavailable = build_report(built, snapshot=without_ledger)
    finally:
        holder.kill()
        holder.wait()
    assert "audit.load_ledger (snapshot)" in from_snapshot and 'data-quality="unavailable"' not in from_snapshot
    assert 'data-quality="unavailable"' in unavailable and "The data-quality panel is unavailable" in unavailable
    assert f"in use by another process (PID {holder.pid})" in unavailable
    for html in (from_snapshot, unavailable):
        assert {m["chart"] for m in parse_page(html).marks} == set(CHART_IDS)


def test_a_warehouse_that_cannot_be_read_is_named_so_not_as_busy(tmp_path):
    """Only a lock is reported as a run holding the warehouse; any other failure says what it is."""
    settings = Settings.under(tmp_path)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    settings.warehouse.write_bytes(b"not a duckdb file, " * 512)
    snapshot_db = tmp_path / "snapshot.duckdb"
    duckdb.connect(str(snapshot_db)).close()
    summary = quality_summary(settings, snapshot_db)
    assert summary["available"] is False
    assert summary["message"].startswith(f"the warehouse {settings.warehouse} could not be opened: ")
    assert "in use" not in summary["message"]


@e2e
def test_the_ledger_published_in_the_snapshot_feeds_the_panel_without_the_warehouse(built, snapshot_db, tmp_path):
    """Publish copies audit.load_ledger into the snapshot; the panel reads it there (no warehouse needed)."""
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        expected = dict(
            con.execute(
                "select entity, count(*) filter (where status = 'loaded') from audit.load_ledger group by entity"
            ).fetchall()
        )
    html = build_report(Settings.under(tmp_path / "no-warehouse"), snapshot=snapshot_db.parent)
    page = parse_page(html)
    assert "audit.load_ledger (snapshot)" in html
    assert {e: int(page.quality[e]["files_loaded"].replace(",", "")) for e in expected} == expected


@e2e
def test_a_snapshot_with_empty_marts_still_gives_a_page_that_says_so(snapshot_db, tmp_path):
    """The first publish can come before any source delivered: every section renders and says why it is empty."""
    folder = tmp_path / "empty"
    folder.mkdir()
    with duckdb.connect(str(folder / "arvo.duckdb")) as con:
        con.execute(f"attach '{snapshot_db}' as src (read_only)")
        con.execute("create schema marts")
        tables = con.execute(
            "select table_name from information_schema.tables where table_catalog = 'src' and table_schema = 'marts'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f"create table marts.{table} as select * from src.marts.{table} limit 0")
    html = build_report(Settings.under(tmp_path / "nothing"), snapshot=folder)
    readings = dict(re.findall(r'data-reading="([^"]+)">([^<]*)<', html))
    assert readings["nps"].startswith("Not enough survey months")
    assert readings["ladder-funnel"] == "No ladder answers yet."
    assert readings["clv"] == "No predicted lifetime value yet."
    assert readings["mrr-movements"] == "No recurring revenue yet."
    assert 'data-quality="unavailable"' in html


def test_drivers_without_enough_respondents_get_no_chart_and_the_reading_says_so(snapshot_db, tmp_path):
    """The mart leaves importance and correlation empty where too few customers answered (a small segment,
    the first months): the report is still written, and names what it cannot show."""
    folder = tmp_path / "few"
    folder.mkdir()
    shutil.copy(snapshot_db, folder / "arvo.duckdb")
    with duckdb.connect(str(folder / "arvo.duckdb")) as con:
        con.execute(
            "update marts.mart_value_drivers set importance_pct = null, correlation = null, r_squared = null "
            "where segment = 'B2C' and outcome = 'retention_12m'"
        )
        con.execute(
            "update marts.mart_value_drivers set correlation = null "
            "where segment = 'B2B' and outcome = 'nps' and driver = 'value_social'"
        )
    html = build_report(Settings.under(tmp_path / "nothing"), snapshot=folder)
    readings = dict(re.findall(r'data-reading="([^"]+)">([^<]*)<', html))
    assert readings["drivers"].endswith("Too few complete responses yet for the drivers of 12-month retention in B2C.")
    assert "chart-drivers-b2c-retention-12m" not in html and "chart-drivers-b2b-retention-12m" in html
    assert "Social value: " in html and "correlation n/a" in html


# ---------------------------------------------------------------------------------------------------------
# The command


def _arvo_report(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """`arvo report ARGS` as a user runs it, on the settings' snapshot."""
    env = {**os.environ, "ARVO_SERVING": str(settings.serving), "ARVO_WAREHOUSE": str(settings.warehouse)}
    command = [sys.executable, "-m", "arvo.cli", "report", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@e2e
def test_arvo_report_writes_the_file_and_prints_its_path(built, tmp_path):
    out = tmp_path / "nested" / "value.html"
    done = _arvo_report(built, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out.resolve())
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    done = _arvo_report(built)
    assert done.returncode == 0 and (built.serving / "report.html").exists()


def test_arvo_report_out_a_folder_writes_report_html_in_it_and_an_unwritable_place_says_so(built, tmp_path):
    def report(out: Path) -> subprocess.CompletedProcess[str]:
        return _arvo_report(built, "--out", str(out))

    folder = tmp_path / "reports"
    folder.mkdir()
    done = report(folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(folder / "report.html")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    refused = report(blocker / "value.html")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert refused.stdout.startswith("arvo report: cannot write the report: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "reports"]
    assert [p.name for p in folder.iterdir()] == ["report.html"]  # no temporary file left behind


def test_arvo_report_out_a_pipe_or_a_link_writes_through_it(built, tmp_path):
    """A pipe (`--out /dev/stdout | ...`) or a device is written into, never replaced by a file; a link
    keeps pointing at its file, which gets the report."""

    def report(out: Path) -> subprocess.CompletedProcess[str]:
        return _arvo_report(built, "--out", str(out))

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    done = report(pipe)
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(pipe.lstat().st_mode), "the pipe was replaced by a file"
    assert received and received[0].startswith("<!DOCTYPE html>")

    real = tmp_path / "shared" / "value.html"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "value.html"
    link.symlink_to(real)
    done = report(link)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_arvo_report_without_a_snapshot_says_what_to_do(tmp_path):
    env = {**os.environ, "ARVO_SERVING": str(tmp_path / "serving"), "ARVO_WAREHOUSE": str(tmp_path / "w.duckdb")}
    done = subprocess.run([sys.executable, "-m", "arvo.cli", "report"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "no serving snapshot" in done.stdout and "arvo run" in done.stdout


# ---------------------------------------------------------------------------------------------------------
# Fast checks: the exposure, the primitives, the readings


def test_the_report_exposure_declares_exactly_the_marts_the_report_reads(dbt_manifest):
    manifest = json.loads(Path(dbt_manifest).read_text(encoding="utf-8"))
    exposure = manifest["exposures"]["exposure.arvo.value_report"]
    assert sorted(n.split(".")[-1] for n in exposure["depends_on"]["nodes"]) == sorted(data.MARTS_READ)
    for name, e in manifest["exposures"].items():
        assert e["depends_on"]["nodes"], f"{name} depends on nothing"
        assert all(n.startswith("model.arvo.") for n in e["depends_on"]["nodes"])


def test_nice_ticks_cover_the_range_with_round_steps():
    from arvo.report.svg import nice_ticks

    for lo, hi in ((-23.4, 61.2), (0, 0.953), (-148035.8, 74000.0), (0, 41.37)):
        ticks = nice_ticks(lo, hi, 5)
        steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
        assert ticks[0] <= lo and ticks[-1] >= hi and len(steps) == 1 and len(ticks) <= 8
        mantissa = next(iter(steps)) / 10 ** int(f"{next(iter(steps)):e}".split("e")[1])
        assert round(mantissa, 6) in (1, 2, 2.5, 5)


def test_the_ratio_colour_is_neutral_at_100_percent_and_symmetric_in_log_terms():
    from arvo.report.svg import diverging_colour

    assert diverging_colour(1.0) == "#f7f7f7"
    assert diverging_colour(0.5) == diverging_colour(0.1) == "#b35806"
    assert diverging_colour(2.0) == diverging_colour(9.0) == "#542788"
    assert diverging_colour(0.8) != diverging_colour(1.25)


def test_the_nps_reading_names_the_leader_and_whether_the_gap_is_real():
    from arvo.report.sections import nps_reading

    def rows(b2b: float, b2c: float, moe: float) -> list[dict[str, Any]]:
        return [
            {"segment": s, "month": "2026-08-01", "nps": v, "nps_moe_95": moe, "is_small_sample": False}
            for s, v in (("B2B", b2b), ("B2C", b2c))
        ]

    clear = nps_reading(rows(40.0, 10.0, 8.0))
    assert "B2B leads by 30.0 points" in clear and "larger than the combined margin" in clear
    assert "within the margin of error" in nps_reading(rows(12.0, 15.0, 9.0))


def test_the_driver_reading_names_the_top_driver_of_each_segment():
    from arvo.report.sections import drivers_reading

    def ranked(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
        return [{"driver": d, "importance_pct": v} for d, v in pairs]

    text = drivers_reading(
        {
            ("B2B", "nps"): ranked(("value_functional", 38.0), ("value_economic", 30.0)),
            ("B2C", "nps"): ranked(("value_social", 29.0), ("value_emotional", 20.0)),
        }
    )
    assert "functional value in B2B (38%" in text and "social value in B2C (29%" in text
