"""Publish on Spark (CX_TARGET=spark): the validated marts of the Spark warehouse served as
one publish, switched in for readers in one metastore update.

Layout, all in the Spark warehouse (``CX_SPARK_WAREHOUSE``) and its metastore:

- ``serving_history.<mart>``: every kept publish of the mart, partitioned by ``publish_id``;
- ``serving.current_publish``: a one-row view, ``select <id> as publish_id``;
- ``serving.<mart>``: a view, the mart's columns from ``serving_history.<mart>`` where
  ``publish_id = (select publish_id from serving.current_publish)``;
- ``serving_meta.{publish_log, publish_marts, raw_row_counts, validated_files}``: the serving
  file's meta tables (orchestration/lib/meta.py), same columns.

The publish (``macros/publish/publish_serving.sql``, run as ``dbt run-operation`` in its own
process: the Derby metastore admits one JVM, never this one) writes every mart's partition
and the meta rows first, then replaces ``serving.current_publish``: that one view update is
the switch. A failure before it leaves the old publish served (docs/spark.md, "The refresh
job on Spark", says what this guarantees and what it does not).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.defs.publish.serving import PublishError, PublishRecord, publish_entry
from orchestration.lib import meta, spark_files
from orchestration.lib.dbt_cli import dbt_command
from orchestration.lib.landing import FileStat
from orchestration.lib.locks import FileLock, LockHeldError, lock_path
from orchestration.lib.settings import DBT_TARGET_DIR, MARTS_SCHEMA, PROJECT_DIR, Settings

PUBLISH_MACRO = "publish_serving"
STAGING_DIR = "_cx_publish"  # <warehouse>/_cx_publish/<run>/: the meta rows for the macro
OUTPUT_TAIL = 30  # lines of dbt's output a failure quotes
LINE_CHARS = 400  # ... each cut to this length (Spark errors come with the JVM stack on one line)


def _build_facts(warehouse: Path, marts: list[str]) -> tuple[object, object, dict[str, int]]:
    """(as_of_date, last_complete_month, rows per mart) of the build, from its Parquet."""
    with duckdb.connect() as con:
        period = spark_files.table_dir(warehouse, "intermediate", "int_reporting_period")
        if not spark_files.create_parquet_view(con, "intermediate", "period", period):
            raise PublishError(f"the build has no intermediate.int_reporting_period ({period})")
        as_of_date, last_complete_month = con.execute(
            "select as_of_date, last_complete_month from intermediate.period"
        ).fetchone()
        rows = {}
        for mart in marts:
            folder = spark_files.table_dir(warehouse, MARTS_SCHEMA, mart)
            if not spark_files.create_parquet_view(con, MARTS_SCHEMA, mart, folder):
                raise PublishError(f"{MARTS_SCHEMA}.{mart} is not in the build ({folder})")
            (rows[mart],) = con.execute(f'select count(*) from {MARTS_SCHEMA}."{mart}"').fetchone()
    return as_of_date, last_complete_month, rows


def _tail(output: str) -> list[str]:
    """The end of dbt's output without Java stack frames, long lines cut."""
    lines = [line[:LINE_CHARS] for line in output.splitlines() if line.strip()]
    return [line for line in lines if not line.lstrip().startswith("at ")][-OUTPUT_TAIL:]


def run_publish_macro(
    settings: Settings, publish_id: int, marts: list[str], meta_dir: Path, run_id: str
) -> subprocess.CompletedProcess[str]:
    """``dbt run-operation publish_serving`` on the Spark target; never raises on failure."""
    args = {"publish_id": publish_id, "marts": marts, "meta_dir": str(meta_dir)}
    args["keep"] = settings.serving_keep
    target = PROJECT_DIR / DBT_TARGET_DIR / "runs" / f"{run_id}-publish"
    command = dbt_command(
        "run-operation", PUBLISH_MACRO, "--args", json.dumps(args), target_path=target
    )
    env = {**os.environ, **settings.dbt_env, "DBT_USE_COLORS": "false"}
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )


def publish_on_spark(
    settings: Settings,
    *,
    run_id: str,
    marts: list[str],
    raw_counts: dict[str, meta.RawCount],
    landing_fingerprint: str,
    run_started_at: datetime,
    validated_files: list[FileStat] | None = None,
) -> PublishRecord:
    """Publish the marts of the Spark warehouse (built by ``run_id``) as the next publish."""
    warehouse = settings.spark_warehouse
    lock = FileLock(lock_path(warehouse), f"the Spark warehouse {warehouse}")
    try:
        lock.acquire()
    except LockHeldError as error:
        raise PublishError(str(error)) from error
    try:
        built_by = meta.read_spark_build_marker(warehouse)
        if built_by != run_id:
            raise PublishError(
                f"the Spark warehouse {warehouse} was built by run {built_by}, not by this run "
                f"{run_id}: only a build validated in the same run is published"
            )
        as_of_date, last_complete_month, mart_rows = _build_facts(warehouse, marts)
        publish_id = meta.next_spark_publish_id(warehouse)
        published_at = datetime.now(UTC).replace(tzinfo=None)
        entry = publish_entry(
            publish_id,
            published_at,
            run_id,
            as_of_date,
            last_complete_month,
            mart_rows,
            run_started_at,
        )
        meta_dir = warehouse / STAGING_DIR / run_id
        try:
            meta.write_spark_publish_rows(
                meta_dir,
                entry,
                raw_dir=settings.raw_dir,
                landing_fingerprint=landing_fingerprint,
                raw_counts=[raw_counts[table] for table in sorted(raw_counts)],
                validated_files=validated_files or [],
            )
            result = run_publish_macro(settings, publish_id, marts, meta_dir, run_id)
        finally:
            shutil.rmtree(meta_dir, ignore_errors=True)
        if result.returncode != 0:
            tail = _tail(result.stdout + result.stderr)
            raise PublishError(
                f"publish #{publish_id} failed in `dbt run-operation {PUBLISH_MACRO}` "
                f"(exit {result.returncode}); serving.current_publish was not switched, the "
                "previous publish is still served. dbt said:\n" + "\n".join(tail)
            )
    finally:
        lock.release()
    history = warehouse / "serving_history.db"
    size = sum(
        path.stat().st_size
        for path in history.glob(f"*/publish_id={publish_id}/*.parquet")
        if path.is_file()
    )
    return PublishRecord(**entry.__dict__, serving_path=None, serving_bytes=size)
