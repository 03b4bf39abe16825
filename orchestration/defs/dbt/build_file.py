"""The build (candidate) DuckDB file: one writer at a time, a marker of the run that built it.

The build file (CX_DUCKDB_PATH) is private to the refresh: BI never opens it. It persists
between refreshes (incremental staging reads only new batches). A refresh takes an exclusive
``flock`` on ``<build>.lock`` while dbt writes it (released by the kernel if the process
dies), recovers or deletes what a killed run left behind, and after ``dbt build`` records its
run id and landing dir in ``meta.build``. The publish step only publishes a build whose
marker is its own run's. Whether the incremental models still match the landing dir is
dbt's own check (the restage hook in macros/), also for plain `dbt build`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from orchestration.lib import meta


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
            finished = meta.read_build_marker(con) is not None
    except duckdb.Error as error:
        remove_build_file(build_path)
        return f"the build file could not be opened ({error}); it was deleted"
    if not finished:
        return "the build file has no record of a finished build"
    return None
