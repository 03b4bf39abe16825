"""A mart built on DuckDB compared with the same mart built on Spark (its Parquet files):
same columns, same types, the same rows, numbers within ``TOLERANCE``."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import duckdb

TOLERANCE = 1e-6


def _family(duckdb_type: str) -> str:
    """The type as the comparison sees it: Spark writes its TIMESTAMP (session time zone UTC)
    as a UTC instant, which DuckDB reads as TIMESTAMP WITH TIME ZONE."""
    return "TIMESTAMP" if duckdb_type == "TIMESTAMP WITH TIME ZONE" else duckdb_type


def _rows(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple]:
    relation = con.sql(f"select * from {source}")
    columns = ", ".join(
        f'cast("{name}" as timestamp) as "{name}"'
        if str(kind) == "TIMESTAMP WITH TIME ZONE"
        else f'"{name}"'
        for name, kind in zip(relation.columns, relation.types, strict=True)
    )
    return con.sql(f"select {columns} from {source} order by all").fetchall()


def _same(left: object, right: object) -> bool:
    if isinstance(left, float | Decimal) and isinstance(right, float | Decimal):
        a, b = float(left), float(right)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return left == right


def assert_mart_equal(duckdb_file: Path, mart: str, spark_dir: Path) -> int:
    """``marts.<mart>`` of the DuckDB file equals the Spark table in ``spark_dir``; its rows."""
    assert list(spark_dir.glob("*.parquet")), f"Spark wrote no {mart} ({spark_dir})"
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{duckdb_file}' as built (read_only)")
        duckdb_source = f"built.marts.{mart}"
        spark_source = f"read_parquet('{spark_dir}/*.parquet')"
        on_duckdb, on_spark = con.sql(f"from {duckdb_source}"), con.sql(f"from {spark_source}")
        assert on_spark.columns == on_duckdb.columns, mart
        assert [_family(str(t)) for t in on_spark.types] == [str(t) for t in on_duckdb.types]
        duckdb_rows, spark_rows = _rows(con, duckdb_source), _rows(con, spark_source)
    assert len(spark_rows) == len(duckdb_rows), (mart, len(spark_rows), len(duckdb_rows))
    for spark_row, duckdb_row in zip(spark_rows, duckdb_rows, strict=True):
        assert all(_same(s, d) for s, d in zip(spark_row, duckdb_row, strict=True)), (
            mart,
            spark_row,
            duckdb_row,
        )
    return len(duckdb_rows)
