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


def test_a_build_file_open_in_another_process_is_named_and_kept(build: Path) -> None:
    import subprocess
    import sys

    from orchestration.defs.dbt.build_file import BuildFileInUseError

    (spill := build.with_name(build.name + ".tmp")).mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True);"
            " sys.stdin.read()",
            str(build),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "open\n"
        with pytest.raises(BuildFileInUseError) as raised:
            prepare_build_file(build)
        message = str(raised.value)
        assert f"is open in process {holder.pid} (" in message
        assert "nothing was deleted" in message
    finally:
        holder.communicate("", timeout=60)
    assert build.exists() and spill.is_dir()  # neither the file nor its spill dir was removed
    assert prepare_build_file(build) is None  # once closed, the build is used as before
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select x from t").fetchall() == [(1,)]
