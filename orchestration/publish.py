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
import json
import math
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from orchestration.lib.landing import FileStat, file_stats, fingerprint_of
from orchestration.lib.run_records import (
    FINGERPRINT_KEY,
    FX_COVERAGE_CHECK,
    MART_GATE_CHECK,
    RAW_GATE_CHECK,
    CheckOutcome,
    check_outcomes,
)
from orchestration.lib.settings import PROJECT_DIR, Settings
from orchestration.warehouse_files import BuildLockError, FileLock, lock_path, read_build_marker

MARTS_SCHEMA = "marts"
META_SCHEMA = "meta"


@dataclass(frozen=True)
class RawCount:
    table: str
    current_rows: int
    raw_rows: int
    batch_files: int
    newest_loaded_at: datetime | None


@dataclass(frozen=True)
class Baseline:
    """What the last publish recorded: the raw row counts (the row-count gate's reference)
    and the batch files its raw gate validated (which the next raw gate need not read again)."""

    publish_id: int
    published_at: datetime
    raw_dir: str
    current_rows: dict[str, int]
    validated_files: frozenset[FileStat] = frozenset()


@dataclass(frozen=True)
class PublishRecord:
    publish_id: int
    published_at: datetime
    run_id: str
    as_of_date: date
    last_complete_month: date
    git_sha: str
    duration_seconds: float
    mart_rows: dict[str, int]
    serving_path: Path
    serving_bytes: int


class PublishError(RuntimeError):
    """The build cannot be published; the serving file is left as it was."""


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
    except BuildLockError:
        return []  # a publish is running: its candidate is not stale
    try:
        removed = []
        for path in serving_path.parent.glob(candidate_prefix(serving_path) + "*.candidate*"):
            path.unlink(missing_ok=True)
            removed.append(path)
        return removed
    finally:
        lock.release()


def read_baseline(serving_path: Path) -> Baseline | None:
    """The raw row counts of the last publish, from the serving file (opened read-only)."""
    if not serving_path.exists():
        return None
    with duckdb.connect(str(serving_path), read_only=True) as con:
        try:
            last = con.execute(
                "select publish_id, published_at, raw_dir from meta.publish_log "
                "order by publish_id desc limit 1"
            ).fetchone()
        except duckdb.CatalogException:
            return None
        if last is None:
            return None
        rows = con.execute(
            "select table_name, current_rows from meta.raw_row_counts where publish_id = ?",
            [last[0]],
        ).fetchall()
        try:
            validated = con.execute(
                "select table_name, file_name, size, mtime_ns from meta.validated_files"
            ).fetchall()
        except duckdb.CatalogException:  # published before files were recorded
            validated = []
    return Baseline(
        last[0], last[1], last[2], {table: count for table, count in rows}, frozenset(validated)
    )


def min_current_rows(baseline: Baseline | None, table: str, ratio: float) -> int | None:
    if baseline is None or table not in baseline.current_rows:
        return None
    return math.ceil(baseline.current_rows[table] * ratio)


def git_sha() -> str:
    """HEAD's sha, ``-dirty`` when tracked files differ from it; ``unknown`` outside git."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "diff", "--quiet", "HEAD", "--"],
            cwd=PROJECT_DIR,
            capture_output=True,
            check=False,
        ).returncode
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("-dirty" if dirty == 1 else "")


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
    raw_counts: Mapping[str, RawCount],
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
    raw_counts: Mapping[str, RawCount],
    raw_dir: Path,
    landing_fingerprint: str,
    run_started_at: datetime,
    validated_files: list[FileStat],
) -> PublishRecord:
    with duckdb.connect(str(candidate)) as con:
        con.execute(f"attach {_literal(str(build_path))} as build (read_only)")
        built_by = read_build_marker(con, "build")
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
                f"create table {MARTS_SCHEMA}.{_quote(mart)} as "
                f"select * from build.{MARTS_SCHEMA}.{_quote(mart)}"
            )
            mart_rows[mart] = con.execute(
                f"select count(*) from {MARTS_SCHEMA}.{_quote(mart)}"
            ).fetchone()[0]
        con.execute("detach build")
        _write_meta(con, serving_path)
        publish_id = con.execute(
            "select coalesce(max(publish_id), 0) + 1 from meta.publish_log"
        ).fetchone()[0]
        published_at = datetime.now(UTC).replace(tzinfo=None)
        sha = git_sha()
        duration = (published_at - run_started_at).total_seconds()
        con.execute(
            "insert into meta.publish_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                publish_id,
                published_at,
                run_id,
                as_of_date,
                last_complete_month,
                sha,
                duration,
                str(raw_dir),
                landing_fingerprint,
                json.dumps(mart_rows),
            ],
        )
        con.executemany(
            "insert into meta.publish_marts values (?, ?, ?)",
            [[publish_id, mart, rows] for mart, rows in mart_rows.items()],
        )
        con.executemany(
            "insert into meta.raw_row_counts values (?, ?, ?, ?, ?, ?)",
            [
                [publish_id, c.table, c.current_rows, c.raw_rows, c.batch_files, c.newest_loaded_at]
                for c in raw_counts.values()
            ],
        )
        con.execute(
            f"create table {META_SCHEMA}.validated_files "
            "(table_name varchar, file_name varchar, size bigint, mtime_ns bigint)"
        )
        if validated_files:
            con.executemany(
                f"insert into {META_SCHEMA}.validated_files values (?, ?, ?, ?)", validated_files
            )
        con.execute("checkpoint")
    return PublishRecord(
        publish_id=publish_id,
        published_at=published_at,
        run_id=run_id,
        as_of_date=as_of_date,
        last_complete_month=last_complete_month,
        git_sha=sha,
        duration_seconds=duration,
        mart_rows=mart_rows,
        serving_path=serving_path,
        serving_bytes=0,
    )


META_DDL = {
    "publish_log": """(
        publish_id bigint, published_at timestamp, run_id varchar, as_of_date date,
        last_complete_month date, git_sha varchar, duration_seconds double, raw_dir varchar,
        landing_fingerprint varchar, mart_rows varchar)""",
    "publish_marts": "(publish_id bigint, mart varchar, row_count bigint)",
    "raw_row_counts": """(
        publish_id bigint, table_name varchar, current_rows bigint, raw_rows bigint,
        batch_files bigint, newest_loaded_at timestamp)""",
}


def _write_meta(con: duckdb.DuckDBPyConnection, serving_path: Path) -> None:
    """Create the meta tables, with the history of the current serving file when there is one."""
    con.execute(f"create schema {META_SCHEMA}")
    for table, ddl in META_DDL.items():
        con.execute(f"create table {META_SCHEMA}.{table} {ddl}")
    if not serving_path.exists():
        return
    con.execute(f"attach {_literal(str(serving_path))} as previous (read_only)")
    try:
        existing = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'previous' and table_schema = ?",
                [META_SCHEMA],
            ).fetchall()
        }
        for table in META_DDL:
            if table in existing:  # a serving file from before a table existed has no history
                con.execute(
                    f"insert into {META_SCHEMA}.{table} "
                    f"select * from previous.{META_SCHEMA}.{table}"
                )
    finally:
        con.execute("detach previous")


def _run_started_at(context: AssetExecutionContext) -> datetime:
    record = context.instance.get_run_record_by_id(context.run.run_id)
    started = record.start_time if record is not None else None
    if started is None:
        return datetime.now(UTC).replace(tzinfo=None)
    return datetime.fromtimestamp(started, UTC).replace(tzinfo=None)


def _raw_counts(outcomes: list[CheckOutcome]) -> dict[str, RawCount]:
    counts = {}
    for outcome in outcomes:
        meta = outcome.metadata
        if outcome.check_name != RAW_GATE_CHECK or "current_rows" not in meta:
            continue
        newest = meta.get("newest_loaded_at")
        counts[meta["table"]] = RawCount(
            table=meta["table"],
            current_rows=int(meta["current_rows"]),
            raw_rows=int(meta["raw_rows"]),
            batch_files=int(meta["batch_files"]),
            newest_loaded_at=datetime.fromisoformat(newest) if newest else None,
        )
    return counts


def _gates_passed(
    outcomes: list[CheckOutcome], required: set[tuple[dg.AssetKey, str]]
) -> list[str]:
    """Problems that forbid publishing: a required gate that did not pass in this run."""
    latest = {(o.asset_key, o.check_name): o for o in outcomes}
    problems = []
    for key, check in sorted(required, key=lambda kc: (kc[0].to_user_string(), kc[1])):
        outcome = latest.get((key, check))
        if outcome is None:
            problems.append(f"{check} on {key.to_user_string()} did not run in this run")
        elif not outcome.passed:
            problems.append(f"{check} on {key.to_user_string()} failed")
    return problems


def build_publish_asset(
    mart_keys: dict[str, dg.AssetKey], raw_keys: list[dg.AssetKey], fx_key: dg.AssetKey
) -> dg.AssetsDefinition:
    required = (
        {(key, RAW_GATE_CHECK) for key in raw_keys}
        | {(fx_key, FX_COVERAGE_CHECK)}
        | {(key, MART_GATE_CHECK) for key in mart_keys.values()}
    )

    @dg.asset(
        name="serving_warehouse",
        group_name="publish",
        deps=list(mart_keys.values()),
        kinds={"duckdb"},
        description=(
            "The serving DuckDB file (CX_SERVING_PATH) BI tools open read-only: every mart "
            "plus meta.publish_log, replaced atomically once every gate of the run passed."
        ),
    )
    def serving_warehouse(context: AssetExecutionContext) -> dg.MaterializeResult:
        settings = Settings.from_env()
        outcomes = check_outcomes(context)
        problems = _gates_passed(outcomes, required)
        if problems:
            raise dg.Failure(
                "Not publishing: every gate must pass in the same run.\n  " + "\n  ".join(problems)
            )
        fingerprints = {
            str(o.metadata[FINGERPRINT_KEY])
            for o in outcomes
            if o.check_name == RAW_GATE_CHECK and FINGERPRINT_KEY in o.metadata
        }
        # the files the raw gate validated: the landing as it is now, if it is still the landing
        # the gate read (else record none, and the next raw gate reads every file)
        stats = file_stats(settings.raw_dir)
        validated = stats if {fingerprint_of(stats)} == fingerprints else []
        if not validated:
            context.log.warning(
                f"the landing {settings.raw_dir} changed since the raw gate: the next raw gate "
                "validates every batch file again"
            )
        try:
            record = publish(
                settings.build_path,
                settings.serving_path,
                run_id=context.run.run_id,
                marts=sorted(mart_keys),
                raw_counts=_raw_counts(outcomes),
                raw_dir=settings.raw_dir,
                landing_fingerprint=",".join(sorted(fingerprints)),
                run_started_at=_run_started_at(context),
                validated_files=validated,
            )
        except PublishError as error:
            raise dg.Failure(f"Not published: {error}") from error
        context.log.info(
            f"published {len(record.mart_rows)} marts as of {record.as_of_date} to "
            f"{record.serving_path} (publish #{record.publish_id})"
        )
        return dg.MaterializeResult(
            metadata={
                "serving_path": dg.MetadataValue.path(str(record.serving_path)),
                "publish_id": dg.MetadataValue.int(record.publish_id),
                "as_of_date": dg.MetadataValue.text(record.as_of_date.isoformat()),
                "last_complete_month": dg.MetadataValue.text(
                    record.last_complete_month.isoformat()
                ),
                "git_sha": dg.MetadataValue.text(record.git_sha),
                "duration_seconds": dg.MetadataValue.float(round(record.duration_seconds, 2)),
                "mart_rows": dg.MetadataValue.json(record.mart_rows),
                "total_rows": dg.MetadataValue.int(sum(record.mart_rows.values())),
                "serving_bytes": dg.MetadataValue.int(record.serving_bytes),
                "data_docs_index": dg.MetadataValue.path(str(settings.data_docs_index)),
            }
        )

    return serving_warehouse
