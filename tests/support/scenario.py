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


# --- business hours and SLAs (test_support_sla_by_hand.py) -----------------------------------
# The project's seeds: team tier1 / tier2 / none -> calendar default (New York 09:00-17:00
# Mon-Fri, US holidays); Tier 2 and Billing -> emea (Berlin 08:00-17:00 Mon-Fri, 09:00-13:00
# Sat, German holidays); Customer Success -> apac (Sydney 08:30-17:30 Mon-Fri); Tier 1 and
# Onboarding -> americas (Los Angeles 07:00-12:00 and 13:00-19:00 Mon-Fri); Enterprise
# Support -> enterprise (UTC, 24 x 7). Targets (first reply / resolution, business minutes):
# urgent 30 / 240, high 120 / 960, normal 480 / 2400, low 960 / 4800.
#
# S1  A3, Tier 2, urgent, Fri 2024-02-16 16:30 CET; replied Mon 08:45, solved Mon 10:00:
#     Fri 30 + Sat 240 + Mon 45 = 315 and 390, both breached; A3 churns in March.
# S2  A1, Customer Success, high, Sun 21:00 UTC = Mon 2024-02-19 08:00 AEDT; replies 09:00
#     and 10:00, solved 12:30 AEDT: 30 and 240, both met.
# S3  no account, Enterprise Support, low, Sat 2024-02-24 22:00 UTC, solved Sun 04:00 without
#     a reply: 360 (the first-reply clock stops at the solve), both met.
# S4  A4, Tier 1, no priority, Fri 2024-05-31 11:00 PDT; replied and pending at 11:30, still
#     pending at the as-of day; a change to open on 2024-06-17 comes after it.
# S5  A1, Billing, normal, Thu 2024-03-28 16:00 CET; Good Friday and Easter Monday off, the
#     clocks go forward on Sunday: replied Tue 08:30 CEST (06:30 UTC), solved 16:00 CEST:
#     Thu 60 + Sat 240 + Tue 30 = 330 and 780, both met.
# S6  A2, Onboarding, urgent, Fri 2024-03-08 15:30 PST; the US clocks go forward on Sunday:
#     three replies from Mon 07:15 PDT, solved 09:00: Fri 210 + Mon 15 = 225 and 330, breached.
SLA_LOAD = ts("2024-06-12 02:00")


def _sla_ticket(
    tid: str,
    account: str | None,
    group: str,
    priority: str | None,
    channel: str,
    category: str,
    status: str,
    created: str,
    solved: str | None,
) -> dict:
    row = _ticket(tid, account, category, status, created, solved, group=group, channel=channel)
    return {**row, "priority": priority}


def _status(eid: str, ticket: str, at: str, status_from: str, status_to: str) -> dict:
    return _event(eid, ticket, at, "status_change", "agent", None, status_from, status_to)


def write_sla_scenario(raw_dir: Path) -> Path:
    """The scenario above plus tickets S1-S6 in a later batch of the support tables."""
    write_scenario(raw_dir)
    tickets = [
        _sla_ticket("S1", "A3", "Tier 2", "urgent", "phone", "billing", "solved",
                    "2024-02-16 15:30", "2024-02-19 09:00"),
        _sla_ticket("S2", "A1", "Customer Success", "high", "chat", "technical", "closed",
                    "2024-02-18 21:00", "2024-02-19 01:30"),
        _sla_ticket("S3", None, "Enterprise Support", "low", "web", "account", "solved",
                    "2024-02-24 22:00", "2024-02-25 04:00"),
        _sla_ticket("S4", "A4", "Tier 1", None, "email", "onboarding", "pending",
                    "2024-05-31 18:00", None),
        _sla_ticket("S5", "A1", "Billing", "normal", "email", "billing", "solved",
                    "2024-03-28 15:00", "2024-04-02 14:00"),
        _sla_ticket("S6", "A2", "Onboarding", "urgent", "web", "onboarding", "solved",
                    "2024-03-08 23:30", "2024-03-11 16:00"),
    ]  # fmt: skip
    events = [
        _status("S1c", "S1", "2024-02-17 10:00", "new", "pending"),
        _status("S1d", "S1", "2024-02-19 07:00", "pending", "open"),
        _event("S1r", "S1", "2024-02-19 07:45"),
        _status("S1e", "S1", "2024-02-19 09:00", "open", "solved"),
        _event("S2r", "S2", "2024-02-18 22:00"),
        _event("S2s", "S2", "2024-02-18 23:00"),
        _status("S2e", "S2", "2024-02-19 01:30", "new", "solved"),
        _status("S3e", "S3", "2024-02-25 04:00", "new", "solved"),
        _event("S4r", "S4", "2024-05-31 18:30"),
        _status("S4b", "S4", "2024-05-31 18:30", "new", "pending"),
        _status("S4c", "S4", "2024-06-17 16:00", "pending", "open"),
        _event("S5r", "S5", "2024-04-02 06:30"),
        _status("S5b", "S5", "2024-04-02 06:30", "new", "open"),
        _status("S5e", "S5", "2024-04-02 14:00", "open", "solved"),
        _event("S6r", "S6", "2024-03-11 14:15"),
        _status("S6d", "S6", "2024-03-11 14:15", "new", "open"),
        _event("S6s", "S6", "2024-03-11 14:30"),
        _status("S6e", "S6", "2024-03-11 14:30", "open", "pending"),
        _event("S6t", "S6", "2024-03-11 15:00"),
        _status("S6f", "S6", "2024-03-11 15:00", "pending", "open"),
        _status("S6g", "S6", "2024-03-11 16:00", "open", "solved"),
    ]
    write_batch(raw_dir, "support/tickets", tickets, SLA_LOAD, batch="batch_0003")
    write_batch(raw_dir, "support/ticket_events", events, SLA_LOAD, batch="batch_0003")
    return raw_dir
