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

import re
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


class BuildFileInUseError(RuntimeError):
    """Another process has the build file open; nothing was deleted."""


HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


def _holder(error: duckdb.Error) -> str | None:
    """Who holds DuckDB's lock on a file, from DuckDB's lock error (None if not a lock error)."""
    match = HOLDER.search(str(error))
    if match is None:
        return None
    pid = match["pid"]
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        command = match["program"]
    return f"process {pid} ({command[:200]})"


def prepare_build_file(build_path: Path) -> str | None:
    """Make the build file safe to build on; returns why dbt must rebuild everything.

    The build file persists between refreshes so incremental models only read new batches.
    Opening it read-write replays (or discards) what a killed run left in its WAL; a file
    that cannot be opened is deleted, and one with no record of a finished build (a run
    killed during dbt) is rebuilt whole. A changed landing dir is dbt's own check.

    A file another process holds open (an engineer inspecting it) is left alone:
    ``BuildFileInUseError`` names the process, and nothing is deleted.
    """
    if not build_path.exists():
        remove_temp_dir(build_path)
        return None
    try:
        with duckdb.connect(str(build_path)) as con:
            finished = meta.read_build_marker(con) is not None
    except duckdb.Error as error:
        holder = _holder(error)
        if holder is not None:
            raise BuildFileInUseError(
                f"the build file {build_path} is open in {holder}: close it (or end that "
                "process) and run the refresh again; nothing was deleted or published"
            ) from error
        remove_build_file(build_path)
        return f"the build file could not be opened ({error}); it was deleted"
    remove_temp_dir(build_path)
    if not finished:
        return "the build file has no record of a finished build"
    return None
