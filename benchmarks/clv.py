"""Benchmark: BG/NBD fit time on grouped vs ungrouped customers, and a calibration/holdout check.

1. Fit time. Simulates BG/NBD customers (FHL 2005 generative story, CDNOW-like parameters) observed
   at day resolution over up to three years, as the warehouse sees them (recency and tenure are day
   counts / 7), and times `fit_bgnbd` on 10k, 100k and 1M customers twice: grouped (one likelihood
   term per distinct (x, t_x, T), weighted by its count: what the dbt model does) and customer by
   customer (`group=False`). Prints both times, the number of distinct groups and the ratio; again
   with recency and tenure in whole weeks, where far more customers share a group.
2. Holdout. Generates a landing folder (default scale small), ingests it, builds the CLV models with
   the CLV as-of date one year before the data ends, and compares the repeat transactions the fitted
   BG/NBD expects in the holdout year with the actual ones, and the subscription customers the sBG
   expects to be still paying 12 months after the calibration month with the actual ones
   (arvo.analytics.clv_holdout).

Usage: .venv/bin/python benchmarks/clv.py [--sizes 10000 100000 1000000] [--ungrouped-max N]
                                          [--holdout-scale small|none] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np

from arvo.analytics.clv import fit_bgnbd, group_rows
from arvo.analytics.clv_holdout import contract_holdout_check, holdout_check
from arvo.config import DBT_PROJECT_DIR, Settings

CDNOW_LIKE = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # per week


def simulate(
    customers: int, seed: int = 42, horizon_days: int = 3 * 365, resolution: str = "day"
) -> tuple[np.ndarray, ...]:
    """(x, t_x, T) in weeks for customers whose first purchase is uniform over the horizon.

    resolution `day`: recency and tenure are day counts / 7, as the warehouse computes them;
    `week`: whole weeks (as lifetimes' summary_data_from_transaction_data does), far fewer groups.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(CDNOW_LIKE["r"], 1.0 / CDNOW_LIKE["alpha"], customers) / 7.0  # per day
    dropout = rng.beta(CDNOW_LIKE["a"], CDNOW_LIKE["b"], customers)
    tenure_days = rng.integers(1, horizon_days + 1, customers)
    x = np.zeros(customers)
    last_day = np.zeros(customers)
    t = np.zeros(customers)
    alive = np.ones(customers, dtype=bool)
    while alive.any():
        t[alive] += rng.exponential(1.0 / lam[alive])
        alive &= t <= tenure_days
        day = np.floor(t)
        repeat = alive & (day > last_day)  # a second purchase on the same day is the same transaction
        x[repeat] += 1
        last_day[repeat] = day[repeat]
        alive &= rng.random(customers) >= dropout
    if resolution == "week":
        return x, np.floor(last_day / 7.0), np.floor(tenure_days / 7.0)
    return x, last_day / 7.0, tenure_days / 7.0


def time_fits(sizes: list[int], ungrouped_max: int, resolution: str) -> list[dict[str, float]]:
    """Fit each size grouped and (up to ungrouped_max) customer by customer; print a line per size."""
    rows = []
    for size in sizes:
        x, t_x, tenure = simulate(size, resolution=resolution)
        groups = group_rows(x, t_x, tenure)[1].size
        started = time.perf_counter()
        grouped = fit_bgnbd(x, t_x, tenure)
        grouped_s = time.perf_counter() - started
        row = {"customers": size, "groups": groups, "grouped_s": grouped_s, "r": grouped.params["r"]}
        if size <= ungrouped_max:
            started = time.perf_counter()
            ungrouped = fit_bgnbd(x, t_x, tenure, group=False)
            row["ungrouped_s"] = time.perf_counter() - started
            row["ratio"] = row["ungrouped_s"] / grouped_s
            row["same_fit"] = bool(
                np.allclose(list(grouped.params.values()), list(ungrouped.params.values()), rtol=1e-3)
            )
        rows.append(row)
        print(_format_fit(row), flush=True)
    return rows


def _format_fit(row: dict[str, float]) -> str:
    ungrouped = (
        f"ungrouped {row['ungrouped_s']:7.2f} s   ratio {row['ratio']:6.1f}x   same estimate: {row['same_fit']}"
        if "ungrouped_s" in row
        else "ungrouped skipped (--ungrouped-max)"
    )
    return (
        f"{row['customers']:>9,} customers  {row['groups']:>8,} groups   grouped {row['grouped_s']:6.2f} s   "
        + ungrouped
    )


def holdout(scale: str, work: Path) -> None:
    """Generate, ingest, build the CLV models at END_DATE - 1 year and print the holdout comparison."""
    from dbt.cli.main import dbtRunner

    from arvo.generate import END_DATE, generate
    from arvo.secrets import ensure_pseudonym_key
    from ingestion.pipeline import ingest_pending

    settings = Settings.under(work)
    holdout_end: date = END_DATE.astype(date)
    calibration_end = holdout_end - timedelta(days=365)
    started = time.perf_counter()
    generate(scale, 42, settings.landing)
    ingest_pending(settings, settle_seconds=0)
    os.environ["ARVO_WAREHOUSE"] = str(settings.warehouse)
    ensure_pseudonym_key(settings)
    result = dbtRunner().invoke(
        [
            "run",
            "--select",
            "+int_clv_params +int_clv_customer_summary +int_invoices_converted",
            "--vars",
            json.dumps({"clv_as_of": calibration_end.isoformat(), "clv_period": "week"}),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--quiet",
        ]
    )
    if not result.success:
        raise SystemExit(f"dbt failed: {result.exception}")
    con = duckdb.connect(str(settings.warehouse))
    check = holdout_check(con, calibration_end, holdout_end)
    contract = contract_holdout_check(con, months_ahead=12)
    con.close()
    print(
        f"\nholdout ({scale}, calibration to {calibration_end}, holdout to {holdout_end}, "
        f"{time.perf_counter() - started:.0f} s to prepare): {check.customers:,} customers, "
        f"expected {check.expected:,.0f} vs actual {check.actual:,} repeat transactions "
        f"({check.relative_error:+.1%})"
    )
    print("  calibration frequency  customers  mean expected  mean actual")
    for band, customers, expected, actual in check.by_frequency:
        print(f"  {band:>21}  {customers:>9,}  {expected:>13.2f}  {actual:>11.2f}")
    print(
        f"sBG: of {contract.customers:,} subscription customers paying in {contract.calibration_month:%Y-%m}, "
        f"expected {contract.expected:,.1f} vs actual {contract.actual:,} still paying "
        f"{contract.months_ahead} months later ({contract.relative_error:+.1%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--ungrouped-max", type=int, default=1_000_000, help="skip slower ungrouped fits above")
    parser.add_argument("--resolutions", nargs="+", default=["day", "week"], choices=["day", "week"])
    parser.add_argument("--holdout-scale", default="small", help="generator scale, or 'none' to skip")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp dir)")
    args = parser.parse_args()
    print("BG/NBD maximum-likelihood fit (scipy BFGS), grouped vs customer by customer")
    for resolution in args.resolutions:
        print(f"\nrecency and tenure at {resolution} resolution")
        time_fits(args.sizes, args.ungrouped_max, resolution)
    if args.holdout_scale != "none":
        work = args.work or Path(tempfile.mkdtemp(prefix="arvo-clv-bench-"))
        try:
            holdout(args.holdout_scale, work)
        finally:
            if args.work is None:
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
