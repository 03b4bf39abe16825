"""Tests of the sample-data generator against the raw landing contract (raw-sources.md).

Every property is computed over the written Parquet files with DuckDB/pyarrow, on the
*current rows* (per primary key: greatest ``_loaded_at``, then greatest ``updated_at``).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.sample_data import append_daily_batch, generate, main

AS_OF = date(2026, 7, 15)
SMALL = 300

STR, INT, TS, DAY, DBL, BOOL = (
    pa.string(),
    pa.int64(),
    pa.timestamp("us"),
    pa.date32(),
    pa.float64(),
    pa.bool_(),
)
CONTRACT: dict[str, list[tuple[str, pa.DataType]]] = {
    "crm/accounts": [
        ("account_id", STR),
        ("account_name", STR),
        ("industry", STR),
        ("employee_count", INT),
        ("region", STR),
        ("acquisition_channel", STR),
        ("created_at", TS),
        ("updated_at", TS),
    ],
    "crm/contacts": [
        ("contact_id", STR),
        ("account_id", STR),
        ("email", STR),
        ("full_name", STR),
        ("role", STR),
        ("created_at", TS),
        ("updated_at", TS),
    ],
    "crm/marketing_spend": [
        ("spend_month", DAY),
        ("channel", STR),
        ("amount_cents", INT),
        ("currency", STR),
    ],
    "billing/subscriptions": [
        ("subscription_id", STR),
        ("account_id", STR),
        ("plan_tier", STR),
        ("billing_interval", STR),
        ("amount_cents", INT),
        ("quantity", INT),
        ("currency", STR),
        ("status", STR),
        ("started_at", TS),
        ("canceled_at", TS),
        ("ended_at", TS),
        ("updated_at", TS),
    ],
    "billing/invoices": [
        ("invoice_id", STR),
        ("account_id", STR),
        ("subscription_id", STR),
        ("status", STR),
        ("amount_due_cents", INT),
        ("amount_paid_cents", INT),
        ("currency", STR),
        ("issued_at", TS),
        ("paid_at", TS),
        ("updated_at", TS),
    ],
    "billing/refunds": [
        ("refund_id", STR),
        ("invoice_id", STR),
        ("amount_cents", INT),
        ("currency", STR),
        ("refunded_at", TS),
    ],
    "billing/fx_rates": [("rate_month", DAY), ("currency", STR), ("usd_per_unit", DBL)],
    "support/tickets": [
        ("ticket_id", STR),
        ("account_id", STR),
        ("requester_contact_id", STR),
        ("group_name", STR),
        ("channel", STR),
        ("category", STR),
        ("priority", STR),
        ("status", STR),
        ("created_at", TS),
        ("solved_at", TS),
        ("updated_at", TS),
    ],
    "support/ticket_events": [
        ("event_id", STR),
        ("ticket_id", STR),
        ("event_type", STR),
        ("author_type", STR),
        ("is_public", BOOL),
        ("status_from", STR),
        ("status_to", STR),
        ("created_at", TS),
    ],
    "support/survey_responses": [
        ("response_id", STR),
        ("survey_type", STR),
        ("account_id", STR),
        ("contact_id", STR),
        ("ticket_id", STR),
        ("score", INT),
        ("comment", STR),
        ("responded_at", TS),
        ("followed_up_at", TS),
    ],
}
KEYS = {
    "crm/accounts": "account_id",
    "crm/contacts": "contact_id",
    "crm/marketing_spend": "spend_month, channel",
    "billing/subscriptions": "subscription_id",
    "billing/invoices": "invoice_id",
    "billing/refunds": "refund_id",
    "billing/fx_rates": "rate_month, currency",
    "support/tickets": "ticket_id",
    "support/ticket_events": "event_id",
    "support/survey_responses": "response_id",
}


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    generate(out, accounts=SMALL, seed=7, as_of=AS_OF, batches=2)
    return out


@pytest.fixture(scope="module")
def db(landing: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = current_rows(landing)
    yield con
    con.close()


def current_rows(out: Path) -> duckdb.DuckDBPyConnection:
    """One view per table (named after it) holding its current rows."""
    con = duckdb.connect()
    for table, key in KEYS.items():
        order = "_loaded_at desc"
        if "updated_at" in dict(CONTRACT[table]):
            order += ", updated_at desc"
        con.execute(
            f"create view {table.split('/')[1]} as select * from "
            f"read_parquet('{out}/{table}/*.parquet') "
            f"qualify row_number() over (partition by {key} order by {order}) = 1"
        )
        con.execute(
            f"create view all_{table.split('/')[1]} as select * from "
            f"read_parquet('{out}/{table}/*.parquet', filename = true)"
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


# --- layout, schema, determinism ------------------------------------------------------------


def test_layout_has_one_file_per_batch_and_table(landing: Path) -> None:
    for table in CONTRACT:
        names = sorted(p.name for p in (landing / table).glob("*.parquet"))
        assert names == ["batch_0001.parquet", "batch_0002.parquet"], table


def test_every_file_has_exactly_the_contract_schema(landing: Path) -> None:
    for table, columns in CONTRACT.items():
        for path in sorted((landing / table).glob("*.parquet")):
            schema = pq.read_schema(path)
            actual = [(f.name, f.type) for f in schema]
            assert actual == [*columns, ("_loaded_at", TS)], path
            assert not schema.field("_loaded_at").nullable


def test_same_arguments_give_identical_bytes(tmp_path: Path, landing: Path) -> None:
    again = tmp_path / "again"
    generate(again, accounts=SMALL, seed=7, as_of=AS_OF, batches=2)
    assert file_digests(again) == file_digests(landing)
    other = tmp_path / "other"
    generate(other, accounts=SMALL, seed=8, as_of=AS_OF, batches=2)
    assert file_digests(other) != file_digests(landing)


def test_if_empty_leaves_existing_data_alone(tmp_path: Path, capsys) -> None:
    out = tmp_path / "raw"
    assert main(["--out", str(out), "--accounts", "50", "--if-empty"]) == 0
    before = file_digests(out)
    assert len(before) == 2 * len(CONTRACT)
    assert main(["--out", str(out), "--accounts", "80", "--seed", "1", "--if-empty"]) == 0
    assert file_digests(out) == before
    assert "nothing to do" in capsys.readouterr().out.splitlines()[-1]


def test_loaded_at_is_fixed_per_batch_and_ends_on_the_as_of_date(
    db: duckdb.DuckDBPyConnection,
) -> None:
    for table in CONTRACT:
        name = table.split("/")[1]
        rows = db.execute(
            f"select filename[-18:], min(_loaded_at), max(_loaded_at) from all_{name} "
            "group by 1 order by 1"
        ).fetchall()
        assert rows == [
            ("batch_0001.parquet", datetime(2026, 7, 14, 2), datetime(2026, 7, 14, 2)),
            ("batch_0002.parquet", datetime(2026, 7, 15, 2), datetime(2026, 7, 15, 2)),
        ], table


# --- contract rules on current rows ---------------------------------------------------------


def test_crm_rules(db: duckdb.DuckDBPyConnection) -> None:
    assert_none(
        db,
        "select * from accounts where account_id is null or created_at is null "
        "or updated_at is null or updated_at < created_at or employee_count < 1 "
        "or region not in ('NA', 'EMEA', 'APAC', 'LATAM') "
        "or acquisition_channel not in "
        "('organic', 'paid_search', 'paid_social', 'partner', 'outbound', 'referral')",
    )
    assert_none(
        db,
        "select * from contacts where account_id not in (select account_id from accounts) "
        "or role not in ('economic_buyer', 'admin', 'champion', 'end_user') "
        "or email not like '%@%' or full_name is null",
    )
    assert_none(
        db,
        "select * from marketing_spend where spend_month != date_trunc('month', spend_month) "
        "or amount_cents < 0 or channel not in "
        "('organic', 'paid_search', 'paid_social', 'partner', 'outbound', 'referral')",
    )


def test_subscription_rules(db: duckdb.DuckDBPyConnection) -> None:
    assert_none(
        db,
        "select * from subscriptions where account_id not in (select account_id from accounts) "
        "or plan_tier not in ('starter', 'growth', 'scale', 'enterprise') "
        "or billing_interval not in ('month', 'year') or amount_cents < 0 or quantity < 1 "
        "or currency not in ('USD', 'EUR', 'GBP') "
        "or status not in ('active', 'past_due', 'canceled') or started_at is null "
        "or (ended_at is not null) != (status = 'canceled') or ended_at < started_at "
        "or canceled_at > ended_at or canceled_at < started_at",
    )


def test_invoice_and_refund_rules(db: duckdb.DuckDBPyConnection) -> None:
    assert_none(
        db,
        "select * from invoices where account_id not in (select account_id from accounts) "
        "or (subscription_id is not null "
        "    and subscription_id not in (select subscription_id from subscriptions)) "
        "or status not in ('draft', 'open', 'paid', 'void', 'uncollectible') "
        "or amount_due_cents < 0 or amount_paid_cents < 0 "
        "or amount_paid_cents > amount_due_cents "
        "or (paid_at is not null) != (status = 'paid') or paid_at < issued_at",
    )
    assert_none(
        db,
        "select r.* from refunds r left join invoices i using (invoice_id) "
        "where i.invoice_id is null or i.status != 'paid' or r.amount_cents <= 0 "
        "or r.currency != i.currency or r.refunded_at < i.paid_at",
    )
    assert_none(
        db,
        "select invoice_id from refunds join invoices using (invoice_id) "
        "group by invoice_id, amount_paid_cents having sum(amount_cents) > amount_paid_cents",
    )


def test_fx_rates_cover_every_month_of_money(db: duckdb.DuckDBPyConnection) -> None:
    assert_none(db, "select * from fx_rates where usd_per_unit <= 0")
    assert_none(
        db,
        "with months as (select unnest(generate_series("
        "  (select min(date_trunc('month', started_at)) from subscriptions), "
        "  date '2026-07-01', interval 1 month))::date as m), "
        "needed as (select m, c from months, (values ('EUR'), ('GBP')) v(c)) "
        "select * from needed where (m, c) not in (select (rate_month, currency) from fx_rates)",
    )
    assert (
        scalar(db, "select count(distinct usd_per_unit) from fx_rates where currency = 'EUR'") > 10
    )


def test_ticket_rules(db: duckdb.DuckDBPyConnection) -> None:
    assert_none(
        db,
        "select * from tickets where "
        "(account_id is not null and account_id not in (select account_id from accounts)) "
        "or (requester_contact_id is not null "
        "    and requester_contact_id not in (select contact_id from contacts)) "
        "or channel not in ('email', 'chat', 'phone', 'web') "
        "or category not in ('billing', 'onboarding', 'technical', 'account', 'feature_request') "
        "or priority not in ('low', 'normal', 'high', 'urgent') "
        "or status not in ('new', 'open', 'pending', 'solved', 'closed') "
        "or (solved_at is not null) != (status in ('solved', 'closed')) "
        "or solved_at < created_at or updated_at < created_at",
    )
    assert_none(
        db,
        "select e.* from ticket_events e left join tickets t using (ticket_id) "
        "where t.ticket_id is null or e.created_at < t.created_at "
        "or e.event_type not in ('comment', 'status_change') "
        "or e.author_type not in ('agent', 'customer', 'system') "
        "or (e.event_type = 'comment' and (e.is_public is null or e.status_to is not null "
        "     or e.status_from is not null)) "
        "or (e.event_type = 'status_change' and (e.status_from is null or e.status_to is null "
        "     or e.status_from = e.status_to))",
    )


def test_status_changes_chain_to_the_current_status(db: duckdb.DuckDBPyConnection) -> None:
    assert_none(
        db,
        "with changes as (select ticket_id, status_from, status_to, "
        "  lag(status_to) over (partition by ticket_id order by created_at, event_id) as prev, "
        "  row_number() over (partition by ticket_id order by created_at desc, event_id desc) "
        "    as from_end "
        "  from ticket_events where event_type = 'status_change') "
        "select c.* from changes c join tickets t using (ticket_id) "
        "where c.status_from != coalesce(c.prev, 'new') "
        "or (c.from_end = 1 and c.status_to != t.status)",
    )


def test_survey_rules(db: duckdb.DuckDBPyConnection) -> None:
    assert_none(
        db,
        "select s.* from survey_responses s where s.account_id not in "
        "(select account_id from accounts) "
        "or (s.contact_id is not null and s.contact_id not in (select contact_id from contacts)) "
        "or s.survey_type not in ('csat', 'nps') "
        "or (s.survey_type = 'csat' and (s.ticket_id is null or s.score not between 1 and 5)) "
        "or (s.survey_type = 'nps' and (s.ticket_id is not null or s.score not between 0 and 10)) "
        "or s.followed_up_at < s.responded_at",
    )
    assert_none(
        db,
        "select s.* from survey_responses s left join tickets t using (ticket_id) "
        "where s.survey_type = 'csat' and (t.ticket_id is null "
        "or t.status not in ('solved', 'closed') or t.account_id != s.account_id "
        "or s.responded_at < t.solved_at)",
    )


# --- the scenarios the marts need ---------------------------------------------------------


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


# --- daily batches ----------------------------------------------------------------------------


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
    for table in CONTRACT:
        name, key = table.split("/")[1], KEYS[table]
        stamps = con.execute(
            f"select distinct _loaded_at from all_{name} where filename like '%batch_0003%'"
        ).fetchall()
        assert stamps == [(datetime(2026, 7, 16, 2),)], table
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
    for test in (test_subscription_rules, test_invoice_and_refund_rules, test_ticket_rules):
        test(con)
    test_survey_rules(con)
    test_status_changes_chain_to_the_current_status(con)
    assert scalar(con, "select max(rate_month) from fx_rates") == date(2026, 8, 1)
    assert scalar(con, "select max(spend_month) from marketing_spend") == date(2026, 8, 1)


# --- the default size ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    out = tmp_path_factory.mktemp("default")
    generate(out)  # 2000 accounts, seed 42, as of 2026-07-15, 2 batches
    con = current_rows(out)
    yield con
    con.close()


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


# --- the CX signal ----------------------------------------------------------------------------


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
