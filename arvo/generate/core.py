"""`generate()`: the whole sample landing set for one scale and seed."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from arvo.generate import crm, fx, invoices, orders, population, subscriptions, survey, writer
from arvo.generate.scales import END_DATE, SCALES, START_DATE
from ingestion.contract import ENTITIES, FILE_SUFFIXES

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
    stale: list[Path] = field(default_factory=list)  # data files in the entity folders this run did not write


def _data_files(out: Path) -> list[Path]:
    """Landing files (any contract format) in the eight entity folders under `out`."""
    found: list[Path] = []
    for entity in ENTITIES.values():
        folder = out / entity.folder
        if folder.is_dir():
            found += [p for p in folder.iterdir() if p.is_file() and p.name.endswith(FILE_SUFFIXES)]
    return sorted(found)


def generate(
    scale: str,
    seed: int,
    out: Path,
    on_progress: ProgressCallback | None = None,
    clean: bool = False,
) -> GenerationSummary:
    """Write all eight entities under `out/<source>/<entity>/` for a scale and seed.

    The same (scale, seed) always produces byte-identical files: every random draw comes from a
    child of `numpy.random.SeedSequence(seed)`, one per stage, and the time window is fixed. Files of
    the same name are replaced; other data files already in the entity folders (say, from another
    seed) would mix with this set, so `clean=True` deletes them (and `.part` leftovers of an interrupted
    run) first; otherwise they are listed in `summary.stale`.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    out = Path(out)
    if clean:
        leftovers = [p for e in ENTITIES.values() for p in (out / e.folder).glob("*.part")]
        for path in [*_data_files(out), *leftovers]:
            path.unlink()
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

    def record(entity: str, rows: int, paths: list[Path]) -> None:
        summary.rows[entity] = rows
        summary.files[entity] = paths
        if on_progress:
            on_progress(entity, rows, len(paths), time.perf_counter() - t0)

    def emit(entity: str, tbl: pa.Table, labels: np.ndarray | None, stem_label: str | None = None) -> None:
        folder = out / ENTITIES[entity].folder
        if labels is None:
            paths = [writer.write_atomic(tbl, folder / f"{entity}_{stem_label}.csv")]
        else:
            paths = writer.write_split(tbl, labels, folder, entity)
        record(entity, tbl.num_rows, paths)

    pop = population.draw_population(rngs["population"], SCALES[scale].accounts)
    people = crm.account_names(rngs["names"], pop)
    emit("accounts", *crm.accounts_table(rngs["accounts"], pop, people))
    contacts_tbl, contacts_labels, contacts = crm.contacts_table(rngs["contacts"], pop, people)
    emit("contacts", contacts_tbl, contacts_labels)
    b2b = subscriptions.simulate_b2b(rngs["b2b"], pop)
    emit("deals", crm.deals_table(rngs["deals"], pop, b2b.deals), None, str(END_DATE + 1))
    emit("subscriptions", *subscriptions.subscriptions_table(rngs["subs"], pop, b2b.subs))

    # Orders, invoices and answers are the bulk: built per part of the account base (accounts are in
    # creation order, so a part is a range of cohorts) and appended, which bounds memory at `large`.
    part_size = SCALES[scale].partition_accounts
    bounds = list(range(0, pop.n, part_size)) + [pop.n]
    invoice_writer = writer.SplitWriter(out / ENTITIES["invoices"].folder, "invoices")
    response_writer = writer.SplitWriter(out / ENTITIES["responses"].folder, "responses")
    counters = np.zeros(3, dtype=np.int64)
    responses_so_far = 0
    part_rngs = zip(
        rngs["orders"].spawn(len(bounds) - 1),
        rngs["invoices"].spawn(len(bounds) - 1),
        rngs["survey"].spawn(len(bounds) - 1),
        strict=True,
    )
    n_parts = len(bounds) - 1
    for part, ((lo, hi), (rng_orders, rng_invoices, rng_survey)) in enumerate(
        zip(itertools.pairwise(bounds), part_rngs, strict=True), start=1
    ):
        subs_part = {
            k: v[(b2b.subs["account_idx"] >= lo) & (b2b.subs["account_idx"] < hi)] for k, v in b2b.subs.items()
        }
        orders_part = orders.simulate_orders(rng_orders, pop, np.arange(lo, hi))
        invoice_writer.write(*invoices.invoices_table(rng_invoices, pop, subs_part, orders_part, counters))
        contacts_part = contacts.for_accounts(lo, hi)
        inv = survey.invitations(pop, contacts_part, subs_part, orders_part)
        tbl, labels, count = survey.responses_table(rng_survey, pop, contacts_part, inv, responses_so_far + 1)
        response_writer.write(tbl, labels)
        responses_so_far += count
        if on_progress and n_parts > 1:
            on_progress(f"accounts part {part}/{n_parts}", hi - lo, 0, time.perf_counter() - t0)
    record("invoices", invoice_writer.rows, invoice_writer.close())
    emit("questions", *survey.questions_table())
    record("responses", response_writer.rows, response_writer.close())
    emit("fx_rates", *fx.fx_table(rngs["fx"]))
    written = {p for paths in summary.files.values() for p in paths}
    summary.stale = [p for p in _data_files(out) if p not in written]
    summary.seconds = time.perf_counter() - t0
    return summary
