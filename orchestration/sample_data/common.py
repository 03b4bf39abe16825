"""Shared pieces of the sample-data generator: the tables and schemas it writes (from the raw
contract), id prefixes, time, randomness and Arrow helpers, and the batch writer.

Times are handled as int64 microseconds since the Unix epoch (naive UTC) in numpy arrays;
``NAT`` (int64 min, numpy's NaT) marks a null timestamp. Categorical columns are handled as
small integer codes into a tuple of labels; a negative code is a null.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orchestration.lib.contract import RawTable, raw_tables

NAT = np.iinfo(np.int64).min
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
LOAD_HOUR = 2  # every batch is loaded at 02:00 on its day
ID_WIDTH = 9

STR = pa.string()
I64 = pa.int64()
TS = pa.timestamp("us")
DATE = pa.date32()
F64 = pa.float64()
BOOL = pa.bool_()

REGIONS = ("NA", "EMEA", "APAC", "LATAM")
CHANNELS = ("organic", "paid_search", "paid_social", "partner", "outbound", "referral")
INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Retail",
    "Manufacturing",
    "Education",
    "Media",
    "Logistics",
    "Professional Services",
    "Nonprofit",
)
SEGMENTS = ("SMB", "Mid-Market", "Enterprise", "unknown")
CURRENCIES = ("USD", "EUR", "GBP")
ROLES = ("economic_buyer", "admin", "champion", "end_user")
TIERS = ("starter", "growth", "scale", "enterprise")
INTERVALS = ("month", "year")
SUB_STATUSES = ("active", "past_due", "canceled")
INVOICE_STATUSES = ("draft", "open", "paid", "void", "uncollectible")
TICKET_CHANNELS = ("email", "chat", "phone", "web")
CATEGORIES = ("billing", "onboarding", "technical", "account", "feature_request")
PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_STATUSES = ("new", "open", "pending", "solved", "closed")
GROUPS = (
    "Tier 1",
    "Tier 2",
    "Billing",
    "Onboarding",
    "Customer Success",
    "Product Feedback",
    "Enterprise Support",
)
EVENT_TYPES = ("comment", "status_change")
AUTHOR_TYPES = ("agent", "customer", "system")
SURVEY_TYPES = ("csat", "nps")

# Price per seat per month in minor units of the account currency; yearly is 10 months.
PRICE_PER_SEAT = {
    0: (1200, 2900, 5900, 9900),
    1: (1100, 2700, 5500, 9200),
    2: (1000, 2300, 4700, 7900),
}
YEARLY_MONTHS = 10

# The tables, their columns, types and keys come from the raw contract (the sources yml);
# the generator only adds what it knows about its own output.
SOURCE_ORDER = ("crm", "billing", "support")  # the order tables are written and reported in
# Columns the generator never leaves null, besides the key columns and ``_loaded_at``: they
# are written as required Parquet columns.
NOT_NULL: dict[str, tuple[str, ...]] = {
    "crm/accounts": ("created_at", "updated_at"),
    "billing/subscriptions": ("started_at",),
}


def _source_rank(table: RawTable) -> int:
    known = table.source in SOURCE_ORDER
    return SOURCE_ORDER.index(table.source) if known else len(SOURCE_ORDER)


def _schema(table: RawTable) -> pa.Schema:
    """The contract schema, with the columns the generator never leaves null required."""
    required = {*table.key_columns, "_loaded_at", *NOT_NULL.get(table.path, ())}
    return pa.schema([field.with_nullable(field.name not in required) for field in table.schema])


RAW_TABLES: tuple[RawTable, ...] = tuple(sorted(raw_tables().values(), key=_source_rank))
TABLES: tuple[str, ...] = tuple(table.path for table in RAW_TABLES)
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {table.path: table.key_columns for table in RAW_TABLES}
SCHEMAS: dict[str, pa.Schema] = {table.path: _schema(table) for table in RAW_TABLES}

# Generator-only: the prefix of the string ids of every table that has one.
ID_PREFIXES = {
    "crm/accounts": "acc_",
    "crm/contacts": "con_",
    "billing/subscriptions": "sub_",
    "billing/invoices": "inv_",
    "billing/refunds": "ref_",
    "support/tickets": "tkt_",
    "support/ticket_events": "evt_",
    "support/survey_responses": "rsp_",
}


# --- time -----------------------------------------------------------------------------------


def day_us(d: date) -> int:
    """Microseconds since the epoch of midnight of ``d``."""
    return (d.toordinal() - date(1970, 1, 1).toordinal()) * DAY


def load_time_us(d: date) -> int:
    """The fixed ``_loaded_at`` of the batch loaded on day ``d``."""
    return day_us(d) + LOAD_HOUR * HOUR


def month_index(us: np.ndarray | int) -> np.ndarray:
    """Months since 1970-01 of each timestamp."""
    return (
        np.asarray(us, dtype=np.int64).view("datetime64[us]").astype("datetime64[M]").view(np.int64)
    )


def month_start_us(months: np.ndarray | int) -> np.ndarray:
    """Timestamp of the first instant of each month index."""
    return (
        np.asarray(months, dtype=np.int64)
        .view("datetime64[M]")
        .astype("datetime64[us]")
        .view(np.int64)
    )


def day_of_month(us: np.ndarray) -> np.ndarray:
    """1-based day of the month of each timestamp."""
    return (us - month_start_us(month_index(us))) // DAY + 1


# --- randomness -----------------------------------------------------------------------------


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """An independent, reproducible generator for one named stream of one seed."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def choice_codes(rng: np.random.Generator, probs: Sequence[float], n: int) -> np.ndarray:
    """``n`` codes drawn with the given probabilities (a last bucket above 1.0 is -1, null)."""
    cum = np.cumsum(np.asarray(probs, dtype=np.float64))
    codes = np.searchsorted(cum, rng.random(n), side="right").astype(np.int64)
    codes[codes >= len(cum)] = -1
    return codes


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int):
    """Lognormal samples with the given median (scalar or per row)."""
    return np.asarray(median, dtype=np.float64) * np.exp(rng.normal(0.0, sigma, n))


def group_starts(counts: np.ndarray) -> np.ndarray:
    """Offset of each group's first row in a flat array made with ``np.repeat``."""
    counts = np.asarray(counts, dtype=np.int64)
    return np.cumsum(counts) - counts


def rank_in_group(counts: np.ndarray) -> np.ndarray:
    """0..count-1 for each group of a flat array made with ``np.repeat(x, counts)``."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(group_starts(counts), counts)


def group_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at every group of ``counts``."""
    csum = np.cumsum(values)
    starts = group_starts(counts)[counts > 0]
    before = np.repeat(csum[starts] - values[starts], counts[counts > 0])
    return csum - before


# --- Arrow ----------------------------------------------------------------------------------


def ids(table: str, numbers: np.ndarray) -> pa.Array:
    """String ids such as ``acc_000000042`` for the given sequence numbers.

    Built directly as Arrow buffers (fixed-width ASCII), which is far faster than
    formatting millions of strings one by one.
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    prefix = np.frombuffer(ID_PREFIXES[table].encode(), dtype=np.uint8)
    n = len(numbers)
    width = max(ID_WIDTH, len(str(int(numbers.max())))) if n else ID_WIDTH
    size = len(prefix) + width
    chars = np.empty((n, size), dtype=np.uint8)
    chars[:, : len(prefix)] = prefix
    rest = numbers.copy()
    for pos in range(size - 1, len(prefix) - 1, -1):
        chars[:, pos] = rest % 10 + ord("0")
        rest //= 10
    offsets = np.arange(n + 1, dtype=np.int64) * size
    if offsets[-1] > np.iinfo(np.int32).max:
        half = n // 2
        return pa.concat_arrays([ids(table, numbers[:half]), ids(table, numbers[half:])])
    buffers = [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(chars)]
    return pa.Array.from_buffers(STR, n, buffers)


def optional_ids(table: str, numbers: np.ndarray) -> pa.Array:
    """Like :func:`ids`, with a null where the number is negative."""
    return pc.if_else(pa.array(numbers < 0), pa.scalar(None, STR), ids(table, numbers))


def id_numbers(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Sequence numbers of string ids (the digits after the prefix); -1 for nulls."""
    numbers = pc.cast(pc.utf8_slice_codeunits(values, len("acc_")), I64)
    return np.array(pc.fill_null(numbers, -1).to_numpy(zero_copy_only=False))


def labels(values: Sequence[str], codes: np.ndarray) -> pa.Array:
    """Strings for categorical codes; a negative code is a null."""
    codes = np.asarray(codes, dtype=np.int64)
    return pa.array(values, STR).take(pa.array(codes, mask=codes < 0))


def codes_of(values: Sequence[str], arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Categorical codes of a string column (-1 for null or unknown)."""
    idx = pc.index_in(arr, value_set=pa.array(values, STR))
    return np.array(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def timestamps(us: np.ndarray) -> pa.Array:
    us = np.asarray(us, dtype=np.int64)
    return pa.array(us, mask=us == NAT).cast(TS)


def ts_values(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """int64 microseconds of a timestamp column, ``NAT`` for nulls."""
    return np.array(pc.fill_null(pc.cast(arr, I64), NAT).to_numpy(zero_copy_only=False))


def int_values(arr: pa.Array | pa.ChunkedArray, null: int = -1) -> np.ndarray:
    return np.array(pc.fill_null(pc.cast(arr, I64), null).to_numpy(zero_copy_only=False))


def optional_ints(values: np.ndarray, null: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), mask=np.asarray(null, dtype=bool))


def dates_from_months(months: np.ndarray) -> pa.Array:
    days = np.asarray(months, dtype=np.int64).view("datetime64[M]").astype("datetime64[D]")
    return pa.array(days.view(np.int64).astype(np.int32), type=DATE)


def months_of(dates: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Month index of each value of a date column (the inverse of :func:`dates_from_months`)."""
    return month_index(dates.cast(pa.timestamp("us")).cast(pa.int64()).to_numpy())


def make_table(name: str, columns: dict[str, pa.Array], loaded_at_us: int) -> pa.Table:
    """A table with exactly the contract schema of ``name``; ``_loaded_at`` is a constant."""
    schema = SCHEMAS[name]
    n = len(next(iter(columns.values())))
    arrays = []
    for field in schema:
        if field.name == "_loaded_at":
            arrays.append(pa.array(np.full(n, loaded_at_us, dtype=np.int64)).cast(TS))
        else:
            column = columns[field.name]
            if isinstance(column, pa.ChunkedArray):
                column = column.combine_chunks()
            arrays.append(pa.array(column).cast(field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


# --- files ----------------------------------------------------------------------------------


@dataclass
class Counters:
    """Next sequence number of every id: carried from chunk to chunk of the initial load, and
    from step to step of a daily batch."""

    next: dict[str, int]

    def take(self, table: str, n: int) -> np.ndarray:
        first = self.next[table]
        self.next[table] = first + n
        return np.arange(first, first + n, dtype=np.int64)


def batch_name(number: int) -> str:
    return f"batch_{number:04d}.parquet"


def batch_numbers(out_dir: Path) -> list[int]:
    """Batch numbers present in any table folder of ``out_dir``."""
    found = set()
    for table in TABLES:
        for path in (out_dir / table).glob("batch_*.parquet"):
            stem = path.stem.removeprefix("batch_")
            if stem.isdigit():
                found.add(int(stem))
    return sorted(found)


class BatchWriter:
    """Writes one batch file per table, row group by row group, renamed into place on close.

    A half-written batch never matches ``*.parquet``: it is written under a hidden temporary
    name first, so sensors and dbt never see it.
    """

    ROW_GROUP = 1_000_000

    def __init__(self, out_dir: Path, number: int, loaded_at_us: int) -> None:
        self.out_dir = out_dir
        self.number = number
        self.loaded_at_us = loaded_at_us
        self.rows: dict[str, int] = dict.fromkeys(TABLES, 0)
        self._writers: dict[str, pq.ParquetWriter] = {}

    def _tmp_path(self, table: str) -> Path:
        return self.out_dir / table / f".{batch_name(self.number)}.tmp"

    def write(self, table: str, columns: dict[str, pa.Array]) -> None:
        data = make_table(table, columns, self.loaded_at_us)
        if table not in self._writers:
            self._tmp_path(table).parent.mkdir(parents=True, exist_ok=True)
            self._writers[table] = pq.ParquetWriter(
                self._tmp_path(table), SCHEMAS[table], compression="zstd"
            )
        if data.num_rows:
            self._writers[table].write_table(data, row_group_size=self.ROW_GROUP)
        self.rows[table] += data.num_rows

    def abort(self) -> None:
        """Drop the half-written files (nothing of this batch becomes visible)."""
        for table, writer in self._writers.items():
            writer.close()
            self._tmp_path(table).unlink(missing_ok=True)
        self._writers.clear()

    def close(self) -> dict[str, int]:
        """Finish every table's file (an empty one for tables that got no rows)."""
        for table in TABLES:
            if table not in self._writers:
                self.write(table, {f.name: pa.array([], f.type) for f in SCHEMAS[table]})
            self._writers.pop(table).close()
            os.replace(self._tmp_path(table), self.out_dir / table / batch_name(self.number))
        return dict(self.rows)
