"""Read what the Spark publish serves, through the metastore, in a PySpark subprocess (never
in the pytest process: the Derby metastore admits one JVM at a time, and the next dbt run
needs it).

``read_serving(warehouse, metastore, out_dir, marts)`` returns ``serving.current_publish``
and writes every ``serving.<mart>`` view's rows as Parquet to ``out_dir/<mart>/``, for the
test to compare with DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def read_serving(warehouse: Path, metastore: Path, out_dir: Path, marts: list[str]) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, str(warehouse), str(metastore), str(out_dir), *marts]
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=os.environ, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return json.loads((out_dir / "serving.json").read_text())


def _main(warehouse: str, metastore: str, out_dir: str, *marts: str) -> None:
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.sql.warehouse.dir", warehouse)
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            "jdbc:derby:;databaseName=metastore_db;create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={metastore}")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .enableHiveSupport()
        .getOrCreate()
    )
    try:
        (current,) = spark.sql("select publish_id from serving.current_publish").collect()
        for mart in marts:
            spark.table(f"serving.{mart}").write.mode("overwrite").parquet(f"{out_dir}/{mart}")
        views = sorted(row[1] for row in spark.sql("show views in serving").collect())  # viewName
        partitions = {
            mart: sorted(
                int(row[0].split("=")[1])
                for row in spark.sql(f"show partitions serving_history.{mart}").collect()
            )
            for mart in marts
        }
    finally:
        spark.stop()
    summary = {"current_publish": current[0], "views": views, "partitions": partitions}
    Path(out_dir, "serving.json").write_text(json.dumps(summary))


if __name__ == "__main__":
    _main(*sys.argv[1:])
