"""Shared fixtures: a small generated landing dir and the refresh job run in-process."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.sample_data import generate

AS_OF = date(2026, 7, 15)
ACCOUNTS = 300
SEED = 7


@dataclass
class Warehouse:
    """The paths one test module's refreshes use (set as CX_* environment variables)."""

    root: Path
    raw_dir: Path

    @property
    def build_path(self) -> Path:
        return self.root / "warehouse" / "cx.duckdb"

    @property
    def serving_path(self) -> Path:
        return self.root / "warehouse" / "serving.duckdb"

    def landing_copy(self, name: str) -> Path:
        """A copy of the green landing dir to break on purpose."""
        copy = self.root / name
        shutil.copytree(self.raw_dir, copy)
        return copy

    def serving(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        with duckdb.connect(str(self.serving_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def generated_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("landing") / "raw"
    generate(raw, accounts=ACCOUNTS, seed=SEED, as_of=AS_OF, batches=2)
    return raw


@pytest.fixture(scope="module")
def warehouse(
    tmp_path_factory: pytest.TempPathFactory, generated_landing: Path
) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp("orchestration")
    raw = root / "raw"
    shutil.copytree(generated_landing, raw)
    wh = Warehouse(root, raw)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CX_RAW_DIR", str(raw))
        patch.setenv("CX_DUCKDB_PATH", str(wh.build_path))
        patch.setenv("CX_SERVING_PATH", str(wh.serving_path))
        patch.setenv("CX_GX_DIR", str(root / "gx"))
        yield wh


@pytest.fixture(scope="session")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


def run_refresh(defs: dg.Definitions, **options: Any) -> dg.ExecuteInProcessResult:
    """The ``refresh`` job, in-process on an ephemeral instance, never raising."""
    return defs.resolve_job_def("refresh").execute_in_process(
        run_config={"resources": {"refresh_options": {"config": options}}},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def failed_checks(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], str]:
    """(asset, check) -> description of every check that did not pass."""
    return {
        (e.asset_key.to_user_string(), e.check_name): e.description or ""
        for e in result.get_asset_check_evaluations()
        if not e.passed
    }


def executed_steps(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        e.step_key
        for e in result.all_events
        if e.event_type_value == "STEP_START" and e.step_key is not None
    }


def make_build(path: Path, run_id: str, rows: int) -> Path:
    """A build file as dbt leaves it: marts, the reporting period and the build marker."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema intermediate; create schema meta")
        con.execute(
            "create table marts.bridge as select range as id, range * 10.0 as amount "
            f"from range({rows})"
        )
        con.execute("create table marts.other as select 'x' as label")
        con.execute(
            "create table intermediate.int_reporting_period as select "
            "date '2026-07-15' as as_of_date, date '2026-06-01' as last_complete_month"
        )
        con.execute(
            "create table meta.build as select ? as run_id, now() as built_at, 'raw' as raw_dir",
            [run_id],
        )
    return path


@pytest.fixture
def builds(tmp_path: Path) -> dict[str, Path]:
    return {
        "run-a": make_build(tmp_path / "a.duckdb", "run-a", 3),
        "run-b": make_build(tmp_path / "b.duckdb", "run-b", 5),
    }
