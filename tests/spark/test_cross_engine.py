"""The same dbt project on DuckDB and on Spark (docs/spark.md): the hand-built scenario
(tests/support/scenario.py) built on both engines, every mart compared row for row, numbers
within 1e-6. Marker `spark` (PySpark + Java 17): `make test-spark`, not part of `make test`.

A mart that does not yet build or agree on Spark is listed in SPARK_XFAIL with the reason: it
is reported as xfail (an XPASS in the summary once it passes: then take it off the list),
never skipped."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.support.dbt_build import PROJECT_DIR, Build, dbt_build
from tests.support.scenario import AS_OF, write_scenario
from tests.support.spark_build import SparkBuild, spark_dbt_build

pytestmark = pytest.mark.spark

MARTS = sorted(path.stem for path in (PROJECT_DIR / "models" / "marts").glob("*/*.sql"))

# mart -> why it does not build or agree on Spark yet (empty when every mart passes)
SPARK_XFAIL: dict[str, str] = {}

TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("scenario") / "raw")


@pytest.fixture(scope="module")
def duckdb_build(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    result = dbt_build(raw_dir, tmp_path_factory.mktemp("duckdb"), AS_OF)
    assert result.returncode == 0, result.output[-4000:]
    return result


@pytest.fixture(scope="module")
def spark_build(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SparkBuild:
    return spark_dbt_build(raw_dir, tmp_path_factory.mktemp("spark"), AS_OF)


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


def test_spark_build_passes(spark_build: SparkBuild) -> None:
    if spark_build.returncode != 0 and SPARK_XFAIL:
        pytest.xfail(f"marts not yet on Spark: {', '.join(sorted(SPARK_XFAIL))}")
    assert spark_build.returncode == 0, spark_build.output[-6000:]


@pytest.mark.parametrize(
    "mart",
    [
        pytest.param(m, marks=pytest.mark.xfail(reason=SPARK_XFAIL[m], strict=False))
        if m in SPARK_XFAIL
        else m
        for m in MARTS
    ],
)
def test_mart_equal_on_both_engines(
    mart: str, duckdb_build: Build, spark_build: SparkBuild
) -> None:
    assert list(spark_build.mart_dir(mart).glob("*.parquet")), (
        f"Spark wrote no {mart}: {spark_build.output[-4000:]}"
    )
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{duckdb_build.db_path}' as built (read_only)")
        duckdb_source = f"built.marts.{mart}"
        spark_source = f"read_parquet('{spark_build.mart_dir(mart)}/*.parquet')"
        on_duckdb, on_spark = con.sql(f"from {duckdb_source}"), con.sql(f"from {spark_source}")
        assert on_spark.columns == on_duckdb.columns
        assert [_family(str(t)) for t in on_spark.types] == [str(t) for t in on_duckdb.types]
        duckdb_rows, spark_rows = _rows(con, duckdb_source), _rows(con, spark_source)
    assert len(spark_rows) == len(duckdb_rows), (len(spark_rows), len(duckdb_rows))
    for spark_row, duckdb_row in zip(spark_rows, duckdb_rows, strict=True):
        assert all(_same(s, d) for s, d in zip(spark_row, duckdb_row, strict=True)), (
            spark_row,
            duckdb_row,
        )
