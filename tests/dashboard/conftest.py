"""A real serving file for the dashboard tests: the sample landing dir, refreshed and
published by the refresh job's CLI into temporary paths, once per test session.

With pytest-xdist every worker asks for it; the first builds it under a lock in the
directory the workers share and the others wait and reuse it.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
APP = PROJECT_DIR / "dashboard" / "app.py"
BUILD_TIMEOUT_S = 900


def _build(root: Path) -> Path:
    serving = root / "serving.duckdb"
    env = {
        **os.environ,
        "CX_RAW_DIR": str(root / "raw"),
        "CX_DUCKDB_PATH": str(root / "cx.duckdb"),
        "CX_SERVING_PATH": str(serving),
        "CX_GX_DIR": str(root),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    (root / "dagster").mkdir(parents=True, exist_ok=True)
    for command in (
        [sys.executable, "-m", "orchestration.sample_data", "--out", str(root / "raw")],
        [sys.executable, "-m", "orchestration.cli", "run"],
    ):
        done = subprocess.run(
            command,
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
        )
        if done.returncode != 0:
            tail = (done.stdout + done.stderr)[-4000:]
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{tail}")
    if not serving.exists():
        raise RuntimeError(f"the refresh reported success but wrote no {serving}")
    return serving


@pytest.fixture(scope="session")
def serving_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a serving file published by `orchestration.cli run` from the sample data."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "dashboard_serving"
    root.mkdir(exist_ok=True)
    done = root / "built"
    with open(shared / "dashboard_serving.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                _build(root)
                done.write_text("ok\n")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return root / "serving.duckdb"


class Marts:
    """Expected values, read straight from a serving file (a connection per query, closed:
    an open connection would pin DuckDB's instance of the file in this process)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()

    def one(self, sql: str, params: list[Any] | None = None) -> Any:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            row = con.execute(sql, params or []).fetchone()
        finally:
            con.close()
        assert row is not None, sql
        return row[0] if len(row) == 1 else row


@pytest.fixture(scope="session")
def marts(serving_file: Path) -> Marts:
    return Marts(serving_file)


@pytest.fixture
def on_serving_file(serving_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """CX_SERVING_PATH set to the session's serving file (AppTest runs the app in-process)."""
    monkeypatch.setenv("CX_SERVING_PATH", str(serving_file))
    yield serving_file
