"""Later batches of the hand-built scenario (tests/support/scenario.py) and how to compare
builds: for the full-vs-incremental tests."""

from __future__ import annotations

from pathlib import Path

from tests.support.dbt_build import Build
from tests.support.landing import d, ts, write_batch

NEXT_LOAD = ts("2024-06-15 05:00")
# builds whose models are compared while their data tests run elsewhere
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
