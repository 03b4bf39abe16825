"""BI drivers embed older DuckDB versions: a DuckDB 1.4 LTS client (a second environment the
test makes once, under data/test-envs/) opens the published serving file read-only and reads
every mart equal to the build."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.lib.locks import FileLock, lock_path
from orchestration.lib.settings import PROJECT_DIR
from tests.orchestration.conftest import Warehouse, failed_checks, run_refresh

pytestmark = pytest.mark.e2e

OLD_CLIENT = "1.4"
ENV_DIR = PROJECT_DIR / "data" / "test-envs" / f"duckdb-{OLD_CLIENT}"
UV = Path(sys.executable).parent / "uv"
DUMP = textwrap.dedent(
    """
    import sys, duckdb
    serving, out = sys.argv[1], sys.argv[2]
    con = duckdb.connect(serving, read_only=True)
    print(duckdb.__version__)
    marts = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()]
    for mart in marts:
        con.execute(f"copy (select * from marts.{mart}) to '{out}/{mart}.parquet' (format parquet)")
    print(",".join(sorted(marts)))
    """
)


def old_client_python() -> Path:
    python = ENV_DIR / "bin" / "python"
    with FileLock(lock_path(ENV_DIR), "the DuckDB 1.4 test environment", wait=True):
        if not python.exists():
            subprocess.run(
                [str(UV), "venv", "-q", "--python", sys.executable, str(ENV_DIR)], check=True
            )
            subprocess.run(
                [
                    str(UV),
                    "pip",
                    "install",
                    "-q",
                    "--python",
                    str(python),
                    f"duckdb=={OLD_CLIENT}.*",
                ],
                check=True,
            )
    return python


@pytest.fixture(scope="module")
def published(defs: dg.Definitions, warehouse: Warehouse) -> Warehouse:
    result = run_refresh(defs)
    assert result.success, failed_checks(result)
    return warehouse


def test_a_duckdb_1_4_client_reads_every_mart_equal_to_the_build(
    published: Warehouse, tmp_path: Path
) -> None:
    out = subprocess.run(
        [str(old_client_python()), "-c", DUMP, str(published.serving_path), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    version, marts = out.stdout.split()
    assert version.startswith(f"{OLD_CLIENT}.")
    with duckdb.connect(str(published.build_path), read_only=True) as con:
        built = sorted(
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        )
        assert marts.split(",") == built
        for mart in built:
            expected = con.sql(f"select * from marts.{mart} order by all").df()
            read = duckdb.sql(f"select * from '{tmp_path}/{mart}.parquet' order by all").df()
            pd.testing.assert_frame_equal(read, expected, check_exact=True, obj=mart)
