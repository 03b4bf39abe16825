"""Deterministic sample data for the raw landing directory (contract: raw-sources.md).

Writes ``<out>/<source>/<table>/batch_NNNN.parquet`` for the ten raw tables of the CRM,
billing and support sources, with exactly the contract's columns and Arrow types plus the
loader's ``_loaded_at``. The data is a simulated B2B SaaS business: ~30 months of accounts,
subscriptions (upgrades, downgrades, churn, reactivation, concurrent and free plans),
invoices and refunds in USD/EUR/GBP, support tickets with their comment and status history,
CSAT and NPS answers, and monthly marketing spend and FX rates. Churn really depends on the
support experience (non-FCR, reopened and slow tickets, onboarding friction, detractors not
followed up), so the CX-to-revenue marts have a signal to find.

Batch 1 is the initial full load, as seen at 02:00 the day before ``as_of`` when there are two
batches; every later batch is one daily load (02:00 of its day) with new rows and updated
versions of existing rows (same primary key, later ``_loaded_at`` and ``updated_at``). The
last batch is loaded on ``as_of``. Same arguments, same bytes: all randomness comes from the
seed, nothing from the clock.

Usage::

    python -m orchestration.sample_data --out DIR [--accounts N] [--seed S]
        [--as-of YYYY-MM-DD] [--if-empty] [--batches B]
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from pathlib import Path

from orchestration._sample_common import TABLES, BatchWriter, batch_numbers, load_time_us
from orchestration._sample_daily import write_daily_batch
from orchestration._sample_history import make_clock
from orchestration._sample_initial import write_initial_load

DEFAULT_ACCOUNTS = 2000
DEFAULT_SEED = 42
DEFAULT_AS_OF = date(2026, 7, 15)
DEFAULT_BATCHES = 2


def generate(
    out_dir: Path,
    accounts: int = DEFAULT_ACCOUNTS,
    seed: int = DEFAULT_SEED,
    as_of: date = DEFAULT_AS_OF,
    batches: int = DEFAULT_BATCHES,
) -> dict[str, int]:
    """Write a fresh landing directory; returns the rows written per ``source/table``.

    Existing ``*.parquet`` files of the ten tables in ``out_dir`` are replaced.
    """
    if accounts < 1 or batches < 1:
        raise ValueError("accounts and batches must be at least 1")
    out_dir = Path(out_dir)
    _clear(out_dir)
    first_day = as_of - timedelta(days=batches - 1)
    writer = BatchWriter(out_dir, 1, load_time_us(first_day))
    write_initial_load(writer, seed, accounts, make_clock(as_of, load_time_us(first_day)))
    totals = writer.close()
    for k in range(1, batches):
        rows = append_daily_batch(out_dir, seed, first_day + timedelta(days=k))
        totals = {t: totals[t] + rows[t] for t in TABLES}
    return totals


def append_daily_batch(out_dir: Path, seed: int, day: date) -> dict[str, int]:
    """Append one daily load (``_loaded_at`` = 02:00 on ``day``) to every table.

    The batch holds the day's new rows and new versions of rows that changed (tickets worked
    on, invoices paid, subscriptions canceled or resized, ...). ``day`` must be after the day
    of the latest batch already in ``out_dir``. Returns the rows written per table.
    """
    out_dir = Path(out_dir)
    existing = batch_numbers(out_dir)
    if not existing:
        raise FileNotFoundError(f"no sample batches in {out_dir}; run generate() first")
    return write_daily_batch(out_dir, seed, day, existing[-1] + 1)


def _clear(out_dir: Path) -> None:
    for table in TABLES:
        for path in (out_dir / table).glob("*.parquet"):
            path.unlink()


def _has_parquet(out_dir: Path) -> bool:
    return out_dir.is_dir() and any(out_dir.rglob("*.parquet"))


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="landing directory to write")
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=DEFAULT_AS_OF,
        help="day of the last batch's _loaded_at (YYYY-MM-DD)",
    )
    parser.add_argument("--batches", type=int, default=DEFAULT_BATCHES)
    parser.add_argument(
        "--if-empty", action="store_true", help="do nothing when DIR already holds parquet files"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.if_empty and _has_parquet(args.out):
        print(f"sample data: {args.out} already has parquet files, nothing to do")
        return 0
    began = time.perf_counter()
    rows = generate(args.out, args.accounts, args.seed, args.as_of, args.batches)
    seconds = time.perf_counter() - began
    print(
        f"sample data: {len(rows)} tables, {sum(rows.values()):,} rows, {args.batches} batches "
        f"in {seconds:.1f}s -> {args.out}"
    )
    for table, count in rows.items():
        print(f"  {table:<28} {count:>12,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
