"""The public entry points: a fresh landing directory (:func:`generate`) and one more daily
batch for an existing one (:func:`append_daily_batch`)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from orchestration.sample_data.common import TABLES, BatchWriter, batch_numbers, load_time_us
from orchestration.sample_data.daily import write_daily_batch
from orchestration.sample_data.history import make_clock
from orchestration.sample_data.initial import write_initial_load

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
