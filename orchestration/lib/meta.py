"""Schema ``meta``: what the warehouse records about itself. This module is its one owner.

Every meta table is read and written here, except the two that dbt's on-run-start hook keeps
for itself in the build file (documented here and in ``macros/_macros.yml``).

Build file (``CX_DUCKDB_PATH``, private to the refresh):

- ``meta.build`` (run_id, built_at, raw_dir): the run that finished the build, written by the
  refresh after ``dbt build``. Publish only publishes its own run's build; a file without it
  (a run killed during dbt) is rebuilt whole.
- ``meta.dbt_landing_files`` (table_name, file_name, size, last_modified), by the dbt hook:
  the batch files incremental staging was built from, names relative to the landing dir.
- ``meta.dbt_incremental_code`` (fingerprint), by the dbt hook: checksum of the SQL the
  incremental models were built with.

Serving file (``CX_SERVING_PATH``, what BI reads). The first three tables are history: every
publish carries them forward from the previous serving file and appends its own rows.

- ``meta.publish_log`` (publish_id, published_at, run_id, as_of_date, last_complete_month,
  git_sha, duration_seconds, raw_dir, landing_fingerprint, mart_rows as JSON, action,
  restores): one row per publish. ``action`` is ``publish`` (a refresh) or ``rollback``
  (``cli rollback``: the marts of publish ``restores`` served again; null in files published
  before rollbacks existed, meaning ``publish``).
- ``meta.publish_marts`` (publish_id, mart, row_count): rows per mart per publish.
- ``meta.raw_row_counts`` (publish_id, table_name, current_rows, raw_rows, batch_files,
  newest_loaded_at): what the raw gate counted; the next row-count check compares with the
  last publish's.
- ``meta.validated_files`` (table_name, file_name, size, mtime_ns): the batch files the last
  publish's raw gate validated (this publish only); the next raw gate reads rows only from
  other files.

On Spark (``CX_TARGET=spark``, docs/spark.md "The refresh job on Spark") the same records
live in the Spark warehouse (``CX_SPARK_WAREHOUSE``):

- the build marker is a small JSON file ``<warehouse>/_cx_build.json`` (run_id, built_at,
  raw_dir), which Spark ignores (no table dir);
- the four serving tables above, same columns, are Spark tables ``serving_meta.<table>``
  written by the publish macro (``macros/publish/publish_serving.sql``) from Parquet rows made
  here (``write_spark_publish_rows``); they are read back with DuckDB from their Parquet files.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.lib import spark_files
from orchestration.lib.landing import FileStat
from orchestration.lib.sql import quote_identifier, quote_literal

SCHEMA = "meta"

SERVING_HISTORY_DDL = {  # tables every publish carries forward from the previous serving file
    "publish_log": """(
        publish_id bigint, published_at timestamp, run_id varchar, as_of_date date,
        last_complete_month date, git_sha varchar, duration_seconds double, raw_dir varchar,
        landing_fingerprint varchar, mart_rows varchar, action varchar, restores bigint)""",
    "publish_marts": "(publish_id bigint, mart varchar, row_count bigint)",
    "raw_row_counts": """(
        publish_id bigint, table_name varchar, current_rows bigint, raw_rows bigint,
        batch_files bigint, newest_loaded_at timestamp)""",
}
VALIDATED_FILES_DDL = "(table_name varchar, file_name varchar, size bigint, mtime_ns bigint)"


@dataclass(frozen=True)
class RawCount:
    table: str
    current_rows: int
    raw_rows: int
    batch_files: int
    newest_loaded_at: datetime | None


@dataclass(frozen=True)
class Baseline:
    """What the last publish recorded: the raw row counts (the row-count gate's reference)
    and the batch files its raw gate validated (which the next raw gate need not read again)."""

    publish_id: int
    published_at: datetime
    raw_dir: str
    current_rows: dict[str, int]
    validated_files: frozenset[FileStat] = frozenset()

    def min_current_rows(self, table: str, ratio: float) -> int | None:
        """The fewest current rows ``table`` may have now (None if it was not counted)."""
        if table not in self.current_rows:
            return None
        return math.ceil(self.current_rows[table] * ratio)


@dataclass(frozen=True)
class Publish:
    """One row of ``meta.publish_log``."""

    publish_id: int
    published_at: datetime
    run_id: str
    as_of_date: date
    last_complete_month: date
    git_sha: str
    duration_seconds: float
    mart_rows: dict[str, int]
    action: str = "publish"
    restores: int | None = None  # for a rollback: the publish whose marts it serves again


def _prefix(catalog: str | None) -> str:
    return f"{quote_identifier(catalog)}.{SCHEMA}" if catalog else SCHEMA


def has_table(con: duckdb.DuckDBPyConnection, table: str, catalog: str | None = None) -> bool:
    query = (
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    )
    params: list[str] = [SCHEMA, table]
    if catalog:
        query += " and table_catalog = ?"
        params.append(catalog)
    ((count,),) = con.execute(query, params).fetchall()
    return count > 0


# --- build file ------------------------------------------------------------------------------


def write_build_marker(build_path: Path, run_id: str, raw_dir: Path) -> None:
    """Record the run that finished building the file, and from which landing dir."""
    with duckdb.connect(str(build_path)) as con:
        con.execute(f"create schema if not exists {SCHEMA}")
        con.execute(
            f"create or replace table {SCHEMA}.build as "
            "select ? as run_id, ? as built_at, ? as raw_dir",
            [run_id, datetime.now(UTC).replace(tzinfo=None), str(raw_dir)],
        )


def read_build_marker(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str | None:
    """The run id that finished building database ``catalog`` of ``con`` (None if unmarked)."""
    if not has_table(con, "build", catalog):
        return None
    row = con.execute(f"select run_id from {_prefix(catalog)}.build").fetchone()
    return row[0] if row else None


# --- serving file ----------------------------------------------------------------------------


def read_baseline(serving_path: Path) -> Baseline | None:
    """The raw row counts and validated files of the last publish (serving file read-only;
    on Spark, ``serving_meta`` of the Spark warehouse)."""
    from orchestration.lib.settings import Settings  # settings does not import meta

    settings = Settings.from_env()
    if settings.on_spark:
        return read_spark_baseline(settings.spark_warehouse)
    if not serving_path.exists():
        return None
    with duckdb.connect(str(serving_path), read_only=True) as con:
        return _baseline(con)


def _baseline(con: duckdb.DuckDBPyConnection) -> Baseline | None:
    if not has_table(con, "publish_log"):
        return None
    last = con.execute(
        f"select publish_id, published_at, raw_dir from {SCHEMA}.publish_log "
        "order by publish_id desc limit 1"
    ).fetchone()
    if last is None:
        return None
    rows = con.execute(
        f"select table_name, current_rows from {SCHEMA}.raw_row_counts where publish_id = ?",
        [last[0]],
    ).fetchall()
    validated = (
        con.execute(
            f"select table_name, file_name, size, mtime_ns from {SCHEMA}.validated_files"
        ).fetchall()
        if has_table(con, "validated_files")  # absent in files published before it existed
        else []
    )
    return Baseline(last[0], last[1], last[2], dict(rows), frozenset(validated))


def publish_log(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[Publish]:
    """Every row of ``meta.publish_log`` of database ``catalog`` of ``con``, oldest first."""
    if not has_table(con, "publish_log", catalog):
        return []
    result = con.execute(f"select * from {_prefix(catalog)}.publish_log order by publish_id")
    columns = [column[0] for column in result.description]
    entries = []
    for values in result.fetchall():
        row = dict(zip(columns, values, strict=True))
        entries.append(
            Publish(
                publish_id=row["publish_id"],
                published_at=row["published_at"],
                run_id=row["run_id"],
                as_of_date=row["as_of_date"],
                last_complete_month=row["last_complete_month"],
                git_sha=row["git_sha"],
                duration_seconds=row["duration_seconds"],
                mart_rows=json.loads(row["mart_rows"]),
                action=row.get("action") or "publish",
                restores=row.get("restores"),
            )
        )
    return entries


def latest_publish(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> Publish | None:
    """The newest row of ``meta.publish_log`` of database ``catalog`` of ``con``, if any."""
    log = publish_log(con, catalog)
    return log[-1] if log else None


def create_serving_meta(con: duckdb.DuckDBPyConnection, previous: Path | None) -> int:
    """Create schema meta in a new serving candidate, with the history of ``previous`` (the
    current serving file, attached read-only) carried forward; returns the next publish id."""
    con.execute(f"create schema {SCHEMA}")
    for table, ddl in SERVING_HISTORY_DDL.items():
        con.execute(f"create table {SCHEMA}.{table} {ddl}")
    con.execute(f"create table {SCHEMA}.validated_files {VALIDATED_FILES_DDL}")
    if previous is not None and previous.exists():
        con.execute(f"attach {quote_literal(str(previous))} as previous (read_only)")
        try:
            for table in SERVING_HISTORY_DDL:
                if has_table(con, table, "previous"):  # older files lack newer tables
                    con.execute(  # by name: older files lack newer columns
                        f"insert into {SCHEMA}.{table} by name "
                        f"select * from previous.{SCHEMA}.{table}"
                    )
        finally:
            con.execute("detach previous")
    row = con.execute(f"select coalesce(max(publish_id), 0) + 1 from {SCHEMA}.publish_log")
    return int(row.fetchone()[0])


def _log(
    con: duckdb.DuckDBPyConnection,
    publish: Publish,
    *,
    raw_dir: str | None,
    landing_fingerprint: str | None,
) -> None:
    con.execute(
        f"insert into {SCHEMA}.publish_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            publish.publish_id,
            publish.published_at,
            publish.run_id,
            publish.as_of_date,
            publish.last_complete_month,
            publish.git_sha,
            publish.duration_seconds,
            raw_dir,
            landing_fingerprint,
            json.dumps(publish.mart_rows),
            publish.action,
            publish.restores,
        ],
    )
    con.executemany(
        f"insert into {SCHEMA}.publish_marts values (?, ?, ?)",
        [[publish.publish_id, mart, rows] for mart, rows in publish.mart_rows.items()],
    )


def record_publish(
    con: duckdb.DuckDBPyConnection,
    publish: Publish,
    *,
    raw_dir: Path,
    landing_fingerprint: str,
    raw_counts: Iterable[RawCount],
    validated_files: Iterable[FileStat],
) -> None:
    """Append ``publish`` to the candidate's history (after ``create_serving_meta``)."""
    _log(con, publish, raw_dir=str(raw_dir), landing_fingerprint=landing_fingerprint)
    counts = [
        [publish.publish_id, c.table, c.current_rows, c.raw_rows, c.batch_files, c.newest_loaded_at]
        for c in raw_counts
    ]
    if counts:
        con.executemany(f"insert into {SCHEMA}.raw_row_counts values (?, ?, ?, ?, ?, ?)", counts)
    files = [list(stat) for stat in validated_files]
    if files:
        con.executemany(f"insert into {SCHEMA}.validated_files values (?, ?, ?, ?)", files)


def record_rollback(
    con: duckdb.DuckDBPyConnection, publish: Publish, *, source_catalog: str
) -> None:
    """Append rollback ``publish`` (after ``create_serving_meta``): its row-count baseline and
    validated files are those of the publish it restores, attached as ``source_catalog``, so
    the next raw gate compares with, and skips the files validated by, what is served."""
    source = f"{quote_identifier(source_catalog)}.{SCHEMA}"
    restored = con.execute(
        f"select raw_dir, landing_fingerprint from {source}.publish_log where publish_id = ?",
        [publish.restores],
    ).fetchone()
    _log(
        con,
        publish,
        raw_dir=restored[0] if restored else None,
        landing_fingerprint=restored[1] if restored else None,
    )
    con.execute(
        f"insert into {SCHEMA}.raw_row_counts by name select * replace (? as publish_id) "
        f"from {source}.raw_row_counts where publish_id = ?",
        [publish.publish_id, publish.restores],
    )
    if has_table(con, "validated_files", source_catalog):
        con.execute(
            f"insert into {SCHEMA}.validated_files by name select * from {source}.validated_files"
        )


# --- Spark warehouse (CX_TARGET=spark) -------------------------------------------------------

SPARK_BUILD_MARKER = "_cx_build.json"
SPARK_META_DATABASE = "serving_meta"
SPARK_META_TABLES = (*SERVING_HISTORY_DDL, "validated_files")


def write_spark_build_marker(warehouse: Path, run_id: str, raw_dir: Path) -> None:
    """Record the run that finished the Spark build (``<warehouse>/_cx_build.json``)."""
    marker = warehouse / SPARK_BUILD_MARKER
    warehouse.mkdir(parents=True, exist_ok=True)
    temporary = marker.with_name(f".{marker.name}.{run_id}")
    built_at = datetime.now(UTC).replace(tzinfo=None).isoformat()
    temporary.write_text(
        json.dumps({"run_id": run_id, "built_at": built_at, "raw_dir": str(raw_dir)})
    )
    os.replace(temporary, marker)


def remove_spark_build_marker(warehouse: Path) -> None:
    """Before a Spark build: until the build finishes, the warehouse is nobody's build."""
    (warehouse / SPARK_BUILD_MARKER).unlink(missing_ok=True)


def read_spark_build_marker(warehouse: Path) -> str | None:
    """The run id that finished the Spark build in ``warehouse`` (None if unmarked)."""
    marker = warehouse / SPARK_BUILD_MARKER
    if not marker.exists():
        return None
    return json.loads(marker.read_text()).get("run_id")


def spark_meta_connection(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with schema ``meta``: a view per ``serving_meta`` table that has
    data files in ``warehouse`` (so ``has_table``, ``publish_log`` etc. work unchanged)."""
    con = duckdb.connect()
    con.execute(f"create schema {SCHEMA}")
    for table in SPARK_META_TABLES:
        folder = spark_files.table_dir(warehouse, SPARK_META_DATABASE, table)
        spark_files.create_parquet_view(con, SCHEMA, table, folder)
    return con


def read_spark_baseline(warehouse: Path) -> Baseline | None:
    with spark_meta_connection(warehouse) as con:
        return _baseline(con)


def spark_publish_log(warehouse: Path) -> list[Publish]:
    with spark_meta_connection(warehouse) as con:
        return publish_log(con)


def next_spark_publish_id(warehouse: Path) -> int:
    """One more than the newest logged publish (1 for the first)."""
    log = spark_publish_log(warehouse)
    return log[-1].publish_id + 1 if log else 1


def write_spark_publish_rows(
    folder: Path,
    publish: Publish,
    *,
    raw_dir: Path,
    landing_fingerprint: str,
    raw_counts: Iterable[RawCount],
    validated_files: Iterable[FileStat],
) -> dict[str, Path]:
    """This publish's rows of the four meta tables as Parquet files in ``folder`` (one per
    table, the serving file's columns and types), for the publish macro to insert."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    with duckdb.connect() as con:
        con.execute(f"create schema {SCHEMA}")
        for table, ddl in SERVING_HISTORY_DDL.items():
            con.execute(f"create table {SCHEMA}.{table} {ddl}")
        con.execute(f"create table {SCHEMA}.validated_files {VALIDATED_FILES_DDL}")
        record_publish(
            con,
            publish,
            raw_dir=raw_dir,
            landing_fingerprint=landing_fingerprint,
            raw_counts=raw_counts,
            validated_files=validated_files,
        )
        for table in SPARK_META_TABLES:
            paths[table] = folder / f"{table}.parquet"
            con.execute(
                f"copy {SCHEMA}.{table} to {quote_literal(str(paths[table]))} (format parquet)"
            )
    return paths
