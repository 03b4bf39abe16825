"""The pandas DataFrames the gates validate, read with DuckDB.

GX 1.x SQL datasources do not work on DuckDB, so every gate validates a DataFrame:

- ``file_schema_frame``: one row per batch file of a raw table, one column per contract
  column holding the type DuckDB reads from that file (``missing`` when absent);
- ``current_rows``: the table's current rows (docs/raw-contract.md), read from the parquet glob
  dbt reads, in chunks. Rows tied for current are all kept and each row carries how many
  current rows share its key, so a duplicate key shows up in any chunk;
- ``fx_needs_frame``: every (currency, month) an amount needs a rate for, with the rate;
- ``mart_frame``: a mart read from the build file.

Suites may add ``derived_columns`` (name -> SQL expression over the frame's columns, window
functions allowed) for rules that span columns or rows; they are computed here in SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from orchestration.lib.contract import RawTable, raw_tables
from orchestration.lib.landing import BatchFile, batch_files, parquet_glob
from orchestration.lib.sql import quote_identifier, quote_literal
from orchestration.quality.landing_index import (
    current_row_order,
    current_table,
    open_index,
    order_columns,
    update_index,
)

if TYPE_CHECKING:  # pandas is imported when a gate runs, not when definitions load
    import pandas as pd

MISSING = "missing"


def _with_derived(base_sql: str, derived: Mapping[str, str]) -> str:
    extra = "".join(
        f",\n    ({expr}) as {quote_identifier(name)}" for name, expr in derived.items()
    )
    return f"select *{extra}\nfrom ({base_sql}) as frame"


def file_schema_frame(files: list[BatchFile], table: RawTable) -> pd.DataFrame:
    """Per batch file (``<source>/<table>/<file>``), the DuckDB type of every contract column
    (``missing`` when absent)."""
    import pandas as pd

    columns = table.schema.names
    if not files:
        return pd.DataFrame(columns=["file_name", *columns], dtype="object")
    paths = "[" + ", ".join(quote_literal(str(f.path)) for f in files) + "]"
    with duckdb.connect() as con:
        found = con.execute(
            f"select file_name, name, duckdb_type from parquet_schema({paths})"
        ).fetchall()
    label = {str(f.path): f"{f.table}/{f.name}" for f in files}  # short, names the table
    by_file: dict[str, dict[str, str]] = {label[str(f.path)]: {} for f in files}
    for file_name, name, duckdb_type in found:
        by_file.setdefault(label.get(file_name, file_name), {})[name] = duckdb_type
    rows = [
        {"file_name": file_name, **{c: types.get(c, MISSING) for c in columns}}
        for file_name, types in by_file.items()
    ]
    return pd.DataFrame(rows, columns=["file_name", *columns])


@dataclass(frozen=True)
class TableFigures:
    """Figures over every batch file of a raw table (not only the rows a frame holds)."""

    current_rows: int
    raw_rows: int
    newest_loaded_at: datetime | None

    def frame(self, batch_files: int) -> pd.DataFrame:
        """The one-row frame of the ``<table>.raw_table`` suite."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "current_rows": self.current_rows,
                    "raw_rows": self.raw_rows,
                    "batch_files": batch_files,
                    "newest_loaded_at": pd.Timestamp(self.newest_loaded_at)
                    if self.newest_loaded_at is not None
                    else pd.NaT,
                }
            ]
        )


KEY_COUNT = "_current_rows_with_key"  # how many current rows share the row's key


@dataclass
class CurrentRows:
    """The current rows of one raw table, materialized in an in-memory DuckDB."""

    con: duckdb.DuckDBPyConnection
    query: str  # the rows to validate, with the suite's derived columns
    rows: int
    figures: TableFigures
    index_note: str = ""  # what the landing index read (landing_index.IndexUpdate)

    def frames(self, chunk_rows: int) -> Iterator[pd.DataFrame]:
        """The rows to validate, at most ``chunk_rows`` per frame (at least one frame)."""
        reader = self.con.sql(self.query).to_arrow_reader(chunk_rows)
        pending: list[pa.RecordBatch] = []
        pending_rows, yielded = 0, False
        for batch in reader:  # DuckDB hands out small batches: gather them into chunks
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= chunk_rows:
                yield pa.Table.from_batches(pending, reader.schema).to_pandas()
                pending, pending_rows, yielded = [], 0, True
        if pending or not yielded:
            yield pa.Table.from_batches(pending, reader.schema).to_pandas()


@contextmanager
def current_rows(
    raw_dir,
    table: RawTable,
    derived: Mapping[str, str],
    validated_paths: list[str] | None = None,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
    index_path: Path | None = None,
    rebuild_index: bool = False,
) -> Iterator[CurrentRows]:
    """The current rows of ``table`` to validate, and figures over all its current rows.

    The keys and load order of every row come from the landing index
    (``orchestration.quality.landing_index``, the file ``index_path``; in memory without
    one), which reads only batch files it has not indexed yet. The current rows are found as
    staging dedupes them, ties kept; each carries ``_current_rows_with_key``, the number of
    current rows with its key (more than 1: a tie on the newest load) over all current rows.
    The rows to validate are the current rows from batch files not in ``validated_paths``
    (files the last publish's raw gate validated: batch files are append-only), read whole
    from those files only; every current row without ``validated_paths``.
    """
    glob = quote_literal(parquet_glob(raw_dir, table.path))
    keys = ", ".join(quote_identifier(k) for k in table.key_columns)
    narrow = [quote_identifier(c) for c in [*table.key_columns, *order_columns(table)]]
    options = "union_by_name = true, hive_partitioning = false"
    validated = {Path(p).name for p in validated_paths or []}
    files = batch_files(raw_dir)[table.path]
    new_files = [str(f.path) for f in files if f.name not in validated]
    config = {"preserve_insertion_order": False}  # stream the chunks, in no particular order
    if memory_limit:
        config["memory_limit"] = memory_limit
    if temp_directory:
        config["temp_directory"] = temp_directory
    current = quote_identifier(current_table(table))
    with open_index(index_path, config) as con:
        update = update_index(con, Path(raw_dir), table, files, rebuild=rebuild_index)
        con.execute("create temp table validated (file_name varchar primary key)")
        if validated:
            con.executemany("insert into validated values (?)", [[n] for n in sorted(validated)])
        # the current rows of new files, each with the number of current rows with its key
        # (over every current row, old files' too: a tie across files is a duplicate key)
        key_list = [quote_identifier(k) for k in table.key_columns]
        new_key_null = " or ".join(f"new_rows.{k} is null" for k in key_list)
        con.execute(
            f"create temp table current_keys as\n"
            f"with new_rows as (\n"
            f"    select {', '.join(narrow)} from {current}\n"
            f"    where _file not in (select file_name from validated)\n"
            f"),\n"
            f"counts as (\n"
            f"    select {', '.join(f'c.{k}' for k in key_list)}, count(*) as n\n"
            f"    from {current} as c\n"
            f"    inner join (select distinct {keys} from new_rows) as d\n"
            f"        on {' and '.join(f'c.{k} = d.{k}' for k in key_list)}\n"
            f"    group by all\n"
            f")\n"
            f"select new_rows.*,\n"
            f"    case when {new_key_null} then null else counts.n end as {KEY_COUNT}\n"
            f"from new_rows\n"
            f"left join counts on {' and '.join(f'new_rows.{k} = counts.{k}' for k in key_list)}"
        )
        ((current_count, newest),) = con.execute(
            f"select count(*), max(_loaded_at) from {current}"
        ).fetchall()
        (rows,) = con.execute("select count(*) from current_keys").fetchall()[0]
        columns = ", ".join(f"t.{quote_identifier(c)}" for c in table.schema.names)
        if new_files:
            paths = "[" + ", ".join(quote_literal(f) for f in new_files) + "]"
            same_row = " and ".join(f"t.{c} is not distinct from k.{c}" for c in narrow)
            base = (
                f"select {columns}, k.{KEY_COUNT}\n"
                f"from read_parquet({paths}, {options}) as t\n"
                f"inner join (select distinct * from current_keys) as k\n"
                f"    on {same_row}"
            )
        else:
            base = (
                f"select {columns}, cast(null as bigint) as {KEY_COUNT}\n"
                f"from read_parquet({glob}, {options}) as t limit 0"
            )
        yield CurrentRows(
            con,
            _with_derived(base, derived),
            rows,
            TableFigures(current_count, update.raw_rows, newest),
            update.describe(),
        )


def _current(raw_dir, table: str) -> str:
    """SQL for one current row per key (ties broken arbitrarily, as staging does)."""
    spec = raw_tables()[table]
    keys = ", ".join(spec.key_columns)
    glob = quote_literal(parquet_glob(raw_dir, table))
    return (
        f"(select * from read_parquet({glob}, union_by_name = true, hive_partitioning = false) "
        f"qualify row_number() over (partition by {keys} order by {current_row_order(spec)}) = 1)"
    )


def fx_needs_frame(raw_dir, last_complete_month: date) -> pd.DataFrame:
    """Every (currency, month) a converted amount needs a rate for, through the last complete
    month, with ``usd_per_unit`` (null when billing/fx_rates has no current row for it).

    The needs mirror the intermediate models: subscription MRR in every month the
    subscription is active at month end (int_subscription_months), paid invoices by month of
    paid_at and refunds by month of refunded_at (int_account_revenue_months), and marketing
    spend by spend_month. USD needs no rate.
    """
    month = "cast(date_trunc('month', {}) as date)".format
    sql = f"""
    with
    period as (select cast({quote_literal(last_complete_month.isoformat())} as date) as last_month),
    needs as (
        select currency, cast(unnest(generate_series(
                {month("started_at")},
                least(coalesce(cast({month("ended_at")} - interval 1 month as date),
                               period.last_month), period.last_month),
                interval 1 month)) as date) as month,
            'billing/subscriptions' as needed_by
        from {_current(raw_dir, "billing/subscriptions")} as s cross join period
        where amount_cents * quantity > 0
        union all
        select currency, {month("paid_at")}, 'billing/invoices'
        from {_current(raw_dir, "billing/invoices")} as i
        where status = 'paid' and amount_paid_cents <> 0
        union all
        select r.currency, {month("r.refunded_at")}, 'billing/refunds'
        from {_current(raw_dir, "billing/refunds")} as r
        inner join {_current(raw_dir, "billing/invoices")} as i using (invoice_id)
        union all
        select currency, spend_month, 'crm/marketing_spend'
        from {_current(raw_dir, "crm/marketing_spend")} as m
    ),
    grouped as (
        select currency, month, needed_by, count(*) as n_rows
        from needs cross join period
        where currency is distinct from 'USD' and month <= period.last_month
        group by all
    )
    select grouped.*, fx.usd_per_unit
    from grouped
    left join {_current(raw_dir, "billing/fx_rates")} as fx
        on grouped.currency = fx.currency and grouped.month = fx.rate_month
    order by grouped.month, grouped.currency, grouped.needed_by
    """
    with duckdb.connect() as con:
        return con.execute(sql).df()


def mart_frame(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, derived: Mapping[str, str]
) -> pd.DataFrame:
    base = f"select * from {quote_identifier(schema)}.{quote_identifier(name)}"
    return con.execute(_with_derived(base, derived)).df()
