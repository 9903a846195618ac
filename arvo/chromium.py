"""Headless Chromium as this machine allows it: no sandbox as root, and no background network calls.

Shared by the Dagster UI screenshot and the report's browser tests, so both start Chromium the same way.
"""

from __future__ import annotations

import shutil

HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    """Debian's `chromium` (or `chromium-browser`) on PATH, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")
