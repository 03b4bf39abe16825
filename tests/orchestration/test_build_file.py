"""The build file persists between refreshes (incremental staging); a full rebuild is forced
when it no longer matches the landing dir, and a file a killed run left unreadable is removed."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse_files import prepare_build_file, write_build_marker


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    for table, batch in [
        ("crm/accounts", "b1"),
        ("crm/accounts", "b2"),
        ("billing/invoices", "b1"),
    ]:
        folder = raw / table
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{batch}.parquet").write_bytes(b"parquet bytes " + batch.encode())
    return raw


@pytest.fixture
def build(tmp_path: Path, landing: Path) -> Path:
    path = tmp_path / "wh" / "cx.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select 1 as x")
    write_build_marker(path, "run-1", landing)
    return path


def test_no_build_file_needs_no_full_refresh(tmp_path: Path, landing: Path) -> None:
    assert prepare_build_file(tmp_path / "absent.duckdb", landing) is None


def test_same_landing_builds_incrementally_and_keeps_the_file(build: Path, landing: Path) -> None:
    assert prepare_build_file(build, landing) is None
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select x from t").fetchall() == [(1,)]
        assert con.execute("select count(*) from meta.build_files").fetchone() == (3,)


def test_a_new_batch_file_is_incremental(build: Path, landing: Path) -> None:
    (landing / "crm/accounts/b3.parquet").write_bytes(b"a later batch")
    assert prepare_build_file(build, landing) is None


def test_a_changed_batch_file_forces_a_full_refresh(build: Path, landing: Path) -> None:
    changed = landing / "crm/accounts/b1.parquet"
    changed.write_bytes(b"rewritten, longer than before")
    os.utime(changed, ns=(1, 1))
    reason = prepare_build_file(build, landing)
    assert (
        reason
        == "1 batch file(s) it was built from are gone or changed, e.g. crm/accounts/b1.parquet"
    )


def test_a_removed_batch_file_forces_a_full_refresh(build: Path, landing: Path) -> None:
    (landing / "billing/invoices/b1.parquet").unlink()
    reason = prepare_build_file(build, landing)
    assert reason is not None and "billing/invoices/b1.parquet" in reason


def test_another_landing_dir_forces_a_full_refresh(build: Path, landing: Path, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    assert prepare_build_file(build, other) == (
        f"the landing directory changed from {landing} to {other}"
    )


def test_a_file_without_marker_is_rebuilt(tmp_path: Path, landing: Path) -> None:
    path = tmp_path / "half.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select 1 as x")
    assert prepare_build_file(path, landing) == "the build file has no record of a finished build"


def test_an_unreadable_build_file_and_its_spill_dir_are_deleted(tmp_path: Path, landing: Path):
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"not a duckdb file at all" * 100)
    spill = tmp_path / "broken.duckdb.tmp"
    spill.mkdir()
    reason = prepare_build_file(path, landing)
    assert reason is not None and reason.startswith("the build file could not be opened")
    assert not path.exists() and not spill.exists()
