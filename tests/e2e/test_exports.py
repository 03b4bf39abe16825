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
from tests.support.dbt_build import PROJECT_DIR, Build, dbt_build
from tests.support.scenario import AS_OF, write_scenario

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
    assert {p.name for p in exported.iterdir()} == expected | {
        "manifest.json",
        "finance_marts.xlsx",
    }
    assert manifest["last_complete_month"] == "2024-05-01"  # as of 2024-06-15
    assert manifest["workbook"]["path"] == "finance_marts.xlsx"
    columns = {c["name"]: c for c in manifest["tables"]["mrr_bridge"]["columns"]}
    assert columns["ending_mrr_usd"]["unit"] == "USD"
    assert columns["ending_mrr_usd"]["decimals"] == 2
    assert columns["ending_mrr_usd"]["definition"]  # from the mart's yml
    assert columns["month"]["unit"] == "date (first day of the month)"
    rates = {c["name"]: c for c in manifest["tables"]["churn_by_support_experience"]["columns"]}
    assert (rates["logo_churn_rate"]["unit"], rates["logo_churn_rate"]["decimals"]) == (
        "fraction (0-1)",
        4,
    )


def test_csv_is_rounded_and_puts_the_all_rows_first(exported: Path, build: Build) -> None:
    with (exported / "mrr_bridge.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    months = [r["month"] for r in rows]
    assert months == sorted(months)
    for month in set(months):
        dimensions = [r["dimension"] for r in rows if r["month"] == month]
        assert dimensions[0] == "all" and "all" not in dimensions[1:], month
    for name in ("mrr_bridge", "churn_by_support_experience", "cac_payback_by_channel"):
        with (exported / f"{name}.csv").open(newline="") as handle:
            for row in csv.DictReader(handle):
                for column, value in row.items():
                    if "." in value and value.replace(".", "").replace("-", "").isdigit():
                        places = len(value.split(".")[1])
                        assert places <= (2 if column.endswith("_usd") else 4), (name, column)


def test_workbook_opens_and_its_totals_equal_the_marts(exported: Path, build: Build) -> None:
    from openpyxl import load_workbook

    book = load_workbook(exported / "finance_marts.xlsx", read_only=True)
    assert book.sheetnames == ["about", *FINANCE_MARTS, "definitions"]
    for name in FINANCE_MARTS:
        sheet = list(book[name].iter_rows(values_only=True))
        header, rows = sheet[0], sheet[1:]
        assert len(rows) == build.records(f"select count(*) as n from marts.{name}")[0]["n"]
        money = [i for i, column in enumerate(header) if column.endswith("_usd")]
        for i in money:
            total = sum(row[i] or 0 for row in rows)
            expected = build.records(
                f"select coalesce(sum(round({header[i]}, 2)), 0) as t from marts.{name}"
            )[0]["t"]
            assert total == pytest.approx(expected, abs=1e-6), (name, header[i])
    bridge = list(book["mrr_bridge"].iter_rows(values_only=True))
    header = bridge[0]
    may = [dict(zip(header, r, strict=True)) for r in bridge[1:] if str(r[0])[:10] == "2024-05-01"]
    assert may[0]["dimension"] == "all" and may[0]["ending_mrr_usd"] == 1530.0
    glossary = list(book["definitions"].iter_rows(values_only=True))
    assert glossary[0] == ("mart", "column", "type", "unit", "decimals in CSV/XLSX", "definition")
    defined = {(r[0], r[1]): r for r in glossary[1:]}
    assert defined[("cac_payback_by_channel", "cac_usd")][3] == "USD"
    assert all(r[5] for r in glossary[1:]), "every column has a definition"


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
