"""What every source's part of a daily batch shares: the day's window, random generator,
landing view and batch writer, the id counters, and helpers to pick rows and times."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from orchestration.sample_data.common import (
    ID_PREFIXES,
    PRIMARY_KEYS,
    BatchWriter,
    Counters,
    ids,
)
from orchestration.sample_data.landing import Landing


@dataclass(frozen=True)
class Window:
    """The day's activity happens in ``(lo, hi]``; ``hi`` is the load time."""

    lo: int
    hi: int


def segment_of(employees: np.ndarray) -> np.ndarray:
    return np.select([employees < 0, employees < 100, employees < 1000], [3, 0, 1], 2)


def column(table: pa.Table, name: str) -> pa.Array:
    return table[name].combine_chunks()


def columns(table: pa.Table, keep: np.ndarray | None = None) -> dict[str, pa.Array]:
    """All columns of ``table`` (only the rows where ``keep`` is true, when given)."""
    if keep is None:
        return {name: column(table, name) for name in table.column_names}
    return {name: column(table, name).filter(pa.array(keep)) for name in table.column_names}


@dataclass
class Directory:
    """Contacts by account (sequence numbers), to pick ticket requesters and NPS respondents."""

    account: np.ndarray  # sorted account numbers
    contact: np.ndarray
    role: np.ndarray

    def pick(self, rng: np.random.Generator, account: np.ndarray) -> np.ndarray:
        """A random contact of each account (-1 when the account has none)."""
        if not len(self.contact):
            return np.full(len(account), -1, dtype=np.int64)
        lo = np.searchsorted(self.account, account, side="left")
        hi = np.searchsorted(self.account, account, side="right")
        count = hi - lo
        pos = lo + (rng.random(len(account)) * count).astype(np.int64)
        return np.where(count > 0, self.contact[np.minimum(pos, len(self.contact) - 1)], -1)


@dataclass
class Day:
    """What the crm, billing and support parts of one daily load share.

    All parts draw from the one generator ``rng``, so the order in which they run (see
    :func:`orchestration.sample_data.daily.run_steps`) is part of the output.
    """

    rng: np.random.Generator
    win: Window
    land: Landing
    writer: BatchWriter
    ids: Counters = field(init=False)

    def __post_init__(self) -> None:
        self.ids = Counters({table: self.land.max_id(table) + 1 for table in ID_PREFIXES})


class Part:
    """Base of the per-source parts: the shared :class:`Day` and helpers over it."""

    def __init__(self, day: Day) -> None:
        self.day = day
        self.rng, self.win, self.land, self.writer = day.rng, day.win, day.land, day.writer

    def take_ids(self, table: str, n: int) -> np.ndarray:
        return self.day.ids.take(table, n)

    def times(self, n: int, after: np.ndarray | None = None, share: float = 1.0) -> np.ndarray:
        """Times in the window (after ``after`` when given), within its first ``share``."""
        lo = np.full(n, self.win.lo) if after is None else np.maximum(after, self.win.lo)
        span = np.maximum((self.win.hi - lo) * share - 1, 0)
        return lo + 1 + (self.rng.random(n) * span).astype(np.int64)

    def sample_numbers(self, table: str, share: float) -> np.ndarray:
        """A few existing sequence numbers of ``table`` (at least one)."""
        total = self.day.ids.next[table] - 1
        if total <= 0:
            return np.zeros(0, dtype=np.int64)
        k = max(1, int(self.rng.binomial(total, share)))
        return np.unique(self.rng.integers(1, total + 1, k))

    def since(self, ago: int) -> object:
        """The time ``ago`` microseconds before the load, as a query parameter."""
        return pa.scalar(self.win.hi - ago, pa.timestamp("us")).as_py()

    def rows_by_id(self, table: str, numbers: np.ndarray) -> pa.Table:
        """Current rows of ``table`` with the given id sequence numbers."""
        key = PRIMARY_KEYS[table][0]
        self.land.register("picked", pa.table({"id": ids(table, numbers)}))
        rows = self.land.where(table, f"{key} in (select id from picked)")
        return self.land.query(f"select * from {rows} order by {key}")
