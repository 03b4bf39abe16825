"""dbt rebuilds its incremental models from all batches when the warehouse file no longer
matches what they were built from: another landing dir, a back-dated batch, other code
(macros/restage/restage_if_landing_changed.sql)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.dbt_build import dbt_build
from tests.support.landing import ts
from tests.support.later_batches import MODELS_ONLY, executed_sql, land_next_batch, mart_rows
from tests.support.scenario import AS_OF, write_scenario

pytestmark = pytest.mark.e2e


def test_another_landing_dir_on_the_same_warehouse_file_is_built_from_all_its_batches(
    tmp_path: Path,
) -> None:
    """A warehouse file built from a landing dir with newer batches, then pointed at another
    landing dir: staging would skip the other dir's older rows if it stayed incremental."""
    newer = write_scenario(tmp_path / "newer")
    land_next_batch(newer)
    assert dbt_build(newer, tmp_path / "shared", AS_OF, *MODELS_ONLY).returncode == 0

    other = write_scenario(tmp_path / "other")
    reused = dbt_build(other, tmp_path / "shared", AS_OF, *MODELS_ONLY)
    assert reused.returncode == 0, reused.output[-3000:]
    assert "Rebuilding" in reused.output
    assert "is gone or changed" in reused.output

    fresh = dbt_build(other, tmp_path / "fresh", AS_OF, *MODELS_ONLY)
    assert fresh.returncode == 0, fresh.output[-3000:]
    assert mart_rows(reused) == mart_rows(fresh)


def test_a_back_dated_batch_is_staged(tmp_path: Path) -> None:
    """A new batch file whose rows were loaded before the newest rows already staged."""
    raw = write_scenario(tmp_path / "raw")
    assert dbt_build(raw, tmp_path / "incremental", AS_OF, *MODELS_ONLY).returncode == 0
    land_next_batch(raw)
    for batch in raw.glob("*/*/batch_0003.parquet"):  # re-stamp it before the first load
        table = pq.read_table(batch)
        stamp = pa.array([ts("2024-06-01 00:00")] * table.num_rows, type=pa.timestamp("us"))
        pq.write_table(
            table.set_column(table.schema.get_field_index("_loaded_at"), "_loaded_at", stamp), batch
        )

    incremental = dbt_build(raw, tmp_path / "incremental", AS_OF, *MODELS_ONLY)
    assert incremental.returncode == 0, incremental.output[-3000:]
    assert "holds rows loaded before those staged" in incremental.output
    full = dbt_build(raw, tmp_path / "full", AS_OF, *MODELS_ONLY)
    assert mart_rows(incremental) == mart_rows(full)


def test_a_warehouse_file_built_by_other_code_is_rebuilt(tmp_path: Path) -> None:
    """Incremental rows built by an older definition (here: an older staging schema and no
    code fingerprint) are rebuilt, not mixed with rows of the current one."""
    raw = write_scenario(tmp_path / "raw")
    first = dbt_build(raw, tmp_path / "old", AS_OF, *MODELS_ONLY)
    assert first.returncode == 0, first.output[-3000:]
    with duckdb.connect(str(first.db_path)) as con:
        con.execute("drop table meta.dbt_incremental_code")
        con.execute("alter table staging.stg_support__ticket_events drop previous_ticket_id")

    rebuilt = dbt_build(raw, tmp_path / "old", AS_OF, *MODELS_ONLY)
    assert rebuilt.returncode == 0, rebuilt.output[-3000:]
    assert "the incremental models changed since they were built" in rebuilt.output
    assert "delete from" not in executed_sql(tmp_path / "old", "stg_support__ticket_events")
    fresh = dbt_build(raw, tmp_path / "fresh", AS_OF, *MODELS_ONLY)
    assert mart_rows(rebuilt) == mart_rows(fresh)

    again = dbt_build(raw, tmp_path / "old", AS_OF, *MODELS_ONLY)  # same code: incremental
    assert "Rebuilding" not in again.output


def test_a_rewritten_batch_file_is_restaged(tmp_path: Path) -> None:
    """Batch files are never rewritten (docs/raw-contract.md); if one is, its old rows are gone."""
    raw = write_scenario(tmp_path / "raw")
    land_next_batch(raw)
    assert dbt_build(raw, tmp_path / "incremental", AS_OF, *MODELS_ONLY).returncode == 0
    batch = raw / "billing/subscriptions/batch_0003.parquet"
    table = pq.read_table(batch)
    pq.write_table(table.slice(0, 1), batch)  # a rewrite drops A5's late subscription

    incremental = dbt_build(raw, tmp_path / "incremental", AS_OF, *MODELS_ONLY)
    assert incremental.returncode == 0, incremental.output[-3000:]
    assert "is gone or changed" in incremental.output
    full = dbt_build(raw, tmp_path / "full", AS_OF, *MODELS_ONLY)
    assert mart_rows(incremental) == mart_rows(full)
