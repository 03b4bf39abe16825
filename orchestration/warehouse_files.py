"""The build (candidate) DuckDB file: one writer at a time, a marker of the run that built it.

The build file (CX_DUCKDB_PATH) is private to the refresh: BI never opens it. It persists
between refreshes (incremental staging reads only new batches). A refresh takes an exclusive
``flock`` on ``<build>.lock`` while dbt writes it (released by the kernel if the process
dies), recovers or deletes what a killed run left behind, and after ``dbt build`` records its
run id and landing dir in ``meta.build``. The publish step only publishes a build whose
marker is its own run's. Whether the incremental models still match the landing dir is
dbt's own check (macros/raw/restage_if_landing_changed.sql), also for plain `dbt build`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb


class BuildLockError(RuntimeError):
    """Another process holds the build file's lock."""


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class FileLock:
    """An exclusive ``flock`` on ``path``; the kernel releases it if the process dies."""

    def __init__(self, path: Path, what: str, wait: bool = False) -> None:
        self.path = path
        self.what = what
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> FileLock:
        """Take the lock, waiting for it if ``wait``, else raising ``BuildLockError``."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError as error:
            os.close(fd)
            raise BuildLockError(
                f"{self.what} is in use by another refresh (lock {self.path} is held); "
                "wait for it to finish"
            ) from error
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def remove_build_file(build_path: Path) -> None:
    """Delete a build: the file, its WAL and its temp directory."""
    for path in (build_path, build_path.with_name(build_path.name + ".wal")):
        path.unlink(missing_ok=True)
    remove_temp_dir(build_path)


def remove_temp_dir(build_path: Path) -> None:
    """DuckDB's spill directory of the build (profiles.yml ``temp_directory``)."""
    shutil.rmtree(build_path.with_name(build_path.name + ".tmp"), ignore_errors=True)


def prepare_build_file(build_path: Path) -> str | None:
    """Make the build file safe to build on; returns why dbt must rebuild everything.

    The build file persists between refreshes so incremental models only read new batches.
    Opening it read-write replays (or discards) what a killed run left in its WAL; a file
    that cannot be opened is deleted, and one with no record of a finished build (a run
    killed during dbt) is rebuilt whole. A changed landing dir is dbt's own check.
    """
    remove_temp_dir(build_path)
    if not build_path.exists():
        return None
    try:
        with duckdb.connect(str(build_path)) as con:
            finished = _has_table(con, "build") and bool(
                con.execute("select count(*) from meta.build").fetchone()[0]
            )
    except duckdb.Error as error:
        remove_build_file(build_path)
        return f"the build file could not be opened ({error}); it was deleted"
    if not finished:
        return "the build file has no record of a finished build"
    return None


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'meta' and table_name = ?",
            [table],
        ).fetchone()[0]
    )


def write_build_marker(build_path: Path, run_id: str, raw_dir: Path) -> None:
    """Record the run that finished building the file, and from which landing dir."""
    with duckdb.connect(str(build_path)) as con:
        con.execute("create schema if not exists meta")
        con.execute(
            "create or replace table meta.build as select ? as run_id, ? as built_at, ? as raw_dir",
            [run_id, datetime.now(UTC).replace(tzinfo=None), str(raw_dir)],
        )


def read_build_marker(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str | None:
    """The run id that built the database ``catalog`` of ``con`` (None if unmarked)."""
    prefix = f'"{catalog}".' if catalog else ""
    try:
        row = con.execute(f"select run_id from {prefix}meta.build").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None
