"""The pseudonym key: HMAC secret that turns e-mails and names into stable pseudonyms in staging.

Taken from `ARVO_PSEUDONYM_KEY` when set (production: inject it from your secret store). Otherwise a
random key is created once in a file beside the warehouse (git-ignored, mode 0600), so pseudonyms stay
stable across runs of the same warehouse without anyone having to configure anything for the demo.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from arvo.config import Settings

KEY_ENV = "ARVO_PSEUDONYM_KEY"
KEY_FILE_NAME = "pseudonym.key"


def key_file(settings: Settings) -> Path:
    return settings.warehouse.parent / KEY_FILE_NAME


def ensure_pseudonym_key(settings: Settings) -> str:
    """Export the key for dbt (the environment wins, then the local key file, else a new one)."""
    key = os.environ.get(KEY_ENV)
    if not key:
        path = key_file(settings)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
        key = path.read_text().strip()
        os.environ[KEY_ENV] = key
    return key
