"""The value-index weights (dbt var `value_weights`) are checked when the SQL is compiled.

`--var value_weights=...` replaces the whole mapping. Given for B2B only, every B2C value index came out
null without a word; a value type left out compiled to broken SQL (`coalesce(value_social * , 0)`);
a negative weight gave an index outside 0..100. Each now stops the compilation with a message that
says what is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from arvo.config import Settings
from ingestion.warehouse import connect, ensure_schemas
from tests.dbt.support import failures, run_dbt

B2B = {"economic": 0.35, "functional": 0.35, "emotional": 0.10, "social": 0.10, "symbolic": 0.10}
B2C = {"economic": 0.10, "functional": 0.15, "emotional": 0.30, "social": 0.25, "symbolic": 0.20}


def _compile(tmp_path: Path, weights: object):
    settings = Settings.under(tmp_path)
    with connect(settings) as con:
        ensure_schemas(con)
    return run_dbt(settings, ["compile", "--select", "fct_survey_responses"], {"value_weights": weights}, tmp_path)


def test_complete_weights_compile(tmp_path: Path):
    result = _compile(tmp_path, {"B2B": B2B, "B2C": {k: v * 10 for k, v in B2C.items()}})  # any scale
    assert result.success, failures(result)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"B2B": B2B}, "no weights for segment B2C"),
        ({"B2B": {k: v for k, v in B2B.items() if k != "social"}, "B2C": B2C}, "B2B has no weight for social"),
        ({"B2B": B2B, "B2C": {**B2C, "symbolic": -0.2}}, "B2C symbolic: -0.2"),
        ({"B2B": B2B, "B2C": {**B2C, "emotional": "high"}}, "B2C emotional: high"),
        ({"B2B": dict.fromkeys(B2B, 0), "B2C": B2C}, "the weights of B2B sum to 0"),
    ],
)
def test_incomplete_or_invalid_weights_stop_the_compilation(tmp_path: Path, weights: dict, message: str):
    result = _compile(tmp_path, weights)
    assert not result.success
    assert message in " ".join(failures(result)), failures(result)
