"""A landing dir that breaks the contract fails `dbt build` with a message naming the table,
the column and the number of offending rows, and no mart is built from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.dbt_build import dbt_build
from tests.support.landing import ts, write_batch
from tests.support.scenario import AS_OF, write_scenario

pytestmark = pytest.mark.e2e

LATER = ts("2024-06-15 03:00")


def rewrite(raw: Path, table: str, change: Callable[[pa.Table], pa.Table]) -> None:
    path = raw / table / "batch_0001.parquet"
    pq.write_table(change(pq.read_table(path)), path)


def drop_column(raw: Path) -> None:
    rewrite(raw, "billing/subscriptions", lambda t: t.drop_columns(["amount_cents"]))


def retype_column(raw: Path) -> None:
    def to_string(table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index("quantity")
        return table.set_column(index, "quantity", table["quantity"].cast(pa.string()))

    rewrite(raw, "billing/subscriptions", to_string)


def null_key(raw: Path) -> None:
    write_batch(
        raw,
        "crm/accounts",
        [
            {"account_id": None, "account_name": "ghost", "created_at": LATER, "updated_at": LATER},
        ],
        LATER,
        batch="batch_0003",
    )


def duplicate_current_key(raw: Path) -> None:
    ticket = {
        "ticket_id": "T9",
        "account_id": "A1",
        "channel": "web",
        "category": "billing",
        "priority": "low",
        "status": "open",
        "created_at": LATER,
        "updated_at": LATER,
    }
    write_batch(
        raw, "support/tickets", [ticket, {**ticket, "status": "pending"}], LATER, batch="batch_0003"
    )


def unknown_enum(raw: Path) -> None:
    write_batch(
        raw,
        "billing/subscriptions",
        [
            {
                "subscription_id": "S90",
                "account_id": "A1",
                "plan_tier": "platinum",
                "billing_interval": "month",
                "amount_cents": 100,
                "quantity": 1,
                "currency": "USD",
                "status": "active",
                "started_at": ts("2024-05-01"),
                "updated_at": LATER,
            },
        ],
        LATER,
        batch="batch_0003",
    )


def missing_fx_rate(raw: Path) -> None:
    def without_april(table: pa.Table) -> pa.Table:
        months = table["rate_month"].to_pylist()
        return table.filter(pa.array([str(m) != "2024-04-01" for m in months]))

    rewrite(raw, "billing/fx_rates", without_april)


def refund_above_invoice(raw: Path) -> None:
    write_batch(
        raw,
        "billing/refunds",
        [
            {
                "refund_id": "R9",
                "invoice_id": "I3",
                "amount_cents": 26000,
                "currency": "USD",
                "refunded_at": ts("2024-05-02"),
            },
        ],
        LATER,
        batch="batch_0003",
    )


def unreadable_file(raw: Path) -> None:
    (raw / "support/ticket_events/batch_0003.parquet").write_bytes(b"not a parquet file")


def table_without_batches(raw: Path) -> None:
    for batch in (raw / "billing/refunds").glob("*.parquet"):
        batch.unlink()


CASES = {
    "missing column": (
        drop_column,
        ["billing/subscriptions.amount_cents", "expected BIGINT", "found missing", "1 file(s)"],
    ),
    "column of another type": (
        retype_column,
        ["billing/subscriptions.quantity", "expected BIGINT", "found VARCHAR"],
    ),
    "null primary key": (null_key, ["not_null_crm_accounts_account_id", "Got 1 result"]),
    "duplicate current key": (
        duplicate_current_key,
        ["unique_stg_support__tickets_ticket_id", "Got 2 results"],
    ),
    "unknown enum value": (
        unknown_enum,
        ["accepted_values_stg_billing__subscriptions_plan_tier", "Got 1 result"],
    ),
    # A2's April subscription month (EUR) has no rate
    "missing fx rate": (
        missing_fx_rate,
        ["fx_rate_available_int_subscription_months_usd_per_unit", "Got 1 result"],
    ),
    "refund above invoice": (
        refund_above_invoice,
        ["assert_refunds_within_invoice_paid", "Got 2 results"],
    ),
    "unreadable parquet": (unreadable_file, ["support", "ticket_events", "batch_0003.parquet"]),
    "table without batch files": (
        table_without_batches,
        ["Raw table(s) billing/refunds have no batch file (*.parquet)"],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_landing_fails_and_builds_no_mart(case: str, tmp_path: Path) -> None:
    breaks, expected_messages = CASES[case]
    raw = write_scenario(tmp_path / "raw")
    breaks(raw)
    result = dbt_build(raw, tmp_path, AS_OF)
    assert result.returncode != 0
    for message in expected_messages:
        assert message in result.output, result.output[-5000:]
    assert result.tables("marts") == set()


def test_extra_columns_are_ignored(tmp_path: Path) -> None:
    raw = write_scenario(tmp_path / "raw")
    rewrite(
        raw, "crm/accounts", lambda t: t.append_column("loader_note", pa.array(["x"] * t.num_rows))
    )
    result = dbt_build(raw, tmp_path, AS_OF, "--select", "+mrr_bridge")
    assert result.returncode == 0, result.output[-3000:]
    assert "mrr_bridge" in result.tables("marts")
