"""The build (candidate) DuckDB file: one writer at a time, a marker of the run that built it.

The build file (CX_DUCKDB_PATH) is private to the refresh: BI never opens it. A refresh
takes an exclusive ``flock`` on ``<build>.lock`` while dbt writes it (released by the kernel
if the process dies), deletes whatever a killed run left behind, builds it from scratch and
records its run id in ``meta.build``. The publish step only publishes a build whose marker is
its own run's.
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
    """Delete a previous or half-written build: the file, its WAL and its temp directory."""
    for path in (build_path, build_path.with_name(build_path.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(build_path.with_name(build_path.name + ".tmp"), ignore_errors=True)


def write_build_marker(build_path: Path, run_id: str) -> None:
    with duckdb.connect(str(build_path)) as con:
        con.execute("create schema if not exists meta")
        con.execute(
            "create or replace table meta.build as select ? as run_id, ? as built_at",
            [run_id, datetime.now(UTC).replace(tzinfo=None)],
        )


def read_build_marker(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str | None:
    """The run id that built the database ``catalog`` of ``con`` (None if unmarked)."""
    prefix = f'"{catalog}".' if catalog else ""
    try:
        row = con.execute(f"select run_id from {prefix}meta.build").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None
