"""The pandas DataFrames the gates validate, read with DuckDB.

GX 1.x SQL datasources do not work on DuckDB, so every gate validates a DataFrame:

- ``file_schema_frame``: one row per batch file of a raw table, one column per contract
  column holding the type DuckDB reads from that file (``missing`` when absent);
- ``current_rows_frame``: the table's current rows (raw-sources.md), read from the parquet
  glob dbt reads. Rows tied for current are all kept, so a duplicate key among current rows
  shows up as a duplicate;
- ``fx_needs_frame``: every (currency, month) an amount needs a rate for, with the rate;
- ``mart_frame``: a mart read from the build file.

Suites may add ``derived_columns`` (name -> SQL expression over the frame's columns, window
functions allowed) for rules that span columns or rows; they are computed here in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from orchestration.landing import BatchFile, parquet_glob
from orchestration.raw_contract import RawTable, raw_tables

if TYPE_CHECKING:  # pandas is imported when a gate runs, not when definitions load
    import pandas as pd

MISSING = "missing"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _with_derived(base_sql: str, derived: Mapping[str, str]) -> str:
    extra = "".join(f",\n    ({expr}) as {_quote(name)}" for name, expr in derived.items())
    return f"select *{extra}\nfrom ({base_sql}) as frame"


def current_row_order(table: RawTable) -> str:
    """The dedupe order of ``macros/raw/current_rows.sql``: newest load, then newest update."""
    return "_loaded_at desc, updated_at desc" if table.has_updated_at else "_loaded_at desc"


def file_schema_frame(files: list[BatchFile], table: RawTable) -> pd.DataFrame:
    """Per batch file (``<source>/<table>/<file>``), the DuckDB type of every contract column
    (``missing`` when absent)."""
    import pandas as pd

    columns = table.schema.names
    if not files:
        return pd.DataFrame(columns=["file_name", *columns], dtype="object")
    paths = "[" + ", ".join(_literal(str(f.path)) for f in files) + "]"
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


def _empty_frame(schema: pa.Schema) -> pd.DataFrame:
    return schema.empty_table().to_pandas()


def current_rows_frame(
    raw_dir, table: RawTable, present_columns: list[str], derived: Mapping[str, str]
) -> tuple[pd.DataFrame, int]:
    """The current rows of ``table`` (contract columns present in every file) and the number
    of raw rows over all batches."""
    if not present_columns:
        return _empty_frame(table.schema), 0
    glob = parquet_glob(raw_dir, table.path)
    select = ", ".join(_quote(c) for c in present_columns)
    source = (
        f"select {select} from read_parquet({_literal(glob)}, union_by_name = true, "
        "hive_partitioning = false)"
    )
    order = current_row_order(table) if "_loaded_at" in present_columns else "1"
    keys = ", ".join(_quote(k) for k in table.key_columns if k in present_columns) or "1"
    base = (
        f"select * from ({source}) as source\n"
        f"qualify rank() over (partition by {keys} order by {order}) = 1"
    )
    with duckdb.connect() as con:
        total = con.execute(f"select count(*) from ({source}) as source").fetchone()[0]
        frame = con.execute(_with_derived(base, derived)).df()
    return frame, int(total)


def _current(raw_dir, table: str) -> str:
    """SQL for one current row per key (ties broken arbitrarily, as staging does)."""
    spec = raw_tables()[table]
    keys = ", ".join(spec.key_columns)
    glob = _literal(parquet_glob(raw_dir, table))
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
    period as (select cast({_literal(last_complete_month.isoformat())} as date) as last_month),
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
    base = f"select * from {_quote(schema)}.{_quote(name)}"
    return con.execute(_with_derived(base, derived)).df()
