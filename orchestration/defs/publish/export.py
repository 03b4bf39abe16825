"""Export the finance marts as CSV, Parquet and an XLSX workbook for finance (`make export`).

Reads the serving DuckDB file (``CX_SERVING_PATH``, default data/warehouse/serving.duckdb)
read-only, or the warehouse file (``CX_DUCKDB_PATH``, default data/warehouse/cx.duckdb) when
there is no serving file, and writes::

    data/exports/<as_of_date>/<mart>.csv         # rounded, `all` rows first (see workbook.py)
    data/exports/<as_of_date>/<mart>.parquet     # full precision and types
    data/exports/<as_of_date>/finance_marts.xlsx # a sheet per mart, definitions, about
    data/exports/<as_of_date>/manifest.json      # as-of date, last complete month, publish
                                                 # id, git sha, rows, sha256, column dictionary

The same warehouse gives the same CSV and Parquet files. An existing export of the same
as-of date is replaced as a whole (written aside, then swapped in).

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

from orchestration.defs.publish.workbook import Column, columns_of, finance_select, write_workbook
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
WORKBOOK = "finance_marts.xlsx"


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


def last_complete_month(
    con: duckdb.DuckDBPyConnection, published: meta.Publish | None
) -> date | None:
    """The last complete month the marts report: the publish's, else the build's."""
    if published is not None:
        return published.last_complete_month
    relation = find_table(con, "int_reporting_period", ("intermediate",))
    if relation is None:
        return None
    return con.execute(f"select max(last_complete_month) from {relation}").fetchone()[0]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_table(
    con: duckdb.DuckDBPyConnection, relation: str, directory: Path, name: str
) -> tuple[list[Column], list[tuple], dict[str, ExportedFile]]:
    """Write ``relation`` as CSV (for finance: rounded, ``all`` first) and Parquet (full
    precision, sorted by every column); its columns, finance rows and files."""
    columns = columns_of(con, relation, name)
    finance = finance_select(relation, columns)
    files: dict[str, ExportedFile] = {}
    for kind, query, options in (
        ("csv", finance, "format csv, header true"),
        ("parquet", f"select * from {relation} order by all", "format parquet"),
    ):
        target = directory / f"{name}.{kind}"
        con.execute(f"copy ({query}) to {quote_literal(str(target))} ({options})")
        files[kind] = ExportedFile(target.name, target.stat().st_size, sha256(target))
    return columns, con.execute(finance).fetchall(), files


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
            tables, sheets = {}, {}
            for name, relation in relations.items():
                columns, rows, files = export_table(con, relation, staging, name)
                sheets[name] = (columns, rows)
                tables[name] = {
                    "rows": len(rows),
                    "files": {kind: asdict(file) for kind, file in files.items()},
                    "columns": [column.as_dict() for column in columns],
                }
            last_month = last_complete_month(con, published)
            workbook = staging / WORKBOOK
            write_workbook(
                workbook,
                sheets,
                {
                    "what": "cx-warehouse finance marts (one sheet each; see definitions)",
                    "as_of_date": as_of,
                    "last_complete_month": last_month,
                    "publish_id": published.publish_id if published else "none (bare build)",
                    "git_sha": published.git_sha if published else git_sha(),
                    "rounding": "money to cents, rates and other decimals to 4 places; the "
                    "Parquet files keep full precision",
                    "order": "by month, the 'all' rows first, then every column",
                },
            )
            manifest = {
                "as_of_date": as_of.isoformat(),
                "last_complete_month": last_month.isoformat() if last_month else None,
                "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
                # the commit that built the data: the publish's, else (a bare build) this one
                "git_sha": published.git_sha if published else git_sha(),
                "publish_id": published.publish_id if published else None,
                "source_database": str(source),
                "workbook": asdict(
                    ExportedFile(WORKBOOK, workbook.stat().st_size, sha256(workbook))
                ),
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
