"""Run `dbt build` on the spark target (CX_TARGET=spark, docs/spark.md): a local PySpark
session inside the dbt process, its warehouse and Derby metastore in a dir of the test's own,
and read the marts back from their Parquet files."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"


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
    command = [
        str(DBT),
        "build",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        "--vars",
        f"{{as_of_date: {as_of_date}}}",
        *args,
    ]
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
