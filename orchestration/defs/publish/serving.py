"""Write-audit-publish: swap a fully validated warehouse in for the serving file, atomically.

The serving file (CX_SERVING_PATH) is what BI tools open read-only. It is never opened
read-write and never written in place. Publishing:

1. under an exclusive lock (``.<serving>.publish.lock``), deletes candidates left behind by
   killed runs, then creates a new candidate ``.<serving>.<run>.candidate`` in the serving
   file's directory (same filesystem, so the rename below is atomic);
2. copies every mart of the validated build file into it, carries ``meta.publish_log`` (and
   the row-count baseline) of the current serving file forward (opened read-only), appends
   this publish, records the batch files its raw gate validated (``meta.validated_files``,
   which the next raw gate need not read again), checkpoints and closes it, and fsyncs it;
3. ``os.replace``-s it over the serving file and fsyncs the directory.

A reader that already has the old file open keeps reading the old inode; a new connection
sees the new file. A run killed at any moment leaves the serving file as it was (at worst a
stale candidate, removed by the next run).
"""

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.lib import meta
from orchestration.lib.git import git_sha
from orchestration.lib.landing import FileStat
from orchestration.lib.locks import FileLock, LockHeldError, lock_path
from orchestration.lib.settings import MARTS_SCHEMA
from orchestration.lib.sql import quote_identifier, quote_literal


@dataclass(frozen=True)
class PublishRecord(meta.Publish):
    """A publish as this run made it: its log entry, where it went and how big it is."""

    serving_path: Path
    serving_bytes: int


class PublishError(RuntimeError):
    """The build cannot be published; the serving file is left as it was."""


def candidate_prefix(serving_path: Path) -> str:
    return f".{serving_path.name}."


def _publish_lock(serving_path: Path, wait: bool = False) -> FileLock:
    path = serving_path.with_name(f".{serving_path.name}.publish")
    return FileLock(lock_path(path), f"the serving file {serving_path}", wait=wait)


def remove_stale_candidates(serving_path: Path) -> list[Path]:
    """Delete candidates (and their WALs) of killed runs; nothing while a publish is going on."""
    if not serving_path.parent.is_dir():
        return []
    lock = _publish_lock(serving_path)
    try:
        lock.acquire()
    except LockHeldError:
        return []  # a publish is running: its candidate is not stale
    try:
        removed = []
        for path in serving_path.parent.glob(candidate_prefix(serving_path) + "*.candidate*"):
            path.unlink(missing_ok=True)
            removed.append(path)
        return removed
    finally:
        lock.release()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(
    build_path: Path,
    serving_path: Path,
    *,
    run_id: str,
    marts: list[str],
    raw_counts: Mapping[str, meta.RawCount],
    raw_dir: Path,
    landing_fingerprint: str,
    run_started_at: datetime,
    validated_files: list[FileStat] | None = None,
) -> PublishRecord:
    """Publish the marts of ``build_path`` (built by ``run_id``) as the new serving file.

    ``validated_files`` are the batch files this run's raw gate validated; the next raw gate
    reads only rows from other files (and the rows sharing a key with them)."""
    if not build_path.exists():
        raise PublishError(f"the build file {build_path} does not exist")
    wal = serving_path.with_name(serving_path.name + ".wal")
    if wal.exists():
        raise PublishError(
            f"{wal} exists: something opened the serving file read-write. Nothing is "
            "published until it is inspected and removed."
        )
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    lock = _publish_lock(serving_path, wait=True).acquire()
    try:
        for stale in serving_path.parent.glob(candidate_prefix(serving_path) + "*.candidate*"):
            stale.unlink(missing_ok=True)
        candidate = serving_path.with_name(f"{candidate_prefix(serving_path)}{run_id}.candidate")
        try:
            record = _write_candidate(
                candidate,
                build_path,
                serving_path,
                run_id,
                marts,
                raw_counts,
                raw_dir,
                landing_fingerprint,
                run_started_at,
                validated_files or [],
            )
            if candidate.with_name(candidate.name + ".wal").exists():
                raise PublishError(f"the candidate {candidate} was not fully checkpointed")
            _fsync(candidate)
            os.replace(candidate, serving_path)
            _fsync(serving_path.parent)
        finally:
            candidate.unlink(missing_ok=True)
            candidate.with_name(candidate.name + ".wal").unlink(missing_ok=True)
    finally:
        lock.release()
    return dataclasses.replace(record, serving_bytes=serving_path.stat().st_size)


def _write_candidate(
    candidate: Path,
    build_path: Path,
    serving_path: Path,
    run_id: str,
    marts: list[str],
    raw_counts: Mapping[str, meta.RawCount],
    raw_dir: Path,
    landing_fingerprint: str,
    run_started_at: datetime,
    validated_files: list[FileStat],
) -> PublishRecord:
    with duckdb.connect(str(candidate)) as con:
        con.execute(f"attach {quote_literal(str(build_path))} as build (read_only)")
        built_by = meta.read_build_marker(con, "build")
        if built_by != run_id:
            raise PublishError(
                f"the build file {build_path} was built by run {built_by}, not by this run "
                f"{run_id}: only a build validated in the same run is published"
            )
        as_of_date, last_complete_month = con.execute(
            "select as_of_date, last_complete_month from build.intermediate.int_reporting_period"
        ).fetchone()
        con.execute(f"create schema {MARTS_SCHEMA}")
        mart_rows = {}
        for mart in marts:
            con.execute(
                f"create table {MARTS_SCHEMA}.{quote_identifier(mart)} as "
                f"select * from build.{MARTS_SCHEMA}.{quote_identifier(mart)}"
            )
            mart_rows[mart] = con.execute(
                f"select count(*) from {MARTS_SCHEMA}.{quote_identifier(mart)}"
            ).fetchone()[0]
        con.execute("detach build")
        publish_id = meta.create_serving_meta(con, serving_path)
        published_at = datetime.now(UTC).replace(tzinfo=None)
        entry = meta.Publish(
            publish_id=publish_id,
            published_at=published_at,
            run_id=run_id,
            as_of_date=as_of_date,
            last_complete_month=last_complete_month,
            git_sha=git_sha(),
            duration_seconds=(published_at - run_started_at).total_seconds(),
            mart_rows=mart_rows,
        )
        meta.record_publish(
            con,
            entry,
            raw_dir=raw_dir,
            landing_fingerprint=landing_fingerprint,
            raw_counts=[raw_counts[table] for table in sorted(raw_counts)],
            validated_files=validated_files,
        )
        con.execute("checkpoint")
    return PublishRecord(**dataclasses.asdict(entry), serving_path=serving_path, serving_bytes=0)
