"""Reading a generated landing dir with DuckDB, and the contract rules (docs/raw-contract.md) its
current rows must keep.

The tables, columns and keys come from the raw contract (the sources yml, through
``orchestration.lib.contract``), like everything else that reads the landing dir.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib.contract import raw_tables

AS_OF = date(2026, 7, 15)
SMALL = 300

CONTRACT = raw_tables()
KEYS = {path: ", ".join(table.key_columns) for path, table in CONTRACT.items()}


def current_rows(out: Path) -> duckdb.DuckDBPyConnection:
    """One view per table (named after it) holding its current rows, and ``all_<table>`` with
    every row and its file name."""
    con = duckdb.connect()
    for path, table in CONTRACT.items():
        order = "_loaded_at desc"
        if table.has_updated_at:
            order += ", updated_at desc"
        con.execute(
            f"create view {table.name} as select * from "
            f"read_parquet('{out}/{path}/*.parquet') "
            f"qualify row_number() over (partition by {KEYS[path]} order by {order}) = 1"
        )
        con.execute(
            f"create view all_{table.name} as select * from "
            f"read_parquet('{out}/{path}/*.parquet', filename = true)"
        )
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchall()[0][0]


def assert_none(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """``sql`` selects offending rows; there must be none."""
    rows = con.execute(sql).fetchall()
    assert rows == [], f"{len(rows)} offending rows, e.g. {rows[:3]}"


def file_digests(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*.parquet"))
    }


# Each rule selects the current rows that break it.
RULES: dict[str, str] = {
    "accounts": (
        "select * from accounts where account_id is null or created_at is null "
        "or updated_at is null or updated_at < created_at or employee_count < 1 "
        "or region not in ('NA', 'EMEA', 'APAC', 'LATAM') "
        "or acquisition_channel not in "
        "('organic', 'paid_search', 'paid_social', 'partner', 'outbound', 'referral')"
    ),
    "contacts": (
        "select * from contacts where account_id not in (select account_id from accounts) "
        "or role not in ('economic_buyer', 'admin', 'champion', 'end_user') "
        "or email not like '%@%' or full_name is null"
    ),
    "marketing spend": (
        "select * from marketing_spend where spend_month != date_trunc('month', spend_month) "
        "or amount_cents < 0 or channel not in "
        "('organic', 'paid_search', 'paid_social', 'partner', 'outbound', 'referral')"
    ),
    "subscriptions": (
        "select * from subscriptions where account_id not in (select account_id from accounts) "
        "or plan_tier not in ('starter', 'growth', 'scale', 'enterprise') "
        "or billing_interval not in ('month', 'year') or amount_cents < 0 or quantity < 1 "
        "or currency not in ('USD', 'EUR', 'GBP') "
        "or status not in ('active', 'past_due', 'canceled') or started_at is null "
        "or (ended_at is not null) != (status = 'canceled') or ended_at < started_at "
        "or canceled_at > ended_at or canceled_at < started_at"
    ),
    "invoices": (
        "select * from invoices where account_id not in (select account_id from accounts) "
        "or (subscription_id is not null "
        "    and subscription_id not in (select subscription_id from subscriptions)) "
        "or status not in ('draft', 'open', 'paid', 'void', 'uncollectible') "
        "or amount_due_cents < 0 or amount_paid_cents < 0 "
        "or amount_paid_cents > amount_due_cents "
        "or (paid_at is not null) != (status = 'paid') or paid_at < issued_at"
    ),
    "refunds": (
        "select r.* from refunds r left join invoices i using (invoice_id) "
        "where i.invoice_id is null or i.status != 'paid' or r.amount_cents <= 0 "
        "or r.currency != i.currency or r.refunded_at < i.paid_at"
    ),
    "refunds within the amount paid": (
        "select invoice_id from refunds join invoices using (invoice_id) "
        "group by invoice_id, amount_paid_cents having sum(amount_cents) > amount_paid_cents"
    ),
    "fx rates": "select * from fx_rates where usd_per_unit <= 0",
    "fx rates for every month of money": (
        "with months as (select unnest(generate_series("
        "  (select min(date_trunc('month', started_at)) from subscriptions), "
        "  date '2026-07-01', interval 1 month))::date as m), "
        "needed as (select m, c from months, (values ('EUR'), ('GBP')) v(c)) "
        "select * from needed where (m, c) not in (select (rate_month, currency) from fx_rates)"
    ),
    "tickets": (
        "select * from tickets where "
        "(account_id is not null and account_id not in (select account_id from accounts)) "
        "or (requester_contact_id is not null "
        "    and requester_contact_id not in (select contact_id from contacts)) "
        "or channel not in ('email', 'chat', 'phone', 'web') "
        "or category not in ('billing', 'onboarding', 'technical', 'account', 'feature_request') "
        "or priority not in ('low', 'normal', 'high', 'urgent') "
        "or status not in ('new', 'open', 'pending', 'solved', 'closed') "
        "or (solved_at is not null) != (status in ('solved', 'closed')) "
        "or solved_at < created_at or updated_at < created_at"
    ),
    "ticket events": (
        "select e.* from ticket_events e left join tickets t using (ticket_id) "
        "where t.ticket_id is null or e.created_at < t.created_at "
        "or e.event_type not in ('comment', 'status_change') "
        "or e.author_type not in ('agent', 'customer', 'system') "
        "or (e.event_type = 'comment' and (e.is_public is null or e.status_to is not null "
        "     or e.status_from is not null)) "
        "or (e.event_type = 'status_change' and (e.status_from is null or e.status_to is null "
        "     or e.status_from = e.status_to))"
    ),
    "status changes chain to the current status": (
        "with changes as (select ticket_id, status_from, status_to, "
        "  lag(status_to) over (partition by ticket_id order by created_at, event_id) as prev, "
        "  row_number() over (partition by ticket_id order by created_at desc, event_id desc) "
        "    as from_end "
        "  from ticket_events where event_type = 'status_change') "
        "select c.* from changes c join tickets t using (ticket_id) "
        "where c.status_from != coalesce(c.prev, 'new') "
        "or (c.from_end = 1 and c.status_to != t.status)"
    ),
    "surveys": (
        "select s.* from survey_responses s where s.account_id not in "
        "(select account_id from accounts) "
        "or (s.contact_id is not null and s.contact_id not in (select contact_id from contacts)) "
        "or s.survey_type not in ('csat', 'nps') "
        "or (s.survey_type = 'csat' and (s.ticket_id is null or s.score not between 1 and 5)) "
        "or (s.survey_type = 'nps' and (s.ticket_id is not null or s.score not between 0 and 10)) "
        "or s.followed_up_at < s.responded_at"
    ),
    "csat answers solved tickets": (
        "select s.* from survey_responses s left join tickets t using (ticket_id) "
        "where s.survey_type = 'csat' and (t.ticket_id is null "
        "or t.status not in ('solved', 'closed') or t.account_id != s.account_id "
        "or s.responded_at < t.solved_at)"
    ),
}
