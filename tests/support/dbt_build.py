"""Run `dbt build` the way schedulers and acceptance checks do (docs/marts.md "How the
warehouse is run"), into a DuckDB file of the test's own, and read the marts back."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.lib.dbt_cli import dbt_command
from orchestration.lib.settings import PROJECT_DIR


@dataclass
class Build:
    returncode: int
    output: str
    db_path: Path

    def query(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.sql(sql).df()

    def records(self, sql: str) -> list[dict]:
        """Rows as dicts of Python values (DATE columns stay ``datetime.date``)."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            relation = con.sql(sql)
            return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]

    def tables(self, schema: str) -> set[str]:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            rows = con.sql(
                "select table_name from information_schema.tables where table_schema = ?",
                params=[schema],
            ).fetchall()
        return {name for (name,) in rows}


def dbt_build(raw_dir: Path, work_dir: Path, as_of_date: str | None = None, *args: str) -> Build:
    """`dbt build` on ``raw_dir`` into ``work_dir/cx.duckdb``; never raises on dbt failure."""
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "cx.duckdb"
    command = dbt_command(
        "build", *args, target_path=work_dir / "target", log_path=work_dir / "logs"
    )
    if as_of_date is not None:
        command += ["--vars", f"{{as_of_date: {as_of_date}}}"]
    env = {
        **os.environ,
        "CX_TARGET": "duckdb",  # also when a Spark test has set CX_TARGET=spark
        "CX_RAW_DIR": str(raw_dir),
        "CX_DUCKDB_PATH": str(db_path),
    }
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    return Build(result.returncode, result.stdout + result.stderr, db_path)
