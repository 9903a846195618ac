"""`arvo run --var`: a mistyped name or an unreadable value is a usage error before anything runs."""

from __future__ import annotations

from datetime import date

import pytest

from arvo.cli import main
from arvo.commands.run import parse_var, project_vars
from arvo.config import REPO_ROOT


def _usage_error(capsys: pytest.CaptureFixture[str], *var: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--var", *var])
    assert stopped.value.code == 2
    return capsys.readouterr().err


def test_a_mistyped_var_name_is_refused_and_the_known_ones_are_listed(capsys):
    err = _usage_error(capsys, "as_of_dat=2026-06-30")
    assert "unknown dbt var 'as_of_dat'" in err
    assert all(name in err for name in project_vars())


@pytest.mark.parametrize(
    ("var", "says"),
    [("as_of_date=2026-13-01", "month must be in 1..12"), ("ladder_threshold=[1", "cannot be read as YAML")],
)
def test_an_unreadable_value_names_the_var_and_why(capsys, var: str, says: str):
    err = _usage_error(capsys, var)
    assert f"{var.split('=')[0]}: " in err and says in err


def test_values_keep_their_type_and_every_var_is_documented():
    assert parse_var("as_of_date=2026-06-30") == ("as_of_date", date(2026, 6, 30))
    assert parse_var(" ladder_threshold = 70") == ("ladder_threshold", 70)
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in project_vars() if f"`{name}`" not in readme] == []
