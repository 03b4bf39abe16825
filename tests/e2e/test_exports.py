"""`make export` end to end: build the hand-built scenario (tests/scenario.py) into a DuckDB
file of the test's own, export the finance marts from it and check the files against the
manifest and the warehouse."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.publish.export import FINANCE_MARTS
from orchestration.lib.git import git_sha
from tests.dbt_build import PROJECT_DIR, Build, dbt_build
from tests.scenario import AS_OF, write_scenario

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("export")
    result = dbt_build(write_scenario(work / "raw"), work, AS_OF)
    assert result.returncode == 0, result.output[-4000:]
    return result


def run_export(out_dir: Path, serving: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CX_SERVING_PATH": str(serving), "CX_DUCKDB_PATH": str(warehouse)}
    return subprocess.run(
        [sys.executable, "-m", "orchestration.defs.publish.export", "--out-dir", str(out_dir)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def exported(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    # no serving file: the export falls back to the warehouse file
    result = run_export(out, out / "no-serving.duckdb", build.db_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / AS_OF


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_names_as_of_date_git_sha_and_every_finance_mart(exported: Path) -> None:
    manifest = json.loads((exported / "manifest.json").read_text())
    assert manifest["as_of_date"] == AS_OF
    # a bare dbt build has no publish: the export names the commit it runs from
    assert manifest["git_sha"] == git_sha()
    assert manifest["publish_id"] is None
    assert list(manifest["tables"]) == list(FINANCE_MARTS)
    expected = {f"{name}.{kind}" for name in FINANCE_MARTS for kind in ("csv", "parquet")}
    assert {p.name for p in exported.iterdir()} == expected | {"manifest.json"}


def test_files_match_manifest_checksums_and_row_counts(exported: Path, build: Build) -> None:
    manifest = json.loads((exported / "manifest.json").read_text())
    for name, table in manifest["tables"].items():
        rows = build.records(f"select count(*) as n from marts.{name}")[0]["n"]
        assert table["rows"] == rows > 0, name
        for file in table["files"].values():
            path = exported / file["path"]
            assert file["sha256"] == sha256(path), path
            assert file["bytes"] == path.stat().st_size, path
        with (exported / f"{name}.csv").open(newline="") as handle:
            assert sum(1 for _ in csv.DictReader(handle)) == rows, name
        parquet = str(exported / f"{name}.parquet")
        with duckdb.connect() as con:
            assert con.execute("select count(*) from read_parquet(?)", [parquet]).fetchone() == (
                rows,
            )


def test_exported_numbers_equal_the_mart(exported: Path, build: Build) -> None:
    # the May 2024 total of the hand-computed bridge (tests/e2e/test_marts_by_hand.py)
    with duckdb.connect() as con:
        row = con.execute(
            "select ending_mrr_usd, ending_accounts from read_parquet(?) "
            "where month = '2024-05-01' and dimension = 'all'",
            [str(exported / "mrr_bridge.parquet")],
        ).fetchone()
    assert row == (pytest.approx(1530.0), 4)
    with (exported / "revenue_by_tenure.csv").open(newline="") as handle:
        may = [r for r in csv.DictReader(handle) if r["month"] == "2024-05-01"]
    assert {r["tenure_band"]: float(r["mrr_usd"]) for r in may} == pytest.approx(
        {"0-2m": 30.0, "3-11m": 1500.0, "all": 1530.0}
    )


def test_export_is_reproducible(build: Build, exported: Path, tmp_path: Path) -> None:
    again = run_export(tmp_path, tmp_path / "no-serving.duckdb", build.db_path)
    assert again.returncode == 0, again.stderr
    first = json.loads((exported / "manifest.json").read_text())["tables"]
    second = json.loads((tmp_path / AS_OF / "manifest.json").read_text())["tables"]
    assert first == second


def test_serving_file_is_read_first(build: Build, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    serving.write_bytes(build.db_path.read_bytes())
    result = run_export(tmp_path / "out", serving, tmp_path / "missing.duckdb")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / AS_OF / "manifest.json").read_text())
    assert manifest["source_database"] == str(serving)


def test_no_database_is_a_clear_error(tmp_path: Path) -> None:
    result = run_export(tmp_path, tmp_path / "serving.duckdb", tmp_path / "cx.duckdb")
    assert result.returncode == 1
    assert "no warehouse to export from" in result.stderr
    assert str(tmp_path / "serving.duckdb") in result.stderr
    assert not any(tmp_path.iterdir())
