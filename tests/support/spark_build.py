"""Run `dbt build` on the spark target (CX_TARGET=spark, docs/spark.md): a local PySpark
session inside the dbt process, its warehouse and Derby metastore in a dir of the test's own,
and read the marts back from their Parquet files."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.dbt_cli import dbt_command
from orchestration.lib.settings import PROJECT_DIR


@dataclass
class SparkBuild:
    returncode: int
    output: str
    warehouse: Path

    def mart_dir(self, mart: str) -> Path:
        return self.warehouse / "marts.db" / mart


def spark_dbt_build(raw_dir: Path, work_dir: Path, as_of_date: str, *args: str) -> SparkBuild:
    """`dbt build` on Spark of ``raw_dir`` into ``work_dir/wh``; never raises on dbt failure."""
    work_dir.mkdir(parents=True, exist_ok=True)
    warehouse = work_dir / "wh"
    command = dbt_command(
        "build",
        "--vars",
        f"{{as_of_date: {as_of_date}}}",
        *args,
        target_path=work_dir / "target",
        log_path=work_dir / "logs",
    )
    env = {
        **os.environ,
        "CX_TARGET": "spark",
        "CX_RAW_DIR": str(raw_dir),
        "CX_SPARK_WAREHOUSE": str(warehouse),
        "CX_SPARK_METASTORE": str(work_dir / "metastore"),
        # a handful of rows: few shuffle partitions keep every query short
        "CX_SPARK_SHUFFLE_PARTITIONS": os.environ.get("CX_SPARK_SHUFFLE_PARTITIONS", "2"),
    }
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    return SparkBuild(result.returncode, result.stdout + result.stderr, warehouse)
