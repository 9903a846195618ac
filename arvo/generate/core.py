"""`generate()`: the whole sample landing set for one scale and seed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from arvo.generate import crm, fx, invoices, orders, population, subscriptions, survey, writer
from arvo.generate.scales import END_DATE, SCALES, START_DATE
from ingestion.contract import ENTITIES

ProgressCallback = Callable[[str, int, int, float], None]
"""on_progress(entity, rows, files, seconds since start)."""

ENTITY_ORDER = (
    "accounts",
    "contacts",
    "deals",
    "subscriptions",
    "invoices",
    "questions",
    "responses",
    "fx_rates",
)


@dataclass
class GenerationSummary:
    """What was written: rows and files per entity, and how long it took."""

    scale: str
    seed: int
    out: Path
    start_date: str
    end_date: str
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)
    seconds: float = 0.0


def generate(
    scale: str, seed: int, out: Path, on_progress: ProgressCallback | None = None
) -> GenerationSummary:
    """Write all eight entities under `out/<source>/<entity>/` for a scale and seed.

    The same (scale, seed) always produces byte-identical files: every random draw comes from a
    child of `numpy.random.SeedSequence(seed)`, one per stage, and the time window is fixed.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    out = Path(out)
    t0 = time.perf_counter()
    summary = GenerationSummary(scale, seed, out, str(START_DATE), str(END_DATE))
    rngs = {
        name: np.random.default_rng(child)
        for name, child in zip(
            (
                "population",
                "names",
                "accounts",
                "contacts",
                "b2b",
                "orders",
                "subs",
                "invoices",
                "deals",
                "survey",
                "fx",
            ),
            np.random.SeedSequence(seed).spawn(11),
            strict=True,
        )
    }

    def emit(entity: str, tbl: pa.Table, labels: np.ndarray | None, stem_label: str | None = None) -> None:
        folder = out / ENTITIES[entity].folder
        if labels is None:
            paths = [writer.write_atomic(tbl, folder / f"{entity}_{stem_label}.csv")]
        else:
            paths = writer.write_split(tbl, labels, folder, entity)
        summary.rows[entity] = tbl.num_rows
        summary.files[entity] = paths
        if on_progress:
            on_progress(entity, tbl.num_rows, len(paths), time.perf_counter() - t0)

    pop = population.draw_population(rngs["population"], SCALES[scale].accounts)
    people = crm.account_names(rngs["names"], pop)
    emit("accounts", *crm.accounts_table(rngs["accounts"], pop, people))
    contacts_tbl, contacts_labels, contacts = crm.contacts_table(rngs["contacts"], pop, people)
    emit("contacts", contacts_tbl, contacts_labels)
    b2b = subscriptions.simulate_b2b(rngs["b2b"], pop)
    export_day = str(END_DATE + 1)
    emit("deals", crm.deals_table(rngs["deals"], pop, b2b.deals), None, export_day)
    emit("subscriptions", *subscriptions.subscriptions_table(rngs["subs"], pop, b2b.subs))
    b2c = orders.simulate_orders(rngs["orders"], pop, SCALES[scale].chunk_accounts)
    emit("invoices", *invoices.invoices_table(rngs["invoices"], pop, b2b.subs, b2c))
    emit("questions", *survey.questions_table())
    inv = survey.invitations(pop, contacts, b2b.subs, b2c)
    emit("responses", *survey.responses_table(rngs["survey"], pop, contacts, inv))
    emit("fx_rates", *fx.fx_table(rngs["fx"]))
    summary.seconds = time.perf_counter() - t0
    return summary
