"""Where the refresh reads and writes, resolved once from the environment.

| variable | default | what |
|---|---|---|
| ``CX_RAW_DIR`` | ``data/raw`` | the landing directory (docs/raw-contract.md) |
| ``CX_DUCKDB_PATH`` | ``data/warehouse/cx.duckdb`` | the build (candidate) file dbt writes |
| ``CX_SERVING_PATH`` | ``data/warehouse/serving.duckdb`` | the file BI tools open read-only |
| ``CX_GX_DIR`` | ``data`` | Great Expectations Data Docs go to ``<dir>/gx/data_docs`` |
| ``CX_SENSOR_SETTLE_SECONDS`` | ``30`` | a new batch file must be this old before the sensor acts |
| ``CX_LOG_DIR`` | ``data/logs`` | ``cli run`` writes each refresh's full log here |
| ``CX_SERVING_KEEP`` | ``7`` | how many published files are kept for ``cli rollback`` |
| ``CX_SERVING_STORAGE_VERSION`` | ``v1.4.0`` | the serving file's storage version (DuckDB 1.4+) |
| ``CX_TARGET`` | ``duckdb`` | the engine: ``duckdb`` or ``spark`` (docs/spark.md) |
| ``CX_SPARK_WAREHOUSE`` | ``data/spark-warehouse`` | Spark: the warehouse dir (marts and serving) |
| ``CX_SPARK_METASTORE`` | ``<warehouse>-metastore`` | Spark: the Derby metastore home |

``CX_TARGET``, ``CX_SPARK_WAREHOUSE`` and ``CX_SPARK_METASTORE`` are read by ``profiles.yml``
too (its ``target`` and ``spark`` output): the defaults here are the profile's, and
``dbt_env`` passes the resolved values to dbt, so both always name the same dirs (a test in
tests/unit checks the defaults agree).

Relative paths are relative to the project root (where dbt runs), whatever the current
directory. The build file and the serving file must be different files; the serving file is
only ever replaced whole (see ``orchestration.defs.publish.serving``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
DBT_TARGET_DIR = "target_orch"  # this code location's dbt artifacts (manifest, per-run dirs)
MARTS_SCHEMA = "marts"  # the public marts, in the build and the serving file
TARGETS = ("duckdb", "spark")  # profiles.yml outputs the refresh runs on (CX_TARGET)
SPARK_PASSTHROUGH = (  # Spark session knobs profiles.yml reads, passed to dbt as they are
    "CX_SPARK_SHUFFLE_PARTITIONS",
    "CX_SPARK_DRIVER_MEMORY",
    "CX_SPARK_CORES",
)


def _path(variable: str, default: str) -> Path:
    value = os.environ.get(variable, "").strip() or default
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    build_path: Path
    serving_path: Path
    gx_dir: Path
    log_dir: Path = PROJECT_DIR / "data" / "logs"
    sensor_settle_seconds: float = 30.0
    expectations_dir: Path = EXPECTATIONS_DIR
    gate_memory_limit: str = "3GB"  # the raw gate's DuckDB (it spills beyond)
    gate_chunk_rows: int = 1_000_000  # GX validates at most this many rows per DataFrame
    serving_keep: int = 7  # published files kept for rollback (the serving file's included)
    serving_storage_version: str = "v1.4.0"
    target: str = "duckdb"  # CX_TARGET: duckdb or spark
    spark_warehouse: Path = PROJECT_DIR / "data" / "spark-warehouse"
    spark_metastore: Path = PROJECT_DIR / "data" / "spark-warehouse-metastore"

    @classmethod
    def from_env(cls) -> Settings:
        target = os.environ.get("CX_TARGET", "").strip() or "duckdb"
        if target not in TARGETS:
            raise ValueError(f"CX_TARGET must be one of {', '.join(TARGETS)}, not {target!r}")
        warehouse = _path("CX_SPARK_WAREHOUSE", "data/spark-warehouse")
        settings = cls(
            raw_dir=_path("CX_RAW_DIR", "data/raw"),
            build_path=_path("CX_DUCKDB_PATH", "data/warehouse/cx.duckdb"),
            serving_path=_path("CX_SERVING_PATH", "data/warehouse/serving.duckdb"),
            gx_dir=_path("CX_GX_DIR", "data"),
            log_dir=_path("CX_LOG_DIR", "data/logs"),
            sensor_settle_seconds=float(os.environ.get("CX_SENSOR_SETTLE_SECONDS", "30")),
            gate_memory_limit=os.environ.get("CX_GATE_MEMORY_LIMIT", "3GB"),
            gate_chunk_rows=int(os.environ.get("CX_GATE_CHUNK_ROWS", "1000000")),
            serving_keep=int(os.environ.get("CX_SERVING_KEEP", "7")),
            serving_storage_version=os.environ.get("CX_SERVING_STORAGE_VERSION", "").strip()
            or "v1.4.0",
            target=target,
            spark_warehouse=warehouse,
            spark_metastore=_path("CX_SPARK_METASTORE", f"{warehouse}-metastore"),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.serving_keep < 1:
            raise ValueError(f"CX_SERVING_KEEP must be at least 1, not {self.serving_keep}")
        if self.build_path.resolve() == self.serving_path.resolve():
            raise ValueError(
                f"CX_DUCKDB_PATH and CX_SERVING_PATH are both {self.build_path}: the build "
                "file must differ from the serving file, which is only ever replaced whole"
            )

    @property
    def dbt_env(self) -> dict[str, str]:
        """The variables dbt reads (profiles.yml, dbt_project.yml), as absolute paths."""
        env = {
            "CX_RAW_DIR": str(self.raw_dir),
            "CX_DUCKDB_PATH": str(self.build_path),
            "CX_TARGET": self.target,
        }
        if self.target == "spark":
            env["CX_SPARK_WAREHOUSE"] = str(self.spark_warehouse)
            env["CX_SPARK_METASTORE"] = str(self.spark_metastore)
            env.update({k: os.environ[k] for k in SPARK_PASSTHROUGH if os.environ.get(k)})
        return env

    @property
    def on_spark(self) -> bool:
        return self.target == "spark"

    @property
    def gate_temp_dir(self) -> Path:
        """Where the raw gate's DuckDB spills (next to the build file, like dbt's)."""
        return self.build_path.with_name(self.build_path.name + ".gate.tmp")

    @property
    def gate_index_path(self) -> Path:
        """The raw gate's landing index (orchestration/quality/landing_index.py), a cache
        next to the build file: each batch file's keys and load order, read once."""
        return self.build_path.with_name(self.build_path.name + ".gate.duckdb")

    @property
    def data_docs_dir(self) -> Path:
        return self.gx_dir / "gx" / "data_docs"

    @property
    def data_docs_index(self) -> Path:
        return self.data_docs_dir / "index.html"
