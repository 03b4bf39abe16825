"""Reads the current state of a landing directory (current rows per primary key) with DuckDB.

Used by the daily batches, which, like a real loader, only know what is already landed.
Deduplicating a whole large table is the expensive part, so selective questions ("open
invoices", "unsolved tickets") go through :meth:`Landing.where`, which only deduplicates the
keys that have at least one version matching the condition.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.sample_data.common import ID_PREFIXES, PRIMARY_KEYS, SCHEMAS, TABLES


def _name(table: str) -> str:
    return table.split("/")[1]


class Landing:
    """Views over a landing directory: ``raw_<table>`` (all rows), ``<table>`` (current rows)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.db = duckdb.connect()
        self.db.execute("set enable_progress_bar = false")
        for table in TABLES:
            files = (out_dir / table / "*.parquet").as_posix().replace("'", "''")
            self.db.execute(
                f"create view raw_{_name(table)} as "
                f"select * from read_parquet('{files}', union_by_name = true)"
            )
            self.db.execute(
                f"create view {_name(table)} as select * from raw_{_name(table)} "
                f"qualify {self._latest(table)} = 1"
            )

    @staticmethod
    def _latest(table: str) -> str:
        order = "_loaded_at desc"
        if "updated_at" in SCHEMAS[table].names:
            order += ", updated_at desc"
        keys = ", ".join(PRIMARY_KEYS[table])
        return f"row_number() over (partition by {keys} order by {order})"

    def where(self, table: str, condition: str) -> str:
        """A subquery of the current rows of ``table`` that satisfy ``condition``."""
        (key,) = PRIMARY_KEYS[table]
        raw = f"raw_{_name(table)}"
        return (
            f"(select * exclude (_version) from (select *, {self._latest(table)} as _version "
            f"from {raw} where {key} in (select {key} from {raw} where {condition})) "
            f"where _version = 1 and ({condition}))"
        )

    def query(self, sql: str, **params: object) -> pa.Table:
        return self.db.sql(sql, params=params or None).to_arrow_table()

    def register(self, name: str, data: pa.Table) -> None:
        self.db.register(name, data)

    def max_loaded_at(self) -> int:
        """Greatest ``_loaded_at`` over all tables, in microseconds."""
        parts = " union all ".join(
            f"select max(_loaded_at) as m from raw_{_name(t)}" for t in TABLES
        )
        return int(self.db.execute(f"select epoch_us(max(m)) from ({parts})").fetchall()[0][0])

    def max_id(self, table: str) -> int:
        """Greatest sequence number of ``table``'s id over all its rows (0 when empty).

        Read from the Parquet row-group statistics when every file has them (ids are
        fixed-width, so the greatest string is the greatest number); scanned otherwise.
        """
        column = PRIMARY_KEYS[table][0]
        start = len(ID_PREFIXES[table])
        found = 0
        for path in sorted((self.out_dir / table).glob("*.parquet")):
            meta = pq.ParquetFile(path).metadata
            index = meta.schema.to_arrow_schema().get_field_index(column)
            for group in range(meta.num_row_groups):
                stats = meta.row_group(group).column(index).statistics
                if meta.row_group(group).num_rows == 0:
                    continue
                if stats is None or not stats.has_min_max:
                    return self._scan_max_id(table)
                found = max(found, int(str(stats.max)[start:]))
        return found

    def _scan_max_id(self, table: str) -> int:
        column = PRIMARY_KEYS[table][0]
        start = len(ID_PREFIXES[table]) + 1
        sql = f"select max(cast(substr({column}, {start}) as bigint)) from raw_{_name(table)}"
        return int(self.db.execute(sql).fetchall()[0][0] or 0)

    def close(self) -> None:
        self.db.close()
