"""The raw gate validates large tables chunk by chunk: chunks are whole (not DuckDB's small
batches) and a suite's failures over several chunks add up to one honest count."""

from __future__ import annotations

import duckdb

from orchestration.quality.frames import CurrentRows, TableFigures
from orchestration.quality.gx_runner import Failure, Validation, combine


def _rows(query: str, rows: int) -> CurrentRows:
    return CurrentRows(duckdb.connect(), query, rows, TableFigures(rows, rows, None))


def test_small_duckdb_batches_are_gathered_into_chunks() -> None:
    rows = _rows("select range as x from range(100000)", 100_000)
    sizes = [len(frame) for frame in rows.frames(30_000)]
    assert sum(sizes) == 100_000
    assert all(size >= 30_000 for size in sizes[:-1]) and len(sizes) == 4
    assert [len(frame) for frame in rows.frames(1_000_000)] == [100_000]


def test_no_rows_still_gives_one_empty_frame_with_the_columns() -> None:
    (frame,) = list(_rows("select 1 as x, 'a' as y limit 0", 0).frames(10))
    assert list(frame.columns) == ["x", "y"] and len(frame) == 0


def _failure(unexpected: int, element: int, examples: list[str]) -> Failure:
    return Failure("t", "expect_x", "c", "rule", unexpected, element, examples, None, {})


def test_failures_add_up_over_chunks_and_rate_over_every_row() -> None:
    columns_failure = Failure("t", "expect_table_columns", None, None, None, None, [], "x", {})
    parts = [
        Validation("t", "s", False, 4, 1000, [_failure(3, 1000, ["a", "b", "c"]), columns_failure]),
        Validation("t", "s", True, 4, 1000, []),
        Validation("t", "s", False, 4, 500, [_failure(4, 500, ["d", "e", "f", "g"])]),
    ]
    merged = combine(parts)
    assert (merged.success, merged.rows, merged.evaluated) == (False, 2500, 4)
    by_expectation = {f.expectation: f for f in merged.failures}
    assert by_expectation["expect_x"].unexpected_count == 7
    assert by_expectation["expect_x"].element_count == 2500
    assert by_expectation["expect_x"].examples == ["a", "b", "c", "d", "e"]
    assert by_expectation["expect_table_columns"] == columns_failure
    assert "failed for 7 of 2,500 rows" in by_expectation["expect_x"].describe()
