"""Spark tables read with DuckDB, straight from their Parquet files (no Spark session).

On ``CX_TARGET=spark`` dbt writes every table as Parquet under
``<warehouse>/<database>.db/<table>/``. The refresh reads them with DuckDB, never with Spark:
the Derby metastore admits one JVM at a time, and that JVM must be dbt's (docs/spark.md).
Spark writes its TIMESTAMP (session time zone UTC) as a UTC instant, which DuckDB reads as
TIMESTAMP WITH TIME ZONE: the views here cast those columns back to naive UTC TIMESTAMP, the
type the DuckDB build has.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.lib.sql import quote_identifier, quote_literal


def table_dir(warehouse: Path, database: str, table: str) -> Path:
    return warehouse / f"{database}.db" / table


def parquet_files(folder: Path) -> list[Path]:
    """The data files of a Spark table dir (Spark's ``_SUCCESS``, ``.crc`` files excluded)."""
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def create_parquet_view(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, folder: Path
) -> bool:
    """View ``schema.name`` over the Parquet files of ``folder``, timestamps as naive UTC;
    False (and no view) when the folder has no Parquet file."""
    if not parquet_files(folder):
        return False
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"create schema if not exists {quote_identifier(schema)}")
    source = f"read_parquet({quote_literal(str(folder / '*.parquet'))})"
    relation = con.sql(f"select * from {source}")
    columns = ", ".join(
        f"cast({quote_identifier(column)} as timestamp) as {quote_identifier(column)}"
        if str(kind) == "TIMESTAMP WITH TIME ZONE"
        else quote_identifier(column)
        for column, kind in zip(relation.columns, relation.types, strict=True)
    )
    con.execute(
        f"create or replace view {quote_identifier(schema)}.{quote_identifier(name)} as "
        f"select {columns} from {source}"
    )
    return True
