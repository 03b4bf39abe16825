"""An incremental build after a new batch gives exactly the marts of a full rebuild on the
same landing dir, including a batch that updates rows loaded long ago and one that arrives
late with facts about old months."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.dbt_build import Build, dbt_build
from tests.landing import d, ts, write_batch
from tests.scenario import AS_OF, write_scenario

pytestmark = pytest.mark.e2e

NEXT_LOAD = ts("2024-06-15 05:00")
# what the restage tests compare is models; their data tests run in the tests above
MODELS_ONLY = ("--exclude-resource-type", "test", "unit_test")


def land_next_batch(raw: Path) -> None:
    """Updates of first-batch rows, and late facts about January to March."""
    write_batch(
        raw,
        "billing/subscriptions",
        [
            # A2's yearly plan (first batch) is canceled; service ended on 2024-04-20
            {
                "subscription_id": "S3",
                "account_id": "A2",
                "plan_tier": "enterprise",
                "billing_interval": "year",
                "amount_cents": 1200000,
                "quantity": 1,
                "currency": "EUR",
                "status": "canceled",
                "started_at": ts("2024-02-01"),
                "canceled_at": ts("2024-04-01"),
                "ended_at": ts("2024-04-20"),
                "updated_at": ts("2024-06-15 04:00"),
            },
            # a late subscription for A5 that ran from January
            {
                "subscription_id": "S9",
                "account_id": "A5",
                "plan_tier": "growth",
                "billing_interval": "month",
                "amount_cents": 4000,
                "quantity": 2,
                "currency": "USD",
                "status": "active",
                "started_at": ts("2024-01-05"),
                "updated_at": ts("2024-01-05"),
            },
        ],
        NEXT_LOAD,
        batch="batch_0003",
    )
    write_batch(
        raw,
        "billing/fx_rates",
        [
            {"rate_month": d("2024-03-01"), "currency": "EUR", "usd_per_unit": 1.09},
        ],
        NEXT_LOAD,
        batch="batch_0003",
    )
    write_batch(
        raw,
        "billing/invoices",
        [
            {
                "invoice_id": "I20",
                "account_id": "A5",
                "subscription_id": "S9",
                "status": "paid",
                "amount_due_cents": 8000,
                "amount_paid_cents": 8000,
                "currency": "USD",
                "issued_at": ts("2024-01-05"),
                "paid_at": ts("2024-01-06"),
                "updated_at": ts("2024-01-06"),
            },
        ],
        NEXT_LOAD,
        batch="batch_0003",
    )
    write_batch(
        raw,
        "support/tickets",
        [
            # T4 (first batch) was solved long ago after all; and a late ticket from February
            {
                "ticket_id": "T4",
                "account_id": "A2",
                "group_name": "tier1",
                "channel": "email",
                "category": "onboarding",
                "priority": "normal",
                "status": "solved",
                "created_at": ts("2024-02-15 10:00"),
                "solved_at": ts("2024-02-16 10:00"),
                "updated_at": ts("2024-06-15 04:00"),
            },
            {
                "ticket_id": "T10",
                "account_id": "A5",
                "group_name": "tier1",
                "channel": "web",
                "category": "onboarding",
                "priority": "low",
                "status": "closed",
                "created_at": ts("2024-01-10 10:00"),
                "solved_at": ts("2024-01-10 12:00"),
                "updated_at": ts("2024-01-10 12:00"),
            },
        ],
        NEXT_LOAD,
        batch="batch_0003",
    )
    write_batch(
        raw,
        "support/ticket_events",
        [
            {
                "event_id": "E20",
                "ticket_id": "T4",
                "event_type": "comment",
                "author_type": "agent",
                "is_public": True,
                "created_at": ts("2024-02-16 09:00"),
            },
            # a first-batch internal note on T1 was in fact a public reply: T1 is no
            # longer first-contact resolved
            {
                "event_id": "E2",
                "ticket_id": "T1",
                "event_type": "comment",
                "author_type": "agent",
                "is_public": True,
                "created_at": ts("2024-02-10 09:30"),
            },
            {
                "event_id": "E21",
                "ticket_id": "T10",
                "event_type": "comment",
                "author_type": "agent",
                "is_public": True,
                "created_at": ts("2024-01-10 11:00"),
            },
        ],
        NEXT_LOAD,
        batch="batch_0003",
    )


def land_moved_event(raw: Path) -> None:
    """An event moved from T3 to T4: T3 must be recounted though no row of it is new."""
    write_batch(
        raw,
        "support/ticket_events",
        [
            # T3's only reply was filed on the wrong ticket: it belongs to T4
            {
                "event_id": "E10",
                "ticket_id": "T4",
                "event_type": "comment",
                "author_type": "agent",
                "is_public": True,
                "created_at": ts("2024-03-02 01:00"),
            },
        ],
        ts("2024-06-16 05:00"),
        batch="batch_0004",
    )


def land_contact_update(raw: Path) -> None:
    """T1's requester changed role: T1's facts change with no new ticket or event."""
    write_batch(
        raw,
        "crm/contacts",
        [
            {
                "contact_id": "C1",
                "account_id": "A1",
                "email": "ann@a1.example",
                "full_name": "Ann One",
                "role": "admin",
                "created_at": ts("2024-01-01"),
                "updated_at": ts("2024-06-17"),
            },
        ],
        ts("2024-06-17 05:00"),
        batch="batch_0005",
    )


def mart_rows(build: Build) -> dict[str, list[tuple]]:
    marts = sorted(build.tables("marts"))
    assert marts, "no mart was built"
    return {
        mart: sorted(tuple(row.values()) for row in build.records(f"select * from marts.{mart}"))
        for mart in marts
    }


def executed_sql(build_dir: Path, model: str) -> str:
    """The SQL dbt ran for a staging model in its last build."""
    return next((build_dir / "target" / "run").rglob(f"{model}.sql")).read_text()


def test_incremental_build_equals_full_rebuild(tmp_path: Path) -> None:
    raw = write_scenario(tmp_path / "raw")
    first = dbt_build(raw, tmp_path / "incremental", AS_OF)
    assert first.returncode == 0, first.output[-3000:]
    before = mart_rows(first)

    land_next_batch(raw)
    incremental = dbt_build(raw, tmp_path / "incremental", AS_OF)
    assert incremental.returncode == 0, incremental.output[-3000:]
    # staging merged the new batches into the existing table instead of rebuilding it
    merged = executed_sql(tmp_path / "incremental", "stg_billing__subscriptions")
    assert 'delete from "cx"."staging"."stg_billing__subscriptions"' in merged

    full = dbt_build(raw, tmp_path / "full", AS_OF, "--full-refresh")
    assert full.returncode == 0, full.output[-3000:]

    after = mart_rows(incremental)
    assert after == mart_rows(full)
    assert after != before  # the batch changed the marts
    # ticket facts were recounted only for the tickets the batch touched
    recounted = executed_sql(tmp_path / "incremental", "int_ticket_facts")
    assert 'delete from "cx"."intermediate"."int_ticket_facts"' in recounted
    bridge = incremental.records("""select ending_mrr_usd from marts.mrr_bridge
        where dimension = 'all' and month = '2024-03-01'""")
    # March: A1 300, A2 1,000 EUR at the revised 1.09, A5's late subscription 80
    assert bridge[0]["ending_mrr_usd"] == pytest.approx(300 + 1090 + 80)
    fcr = incremental.records("""select fcr_tickets, solved_tickets
        from marts.first_contact_resolution where dimension = 'all' and month = '2024-02-01'""")
    # February: T1 (now two public replies) and T4 (solved late, one reply): only T4 is FCR
    assert fcr == [{"fcr_tickets": 1, "solved_tickets": 2}]

    # later batches that touch a ticket only through another ticket's event or its contact
    facts = "select * from intermediate.int_ticket_facts order by ticket_id"
    for land in (land_moved_event, land_contact_update):
        land(raw)
        again = dbt_build(raw, tmp_path / "incremental", AS_OF)
        assert again.returncode == 0, again.output[-3000:]
        full = dbt_build(raw, tmp_path / "full", AS_OF, "--full-refresh", *MODELS_ONLY)
        assert full.returncode == 0, full.output[-3000:]
        assert again.records(facts) == full.records(facts), land.__name__
        assert mart_rows(again) == mart_rows(full), land.__name__
    roles = again.records("""select dimension_value from marts.first_contact_resolution
        where dimension = 'requester_role' and month = '2024-02-01' order by 1""")
    assert roles == [{"dimension_value": "admin"}, {"dimension_value": "unknown"}]


def test_full_refresh_flag_rebuilds_staging(tmp_path: Path) -> None:
    raw = write_scenario(tmp_path / "raw")
    assert dbt_build(raw, tmp_path, AS_OF).returncode == 0
    shutil.rmtree(tmp_path / "target")
    rebuilt = dbt_build(raw, tmp_path, AS_OF, "--full-refresh", "--select", "stg_crm__accounts")
    assert rebuilt.returncode == 0, rebuilt.output[-3000:]
    rebuilt_sql = executed_sql(tmp_path, "stg_crm__accounts")
    assert "delete from" not in rebuilt_sql
    assert "create  table" in rebuilt_sql or "create table" in rebuilt_sql


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
