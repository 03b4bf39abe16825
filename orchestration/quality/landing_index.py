"""The raw gate's index of the landing dir: each batch file's keys and load order, read once.

To find a raw table's current rows (docs/raw-contract.md) the gate needs the key and load
order (``_loaded_at``, ``updated_at``) of every row of every batch file. Batch files are
append-only, so the gate keeps those narrow columns in a DuckDB file of its own
(``Settings.gate_index_path``, next to the build file) and reads from the landing dir only
the files it has not indexed yet: a daily refresh reads the day's batch, not the history.

Tables of the index file:

- ``index_tables``: per raw table, the digest of what its rows depend on (the landing dir,
  the key and order columns and their types, ``INDEX_VERSION``); a different digest drops
  the table's index and reads every file again;
- ``index_files``: per indexed batch file, its name, size, modification time and row count;
- ``keys__<source>__<table>``: the key and order columns of every row, with ``_file`` (the
  batch file's name);
- ``current__<source>__<table>``: the current rows among them (docs/raw-contract.md: the
  newest load of a key, then the newest update; rows tied on both are all current), kept up
  to date by recomputing only the keys that a new, changed or removed file holds.

A file whose size or modification time changed, or that is gone, has its rows dropped
(and, when present, read again). The index is a cache: deleting it only costs the next run
a full read, ``rebuild`` (a full refresh) starts it afresh, a file DuckDB cannot open is
replaced, and when another process holds the file's lock the gate indexes in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.contract import RawTable
from orchestration.lib.landing import BatchFile
from orchestration.lib.sql import quote_identifier, quote_literal

INDEX_VERSION = 1  # bump when the index's layout or meaning changes: every index is rebuilt
DUCKDB_TYPES = {  # Arrow type of the contract (orchestration.lib.contract) -> DuckDB type
    "string": "varchar",
    "int64": "bigint",
    "double": "double",
    "bool": "boolean",
    "date32[day]": "date",
    "timestamp[us]": "timestamp",
}


def order_columns(table: RawTable) -> list[str]:
    """The load order of ``macros/raw/current_rows.sql``: newest load, then newest update."""
    return ["_loaded_at", "updated_at"] if table.has_updated_at else ["_loaded_at"]


def current_row_order(table: RawTable) -> str:
    """The dedupe order as SQL, ``_loaded_at desc[, updated_at desc]``."""
    return ", ".join(f"{quote_identifier(column)} desc" for column in order_columns(table))


def key_table(table: RawTable) -> str:
    return f"keys__{table.source}__{table.name}"


def current_table(table: RawTable) -> str:
    return f"current__{table.source}__{table.name}"


def _column_types(table: RawTable) -> list[tuple[str, str]]:
    names = [*table.key_columns, *order_columns(table)]
    types = {f.name: str(f.type) for f in table.schema}
    return [(name, DUCKDB_TYPES[types[name]]) for name in names]


def _digest(raw_dir: Path, table: RawTable) -> str:
    parts = [str(INDEX_VERSION), str(raw_dir.resolve()), table.path]
    parts += [f"{name} {kind}" for name, kind in _column_types(table)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class IndexUpdate:
    """What bringing one table's index up to date took."""

    files_read: int  # batch files read from the landing dir (new, changed, or all on a rebuild)
    files_reused: int  # batch files whose keys came from the index
    raw_rows: int  # rows of every batch file of the table
    keys_recomputed: int | None  # keys whose current rows were found again (None: every key)

    def describe(self) -> str:
        found = (
            "current rows of every key found (a new index)"
            if self.keys_recomputed is None
            else f"current rows of {self.keys_recomputed:,} key(s) recomputed"
        )
        return (
            f"keys of {self.files_read} batch file(s) read, {self.files_reused} from the index, "
            + found
        )


@contextmanager
def open_index(path: Path | None, config: dict[str, object]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to the index file at ``path``; in memory (an index for this
    run only) when ``path`` is None or another process holds the file. A file DuckDB cannot
    open as a database (torn, not DuckDB) is removed and started afresh."""
    if path is None:
        con = duckdb.connect(config=config)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path), config=config)
        except duckdb.Error as error:
            if "could not set lock" in str(error).lower():
                con = duckdb.connect(config=config)  # held by another gate: this run only
            else:  # not a DuckDB file (torn, overwritten): a cache, so start it afresh
                for stale in (path, path.with_name(path.name + ".wal")):
                    stale.unlink(missing_ok=True)
                con = duckdb.connect(str(path), config=config)
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(
            "create table if not exists index_tables (table_name varchar primary key, "
            "digest varchar not null)"
        )
        con.execute(
            "create table if not exists index_files (table_name varchar, file_name varchar, "
            "size bigint, mtime_ns bigint, row_count bigint, primary key (table_name, file_name))"
        )
        yield con
    finally:
        con.close()


def update_index(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    table: RawTable,
    files: list[BatchFile],
    rebuild: bool = False,
) -> IndexUpdate:
    """Bring the index of ``table`` up to date with its batch files ``files``, in one
    transaction: rows of files gone or changed are dropped, files not indexed are read, and
    the current rows of every key those files hold are found again."""
    keys = quote_identifier(key_table(table))
    current = quote_identifier(current_table(table))
    key_columns = ", ".join(quote_identifier(c) for c in table.key_columns)
    name = table.path
    digest = _digest(raw_dir, table)
    con.execute("begin transaction")
    try:
        found = con.execute(
            "select digest from index_tables where table_name = ?", [name]
        ).fetchall()
        if rebuild or found != [(digest,)]:
            columns = ", ".join(f"{quote_identifier(c)} {t}" for c, t in _column_types(table))
            for index_table in (keys, current):
                con.execute(f"drop table if exists {index_table}")
                con.execute(f"create table {index_table} ({columns}, _file varchar not null)")
            con.execute("delete from index_files where table_name = ?", [name])
            con.execute("delete from index_tables where table_name = ?", [name])
            con.execute("insert into index_tables values (?, ?)", [name, digest])
        indexed = {
            file_name: (size, mtime_ns)
            for file_name, size, mtime_ns in con.execute(
                "select file_name, size, mtime_ns from index_files where table_name = ?", [name]
            ).fetchall()
        }
        stats = {f.name: f.path.stat() for f in files}
        now = {file_name: (s.st_size, s.st_mtime_ns) for file_name, s in stats.items()}
        stale = [file_name for file_name, stat in indexed.items() if now.get(file_name) != stat]
        unread = [f for f in files if f.name not in indexed or f.name in stale]
        recomputed: int | None = None
        if not indexed:  # a new index: every key's current rows, in one pass
            if unread:
                _read_files(con, keys, table, unread, now)
            con.execute(f"delete from {current}")
            con.execute(f"insert into {current} {_current_rows_of(keys, table, 'true')}")
        else:  # the keys whose current rows can change: those of the rows dropped and added
            con.execute(
                f"create or replace temp table touched as select {key_columns} from {keys} limit 0"
            )
            touched_by = (
                f"insert into touched select distinct {key_columns} from {keys} "
                "where list_contains(?, _file)"
            )
            if stale:
                con.execute(touched_by, [stale])
                con.execute(f"delete from {keys} where list_contains(?, _file)", [stale])
                con.execute(
                    "delete from index_files where table_name = ? and list_contains(?, file_name)",
                    [name, stale],
                )
            if unread:
                _read_files(con, keys, table, unread, now)
                con.execute(touched_by, [[f.name for f in unread]])
            recomputed = _recompute_current(con, keys, current, table)
        (raw_rows,) = con.execute(
            "select coalesce(sum(row_count), 0) from index_files where table_name = ?", [name]
        ).fetchall()[0]
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return IndexUpdate(len(unread), len(files) - len(unread), int(raw_rows), recomputed)


def _recompute_current(
    con: duckdb.DuckDBPyConnection, keys: str, current: str, table: RawTable
) -> int:
    """Replace the current rows of the keys in temp table ``touched``; their number."""
    (count,) = con.execute("select count(*) from (select distinct * from touched)").fetchall()[0]
    if not count:
        return 0
    same_key = " and ".join(
        f"{{row}}.{quote_identifier(c)} is not distinct from touched.{quote_identifier(c)}"
        for c in table.key_columns
    )
    con.execute(
        f"delete from {current} where exists "
        f"(select 1 from touched where {same_key.format(row=current)})"
    )
    touched = f"exists (select 1 from touched where {same_key.format(row='k')})"
    con.execute(f"insert into {current} {_current_rows_of(keys, table, touched)}")
    return int(count)


def _current_rows_of(keys: str, table: RawTable, where: str) -> str:
    """The current rows (ties kept) among the index rows ``k`` of ``keys`` matching ``where``."""
    key_columns = ", ".join(quote_identifier(c) for c in table.key_columns)
    return (
        f"select * from {keys} as k where {where}\n"
        f"qualify rank() over (partition by {key_columns} order by {current_row_order(table)}) = 1"
    )


def _read_files(
    con: duckdb.DuckDBPyConnection,
    keys: str,
    table: RawTable,
    files: list[BatchFile],
    stats: dict[str, tuple[int, int]],
) -> None:
    narrow = ", ".join(quote_identifier(c) for c, _ in _column_types(table))
    paths = "[" + ", ".join(quote_literal(str(f.path)) for f in files) + "]"
    con.execute(
        f"insert into {keys}\nselect {narrow}, parse_filename(filename) as _file\n"
        f"from read_parquet({paths}, union_by_name = true, hive_partitioning = false, "
        "filename = true)"
    )
    counts = dict(
        con.execute(
            f"select _file, count(*) from {keys} where list_contains(?, _file) group by _file",
            [[f.name for f in files]],
        ).fetchall()
    )
    con.executemany(
        "insert into index_files values (?, ?, ?, ?, ?)",
        [[table.path, f.name, *stats[f.name], counts.get(f.name, 0)] for f in files],
    )
