"""A new day of landing files for the incremental benchmark: about 1% of the data, appended.

Invoices and survey responses are the append-mostly entities (a new day brings new bills and new
answers, never edits to old ones). The increment copies whole responses and invoices of the latest
export with new ids and the new day's date, so every row passes the guard (known accounts, questions
in the catalog) and the cost of the rerun can be compared with the full build.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ingestion.contract import ENTITIES

# The last day of the sample window (2026-09-30), so the as-of date stays where the full run put it and
# a rerun is compared with the same marts; a day after the window (`day="2026-10-01"`) moves the as-of
# date and the month, and rebuilds the same models.
NEW_DAY = "2026-09-30"


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _deliveries(folder: Path) -> list[Path]:
    """The entity's files without an earlier increment: a repeated new day is the same day."""
    return [p for p in folder.glob("*.csv") if "_increment" not in p.name]


def _count_rows(folder: Path) -> int:
    return sum(len(_rows(p)[1]) for p in _deliveries(folder))


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    part = path.with_name(path.name + ".part")
    with part.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    part.rename(path)


def _new_id(value: str) -> str:
    prefix, _, number = value.partition("-")
    return f"{prefix}-N{number}"


def _fullest_delivery(folder: Path) -> Path:
    """The entity's largest delivery: a whole month of bills or a survey wave. The last file by name
    may be a late answer or two (the sample set has such deliveries), and a day copied from one
    response would be one respondent a thousand times."""
    return max(_deliveries(folder), key=lambda p: p.stat().st_size)


def make_increment(landing: Path, fraction: float = 0.01, day: str = NEW_DAY) -> dict[str, int]:
    """Write `invoices_<day>_increment.csv` and `responses_<day>_increment.csv`; returns rows written per entity."""
    written: dict[str, int] = {}
    for name, key, date_column in (("invoices", "invoice_id", "invoice_date"), ("responses", "response_id", None)):
        folder = landing / ENTITIES[name].folder
        wanted = max(1, round(_count_rows(folder) * fraction))
        columns, latest = _rows(_fullest_delivery(folder))
        new_rows: list[dict[str, str]] = []
        while len(new_rows) < wanted:
            round_ = len(new_rows) // max(1, len(latest))
            for row in latest:
                if len(new_rows) >= wanted and row[key] != new_rows[-1][f"__{key}"]:
                    break
                copy = dict(row)
                copy[f"__{key}"] = row[key]
                copy[key] = _new_id(row[key]) + (f"R{round_}" if round_ else "")
                if date_column:
                    copy[date_column] = day
                else:
                    copy["responded_at"] = day + row["responded_at"][10:]
                new_rows.append(copy)
        for row in new_rows:
            del row[f"__{key}"]
        _write(folder / f"{name}_{day}_increment.csv", columns, new_rows)
        written[name] = len(new_rows)
    return written
