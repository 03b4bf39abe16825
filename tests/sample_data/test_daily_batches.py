"""Daily batches appended to a generated landing dir: one file per table with new rows and
new versions of earlier rows, deterministic, and the contract rules still hold."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from orchestration.sample_data import append_daily_batch, generate
from tests.sample_data.checks import (
    AS_OF,
    CONTRACT,
    KEYS,
    RULES,
    SMALL,
    assert_none,
    current_rows,
    file_digests,
    scalar,
)


def test_append_daily_batch_adds_one_file_per_table_with_updates(tmp_path: Path) -> None:
    out = tmp_path / "raw"
    generate(out, accounts=SMALL, seed=3, as_of=AS_OF, batches=2)
    twin = tmp_path / "twin"
    shutil.copytree(out, twin)
    before = file_digests(out)
    rows = append_daily_batch(out, seed=3, day=date(2026, 7, 16))
    after = file_digests(out)
    append_daily_batch(twin, seed=3, day=date(2026, 7, 16))
    assert file_digests(twin) == after
    assert {k: v for k, v in after.items() if k in before} == before
    added = sorted(set(after) - set(before))
    assert added == sorted(f"{t}/batch_0003.parquet" for t in CONTRACT)
    assert set(rows) == set(CONTRACT) and sum(rows.values()) > 0
    con = current_rows(out)
    for table in CONTRACT.values():
        stamps = con.execute(
            f"select distinct _loaded_at from all_{table.name} where filename like '%batch_0003%'"
        ).fetchall()
        assert stamps == [(datetime(2026, 7, 16, 2),)], table.path
    for table in ("crm/accounts", "billing/subscriptions", "billing/invoices", "support/tickets"):
        name, key = table.split("/")[1], KEYS[table]
        updates = scalar(
            con,
            f"select count(*) from all_{name} n join all_{name} o using ({key}) "
            "where n.filename like '%batch_0003%' and o.filename not like '%batch_0003%' "
            "and n.updated_at > o.updated_at",
        )
        assert updates > 0, table
    assert scalar(con, "select max(_loaded_at) from tickets") == datetime(2026, 7, 16, 2)
    with pytest.raises(ValueError):
        append_daily_batch(out, seed=3, day=date(2026, 7, 16))


def test_daily_batches_keep_the_contract_rules(tmp_path: Path) -> None:
    out = tmp_path / "raw"
    generate(out, accounts=SMALL, seed=11, as_of=date(2026, 7, 30), batches=4)
    append_daily_batch(out, seed=11, day=date(2026, 8, 2))  # a new month, two days skipped
    con = current_rows(out)
    for rule, sql in RULES.items():
        try:
            assert_none(con, sql)
        except AssertionError as error:
            raise AssertionError(f"{rule}: {error}") from None
    assert scalar(con, "select max(rate_month) from fx_rates") == date(2026, 8, 1)
    assert scalar(con, "select max(spend_month) from marketing_spend") == date(2026, 8, 1)
