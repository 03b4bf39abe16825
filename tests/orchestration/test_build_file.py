"""The build file persists between refreshes (incremental models); a build a killed run left
unfinished is rebuilt whole and an unreadable file is removed. Whether it still matches the
landing dir is dbt's own check (tests/e2e/test_restage.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.defs.dbt.build_file import prepare_build_file
from orchestration.lib.meta import write_build_marker


@pytest.fixture
def build(tmp_path: Path) -> Path:
    path = tmp_path / "wh" / "cx.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select 1 as x")
    write_build_marker(path, "run-1", tmp_path / "raw")
    return path


def test_no_build_file_needs_no_full_refresh(tmp_path: Path) -> None:
    assert prepare_build_file(tmp_path / "absent.duckdb") is None


def test_a_finished_build_is_kept_for_an_incremental_build(build: Path) -> None:
    assert prepare_build_file(build) is None
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select x from t").fetchall() == [(1,)]


def test_a_file_without_marker_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "half.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select 1 as x")
    assert prepare_build_file(path) == "the build file has no record of a finished build"


def test_an_unreadable_build_file_and_its_spill_dir_are_deleted(tmp_path: Path) -> None:
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"not a duckdb file at all" * 100)
    spill = tmp_path / "broken.duckdb.tmp"
    spill.mkdir()
    reason = prepare_build_file(path)
    assert reason is not None and reason.startswith("the build file could not be opened")
    assert not path.exists() and not spill.exists()
