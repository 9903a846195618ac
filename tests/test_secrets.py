"""The pseudonym key: environment first, else one stable local key file per warehouse."""

from __future__ import annotations

import stat

import pytest

from arvo.config import Settings
from arvo.secrets import KEY_ENV, ensure_pseudonym_key, key_file


def test_a_local_key_is_created_once_private_and_reused(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    settings = Settings.under(tmp_path)
    first = ensure_pseudonym_key(settings)
    assert len(first) == 64
    assert stat.S_IMODE(key_file(settings).stat().st_mode) == 0o600
    monkeypatch.delenv(KEY_ENV)
    assert ensure_pseudonym_key(settings) == first


def test_the_environment_wins_and_no_file_is_written(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(KEY_ENV, "from-the-secret-store")
    settings = Settings.under(tmp_path)
    assert ensure_pseudonym_key(settings) == "from-the-secret-store"
    assert not key_file(settings).exists()
