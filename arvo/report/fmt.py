"""Number and label formatting shared by charts, readings and tables, so a value reads the same everywhere."""

from __future__ import annotations

import math
from datetime import date

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

VALUE_TYPE_LABELS = {
    "value_economic": "Economic",
    "value_functional": "Functional",
    "value_emotional": "Emotional",
    "value_social": "Social",
    "value_symbolic": "Symbolic",
}
LADDER_LABELS = {
    "ladder_awareness": "Awareness",
    "ladder_understanding": "Understanding",
    "ladder_meaning": "Meaning",
    "ladder_differentiation": "Differentiation",
    "ladder_fulfilment": "Fulfilment",
}
BAND_LABELS = {
    "detractor": "Detractors",
    "passive": "Passives",
    "promoter": "Promoters",
    "below_parity": "Below parity",
    "parity": "Parity",
    "advantage": "Advantage",
    "proven": "Proven",
}
OUTCOME_LABELS = {"nps": "NPS", "retention_12m": "12-month retention", "expansion_12m": "12-month expansion"}


def month_label(month: date | str) -> str:
    """`Aug 2026` for a month start (a date or an ISO string)."""
    day = date.fromisoformat(month) if isinstance(month, str) else month
    return f"{MONTHS[day.month - 1]} {day.year}"


def driver_label(driver: str) -> str:
    """A driver column as a reader says it: `Economic value`, `Ladder: meaning`."""
    if driver in VALUE_TYPE_LABELS:
        return f"{VALUE_TYPE_LABELS[driver]} value"
    if driver in LADDER_LABELS:
        return f"Ladder: {LADDER_LABELS[driver].lower()}"
    return driver.replace("_", " ")


def driver_phrase(driver: str) -> str:
    """A driver inside a sentence: `economic value`, `the understanding step`."""
    if driver in VALUE_TYPE_LABELS:
        return f"{VALUE_TYPE_LABELS[driver].lower()} value"
    if driver in LADDER_LABELS:
        return f"the {LADDER_LABELS[driver].lower()} step"
    return driver.replace("_", " ")


def eur(value: float, decimals: int = 0) -> str:
    """`€12,345` (negative as `−€12,345`)."""
    sign = "\u2212" if value < 0 else ""
    return f"{sign}€{abs(value):,.{decimals}f}"


def eur_short(value: float) -> str:
    """Compact EUR for axes and labels: `€950`, `€12k`, `€1.2M`."""
    sign = "\u2212" if value < 0 else ""
    v = abs(value)
    if v >= 1_000_000:
        text = f"€{v / 1_000_000:.1f}M".replace(".0M", "M")
    elif v >= 10_000:
        text = f"€{v / 1_000:.0f}k"
    elif v >= 1_000:
        text = f"€{v / 1_000:.1f}k".replace(".0k", "k")
    else:
        text = f"€{v:.0f}"
    return sign + text


def pct(fraction: float, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.953 -> `95%`."""
    return f"{fraction * 100:.{decimals}f}%"


def points(value: float, decimals: int = 1) -> str:
    """NPS points with an explicit sign where it matters: `+6.6`, `−3.2`, `0.0`."""
    if value > 0:
        return f"+{value:.{decimals}f}"
    if value < 0:
        return f"\u2212{abs(value):.{decimals}f}"
    return f"{0:.{decimals}f}"


def number(value: float, decimals: int = 0) -> str:
    """A plain number with thousands separators."""
    return f"{value:,.{decimals}f}"


def finite(value: float | None) -> bool:
    """True for a real number (not None, not NaN or infinite)."""
    return value is not None and isinstance(value, int | float) and math.isfinite(value)
