"""The landing dir however CX_RAW_DIR spells it: a path or batch file name holding ', | or a
space builds the same marts, and the restage hook (macros/restage/) compares batch files by
their names relative to the landing dir, so data/raw and its absolute path are the same dir."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.dbt_build import PROJECT_DIR, dbt_build
from tests.support.landing import ts
from tests.support.later_batches import MODELS_ONLY, executed_sql, land_next_batch, mart_rows
from tests.support.scenario import AS_OF, write_scenario

pytestmark = pytest.mark.e2e

ODD_NAME = "o'neil|x 1.parquet"


def back_date(batch: Path) -> None:
    """Re-stamp a batch file's rows as loaded before the first load."""
    table = pq.read_table(batch)
    stamp = pa.array([ts("2024-06-01 00:00")] * table.num_rows, type=pa.timestamp("us"))
    column = table.schema.get_field_index("_loaded_at")
    pq.write_table(table.set_column(column, "_loaded_at", stamp), batch)


def landing_files(db_path: Path) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(
            "select table_name, file_name from meta.dbt_landing_files order by all"
        ).fetchall()


def test_quotes_bars_and_spaces_in_paths_build_the_same_marts(tmp_path: Path) -> None:
    plain = write_scenario(tmp_path / "plain")
    odd = tmp_path / "it's a | landing dir" / "raw"
    shutil.copytree(plain, odd)
    (odd / "billing/subscriptions/batch_0001.parquet").rename(
        odd / "billing/subscriptions" / ODD_NAME
    )

    # a full build: the raw schema tests read the odd path too
    odd_build = dbt_build(odd, tmp_path / "odd", AS_OF)
    assert odd_build.returncode == 0, odd_build.output[-3000:]
    assert ("billing/subscriptions", f"billing/subscriptions/{ODD_NAME}") in landing_files(
        odd_build.db_path
    )
    plain_build = dbt_build(plain, tmp_path / "plain_build", AS_OF, *MODELS_ONLY)
    assert plain_build.returncode == 0, plain_build.output[-3000:]
    assert mart_rows(odd_build) == mart_rows(plain_build)

    # a new, back-dated batch file with an odd name: the hook reads it and restages
    for raw in (plain, odd):
        land_next_batch(raw)
        back_date(raw / "billing/subscriptions/batch_0003.parquet")
    (odd / "billing/subscriptions/batch_0003.parquet").rename(
        odd / "billing/subscriptions/o'neil|x 3.parquet"
    )
    odd_again = dbt_build(odd, tmp_path / "odd", AS_OF, *MODELS_ONLY)
    assert odd_again.returncode == 0, odd_again.output[-3000:]
    assert (
        "a new batch file of billing/subscriptions holds rows loaded before those staged"
        in odd_again.output
    )
    plain_full = dbt_build(plain, tmp_path / "plain_full", AS_OF, *MODELS_ONLY)
    assert plain_full.returncode == 0, plain_full.output[-3000:]
    assert mart_rows(odd_again) == mart_rows(plain_full)


def test_relative_absolute_and_symlinked_landing_dir_are_the_same(tmp_path: Path) -> None:
    raw = write_scenario(tmp_path / "raw")
    relative = Path(os.path.relpath(raw, PROJECT_DIR))
    assert not relative.is_absolute()
    work = tmp_path / "work"
    first = dbt_build(relative, work, AS_OF, *MODELS_ONLY)
    assert first.returncode == 0, first.output[-3000:]
    staged = first.records("select * from staging.stg_support__tickets order by all")
    assert staged
    listed = landing_files(first.db_path)

    link = tmp_path / "link"
    link.symlink_to(raw, target_is_directory=True)
    for spelling in (raw.resolve(), link):
        again = dbt_build(spelling, work, AS_OF, *MODELS_ONLY)
        assert again.returncode == 0, again.output[-3000:]
        assert "Rebuilding" not in again.output, spelling
        assert "delete from" in executed_sql(work, "stg_support__tickets")  # incremental
        assert again.records("select * from staging.stg_support__tickets order by all") == staged
        assert landing_files(again.db_path) == listed
    assert ("billing/subscriptions", "billing/subscriptions/batch_0001.parquet") in listed


def test_a_half_written_dot_file_is_no_batch_for_dbt_nor_the_gate(tmp_path: Path) -> None:
    """A loader writing `.batch_9.parquet` before renaming it: dbt's sources, the restage
    listing and the raw gate's file list all skip it (one glob, dbt_project.yml)."""
    from orchestration.lib.landing import batch_files

    raw = write_scenario(tmp_path / "raw")
    (raw / "support" / "tickets" / ".batch_9.parquet").write_bytes(b"PAR1 half a file")
    result = dbt_build(raw, tmp_path / "wh", AS_OF, *MODELS_ONLY)
    assert result.returncode == 0, result.output[-3000:]
    names = {name for table, name in landing_files(result.db_path) if table == "support/tickets"}
    assert names and not any(name.split("/")[-1].startswith(".") for name in names)
    gate_files = [f.name for f in batch_files(raw)["support/tickets"]]
    assert gate_files and not any(name.startswith(".") for name in gate_files)
