"""Screenshot the Dagster asset graph: start the webserver on loopback, open it in headless Chromium.

    python -m orchestration.ui_screenshot --out dagster-assets.png

It proves the UI loads Arvo's definitions and shows the graph (sources -> raw -> staging -> marts ->
serving), and gives the README its picture. Needs Debian's `chromium` (or --chromium PATH).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from arvo.chromium import HEADLESS_FLAGS, find_chromium
from arvo.config import REPO_ROOT

GRAPH_PATH = "/asset-groups"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dagster-webserver exited with code {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"dagster-webserver did not answer {url} within {timeout:.0f}s")


def _graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@dataclass(frozen=True)
class UiShot:
    path: Path
    asset_keys: list[str]  # what the webserver loaded, as `a/b/c`


def screenshot_asset_graph(out: Path, chromium: str, timeout: float = 90.0, width: int = 1600) -> UiShot:
    """Serve the definitions on a free loopback port, screenshot the asset graph into `out`."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    webserver = str(Path(sys.executable).with_name("dagster-webserver"))
    with tempfile.TemporaryDirectory(prefix="arvo-ui-") as home:
        shutil.copy(REPO_ROOT / "dagster.yaml", home)
        env = {**os.environ, "DAGSTER_HOME": home}
        server = subprocess.Popen(
            [webserver, "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_until_up(f"{base}/server_info", server, timeout)
            # the throw-away instance's first-visit dialog would cover the graph
            _graphql(base, "mutation { setNuxSeen }")
            nodes = _graphql(base, "{ assetNodes { assetKey { path } } }")["data"]["assetNodes"]
            asset_keys = sorted("/".join(n["assetKey"]["path"]) for n in nodes)
            out.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    chromium,
                    *HEADLESS_FLAGS,
                    f"--user-data-dir={home}/chromium",
                    f"--window-size={width},1000",
                    "--virtual-time-budget=20000",
                    f"--screenshot={out}",
                    f"{base}{GRAPH_PATH}",
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return UiShot(out, asset_keys)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("dagster-assets.png"), help="PNG to write")
    parser.add_argument("--chromium", default=find_chromium() or "chromium", help="Chromium binary")
    args = parser.parse_args(argv)
    shot = screenshot_asset_graph(args.out, args.chromium)
    print(f"{shot.path} ({len(shot.asset_keys)} assets in the graph)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
