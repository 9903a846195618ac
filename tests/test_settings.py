"""`ARVO_*` settings: a value Arvo cannot use stops every command at once, naming the variable."""

from __future__ import annotations

import pytest

from arvo.cli import main
from arvo.config import ConfigError, Settings


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("ARVO_DUCKDB_THREADS", "abc", "ARVO_DUCKDB_THREADS must be a whole number of at least 1, got 'abc'"),
        ("ARVO_DUCKDB_THREADS", "0", "ARVO_DUCKDB_THREADS must be a whole number of at least 1, got '0'"),
        ("ARVO_DUCKDB_MEMORY_LIMIT", "lots", "must be a size such as 4GB or 500MB, got 'lots'"),
    ],
)
def test_a_bad_duckdb_setting_is_named(name: str, value: str, says: str):
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({name: value})
    assert says in str(refused.value)


def test_good_settings_reach_duckdb_as_given():
    settings = Settings.from_env({"ARVO_DUCKDB_THREADS": "2", "ARVO_DUCKDB_MEMORY_LIMIT": "1.5GB"})
    assert settings.duckdb_config() == {"threads": 2, "memory_limit": "1.5GB"}


def test_every_command_stops_with_a_usage_error_not_a_traceback(tmp_path, monkeypatch, capsys):
    for name, path in Settings.under(tmp_path).path_env().items():
        monkeypatch.setenv(name, path)
    monkeypatch.setenv("ARVO_INGEST_SETTLE_SECONDS", "soon")
    assert main(["ingest"]) == 2
    assert "arvo: error: ARVO_INGEST_SETTLE_SECONDS must be a number of seconds (0 or more), got 'soon'" in (
        capsys.readouterr().err
    )
    monkeypatch.delenv("ARVO_INGEST_SETTLE_SECONDS")
    monkeypatch.setenv("ARVO_DUCKDB_THREADS", "many")
    assert main(["status"]) == 2
    assert "ARVO_DUCKDB_THREADS must be a whole number" in capsys.readouterr().err


def test_a_warehouse_path_duckdb_cannot_open_is_named_with_what_to_do(tmp_path, monkeypatch, capsys):
    for name, path in Settings.under(tmp_path).path_env().items():
        monkeypatch.setenv(name, path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a database\n")
    data = tmp_path / "accounts.csv"  # DuckDB opens a data file as an in-memory database over it
    data.write_text("a,b\n1,2\n")
    cases = ((tmp_path, "status"), (blocker, "status"), (blocker / "arvo.duckdb", "ingest"), (data, "status"))
    for warehouse, command in (*cases, (data, "ingest")):
        monkeypatch.setenv("ARVO_WAREHOUSE", str(warehouse))
        assert main([command]) == 2, (warehouse, command)
        err = capsys.readouterr().err
        assert f"arvo: error: the warehouse {warehouse} could not be opened: " in err
        assert "Point ARVO_WAREHOUSE at a DuckDB file" in err and "Traceback" not in err
