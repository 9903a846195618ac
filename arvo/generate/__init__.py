"""Sample data for Arvo: CRM, survey and revenue files with a known causal structure.

`generate(scale, seed, out)` writes the eight landing entities; `TRUE_DRIVERS` and `DRIVER_WEIGHTS`
say which value types drive NPS, retention and expansion in each segment, so tests can check that
the marts recover them.
"""

from arvo.generate.core import ENTITY_ORDER, GenerationSummary, generate
from arvo.generate.scales import END_DATE, SCALES, START_DATE
from arvo.generate.structure import (
    DRIVER_WEIGHTS,
    LADDER_ORDER,
    LADDER_WEIGHTS,
    OUTCOMES,
    TRUE_DRIVERS,
    VALUE_INDEX_WEIGHTS,
    VALUE_WEIGHTS,
)

__all__ = [
    "DRIVER_WEIGHTS",
    "END_DATE",
    "ENTITY_ORDER",
    "GenerationSummary",
    "LADDER_ORDER",
    "LADDER_WEIGHTS",
    "OUTCOMES",
    "SCALES",
    "START_DATE",
    "TRUE_DRIVERS",
    "VALUE_INDEX_WEIGHTS",
    "VALUE_WEIGHTS",
    "generate",
]
