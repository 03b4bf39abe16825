"""Export the finance marts as CSV and Parquet for the finance workbook (`make export`).

Reads the serving DuckDB file (``CX_SERVING_PATH``, default data/warehouse/serving.duckdb)
read-only, or the warehouse file (``CX_DUCKDB_PATH``, default data/warehouse/cx.duckdb) when
there is no serving file, and writes::

    data/exports/<as_of_date>/<mart>.csv
    data/exports/<as_of_date>/<mart>.parquet
    data/exports/<as_of_date>/manifest.json   # as-of date, row counts, sha256, git sha

Rows are sorted by every column, so the same warehouse gives the same files. An existing
export of the same as-of date is replaced as a whole (written aside, then swapped in).

Usage::

    python -m orchestration.defs.publish.export [--database PATH] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.lib import meta
from orchestration.lib.git import git_sha
from orchestration.lib.settings import Settings
from orchestration.lib.sql import quote_identifier, quote_literal

FINANCE_MARTS = (
    "mrr_bridge",
    "churn_by_support_experience",
    "cx_improvement_value",
    "revenue_by_tenure",
    "cac_payback_by_channel",
)
DEFAULT_OUT_DIR = "data/exports"


class ExportError(RuntimeError):
    """The export cannot run: no database, or a mart or the as-of date is missing."""


@dataclass(frozen=True)
class ExportedFile:
    path: str
    bytes: int
    sha256: str


def source_database(explicit: str | None = None) -> Path:
    """The database to read: ``explicit``, else the serving file, else the warehouse file."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ExportError(f"database {path} does not exist")
        return path
    settings = Settings.from_env()
    serving, warehouse = settings.serving_path, settings.build_path
    for path in (serving, warehouse):
        if path.is_file():
            return path
    raise ExportError(
        f"no warehouse to export from: neither the serving file {serving} (CX_SERVING_PATH) "
        f"nor the warehouse file {warehouse} (CX_DUCKDB_PATH) exists; build it first "
        "(make run or make build)"
    )


def find_table(con: duckdb.DuckDBPyConnection, name: str, schemas: tuple[str, ...]) -> str | None:
    """``"schema"."name"`` of the first of ``schemas`` holding the table, else None."""
    rows = con.execute(
        "select table_schema from information_schema.tables where table_name = ?", [name]
    ).fetchall()
    found = {schema for (schema,) in rows}
    for schema in schemas:
        if schema in found:
            return f"{quote_identifier(schema)}.{quote_identifier(name)}"
    return None


def as_of_date(con: duckdb.DuckDBPyConnection) -> date:
    """The build's as-of date: int_reporting_period, else cx_improvement_value."""
    for table, schemas in (
        ("int_validated_reporting_period", ("intermediate",)),
        ("int_reporting_period", ("intermediate",)),
        ("cx_improvement_value", ("marts", "main")),
    ):
        relation = find_table(con, table, schemas)
        if relation is not None:
            row = con.execute(f"select max(as_of_date) from {relation}").fetchone()
            if row is not None and row[0] is not None:
                return row[0]
    raise ExportError(
        "the database has no as-of date (int_reporting_period / cx_improvement_value)"
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_table(
    con: duckdb.DuckDBPyConnection, relation: str, directory: Path, name: str
) -> tuple[int, dict[str, ExportedFile]]:
    """Write ``relation`` sorted by all columns as CSV and Parquet; row count and files."""
    row = con.execute(f"select count(*) from {relation}").fetchone()
    rows = int(row[0]) if row is not None else 0
    files: dict[str, ExportedFile] = {}
    for kind, options in (("csv", "format csv, header true"), ("parquet", "format parquet")):
        target = directory / f"{name}.{kind}"
        con.execute(
            f"copy (select * from {relation} order by all) to {quote_literal(str(target))} "
            f"({options})"
        )
        files[kind] = ExportedFile(target.name, target.stat().st_size, sha256(target))
    return rows, files


def export(database: str | None = None, out_dir: str | None = None) -> Path:
    """Export the finance marts; returns the directory written."""
    source = source_database(database)
    with duckdb.connect(str(source), read_only=True) as con:
        found = {name: find_table(con, name, ("marts", "main")) for name in FINANCE_MARTS}
        relations = {name: relation for name, relation in found.items() if relation is not None}
        missing = [name for name in FINANCE_MARTS if name not in relations]
        if missing:
            raise ExportError(
                f"{source} has no mart(s) {', '.join(missing)}; build the marts first"
            )
        as_of = as_of_date(con)
        published = meta.latest_publish(con)
        root = Path(out_dir or DEFAULT_OUT_DIR)
        final_dir = root / as_of.isoformat()
        staging = root / f".{as_of.isoformat()}.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            tables = {}
            for name, relation in relations.items():
                rows, files = export_table(con, relation, staging, name)
                tables[name] = {
                    "rows": rows,
                    "files": {kind: asdict(file) for kind, file in files.items()},
                }
            manifest = {
                "as_of_date": as_of.isoformat(),
                "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
                # the commit that built the data: the publish's, else (a bare build) this one
                "git_sha": published.git_sha if published else git_sha(),
                "publish_id": published.publish_id if published else None,
                "source_database": str(source),
                "tables": tables,
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
            shutil.rmtree(final_dir, ignore_errors=True)
            staging.rename(final_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return final_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="DuckDB file to read (default: serving, else warehouse)")
    parser.add_argument("--out-dir", default=DEFAULT_OUT_DIR, help="exports root (data/exports)")
    args = parser.parse_args(argv)
    try:
        directory = export(args.database, args.out_dir)
    except ExportError as error:
        print(f"export failed: {error}", file=sys.stderr)
        return 1
    manifest = json.loads((directory / "manifest.json").read_text())
    for name, table in manifest["tables"].items():
        print(f"{name:<30} {table['rows']:>8} rows")
    print(f"exported to {directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
