"""Write-audit-publish: swap a fully validated warehouse in for the serving file, atomically.

The serving file (CX_SERVING_PATH) is what BI tools open read-only. It is never opened
read-write and never written in place. Publishing (and rolling back):

1. under an exclusive lock (``.<serving>.publish.lock``), deletes candidates left behind by
   killed runs, then creates a new candidate ``.<serving>.<run>.candidate`` in the serving
   file's directory (same filesystem, so the rename below is atomic), in the storage version
   ``CX_SERVING_STORAGE_VERSION`` (default v1.4.0: DuckDB 1.4 LTS, what BI drivers embed,
   opens it; a DuckDB 2.0 file would not open there);
2. copies every mart of the source (the validated build file; for a rollback, a kept earlier
   publish) into it, carries the history tables of the current serving file forward (opened
   read-only), appends this publish, records the batch files its raw gate validated
   (``meta.validated_files``), detaches (checkpointing) and fsyncs it;
3. hard-links it into the history folder ``<serving stem>.history/`` (the last
   ``CX_SERVING_KEEP`` publishes are kept there for ``cli rollback``), ``os.replace``-s it
   over the serving file and fsyncs the directory.

A reader that already has the old file open keeps reading the old inode; a new connection
sees the new file (in one process, only once every connection to the old file is closed:
DuckDB caches one instance per path). A run killed at any moment leaves the serving file as
it was (at worst a stale candidate, removed by the next run).
"""

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
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

    serving_path: Path | None = None
    serving_bytes: int = 0


class PublishError(RuntimeError):
    """The build cannot be published; the serving file is left as it was."""


def publish_entry(
    publish_id: int,
    published_at: datetime,
    run_id: str,
    as_of_date: date,
    last_complete_month: date,
    mart_rows: dict[str, int],
    run_started_at: datetime,
) -> meta.Publish:
    """The publish log entry of a publish (either engine), stamped with this commit."""
    return meta.Publish(
        publish_id=publish_id,
        published_at=published_at,
        run_id=run_id,
        as_of_date=as_of_date,
        last_complete_month=last_complete_month,
        git_sha=git_sha(),
        duration_seconds=(published_at - run_started_at).total_seconds(),
        mart_rows=mart_rows,
    )


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


def history_dir(serving_path: Path) -> Path:
    """Where the kept publishes are: ``<serving stem>.history/<publish id>.duckdb``."""
    return serving_path.with_name(f"{serving_path.stem}.history")


def kept_file(serving_path: Path, publish_id: int) -> Path:
    return history_dir(serving_path) / f"{publish_id:06d}.duckdb"


def kept_publishes(serving_path: Path) -> dict[int, Path]:
    """The publishes whose files are kept, by id."""
    folder = history_dir(serving_path)
    if not folder.is_dir():
        return {}
    return {int(path.stem): path for path in sorted(folder.glob("[0-9]*.duckdb"))}


def _check_serving_untouched(serving_path: Path) -> None:
    wal = serving_path.with_name(serving_path.name + ".wal")
    if wal.exists():
        raise PublishError(
            f"{wal} exists: something opened the serving file read-write. Nothing is "
            "published until it is inspected and removed."
        )


def _swap_in(candidate: Path, serving_path: Path, publish_id: int, keep: int) -> None:
    """Keep ``candidate`` as publish ``publish_id`` and make it the serving file, atomically."""
    if candidate.with_name(candidate.name + ".wal").exists():
        raise PublishError(f"the candidate {candidate} was not fully checkpointed")
    _fsync(candidate)
    kept = kept_file(serving_path, publish_id)
    kept.parent.mkdir(exist_ok=True)
    kept.unlink(missing_ok=True)
    os.link(candidate, kept)  # the same inode: the serving file is never written in place
    os.replace(candidate, serving_path)
    _fsync(serving_path.parent)
    for old in sorted(kept_publishes(serving_path))[:-keep]:
        kept_file(serving_path, old).unlink(missing_ok=True)


def _write_serving_file(
    candidate: Path,
    serving_path: Path,
    storage_version: str,
    fill: Callable[[duckdb.DuckDBPyConnection], PublishRecord],
) -> PublishRecord:
    """Create ``candidate`` in ``storage_version``, let ``fill`` write it (as the default
    catalog), then detach it, which checkpoints it."""
    with duckdb.connect() as con:
        con.execute(
            f"attach {quote_literal(str(candidate))} as serving "
            f"(storage_version {quote_literal(storage_version)})"
        )
        con.execute("use serving")
        record = fill(con)
        con.execute("use memory")
        con.execute("detach serving")
    return dataclasses.replace(record, serving_path=serving_path)


def _copy_marts(con: duckdb.DuckDBPyConnection, source: str, marts: list[str]) -> dict[str, int]:
    con.execute(f"create schema {MARTS_SCHEMA}")
    rows = {}
    for mart in marts:
        table = f"{MARTS_SCHEMA}.{quote_identifier(mart)}"
        con.execute(f"create table {table} as select * from {source}.{table}")
        rows[mart] = con.execute(f"select count(*) from {table}").fetchone()[0]
    return rows


@contextmanager
def _publishing(serving_path: Path, run_id: str) -> Iterator[Path]:
    """The publish lock held, stale candidates gone: yields this run's candidate path (and
    removes it afterwards, whatever happens)."""
    _check_serving_untouched(serving_path)
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    lock = _publish_lock(serving_path, wait=True).acquire()
    try:
        for stale in serving_path.parent.glob(candidate_prefix(serving_path) + "*.candidate*"):
            stale.unlink(missing_ok=True)
        candidate = serving_path.with_name(f"{candidate_prefix(serving_path)}{run_id}.candidate")
        try:
            yield candidate
        finally:
            candidate.unlink(missing_ok=True)
            candidate.with_name(candidate.name + ".wal").unlink(missing_ok=True)
    finally:
        lock.release()


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
    keep: int = 7,
    storage_version: str = "v1.4.0",
) -> PublishRecord:
    """Publish the marts of ``build_path`` (built by ``run_id``) as the new serving file.

    ``validated_files`` are the batch files this run's raw gate validated; the next raw gate
    reads only rows from other files (and the rows sharing a key with them)."""
    if not build_path.exists():
        raise PublishError(f"the build file {build_path} does not exist")

    def fill(con: duckdb.DuckDBPyConnection) -> PublishRecord:
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
        mart_rows = _copy_marts(con, "build", marts)
        con.execute("detach build")
        publish_id = meta.create_serving_meta(con, serving_path)
        published_at = datetime.now(UTC).replace(tzinfo=None)
        entry = publish_entry(
            publish_id,
            published_at,
            run_id,
            as_of_date,
            last_complete_month,
            mart_rows,
            run_started_at,
        )
        meta.record_publish(
            con,
            entry,
            raw_dir=raw_dir,
            landing_fingerprint=landing_fingerprint,
            raw_counts=[raw_counts[table] for table in sorted(raw_counts)],
            validated_files=validated_files or [],
        )
        return PublishRecord(**dataclasses.asdict(entry), serving_path=serving_path)

    with _publishing(serving_path, run_id) as candidate:
        record = _write_serving_file(candidate, serving_path, storage_version, fill)
        _swap_in(candidate, serving_path, record.publish_id, keep)
    return dataclasses.replace(record, serving_bytes=serving_path.stat().st_size)


def rollback(
    serving_path: Path,
    to: int | None = None,
    *,
    keep: int = 7,
    storage_version: str = "v1.4.0",
) -> PublishRecord:
    """Serve the marts of the kept publish ``to`` again (default: the newest refresh publish
    older than the data served now), atomically, as a new publish whose log row says
    ``rollback`` and which publish it restores. Nothing is deleted: the publish rolled back
    from stays kept (and can be rolled forward to by id) until ``keep`` newer publishes push
    it out."""
    if not serving_path.exists():
        raise PublishError(f"there is no serving file {serving_path} to roll back")
    with duckdb.connect(str(serving_path), read_only=True) as con:
        log = meta.publish_log(con)
    if not log:
        raise PublishError(f"{serving_path} has no publish log: nothing to roll back to")
    current = log[-1]
    kept = kept_publishes(serving_path)
    if to is None:
        # undo what is served: the newest kept refresh publish older than the data served now
        # (a rollback's data is that of the publish it restores, so undoing goes further back)
        served = current.restores or current.publish_id
        refreshes = {entry.publish_id for entry in log if entry.action == "publish"}
        earlier = [pid for pid in kept if pid < served and pid in refreshes]
        if not earlier:
            raise PublishError(
                f"no publish before #{served} is kept in {history_dir(serving_path)}: "
                "nothing to roll back to"
            )
        to = earlier[-1]
    if to not in kept:
        raise PublishError(
            f"publish #{to} is not kept (kept: {', '.join(f'#{pid}' for pid in kept) or 'none'})"
        )
    source_path = kept[to]
    run_id = f"rollback-{to}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"

    def fill(con: duckdb.DuckDBPyConnection) -> PublishRecord:
        con.execute(f"attach {quote_literal(str(source_path))} as source (read_only)")
        source = meta.latest_publish(con, "source")
        marts = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'source' and table_schema = ? order by 1",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        mart_rows = _copy_marts(con, "source", marts)
        publish_id = meta.create_serving_meta(con, serving_path)
        entry = meta.Publish(
            publish_id=publish_id,
            published_at=datetime.now(UTC).replace(tzinfo=None),
            run_id=run_id,
            as_of_date=source.as_of_date,
            last_complete_month=source.last_complete_month,
            git_sha=source.git_sha,
            duration_seconds=0.0,
            mart_rows=mart_rows,
            action="rollback",
            restores=to,
        )
        meta.record_rollback(con, entry, source_catalog="source")
        con.execute("detach source")
        return PublishRecord(**dataclasses.asdict(entry), serving_path=serving_path)

    with _publishing(serving_path, run_id) as candidate:
        record = _write_serving_file(candidate, serving_path, storage_version, fill)
        _swap_in(candidate, serving_path, record.publish_id, keep)
    return dataclasses.replace(record, serving_bytes=serving_path.stat().st_size)
