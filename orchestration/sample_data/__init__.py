"""Deterministic sample data for the raw landing directory (contract: docs/raw-contract.md).

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

Modules: ``batches`` (the entry points), ``cli``, ``initial`` (batch 1: ``history`` simulates
the lifecycle, ``billing``/``support``/``tickets``/``entities`` build the rows), ``daily``
(later batches, by source), ``landing`` (reads what has landed) and ``common``.
"""

from orchestration.sample_data.batches import (
    DEFAULT_ACCOUNTS,
    DEFAULT_AS_OF,
    DEFAULT_BATCHES,
    DEFAULT_SEED,
    append_daily_batch,
    generate,
)
from orchestration.sample_data.cli import main

__all__ = [
    "DEFAULT_ACCOUNTS",
    "DEFAULT_AS_OF",
    "DEFAULT_BATCHES",
    "DEFAULT_SEED",
    "append_daily_batch",
    "generate",
    "main",
]
