"""Generated landing dirs shared by the sample-data tests of one process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.sample_data import generate
from tests.sample_data.checks import AS_OF, SMALL, current_rows


@pytest.fixture(scope="session")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small landing dir: 300 accounts, seed 7, two batches."""
    out = tmp_path_factory.mktemp("landing")
    generate(out, accounts=SMALL, seed=7, as_of=AS_OF, batches=2)
    return out


@pytest.fixture(scope="session")
def db(landing: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = current_rows(landing)
    yield con
    con.close()


@pytest.fixture(scope="session")
def default_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The default landing dir: 2000 accounts, seed 42, as of 2026-07-15, two batches."""
    out = tmp_path_factory.mktemp("default")
    generate(out)
    con = current_rows(out)
    yield con
    con.close()
