"""The situations the marts need occur in the generated data, every value of the categorical
columns shows up at the default size, and churn follows the support experience (the CX signal).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration.sample_data.common import GROUPS
from tests.sample_data.checks import KEYS, scalar

SCENARIOS = {
    "yearly plan": "select count(*) from subscriptions where billing_interval = 'year'",
    "every plan tier": "select count(distinct plan_tier) = 4 from subscriptions",
    "past due": "select count(*) from subscriptions where status = 'past_due'",
    "pending cancellation": (
        "select count(*) from subscriptions where canceled_at is not null and ended_at is null"
    ),
    "free subscription": "select count(*) from subscriptions where amount_cents = 0",
    "non-USD": "select count(distinct currency) = 3 from subscriptions",
    "concurrent subscriptions": (
        "select count(*) from subscriptions a join subscriptions b using (account_id) "
        "where a.subscription_id < b.subscription_id and b.started_at < coalesce(a.ended_at, "
        "'infinity'::timestamp) and a.started_at < coalesce(b.ended_at, 'infinity'::timestamp)"
    ),
    "plan change": (
        "select count(*) from subscriptions a join subscriptions b using (account_id) "
        "where a.ended_at = b.started_at and (a.plan_tier != b.plan_tier "
        "or a.quantity != b.quantity)"
    ),
    "reactivation": (
        "select count(*) from subscriptions s where exists (select 1 from subscriptions p "
        "where p.account_id = s.account_id and p.ended_at < s.started_at - interval 30 day) "
        "and not exists (select 1 from subscriptions q where q.account_id = s.account_id "
        "and q.subscription_id != s.subscription_id and q.started_at < s.started_at "
        "and (q.ended_at is null or q.ended_at >= s.started_at))"
    ),
    "one-off invoice": "select count(*) from invoices where subscription_id is null",
    "zero paid invoice": (
        "select count(*) from invoices where status = 'paid' and amount_paid_cents = 0"
    ),
    "unpaid invoice": (
        "select count(distinct status) = 3 from invoices "
        "where status in ('open', 'void', 'uncollectible')"
    ),
    "refund": "select count(*) from refunds",
    "second refund": "select count(*) from (select invoice_id from refunds group by 1 "
    "having count(*) = 2)",
    "EUR spend": "select count(*) from marketing_spend where currency = 'EUR'",
    "ticket without account": (
        "select count(*) from tickets where account_id is null and requester_contact_id is null"
    ),
    "ticket without group": "select count(*) from tickets where group_name is null",
    # business hours and SLAs (marts.support_sla): tickets outside every desk's hours
    "weekend ticket": "select count(*) from tickets where isodow(created_at) in (6, 7)",
    "night ticket": (
        "select count(*) from tickets where hour(created_at) < 6 or hour(created_at) >= 22"
    ),
    "every priority": "select count(distinct priority) = 4 from tickets",
    "every support group": "select count(distinct group_name) = 7 from tickets",
    "reopened ticket": (
        "select count(*) from ticket_events where status_from = 'solved' "
        "and status_to in ('new', 'open', 'pending')"
    ),
    "internal note": (
        "select count(*) from ticket_events where event_type = 'comment' and not is_public"
    ),
    "system comment": (
        "select count(*) from ticket_events where event_type = 'comment' and author_type = 'system'"
    ),
    "several agent replies": (
        "select count(*) from (select ticket_id from ticket_events where event_type = 'comment' "
        "and author_type = 'agent' and is_public group by 1 having count(*) >= 3)"
    ),
    "FCR ticket": (
        "select count(*) from tickets t where status in ('solved', 'closed') and 1 = (select "
        "count(*) from ticket_events e where e.ticket_id = t.ticket_id and event_type = 'comment' "
        "and author_type = 'agent' and is_public) and not exists (select 1 from ticket_events e "
        "where e.ticket_id = t.ticket_id and status_from = 'solved' and status_to != 'closed')"
    ),
    "unsolved ticket": (
        "select count(distinct status) = 2 from tickets where status in ('open', 'pending')"
    ),
    "every contact role": "select count(distinct role) = 4 and count(*) > count(role) "
    "from contacts",
    "nps and csat": "select count(distinct survey_type) = 2 from survey_responses",
    "follow-up": "select count(*) from survey_responses where followed_up_at is not null",
    "no follow-up": "select count(*) from survey_responses where followed_up_at is null",
    "survey comment": "select count(*) from survey_responses where comment is not null",
    "null attributes": (
        "select count(*) > count(employee_count) and count(*) > count(region) "
        "and count(*) > count(industry) and count(*) > count(acquisition_channel) from accounts"
    ),
    "every segment": (
        "select count(distinct case when employee_count < 100 then 1 when employee_count < 1000 "
        "then 2 when employee_count >= 1000 then 3 end) = 3 from accounts"
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_occurs(db: duckdb.DuckDBPyConnection, name: str) -> None:
    assert scalar(db, SCENARIOS[name]), name


@pytest.mark.parametrize(
    "table, changed",
    [
        ("billing/subscriptions", "cur.status != prev.status or cur.quantity != prev.quantity"),
        ("billing/invoices", "cur.status != prev.status"),
        ("support/tickets", "cur.status != prev.status"),
        ("crm/accounts", "true"),
    ],
)
def test_later_batch_updates_earlier_rows(
    db: duckdb.DuckDBPyConnection, table: str, changed: str
) -> None:
    name, key = table.split("/")[1], KEYS[table]
    count = scalar(
        db,
        f"select count(*) from all_{name} cur join all_{name} prev using ({key}) "
        f"where cur._loaded_at > prev._loaded_at and cur.updated_at > prev.updated_at "
        f"and ({changed})",
    )
    assert count > 0


@pytest.mark.parametrize(
    "table, column, values",
    [
        ("tickets", "status", {"new", "open", "pending", "solved", "closed"}),
        ("tickets", "channel", {"email", "chat", "phone", "web"}),
        ("tickets", "priority", {"low", "normal", "high", "urgent"}),
        ("invoices", "status", {"draft", "open", "paid", "void", "uncollectible"}),
        ("subscriptions", "status", {"active", "past_due", "canceled"}),
        ("subscriptions", "currency", {"USD", "EUR", "GBP"}),
        ("contacts", "role", {"economic_buyer", "admin", "champion", "end_user", None}),
        ("accounts", "region", {"NA", "EMEA", "APAC", "LATAM", None}),
        ("ticket_events", "author_type", {"agent", "customer", "system"}),
    ],
)
def test_default_size_has_every_value(
    default_db: duckdb.DuckDBPyConnection, table: str, column: str, values: set
) -> None:
    found = {
        row[0] for row in default_db.execute(f"select distinct {column} from {table}").fetchall()
    }
    assert found == values


def test_support_groups_work_in_several_time_zones() -> None:
    """The generator's support groups map (seeds/support_team_calendars.csv, else calendar
    default) to calendars in at least four IANA zones, two of them with DST in other months
    than the US (Europe, southern hemisphere)."""
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    with (seeds / "support_team_calendars.csv").open() as f:
        team_calendar = {row["team"]: row["calendar"] for row in csv.DictReader(f)}
    with (seeds / "support_calendars.csv").open() as f:
        zone = {row["calendar"]: row["time_zone"] for row in csv.DictReader(f)}
    zones = {zone[team_calendar.get(group, "default")] for group in GROUPS}
    assert len(zones) >= 4, zones
    assert {"Europe/Berlin", "Australia/Sydney"} <= zones


def test_bad_support_goes_with_more_churn(default_db: duckdb.DuckDBPyConnection) -> None:
    rates = dict(
        default_db.execute(
            """
            with months as (
                select unnest(generate_series(date '2024-02-01', date '2026-06-01',
                                              interval 1 month))::date as m
            ),
            active as (
                select distinct s.account_id, m.m
                from subscriptions s, months m
                where s.amount_cents > 0
                  and s.started_at < m.m + interval 1 month
                  and (s.ended_at is null or s.ended_at >= m.m + interval 1 month)
            ),
            counts as (
                select ticket_id,
                       count(*) filter (where event_type = 'comment' and author_type = 'agent'
                                        and is_public) as replies,
                       count(*) filter (where status_from = 'solved'
                                        and status_to in ('new', 'open', 'pending')) as reopens
                from ticket_events group by ticket_id
            ),
            facts as (
                select t.ticket_id, t.account_id, t.created_at, t.solved_at,
                       t.status in ('solved', 'closed') and c.replies = 1 and c.reopens = 0
                           as fcr
                from tickets t join counts c using (ticket_id)
            ),
            starts as (
                select a.account_id, a.m + interval 1 month as m,
                       exists (select 1 from active b where b.account_id = a.account_id
                               and b.m = a.m + interval 1 month) as stays
                from active a
            )
            select case
                       when bool_or(f.solved_at is null or f.solved_at >= s.m or not f.fcr)
                               filter (where f.ticket_id is not null)
                           then 'bad'
                       when count(f.ticket_id) > 0 then 'all_fcr'
                       else 'none' end as experience,
                   not any_value(s.stays) as churned
            from starts s left join facts f on f.account_id = s.account_id
                 and f.created_at >= s.m - interval 90 day and f.created_at < s.m
            where s.m <= date '2026-06-01'
            group by s.account_id, s.m
            """
        )
        .df()
        .groupby("experience")["churned"]
        .mean()
    )
    assert rates["bad"] > 2 * rates["all_fcr"]
    assert rates["bad"] > 1.5 * rates["none"]
