"""A small hand-built landing dir whose marts are computed by hand in test_marts_by_hand.py.

As-of date 2024-06-15, so the last complete month is 2024-05.

A1  USD, starter 100.00 x 2 seats monthly from 01-10; upgraded on 03-15 to growth 300.00
    (the old subscription ends mid-month) -> MRR Jan 200, Feb 200, Mar 300, Apr 300, May 300.
    CRM row updated in a later batch: 50 -> 150 employees (SMB -> Mid-Market).
A2  EUR, enterprise 12,000.00 yearly from 02-01 -> MRR 1,000 EUR at each month's rate:
    Feb 1,100 (1.10), Mar 1,080 (1.08), Apr 1,080, May 1,120 (1.12).
A3  USD, 50.00 monthly from 01-20, ended 03-01 00:00 -> active Jan, Feb; churns in Mar;
    reactivates 04-10 at 80.00 -> Apr 80, May 80.
A4  unknown segment/region; free plan since Jan (never active), 30.00 from 05-20 -> May 30.
A5  a subscription that starts and ends in February: never active.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.landing import d, ts, write_batch, write_landing

AS_OF = "2024-06-15"


def _sub(
    sid: str,
    account: str,
    tier: str,
    interval: str,
    cents: int,
    qty: int,
    currency: str,
    started: str,
    ended: str | None = None,
) -> dict:
    return {
        "subscription_id": sid,
        "account_id": account,
        "plan_tier": tier,
        "billing_interval": interval,
        "amount_cents": cents,
        "quantity": qty,
        "currency": currency,
        "status": "canceled" if ended else "active",
        "started_at": ts(started),
        "canceled_at": ts(ended) if ended else None,
        "ended_at": ts(ended) if ended else None,
        "updated_at": ts(ended or started),
    }


def _invoice(
    iid: str,
    account: str,
    cents: int,
    currency: str,
    issued: str,
    paid: str | None,
    status: str = "paid",
) -> dict:
    return {
        "invoice_id": iid,
        "account_id": account,
        "subscription_id": None,
        "status": status,
        "amount_due_cents": cents,
        "amount_paid_cents": cents if status == "paid" else 0,
        "currency": currency,
        "issued_at": ts(issued),
        "paid_at": ts(paid) if paid else None,
        "updated_at": ts(paid or issued),
    }


def _event(
    eid: str,
    ticket: str,
    at: str,
    kind: str = "comment",
    author: str = "agent",
    public: bool | None = True,
    status_from: str | None = None,
    status_to: str | None = None,
) -> dict:
    return {
        "event_id": eid,
        "ticket_id": ticket,
        "event_type": kind,
        "author_type": author,
        "is_public": public,
        "status_from": status_from,
        "status_to": status_to,
        "created_at": ts(at),
    }


def _ticket(
    tid: str,
    account: str | None,
    category: str,
    status: str,
    created: str,
    solved: str | None,
    group: str | None = "tier1",
    contact: str | None = None,
    channel: str = "email",
) -> dict:
    return {
        "ticket_id": tid,
        "account_id": account,
        "requester_contact_id": contact,
        "group_name": group,
        "channel": channel,
        "category": category,
        "priority": "normal",
        "status": status,
        "created_at": ts(created),
        "solved_at": ts(solved) if solved else None,
        "updated_at": ts(solved or created),
    }


def _account(
    aid: str,
    employees: int | None,
    region: str | None,
    channel: str | None,
    updated: str = "2023-12-01",
) -> dict:
    return {
        "account_id": aid,
        "account_name": f"Account {aid}",
        "industry": "software",
        "employee_count": employees,
        "region": region,
        "acquisition_channel": channel,
        "created_at": ts("2023-12-01"),
        "updated_at": ts(updated),
    }


def write_scenario(raw_dir: Path) -> Path:
    write_landing(
        raw_dir,
        {
            "crm/accounts": [
                _account("A1", 50, "NA", "organic"),
                _account("A2", 5000, "EMEA", "partner"),
                _account("A3", 500, "APAC", None, updated="2023-12-01"),
                _account("A4", None, None, "referral"),
                _account("A5", 20, "LATAM", "outbound"),
            ],
            "crm/contacts": [
                {
                    "contact_id": "C1",
                    "account_id": "A1",
                    "email": "ann@a1.example",
                    "full_name": "Ann One",
                    "role": "end_user",
                    "created_at": ts("2024-01-01"),
                    "updated_at": ts("2024-01-01"),
                },
            ],
            "billing/subscriptions": [
                _sub("S1", "A1", "starter", "month", 10000, 2, "USD", "2024-01-10", "2024-03-15"),
                _sub("S2", "A1", "growth", "month", 30000, 1, "USD", "2024-03-15 00:00"),
                _sub("S3", "A2", "enterprise", "year", 1200000, 1, "EUR", "2024-02-01"),
                _sub("S4", "A3", "starter", "month", 5000, 1, "USD", "2024-01-20", "2024-03-01"),
                _sub("S5", "A3", "starter", "month", 8000, 1, "USD", "2024-04-10"),
                _sub("S6", "A4", "starter", "month", 0, 1, "USD", "2024-01-05"),
                _sub("S7", "A4", "starter", "month", 3000, 1, "USD", "2024-05-20"),
                _sub("S8", "A5", "starter", "month", 9900, 1, "USD", "2024-02-05", "2024-02-20"),
            ],
            "billing/invoices": [
                _invoice("I1", "A1", 20000, "USD", "2024-01-10", "2024-01-10 10:00"),
                _invoice("I2", "A1", 20000, "USD", "2024-02-10", "2024-02-10"),
                _invoice("I3", "A1", 30000, "USD", "2024-03-15", "2024-03-15"),
                _invoice("I4", "A1", 30000, "USD", "2024-04-15", "2024-04-15"),
                _invoice("I5", "A1", 30000, "USD", "2024-05-15", "2024-05-15"),
                _invoice("I6", "A1", 30000, "USD", "2024-06-10", "2024-06-10"),
                _invoice("I7", "A2", 1200000, "EUR", "2024-02-01", "2024-02-01 00:00"),
                _invoice("I8", "A3", 5000, "USD", "2024-01-20", "2024-01-20"),
                _invoice("I9", "A3", 5000, "USD", "2024-02-20", "2024-02-20"),
                _invoice("I10", "A3", 8000, "USD", "2024-04-10", "2024-04-10"),
                _invoice("I11", "A3", 8000, "USD", "2024-05-10", None, status="open"),
                _invoice("I12", "A4", 3000, "USD", "2024-05-20", None, status="open"),
            ],
            "billing/refunds": [
                {
                    "refund_id": "R1",
                    "invoice_id": "I3",
                    "amount_cents": 5000,
                    "currency": "USD",
                    "refunded_at": ts("2024-04-02"),
                },
            ],
            "billing/fx_rates": [
                {"rate_month": d(month), "currency": "EUR", "usd_per_unit": rate}
                for month, rate in [
                    ("2024-01-01", 1.10),
                    ("2024-02-01", 1.10),
                    ("2024-03-01", 1.08),
                    ("2024-04-01", 1.08),
                    ("2024-05-01", 1.12),
                    ("2024-06-01", 1.12),
                ]
            ],
            "support/tickets": [
                _ticket(
                    "T1",
                    "A1",
                    "technical",
                    "solved",
                    "2024-02-10 09:00",
                    "2024-02-10 11:00",
                    contact="C1",
                ),
                _ticket(
                    "T2",
                    "A1",
                    "billing",
                    "closed",
                    "2024-03-05 08:00",
                    "2024-03-09 08:00",
                    group="tier2",
                    channel="chat",
                ),
                _ticket(
                    "T3",
                    None,
                    "account",
                    "solved",
                    "2024-03-02 00:00",
                    "2024-03-02 12:00",
                    group=None,
                ),
                _ticket("T4", "A2", "onboarding", "open", "2024-02-15 10:00", None),
            ],
            "support/ticket_events": [
                _event("E1", "T1", "2024-02-10 09:00", author="customer"),
                _event("E2", "T1", "2024-02-10 09:30", public=False),  # internal note
                _event("E3", "T1", "2024-02-10 10:00"),
                _event(
                    "E4", "T1", "2024-02-10 11:00", "status_change", "agent", None, "open", "solved"
                ),
                _event("E5", "T2", "2024-03-05 08:30"),
                _event(
                    "E6", "T2", "2024-03-06 08:00", "status_change", "agent", None, "open", "solved"
                ),
                _event(
                    "E7",
                    "T2",
                    "2024-03-07 08:00",
                    "status_change",
                    "customer",
                    None,
                    "solved",
                    "open",
                ),
                _event("E8", "T2", "2024-03-08 08:00"),
                _event(
                    "E9", "T2", "2024-03-09 08:00", "status_change", "agent", None, "open", "solved"
                ),
                _event("E10", "T3", "2024-03-02 01:00"),
                _event("E11", "T4", "2024-02-15 11:00", author="system", public=True),
            ],
        },
        loaded_at=ts("2024-06-10 02:00"),
    )
    # a later batch updates A1 (SMB -> Mid-Market); of two A3 rows loaded together the one
    # with the greater updated_at is current (region APAC stays)
    write_batch(
        raw_dir,
        "crm/accounts",
        [
            {
                **_account("A1", 150, "NA", "organic", updated="2024-06-01"),
                "_loaded_at": ts("2024-06-15 02:00"),
            },
            {
                **_account("A3", 500, "APAC", None, updated="2024-06-02"),
                "_loaded_at": ts("2024-06-14 02:00"),
            },
            {
                **_account("A3", 7, "LATAM", None, updated="2024-06-01"),
                "_loaded_at": ts("2024-06-14 02:00"),
            },
        ],
        loaded_at=ts("2024-06-15 02:00"),
        batch="batch_0002",
    )
    return raw_dir
