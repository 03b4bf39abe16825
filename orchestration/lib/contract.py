"""The raw landing contract as Python sees it, read from the dbt sources yml.

The column lists and types of every raw table live once, in
``models/staging/<source>/_<source>__sources.yml`` (``data_type`` per column); dbt checks
them per batch file and this module turns them into Arrow schemas for the sample-data
generator, the test fixtures and the raw quality gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import yaml

from orchestration.lib.settings import PROJECT_DIR

SOURCES_GLOB = "models/staging/*/_*__sources.yml"

ARROW_TYPES: dict[str, pa.DataType] = {
    "varchar": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


@dataclass(frozen=True)
class RawTable:
    """One landing table: ``<source>/<name>`` with its contract columns."""

    source: str
    name: str
    schema: pa.Schema
    key_columns: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def has_updated_at(self) -> bool:
        return "updated_at" in self.schema.names


def _key_columns(table: dict) -> tuple[str, ...]:
    try:
        return tuple(table["config"]["meta"]["primary_key"])
    except KeyError:
        raise ValueError(f"source table {table['name']} declares no meta.primary_key") from None


@cache
def batch_file_glob(project_dir: Path = PROJECT_DIR) -> str:
    """What a batch file of a raw table is called, e.g. ``[!.]*.parquet``: the one definition,
    ``sources: +meta: batch_file_glob`` in dbt_project.yml, which dbt's sources read too."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return project["sources"]["cx_warehouse"]["+meta"]["batch_file_glob"]


@cache
def raw_tables(project_dir: Path = PROJECT_DIR) -> dict[str, RawTable]:
    """All landing tables keyed by ``<source>/<table>``, in the order the yml lists them."""
    tables: dict[str, RawTable] = {}
    for sources_file in sorted(project_dir.glob(SOURCES_GLOB)):
        for source in yaml.safe_load(sources_file.read_text())["sources"]:
            for table in source["tables"]:
                schema = pa.schema(
                    [
                        pa.field(column["name"], ARROW_TYPES[column["data_type"]])
                        for column in table["columns"]
                    ]
                )
                raw = RawTable(source["name"], table["name"], schema, _key_columns(table))
                tables[raw.path] = raw
    return tables
