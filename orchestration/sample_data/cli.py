"""Deterministic sample data for the raw landing directory (contract: docs/raw-contract.md).

The command line, ``python -m orchestration.sample_data --out DIR [...]``; what it writes is
described in :mod:`orchestration.sample_data`.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from orchestration.sample_data.batches import (
    DEFAULT_ACCOUNTS,
    DEFAULT_AS_OF,
    DEFAULT_BATCHES,
    DEFAULT_SEED,
    generate,
)

PROG = "python -m orchestration.sample_data"


def _has_parquet(out_dir: Path) -> bool:
    return out_dir.is_dir() and any(out_dir.rglob("*.parquet"))


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
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
