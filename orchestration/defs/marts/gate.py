"""The mart gate: every model in schema ``marts`` validated with GX after dbt built it.

The marts come from the dbt manifest, so a new mart is gated without code changes: every
mart gets ``_every_mart.mart.json`` (its columns are exactly its dbt contract, no PII column,
not empty, no e-mail-like value in any text column) and, when the file exists, its own
``<mart>.mart.json`` (rates in range, bridge reconciliation, contiguous months, ...).
The frames are read from the build file, opened read-only; on Spark (CX_TARGET=spark) from
the marts' Parquet files in the Spark warehouse, as views of an in-memory DuckDB schema
``marts`` (timestamps as naive UTC), so the same validation runs on both engines.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster import AssetCheckExecutionContext

from orchestration.defs.dbt.project import mart_key
from orchestration.lib import spark_files
from orchestration.lib.meta import read_build_marker, read_spark_build_marker
from orchestration.lib.run_records import MART_GATE_CHECK
from orchestration.lib.settings import MARTS_SCHEMA, Settings
from orchestration.quality.frames import mart_frame
from orchestration.quality.gx_runner import Failure, GxRunner, Validation, runner_for
from orchestration.quality.suites import expand_for_each_column, mart_suite

INDEX_TYPES = ("DATE", "VARCHAR")
BUILD_SCHEMAS = ("intermediate", "reference")  # besides marts, what a suite may read on Spark


@dataclass
class MartGateOutcome:
    validations: dict[str, Validation]
    built_by_run: str | None
    data_docs: Path | None = None

    @property
    def passed(self) -> bool:
        return all(v.success for v in self.validations.values())


def _column_types(con: duckdb.DuckDBPyConnection, mart: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [MARTS_SCHEMA, mart],
    ).fetchall()
    return dict(rows)


def validate_mart(
    con: duckdb.DuckDBPyConnection,
    runner: GxRunner,
    expectations_dir: Path,
    node: Mapping[str, Any],
) -> Validation:
    name = node["name"]
    suite = mart_suite(expectations_dir, name)
    meta = suite["meta"]
    contract = list(node["columns"])
    derived = meta.get("derived_columns", {})
    types = _column_types(con, name)
    if not types:
        failure = Failure(
            name,
            "read",
            None,
            None,
            None,
            None,
            [],
            None,
            {},
            error=f"{MARTS_SCHEMA}.{name} is not in the build (no table, or no Parquet files)",
        )
        return Validation(name, suite["name"], False, 1, 0, [failure])
    suite = expand_for_each_column(suite, types)
    if "index_columns" not in meta:
        meta["index_columns"] = [c for c in contract if types.get(c) in INDEX_TYPES][:4]
    frame = mart_frame(con, MARTS_SCHEMA, name, derived)
    pii = {c.lower() for c in meta.get("pii_column_names", [])}
    parameters = {
        "contract_columns": contract + list(derived),
        "columns_without_pii": [c for c in frame.columns if c.lower() not in pii],
    }
    return runner.validate(name, suite, frame, parameters)


def spark_marts_connection(warehouse: Path, marts: list[str]) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB, schema ``marts``: a view per mart over its Parquet files in the Spark
    warehouse (a mart without files has no view, and ``validate_mart`` fails it by name),
    and a view per table of ``BUILD_SCHEMAS``."""
    con = duckdb.connect()
    con.execute(f"create schema {MARTS_SCHEMA}")
    for mart in marts:
        folder = spark_files.table_dir(warehouse, MARTS_SCHEMA, mart)
        spark_files.create_parquet_view(con, MARTS_SCHEMA, mart, folder)
    # the suites' derived columns read other build tables (intermediate.int_reporting_period)
    for schema in BUILD_SCHEMAS:
        for folder in sorted(warehouse.glob(f"{schema}.db/*/")):
            spark_files.create_parquet_view(con, schema, folder.name, folder)
    return con


def validate_marts(
    settings: Settings, runner: GxRunner, marts: list[Mapping[str, Any]]
) -> MartGateOutcome:
    if settings.on_spark:
        warehouse = settings.spark_warehouse
        with spark_marts_connection(warehouse, [node["name"] for node in marts]) as con:
            validations = {
                node["name"]: validate_mart(con, runner, settings.expectations_dir, node)
                for node in marts
            }
        return MartGateOutcome(validations, read_spark_build_marker(warehouse))
    if not settings.build_path.exists():
        raise FileNotFoundError(f"the build file {settings.build_path} does not exist")
    with duckdb.connect(str(settings.build_path), read_only=True) as con:
        built_by = read_build_marker(con)
        validations = {
            node["name"]: validate_mart(con, runner, settings.expectations_dir, node)
            for node in marts
        }
    return MartGateOutcome(validations, built_by)


def _metadata(validation: Validation, gate: MartGateOutcome) -> dict[str, dg.MetadataValue]:
    metadata: dict[str, dg.MetadataValue] = {
        "mart": dg.MetadataValue.text(validation.table),
        "rows": dg.MetadataValue.int(validation.rows),
        "expectations_evaluated": dg.MetadataValue.int(validation.evaluated),
        "expectations_failed": dg.MetadataValue.int(len(validation.failures)),
        "result": dg.MetadataValue.md(
            "\n".join(f"- {line}" for line in validation.describe().splitlines())
        ),
        "built_by_run": dg.MetadataValue.text(gate.built_by_run or "unknown"),
    }
    if validation.docs_url:
        metadata["data_docs"] = dg.MetadataValue.url(validation.docs_url)
    if gate.data_docs is not None:
        metadata["data_docs_index"] = dg.MetadataValue.path(str(gate.data_docs))
    return metadata


def build_mart_gate(marts: list[Mapping[str, Any]]) -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            MART_GATE_CHECK,
            asset=mart_key(node),
            blocking=True,
            description=(
                f"GX suites _every_mart.mart + {node['name']}.mart (if present): contract "
                "columns, not empty, no PII column or e-mail-like value, and the mart's rules."
            ),
        )
        for node in marts
    ]

    @dg.multi_asset_check(specs=specs, name="mart_gate")
    def mart_gate(context: AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        """Validate every mart of the build file with GX; blocks the publish."""
        settings = Settings.from_env()
        runner = runner_for(settings.data_docs_dir)
        gate = validate_marts(settings, runner, marts)
        gate.data_docs = runner.build_docs()
        for node in marts:
            validation = gate.validations[node["name"]]
            if not validation.success:
                context.log.error(validation.describe())
            yield dg.AssetCheckResult(
                asset_key=mart_key(node),
                check_name=MART_GATE_CHECK,
                passed=validation.success,
                severity=dg.AssetCheckSeverity.ERROR,
                description=validation.describe(),
                metadata=_metadata(validation, gate),
            )

    return mart_gate
