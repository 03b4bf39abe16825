"""Read-only access to the serving DuckDB file, the only thing the dashboard reads.

The refresh publishes by atomically replacing the serving file (``os.replace``). DuckDB keeps
one database instance per path in a process, so a connection that stays open keeps seeing
the file it opened. Hence every load opens a fresh read-only connection, runs one query and
closes it, and loads are serialised (one connection open at a time in this process: a second
connection to the same path would get the open instance, i.e. possibly the replaced file).
Results are cached by the file's identity (inode, mtime_ns, size): a new publish is a new
identity, so the next rerun reads the new file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVING_PATH = "data/warehouse/serving.duckdb"

_LOAD_LOCK = threading.Lock()
_last_identity: dict[str, tuple[int, int, int]] = {}


class ServingFileError(Exception):
    """The serving file cannot be read; ``hint`` tells the reader what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def serving_path() -> Path:
    """``CX_SERVING_PATH`` (default data/warehouse/serving.duckdb), relative to the project root."""
    path = Path(os.environ.get("CX_SERVING_PATH") or DEFAULT_SERVING_PATH)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class FileIdentity:
    path: str
    inode: int
    mtime_ns: int
    size: int

    def key(self) -> tuple[str, int, int, int]:
        return (self.path, self.inode, self.mtime_ns, self.size)


def file_identity(path: Path | None = None) -> FileIdentity:
    path = path or serving_path()
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise ServingFileError(
            f"No serving file at {path}.",
            "Create it with `make run` (sample data, refresh, publish), or point "
            "CX_SERVING_PATH at a published serving file.",
        ) from None
    return FileIdentity(str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _read(path: str, sql: str, params: Sequence[Any]) -> pd.DataFrame:
    with _LOAD_LOCK:
        try:
            con = duckdb.connect(path, read_only=True)
        except duckdb.Error as exc:
            raise ServingFileError(
                f"Cannot open the serving file {path}: {exc}",
                "Rebuild it with `make run`; never open it read-write while the dashboard runs.",
            ) from exc
        try:
            return con.execute(sql, list(params)).df()
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            raise ServingFileError(
                f"The serving file {path} lacks a table the dashboard reads: {exc}",
                "It may be from an older version of the warehouse: refresh it with `make run`.",
            ) from exc
        finally:
            con.close()


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(identity: tuple[str, int, int, int], sql: str, params: tuple) -> pd.DataFrame:
    return _read(identity[0], sql, params)


def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """The result of ``sql`` on the serving file as it is now (cached per file identity)."""
    for _attempt in range(3):
        identity = file_identity()
        previous = _last_identity.get(identity.path)
        if previous is not None and previous != identity.key()[1:]:
            _cached.clear()  # a new publish: drop the results of the replaced file
        _last_identity[identity.path] = identity.key()[1:]
        frame = _cached(identity.key(), sql, tuple(params))
        if file_identity().key() == identity.key():
            return frame  # st.cache_data hands out a copy per call
        # Replaced while we read: the cached frame may be of either file, so read again.
        _cached.clear()
    return _read(identity.path, sql, params)


@dataclass(frozen=True)
class Publish:
    publish_id: int
    published_at: datetime
    run_id: str
    as_of_date: date
    last_complete_month: date
    git_sha: str | None
    action: str = "publish"  # or "rollback" (serves publish ``restores`` again)
    restores: int | None = None


def latest_publish() -> Publish:
    """The row of ``meta.publish_log`` with the greatest publish_id."""
    frame = query("select * from meta.publish_log order by publish_id desc limit 1")
    if frame.empty:
        raise ServingFileError(
            f"The serving file {serving_path()} has no publish recorded.",
            "Publish one with `make run`.",
        )
    row = frame.iloc[0]
    return Publish(
        publish_id=int(row["publish_id"]),
        published_at=pd.Timestamp(row["published_at"]).to_pydatetime(),
        run_id=str(row["run_id"]),
        as_of_date=pd.Timestamp(row["as_of_date"]).date(),
        last_complete_month=pd.Timestamp(row["last_complete_month"]).date(),
        git_sha=None if pd.isna(row["git_sha"]) else str(row["git_sha"]),
        action="publish" if pd.isna(row.get("action")) else str(row["action"]),
        restores=None if pd.isna(row.get("restores")) else int(row["restores"]),
    )
