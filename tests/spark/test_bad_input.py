"""Bad landing dirs on Spark: `dbt build` fails with a message naming the table, the column and
the rows, and writes no mart (nothing under <wh>/marts.db/).

The breaks are those of tests/e2e/test_bad_input.py (the DuckDB build), with the same
messages, plus a type conflict between two batches of one table (each file's schema is
checked on its own on both engines, so the bad batch is named). Breaks that dbt tests catch
on rows are
combined into one landing dir (one Spark build, every failing test named with its count);
the FX rate break fails a test downstream of those, so it gets a build of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.e2e.test_bad_input import (
    drop_column,
    duplicate_current_key,
    missing_fx_rate,
    null_key,
    refund_above_invoice,
    retype_column,
    table_without_batches,
    unknown_enum,
    unreadable_file,
)
from tests.support.scenario import AS_OF, write_scenario
from tests.support.spark_build import spark_dbt_build

pytestmark = pytest.mark.spark


def conflicting_batches(raw: Path) -> None:
    """crm/accounts' second batch has account_name as a number, its first as text."""

    def to_number(table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index("account_name")
        return table.set_column(index, "account_name", pa.array([1] * table.num_rows))

    path = raw / "crm/accounts/batch_0002.parquet"
    pq.write_table(to_number(pq.read_table(path)), path)


def both(*breaks: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(raw: Path) -> None:
        for breaks_landing in breaks:
            breaks_landing(raw)

    return apply


CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "missing and retyped column": (
        both(drop_column, retype_column),
        [
            "billing/subscriptions.amount_cents: expected BIGINT, found missing in 1 file(s)",
            "billing/subscriptions.quantity: expected BIGINT, found VARCHAR in 1 file(s)",
        ],
    ),
    "type conflict between batches": (
        conflicting_batches,
        [
            "crm/accounts.account_name: expected VARCHAR, found BIGINT in 1 file(s), e.g. ",
            "crm/accounts/batch_0002.parquet",
        ],
    ),
    "unreadable parquet": (unreadable_file, ["support/ticket_events/batch_0003.parquet"]),
    "table without batch files": (
        table_without_batches,
        ["Raw table(s) billing/refunds have no batch file (*.parquet)"],
    ),
    "bad rows": (
        both(null_key, duplicate_current_key, unknown_enum, refund_above_invoice),
        [
            "source_not_null_crm_accounts_account_id: 1",
            "unique_stg_support__tickets_ticket_id: 2",
            "accepted_values_stg_billing__subscriptions_plan_tier__starter__growth__scale__"
            "enterprise: 1",
            "assert_refunds_within_invoice_paid: 2",
        ],
    ),
    "missing fx rate": (
        missing_fx_rate,
        ["fx_rate_available_int_subscription_months_usd_per_unit__currency__month: 1"],
    ),
}

FAILURE = re.compile(r"Failure in test (\S+) [^\n]*\n[^\n]*?Got (\d+) results?")


def failed_tests(output: str) -> list[str]:
    """dbt's failed data tests as "<test>: <failing rows>"."""
    return [f"{name}: {rows}" for name, rows in FAILURE.findall(output)]


@pytest.mark.parametrize("case", CASES)
def test_bad_landing_fails_on_spark_and_builds_no_mart(case: str, tmp_path: Path) -> None:
    breaks, expected_messages = CASES[case]
    raw = write_scenario(tmp_path / "raw")
    breaks(raw)
    # the build as the refresh runs it, less the unit tests (fixtures, not the landing dir:
    # they pass in tests/spark/test_cross_engine.py and take minutes here)
    build = spark_dbt_build(raw, tmp_path, AS_OF, "--exclude", "test_type:unit")
    assert build.returncode != 0
    failures = failed_tests(build.output)
    for message in expected_messages:
        assert message in build.output or message in failures, (failures, build.output[-5000:])
    marts = build.warehouse / "marts.db"
    assert not marts.exists() or not any(marts.iterdir()), sorted(marts.iterdir())
