"""What a load reports: one `LoadResult` per file, with the `Finding`s that explain it.

These are plain data so that the CLI, the ledger, the quarantine report and the Dagster asset checks
all show the same facts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

LOADED = "loaded"
LOADED_WITH_WARNINGS = "loaded_with_warnings"
QUARANTINED = "quarantined"
SKIPPED_DUPLICATE = "skipped_duplicate"
STATUSES = (LOADED, LOADED_WITH_WARNINGS, QUARANTINED, SKIPPED_DUPLICATE)

ERROR = "error"
WARNING = "warning"


@dataclass
class Finding:
    """One failed check: which rule, on which column, how often, example rows and what to do."""

    rule: str
    severity: str
    message: str
    column: str | None = None
    expectation: str | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    examples: list[dict[str, Any]] = field(default_factory=list)  # {"row": n, "value": v}
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line: severity, rule, column, count, examples."""
        where = f" column {self.column!r}" if self.column else ""
        count = f" ({self.unexpected_count} rows)" if self.unexpected_count else ""
        rows = ", ".join(f"row {e.get('row')}: {e.get('value')!r}" for e in self.examples[:3])
        example = f"; e.g. {rows}" if rows else ""
        return f"{self.severity} [{self.rule}]{where}{count}: {self.message}{example}"


@dataclass
class LoadResult:
    """The outcome of one landed file. rows_in = rows_loaded + rows_rejected always holds."""

    load_id: str
    entity: str
    file_path: str
    sha256: str
    status: str
    rows_in: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    reason: str = ""
    findings: list[Finding] = field(default_factory=list)
    quarantine_path: str | None = None
    file_format: str | None = None
    run_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started_at", "finished_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data
