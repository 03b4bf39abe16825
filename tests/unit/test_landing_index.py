"""The raw gate's landing index reads each batch file once and still finds exactly the
current rows staging keeps: a key superseded by a newer load, ties on the newest load, a file
replaced in place or removed, a composite date key, a torn index file and an index held by
another process. Every figure is counted by hand from the rows written here."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.lib.contract import raw_tables
from orchestration.lib.landing import batch_files
from orchestration.quality.frames import KEY_COUNT, current_rows
from orchestration.quality.landing_index import open_index, update_index
from tests.support.landing import d, ts, write_batch

ACCOUNTS = raw_tables()["crm/accounts"]
SPEND = raw_tables()["crm/marketing_spend"]


def _account(account_id: str, updated_at: str, name: str = "x") -> dict:
    return {"account_id": account_id, "account_name": name, "updated_at": ts(updated_at)}


def _landing(raw: Path) -> Path:
    """crm/accounts: batch 1 loads A1, A2, A3; batch 2 (a day later) loads A2 again (it
    supersedes batch 1's A2) and A4 twice with the same load and update time (a tie)."""
    write_batch(
        raw,
        "crm/accounts",
        [_account("A1", "2026-01-01"), _account("A2", "2026-01-01"), _account("A3", "2026-01-01")],
        ts("2026-07-01"),
    )
    write_batch(
        raw,
        "crm/accounts",
        [_account("A2", "2026-06-30"), _account("A4", "2026-06-30"), _account("A4", "2026-06-30")],
        ts("2026-07-02"),
        batch="batch_0002",
    )
    return raw


def _value(value: object) -> object:
    return None if pd.isna(value) else value


def _figures(raw: Path, index: Path | None, **options) -> tuple[int, int, list[tuple]]:
    """(current rows, raw rows, validated rows as (account_id, updated_at, rows with its key))."""
    with current_rows(raw, ACCOUNTS, {}, index_path=index, **options) as rows:
        frame = next(iter(rows.frames(1000)))
        validated = [
            (
                _value(r["account_id"]),
                r["updated_at"].date().isoformat(),
                _value(r[KEY_COUNT]) and int(r[KEY_COUNT]),
            )
            for r in frame.to_dict("records")
        ]
        validated.sort(key=lambda row: tuple("~" if v is None else str(v) for v in row))
        return rows.figures.current_rows, rows.figures.raw_rows, validated


def _update(raw: Path, index: Path, table=ACCOUNTS, rebuild: bool = False):
    with open_index(index, {}) as con:
        return update_index(con, raw, table, batch_files(raw)[table.path], rebuild)


def test_current_rows_from_the_index_supersede_and_keep_ties(tmp_path: Path) -> None:
    raw = _landing(tmp_path / "raw")
    current, raw_rows, validated = _figures(raw, tmp_path / "index.duckdb")
    # A1, A3 from batch 1, A2 from batch 2, A4 twice (tied): 5 current rows of 6
    assert (current, raw_rows) == (5, 6)
    assert validated == [
        ("A1", "2026-01-01", 1),
        ("A2", "2026-06-30", 1),
        ("A3", "2026-01-01", 1),
        ("A4", "2026-06-30", 2),
        ("A4", "2026-06-30", 2),
    ]
    # the same figures as an index built in memory for this run only
    assert _figures(raw, None) == (current, raw_rows, validated)


def test_each_batch_file_is_read_once(tmp_path: Path) -> None:
    raw, index = _landing(tmp_path / "raw"), tmp_path / "index.duckdb"
    first = _update(raw, index)
    assert (first.files_read, first.files_reused, first.raw_rows) == (2, 0, 6)
    again = _update(raw, index)
    assert (again.files_read, again.files_reused, again.raw_rows) == (0, 2, 6)
    write_batch(raw, "crm/accounts", [_account("A1", "2026-07-02")], ts("2026-07-03"), "batch_0003")
    third = _update(raw, index)
    assert (third.files_read, third.files_reused, third.raw_rows) == (1, 2, 7)
    # A1 now comes from batch 3: still 5 current rows, of 7
    assert _figures(raw, index)[:2] == (5, 7)
    assert _update(raw, index, rebuild=True).files_read == 3


def test_a_file_replaced_in_place_or_removed_is_read_again(tmp_path: Path) -> None:
    raw, index = _landing(tmp_path / "raw"), tmp_path / "index.duckdb"
    _update(raw, index)
    time.sleep(0.01)  # a new modification time even on coarse clocks
    # batch 2 rewritten: only A5 now, so A2 is batch 1's again and A4 is gone
    write_batch(raw, "crm/accounts", [_account("A5", "2026-06-30")], ts("2026-07-02"), "batch_0002")
    update = _update(raw, index)
    assert (update.files_read, update.files_reused, update.raw_rows) == (1, 1, 4)
    current, raw_rows, validated = _figures(raw, index)
    assert (current, raw_rows) == (4, 4)
    assert [(a, u) for a, u, _ in validated] == [
        ("A1", "2026-01-01"),
        ("A2", "2026-01-01"),
        ("A3", "2026-01-01"),
        ("A5", "2026-06-30"),
    ]
    (raw / "crm/accounts/batch_0002.parquet").unlink()
    assert _update(raw, index).raw_rows == 3
    assert _figures(raw, index)[:2] == (3, 3)


def test_another_landing_dir_rebuilds_the_index(tmp_path: Path) -> None:
    index = tmp_path / "index.duckdb"
    _update(_landing(tmp_path / "raw"), index)
    other = tmp_path / "other"
    write_batch(other, "crm/accounts", [_account("B1", "2026-01-01")], ts("2026-07-01"))
    update = _update(other, index)
    assert (update.files_read, update.files_reused, update.raw_rows) == (1, 0, 1)


def test_a_composite_date_key(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    spend = {"channel": "paid_search", "amount_cents": 100, "currency": "USD"}
    rows = [{**spend, "spend_month": d("2026-05-01")}, {**spend, "spend_month": d("2026-06-01")}]
    write_batch(raw, "crm/marketing_spend", rows, ts("2026-07-01"))
    write_batch(raw, "crm/marketing_spend", rows[1:], ts("2026-07-02"), batch="batch_0002")
    with current_rows(raw, SPEND, {}, index_path=tmp_path / "index.duckdb") as found:
        assert (found.figures.current_rows, found.figures.raw_rows) == (2, 3)


def test_a_torn_index_file_is_replaced(tmp_path: Path) -> None:
    raw, index = _landing(tmp_path / "raw"), tmp_path / "index.duckdb"
    index.write_bytes(b"not a duckdb file, e.g. cut short by a full disk")
    assert _figures(raw, index)[:2] == (5, 6)
    assert _update(raw, index).files_reused == 2


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(60)
"""


def test_an_index_held_by_another_process_is_built_in_memory(tmp_path: Path) -> None:
    raw, index = _landing(tmp_path / "raw"), tmp_path / "index.duckdb"
    _update(raw, index)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(index)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(duckdb.IOException):
            duckdb.connect(str(index))
        assert _figures(raw, index)[:2] == (5, 6)
    finally:
        holder.kill()
        holder.wait()


def test_only_new_files_rows_are_validated_with_ties_across_files_counted(tmp_path: Path) -> None:
    raw, index = _landing(tmp_path / "raw"), tmp_path / "index.duckdb"
    old = [str(f.path) for f in batch_files(raw)["crm/accounts"]]
    assert _figures(raw, index)[:2] == (5, 6)
    # batch 3 ties with batch 2's A4 load (same _loaded_at and updated_at) and brings A6
    rows = [_account("A4", "2026-06-30", "again"), _account("A6", "2026-07-01")]
    write_batch(raw, "crm/accounts", rows, ts("2026-07-02"), batch="batch_0003")
    current, raw_rows, validated = _figures(raw, index, validated_paths=old)
    assert (current, raw_rows) == (7, 8)  # A1, A2, A3, A4 x3, A6
    # only batch 3's rows are validated; its A4 counts the two old A4 rows too
    assert validated == [("A4", "2026-06-30", 3), ("A6", "2026-07-01", 1)]
    # the same on an index built in memory for this run
    assert _figures(raw, None, validated_paths=old) == (current, raw_rows, validated)


def test_a_null_key_is_current_but_has_no_key_count(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_batch(
        raw,
        "crm/accounts",
        [_account(None, "2026-01-01"), _account(None, "2026-01-01"), _account("A1", "2026-01-01")],
        ts("2026-07-01"),
    )
    index = tmp_path / "index.duckdb"
    current, raw_rows, validated = _figures(raw, index)
    assert (current, raw_rows) == (3, 3)
    assert validated == [
        ("A1", "2026-01-01", 1),
        (None, "2026-01-01", None),
        (None, "2026-01-01", None),
    ]
    write_batch(raw, "crm/accounts", [_account(None, "2026-02-01")], ts("2026-07-02"), "batch_0002")
    assert _figures(raw, index)[:2] == (2, 4)  # the newer null-key row supersedes both
