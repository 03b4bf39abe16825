"""The files the generator writes: one per batch and table, with exactly the contract's
schema and a fixed ``_loaded_at`` per batch; the same arguments give the same bytes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from orchestration.sample_data import generate, main
from tests.sample_data.checks import AS_OF, CONTRACT, SMALL, file_digests


def test_layout_has_one_file_per_batch_and_table(landing: Path) -> None:
    for table in CONTRACT:
        names = sorted(p.name for p in (landing / table).glob("*.parquet"))
        assert names == ["batch_0001.parquet", "batch_0002.parquet"], table


def test_every_file_has_exactly_the_contract_schema(landing: Path) -> None:
    for path, table in CONTRACT.items():
        expected = [(f.name, f.type) for f in table.schema]
        for file in sorted((landing / path).glob("*.parquet")):
            schema = pq.read_schema(file)
            assert [(f.name, f.type) for f in schema] == expected, file
            assert not schema.field("_loaded_at").nullable
            for key in table.key_columns:
                assert not schema.field(key).nullable, (file, key)


def test_same_arguments_give_identical_bytes(tmp_path: Path, landing: Path) -> None:
    again = tmp_path / "again"
    generate(again, accounts=SMALL, seed=7, as_of=AS_OF, batches=2)
    assert file_digests(again) == file_digests(landing)
    other = tmp_path / "other"
    generate(other, accounts=SMALL, seed=8, as_of=AS_OF, batches=2)
    assert file_digests(other) != file_digests(landing)


def test_if_empty_leaves_existing_data_alone(tmp_path: Path, capsys) -> None:
    out = tmp_path / "raw"
    assert main(["--out", str(out), "--accounts", "50", "--if-empty"]) == 0
    before = file_digests(out)
    assert len(before) == 2 * len(CONTRACT)
    assert main(["--out", str(out), "--accounts", "80", "--seed", "1", "--if-empty"]) == 0
    assert file_digests(out) == before
    assert "nothing to do" in capsys.readouterr().out.splitlines()[-1]


def test_loaded_at_is_fixed_per_batch_and_ends_on_the_as_of_date(
    db: duckdb.DuckDBPyConnection,
) -> None:
    for table in CONTRACT.values():
        rows = db.execute(
            f"select filename[-18:], min(_loaded_at), max(_loaded_at) from all_{table.name} "
            "group by 1 order by 1"
        ).fetchall()
        assert rows == [
            ("batch_0001.parquet", datetime(2026, 7, 14, 2), datetime(2026, 7, 14, 2)),
            ("batch_0002.parquet", datetime(2026, 7, 15, 2), datetime(2026, 7, 15, 2)),
        ], table.path
