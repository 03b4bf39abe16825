"""One daily load of the sample data: the day's new rows plus new versions of changed rows.

Like a real extract-load job, a daily batch only knows what has already landed: it reads the
current rows of the landing directory (DuckDB over the existing batches), moves the business
on by one day and writes what changed in the window ``(previous load, this load]``:

- crm: new sign-ups with their contacts; CRM edits of a few accounts and contacts.
- billing: new subscriptions (sign-ups, reactivations, plan changes), cancellations (immediate
  or at period end), seat changes, dunning (``past_due``); the day's renewal invoices, open
  invoices getting paid or written off, drafts finalized; a few refunds.
- support: new tickets with their events; open tickets worked on (replies, solves, pending),
  solved tickets closed after four days or reopened by the customer; CSAT for the tickets
  solved today, some NPS answers, follow-ups of unhappy answers.
- month-to-date marketing spend and the current month's FX rate are revised.

Every changed row is re-emitted whole, with a later ``_loaded_at`` and (where the table has
one) a later ``updated_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from orchestration._sample_billing import (
    DRAFT,
    OPEN,
    PAID,
    UNCOLLECTIBLE,
    VOID,
    invoice_columns,
    refund_columns,
    settle,
    subscription_columns,
)
from orchestration._sample_common import (
    CHANNELS,
    CURRENCIES,
    DAY,
    HOUR,
    INDUSTRIES,
    INTERVALS,
    INVOICE_STATUSES,
    MINUTE,
    NAT,
    PRIMARY_KEYS,
    ROLES,
    SUB_STATUSES,
    TICKET_STATUSES,
    TIERS,
    BatchWriter,
    codes_of,
    dates_from_months,
    day_of_month,
    id_numbers,
    ids,
    int_values,
    labels,
    load_time_us,
    lognormal,
    month_index,
    month_start_us,
    optional_ints,
    rng_for,
    timestamps,
    ts_values,
)
from orchestration._sample_entities import (
    TERMS_PROB,
    Accounts,
    Plans,
    account_columns,
    changed_plans,
    contact_columns,
    make_accounts,
    make_contacts,
    new_plans,
)
from orchestration._sample_history import ONBOARDING_TICKETS, TICKETS_PER_MONTH
from orchestration._sample_landing import Landing
from orchestration._sample_support import (
    CSAT_SHARE,
    bad_ticket,
    csat_scores,
    event_columns,
    follow_up_delay,
    survey_columns,
    ticket_attributes,
    ticket_categories,
    ticket_columns,
)
from orchestration._sample_tickets import (
    AGENT,
    CUSTOMER,
    ST_CLOSED,
    ST_NEW,
    ST_OPEN,
    ST_PENDING,
    ST_SOLVED,
    SYSTEM,
    EventParts,
    Events,
    current_status,
    derive_status_from,
    simulate_tickets,
)

SIGNUPS_PER_ACCOUNT_DAY = 1 / 600
ACCOUNT_EDITS = 0.003
CONTACT_EDITS = 0.002
CHURN_PER_DAY = 0.0012
SEAT_CHANGES = 0.003
PLAN_CHANGES = 0.0006
REACTIVATIONS = 0.0008
REFUNDS = 0.004
NPS_PER_DAY = 1 / 180
PENDING_END_PER_DAY = 1 / 15  # cancellations at period end take effect
DUNNING_PER_DAY = 0.003  # with the recovery rate this keeps ~5% of subscriptions past due
DUNNING_RECOVERY_PER_DAY = 0.06


def write_daily_batch(out_dir: Path, seed: int, day: date, number: int) -> dict[str, int]:
    """Write batch ``number`` (loaded at 02:00 on ``day``) into ``out_dir``."""
    land = Landing(out_dir)
    try:
        loaded_at = load_time_us(day)
        previous = land.max_loaded_at()
        if loaded_at <= previous:
            raise ValueError(f"{day} is not after the latest batch already in {out_dir}")
        window = Window(max(loaded_at - DAY, previous), loaded_at)
        writer = BatchWriter(out_dir, number, loaded_at)
        try:
            DailyBatch(rng_for(seed, 5, day.toordinal()), window, land, writer).run()
        except BaseException:
            writer.abort()
            raise
        return writer.close()
    finally:
        land.close()


@dataclass(frozen=True)
class Window:
    """The day's activity happens in ``(lo, hi]``; ``hi`` is the load time."""

    lo: int
    hi: int


def segment_of(employees: np.ndarray) -> np.ndarray:
    return np.select([employees < 0, employees < 100, employees < 1000], [3, 0, 1], 2)


def column(table: pa.Table, name: str) -> pa.Array:
    return table[name].combine_chunks()


@dataclass
class Directory:
    """Contacts by account (sequence numbers), to pick ticket requesters and NPS respondents."""

    account: np.ndarray  # sorted account numbers
    contact: np.ndarray
    role: np.ndarray

    def pick(self, rng: np.random.Generator, account: np.ndarray) -> np.ndarray:
        """A random contact of each account (-1 when the account has none)."""
        if not len(self.contact):
            return np.full(len(account), -1, dtype=np.int64)
        lo = np.searchsorted(self.account, account, side="left")
        hi = np.searchsorted(self.account, account, side="right")
        count = hi - lo
        pos = lo + (rng.random(len(account)) * count).astype(np.int64)
        return np.where(count > 0, self.contact[np.minimum(pos, len(self.contact) - 1)], -1)


class DailyBatch:
    """The steps of one daily load, in dependency order."""

    def __init__(
        self, rng: np.random.Generator, window: Window, land: Landing, writer: BatchWriter
    ) -> None:
        self.rng, self.win, self.land, self.writer = rng, window, land, writer
        self.next_id = {table: land.max_id(table) + 1 for table in _ID_TABLES}
        self.new_acc: Accounts | None = None
        self.new_contacts = Directory(np.zeros(0, int), np.zeros(0, int), np.zeros(0, int))
        self.active: dict[str, np.ndarray] = {}
        self.first_paid_today: dict[str, np.ndarray] = {}

    def run(self) -> None:
        self.accounts()
        self.contacts()
        subs = self.subscriptions()
        self.invoices(subs)
        self.refunds()
        solved = self.tickets()
        self.surveys(solved)
        self.marketing_spend()
        self.fx_rates()

    # --- helpers ----------------------------------------------------------------------------

    def take_ids(self, table: str, n: int) -> np.ndarray:
        first = self.next_id[table]
        self.next_id[table] = first + n
        return np.arange(first, first + n, dtype=np.int64)

    def times(self, n: int, after: np.ndarray | None = None, share: float = 1.0) -> np.ndarray:
        """Times in the window (after ``after`` when given), within its first ``share``."""
        lo = np.full(n, self.win.lo) if after is None else np.maximum(after, self.win.lo)
        span = np.maximum((self.win.hi - lo) * share - 1, 0)
        return lo + 1 + (self.rng.random(n) * span).astype(np.int64)

    def sample_numbers(self, table: str, share: float) -> np.ndarray:
        """A few existing sequence numbers of ``table`` (at least one)."""
        total = self.next_id[table] - 1
        if total <= 0:
            return np.zeros(0, dtype=np.int64)
        k = max(1, int(self.rng.binomial(total, share)))
        return np.unique(self.rng.integers(1, total + 1, k))

    def since(self, ago: int) -> object:
        """The time ``ago`` microseconds before the load, as a query parameter."""
        return pa.scalar(self.win.hi - ago, pa.timestamp("us")).as_py()

    def rows_by_id(self, table: str, numbers: np.ndarray) -> pa.Table:
        """Current rows of ``table`` with the given id sequence numbers."""
        key = PRIMARY_KEYS[table][0]
        self.land.register("picked", pa.table({"id": ids(table, numbers)}))
        rows = self.land.where(table, f"{key} in (select id from picked)")
        return self.land.query(f"select * from {rows} order by {key}")

    def directory(self, account_numbers: np.ndarray) -> Directory:
        """Contacts of the given accounts, existing ones and the ones created today."""
        wanted = np.unique(account_numbers[account_numbers > 0])
        self.land.register("wanted", pa.table({"id": ids("crm/accounts", wanted)}))
        rows = self.land.where("crm/contacts", "account_id in (select id from wanted)")
        found = self.land.query(
            f"select account_id, contact_id, role from {rows} order by account_id, contact_id"
        )
        account = np.concatenate(
            (id_numbers(column(found, "account_id")), self.new_contacts.account)
        )
        contact = np.concatenate(
            (id_numbers(column(found, "contact_id")), self.new_contacts.contact)
        )
        role = np.concatenate((codes_of(ROLES, column(found, "role")), self.new_contacts.role))
        order = np.lexsort((contact, account))
        return Directory(account[order], contact[order], role[order])

    # --- crm --------------------------------------------------------------------------------

    def accounts(self) -> None:
        rng = self.rng
        existing = self.next_id["crm/accounts"] - 1
        n_new = max(1, int(rng.poisson(max(existing, 1) * SIGNUPS_PER_ACCOUNT_DAY)))
        numbers = self.take_ids("crm/accounts", n_new)
        created = np.sort(self.times(n_new, share=0.9))
        self.new_acc = make_accounts(rng, numbers, created, self.win.hi)
        self.new_acc.updated = created
        self.writer.write("crm/accounts", account_columns(self.new_acc))
        rows = self.rows_by_id("crm/accounts", self.sample_numbers("crm/accounts", ACCOUNT_EDITS))
        if rows.num_rows:
            self.writer.write("crm/accounts", self._edited_accounts(rows))

    def _edited_accounts(self, rows: pa.Table) -> dict[str, pa.Array]:
        """CRM hygiene: headcounts refreshed, missing industries and regions filled in."""
        rng, n = self.rng, rows.num_rows
        employees = int_values(column(rows, "employee_count"))
        grown = np.maximum(1, np.round(employees * rng.uniform(0.95, 1.3, n))).astype(np.int64)
        filled = np.exp(rng.uniform(np.log(5), np.log(5000), n)).astype(np.int64)
        employees = np.where(employees < 0, np.where(rng.random(n) < 0.5, filled, -1), grown)
        industry = codes_of(INDUSTRIES, column(rows, "industry"))
        industry = np.where(industry < 0, rng.integers(0, len(INDUSTRIES), n), industry)
        cols = {name: column(rows, name) for name in rows.column_names}
        cols["employee_count"] = optional_ints(employees, employees < 0)
        cols["industry"] = labels(INDUSTRIES, industry)
        cols["updated_at"] = timestamps(self.times(n))
        return cols

    def contacts(self) -> None:
        rng, acc = self.rng, self.new_acc
        con = make_contacts(rng, acc, self.win.hi)
        numbers = self.take_ids("crm/contacts", len(con.account))
        self.writer.write("crm/contacts", contact_columns(con, acc, numbers))
        self.new_contacts = Directory(acc.number[con.account], numbers, con.role)
        rows = self.rows_by_id("crm/contacts", self.sample_numbers("crm/contacts", CONTACT_EDITS))
        if rows.num_rows:
            role = codes_of(ROLES, column(rows, "role"))
            shift = rng.integers(1, len(ROLES), rows.num_rows)
            role = np.where(role < 0, 3, (role + shift) % len(ROLES))
            cols = {name: column(rows, name) for name in rows.column_names}
            cols["role"] = labels(ROLES, role)
            cols["updated_at"] = timestamps(self.times(rows.num_rows))
            self.writer.write("crm/contacts", cols)

    # --- billing ----------------------------------------------------------------------------

    def subscriptions(self) -> dict[str, np.ndarray]:
        """Moves running subscriptions on and starts new ones; returns all running ones."""
        run = self._running_subscriptions()
        changed = self._cancellations(run) | self._seat_changes(run) | self._dunning(run)
        moving = self._plan_change_candidates(run, changed)
        new = self._new_subscriptions(run, moving)
        rows = {k: v[changed | moving] for k, v in run.items()}
        self.writer.write(
            "billing/subscriptions",
            subscription_columns(rows["number"], rows["account_no"], rows["currency"], rows),
        )
        self.writer.write(
            "billing/subscriptions",
            subscription_columns(new["number"], new["account_no"], new["currency"], new),
        )
        still = run["status"] != 2
        running = {k: np.concatenate((v[still], new[k])) for k, v in run.items() if k in new}
        running["is_new"] = np.concatenate((np.zeros(still.sum(), bool), new["is_new"]))
        running["first_of_account"] = np.concatenate(
            (np.zeros(still.sum(), bool), new["first_of_account"])
        )
        return running

    def _running_subscriptions(self) -> dict[str, np.ndarray]:
        t = self.land.query(
            "select s.*, a.employee_count from subscriptions s "
            "left join accounts a using (account_id) "
            "where s.status <> 'canceled' order by s.subscription_id"
        )
        return {
            "number": id_numbers(column(t, "subscription_id")),
            "account_no": id_numbers(column(t, "account_id")),
            "tier": codes_of(TIERS, column(t, "plan_tier")),
            "interval": codes_of(INTERVALS, column(t, "billing_interval")),
            "amount": int_values(column(t, "amount_cents")),
            "quantity": int_values(column(t, "quantity")),
            "currency": codes_of(CURRENCIES, column(t, "currency")),
            "status": codes_of(SUB_STATUSES, column(t, "status")),
            "start": ts_values(column(t, "started_at")),
            "canceled": ts_values(column(t, "canceled_at")),
            "ended": ts_values(column(t, "ended_at")),
            "updated": ts_values(column(t, "updated_at")),
            "employees": int_values(column(t, "employee_count")),
        }

    def _cancellations(self, run: dict[str, np.ndarray]) -> np.ndarray:
        """Pending cancellations take effect; some accounts cancel (more with open trouble)."""
        rng, n = self.rng, len(run["number"])
        pending = run["canceled"] != NAT
        ends = pending & (rng.random(n) < PENDING_END_PER_DAY)
        at = self.times(n)
        run["status"][ends], run["ended"][ends], run["updated"][ends] = 2, at[ends], at[ends]
        troubled = self._accounts_with_open_trouble()
        accounts = np.unique(run["account_no"][~pending])
        p = CHURN_PER_DAY * np.where(np.isin(accounts, troubled), 3.0, 1.0)
        leaving = accounts[rng.random(len(accounts)) < p]
        cancel = ~pending & np.isin(run["account_no"], leaving)
        immediate = np.isin(run["account_no"], leaving[rng.random(len(leaving)) < 0.45]) & cancel
        run["canceled"][cancel] = at[cancel]
        run["updated"][cancel] = at[cancel]
        stop = np.minimum(at + rng.integers(MINUTE, 30 * MINUTE, n), self.win.hi)
        run["status"][immediate], run["ended"][immediate] = 2, stop[immediate]
        run["updated"][immediate] = stop[immediate]
        return ends | cancel

    def _accounts_with_open_trouble(self) -> np.ndarray:
        rows = self.land.where(
            "support/tickets", "status in ('new', 'open', 'pending') and created_at < $since"
        )
        t = self.land.query(
            f"select distinct account_id from {rows} where account_id is not null order by 1",
            since=self.since(3 * DAY),
        )
        return id_numbers(column(t, "account_id"))

    def _seat_changes(self, run: dict[str, np.ndarray]) -> np.ndarray:
        rng, n = self.rng, len(run["number"])
        free = (run["status"] == 2) | (run["canceled"] != NAT) | (run["amount"] == 0)
        change = ~free & (rng.random(n) < SEAT_CHANGES)
        up = rng.random(n) < 0.65
        factor = np.where(up, rng.uniform(1.1, 1.5, n), rng.uniform(0.6, 0.9, n))
        quantity = np.maximum(1, np.round(run["quantity"] * factor)).astype(np.int64)
        quantity = np.where(quantity == run["quantity"], run["quantity"] + 1, quantity)
        run["quantity"] = np.where(change, quantity, run["quantity"])
        run["updated"] = np.where(change, self.times(n), run["updated"])
        return change

    def _dunning(self, run: dict[str, np.ndarray]) -> np.ndarray:
        rng, n = self.rng, len(run["number"])
        recovers = (run["status"] == 1) & (rng.random(n) < DUNNING_RECOVERY_PER_DAY)
        lapses = (run["status"] == 0) & (run["canceled"] == NAT) & (rng.random(n) < DUNNING_PER_DAY)
        run["status"] = np.select([recovers, lapses], [0, 1], run["status"])
        run["updated"] = np.where(recovers | lapses, self.times(n), run["updated"])
        return recovers | lapses

    def _plan_change_candidates(self, run: dict[str, np.ndarray], changed: np.ndarray):
        """Upgrades and downgrades end the old subscription; the new one starts at once."""
        n = len(run["number"])
        moving = ~changed & (run["amount"] > 0) & (self.rng.random(n) < PLAN_CHANGES)
        at = self.times(n)
        run["status"][moving] = 2
        for name in ("canceled", "ended", "updated"):
            run[name][moving] = at[moving]
        return moving

    def _new_subscriptions(self, run: dict[str, np.ndarray], moving: np.ndarray):
        rng, acc = self.rng, self.new_acc
        starts = rng.random(len(acc)) < 0.55
        signup = {
            "account_no": acc.number[starts],
            "start": self.times(int(starts.sum()), after=acc.created[starts]),
            "employees": acc.employees[starts],
            "currency": acc.currency[starts],
        }
        plans = new_plans(rng, acc.segment[starts], acc.employees[starts], acc.currency[starts])
        back = self._reactivations()
        back_plans = new_plans(
            rng, segment_of(back["employees"]), back["employees"], back["currency"]
        )
        upgrade = rng.random(int(moving.sum())) < 0.65
        old = Plans(*(run[k][moving] for k in ("tier", "interval", "amount", "quantity")))
        moved_plans = changed_plans(rng, old, run["currency"][moving], upgrade)
        parts = [
            (signup, plans, True),
            (back, back_plans, False),
            (
                {k: run[k][moving] for k in ("account_no", "employees", "currency")}
                | {"start": run["ended"][moving]},
                moved_plans,
                False,
            ),
        ]
        return self._assemble_new(parts)

    def _assemble_new(self, parts: list) -> dict[str, np.ndarray]:
        cols: dict[str, list[np.ndarray]] = {}
        for base, plans, first in parts:
            n = len(base["account_no"])
            row = dict(base)
            row.update(tier=plans.tier, interval=plans.interval)
            row.update(amount=plans.amount, quantity=plans.quantity)
            row.update(status=np.zeros(n, dtype=np.int64), updated=base["start"])
            row.update(canceled=np.full(n, NAT), ended=np.full(n, NAT))
            row.update(is_new=np.ones(n, bool), first_of_account=np.full(n, first))
            for k, v in row.items():
                cols.setdefault(k, []).append(np.asarray(v))
        new = {k: np.concatenate(v) for k, v in cols.items()}
        order = np.lexsort((new["account_no"], new["start"]))
        new = {k: v[order] for k, v in new.items()}
        new["number"] = self.take_ids("billing/subscriptions", len(order))
        return new

    def _reactivations(self) -> dict[str, np.ndarray]:
        t = self.land.query(
            "select s.account_id, arg_max(s.currency, s.ended_at) as currency, "
            "any_value(a.employee_count) as employee_count from subscriptions s "
            "left join accounts a using (account_id) group by s.account_id "
            "having count(*) filter (where s.status <> 'canceled') = 0 "
            "and max(s.ended_at) < $since order by 1",
            since=self.since(60 * DAY),
        )
        back = self.rng.random(t.num_rows) < REACTIVATIONS
        account_no = id_numbers(column(t, "account_id"))[back]
        return {
            "account_no": account_no,
            "start": self.times(len(account_no)),
            "employees": int_values(column(t, "employee_count"))[back],
            "currency": codes_of(CURRENCIES, column(t, "currency"))[back],
        }

    def invoices(self, running: dict[str, np.ndarray]) -> None:
        self._settle_open_invoices()
        rng = self.rng
        sub, issued = self._renewals(running)
        new = np.flatnonzero(running["is_new"])
        sub = np.concatenate((sub, new))
        issued = np.concatenate((issued, running["start"][new]))
        due = running["amount"][sub] * running["quantity"][sub]
        terms = rng.random(len(sub)) < TERMS_PROB[segment_of(running["employees"][sub])]
        first = running["first_of_account"][sub]
        delay = np.where(
            terms, rng.integers(DAY, 12 * DAY, len(sub)), rng.integers(MINUTE, HOUR, len(sub))
        )
        inv = settle(rng, issued, due, terms, self.win.hi, np.where(first, issued + delay, NAT))
        inv["due"], inv["issued"] = due, issued
        order = np.lexsort((running["number"][sub], issued))
        inv = {k: v[order] for k, v in inv.items()}
        sub = sub[order]
        numbers = self.take_ids("billing/invoices", len(sub))
        self.writer.write(
            "billing/invoices",
            invoice_columns(
                numbers,
                running["account_no"][sub],
                running["number"][sub],
                running["currency"][sub],
                inv,
            ),
        )
        paid_first = first[order] & (inv["status"] == PAID)
        self.first_paid_today = {
            "account_no": running["account_no"][sub][paid_first],
            "paid_at": inv["paid_at"][paid_first],
        }
        keep = running["status"] != 2
        self.active = {
            "account_no": running["account_no"][keep],
            "employees": running["employees"][keep],
        }

    def _renewals(self, running: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Running subscriptions whose billing anchor falls in the window, and when."""
        start = running["start"]
        step = np.where(running["interval"] == 1, 12, 1)
        anchor = np.minimum(day_of_month(start), 28)
        offset = (anchor - 1) * DAY + (start - month_start_us(month_index(start))) % DAY
        subs, times = [], []
        for month in np.unique(month_index(np.array([self.win.lo + 1, self.win.hi]))):
            issue = month_start_us(month) + offset
            months_in = month - month_index(start)
            due = (
                ~running["is_new"]
                & (running["status"] != 2)
                & (months_in >= 1)
                & (months_in % step == 0)
                & (issue > self.win.lo)
                & (issue <= self.win.hi)
            )
            subs.append(np.flatnonzero(due))
            times.append(issue[due])
        return np.concatenate(subs), np.concatenate(times)

    def _settle_open_invoices(self) -> None:
        rows = self.land.where("billing/invoices", "status in ('open', 'draft')")
        t = self.land.query(f"select * from {rows} order by invoice_id")
        rng, n = self.rng, t.num_rows
        status = codes_of(INVOICE_STATUSES, column(t, "status"))
        issued = ts_values(column(t, "issued_at"))
        due = int_values(column(t, "amount_due_cents"))
        paid = int_values(column(t, "amount_paid_cents"))
        u = rng.random(n)
        old = issued < self.win.hi - 30 * DAY
        new_status = np.select(
            [
                (status == DRAFT) & (u < 0.6),
                (status == DRAFT) & (u < 0.9),
                (status == OPEN) & (u < 0.3),
                (status == OPEN) & old & (u < 0.38),
                (status == OPEN) & (paid == 0) & (u < 0.39),
            ],
            [OPEN, PAID, PAID, UNCOLLECTIBLE, VOID],
            -1,
        )
        moved = new_status >= 0
        at = self.times(n)
        cols = {name: column(t, name).filter(pa.array(moved)) for name in t.column_names}
        now_paid = (new_status == PAID)[moved]
        cols["status"] = labels(INVOICE_STATUSES, new_status[moved])
        cols["amount_paid_cents"] = pa.array(np.where(now_paid, due[moved], paid[moved]))
        cols["paid_at"] = timestamps(np.where(now_paid, at[moved], NAT))
        cols["updated_at"] = timestamps(at[moved])
        self.writer.write("billing/invoices", cols)

    def refunds(self) -> None:
        rows = self.land.where(
            "billing/invoices", "status = 'paid' and amount_paid_cents > 0 and paid_at >= $since"
        )
        t = self.land.query(
            f"select invoice_id, amount_paid_cents, currency from {rows} "
            "where invoice_id not in (select invoice_id from raw_refunds) order by invoice_id",
            since=self.since(60 * DAY),
        )
        rng, n = self.rng, t.num_rows
        chosen = np.flatnonzero(rng.random(n) < REFUNDS)
        if n and not len(chosen):
            chosen = np.array([int(rng.integers(0, n))])
        paid = int_values(column(t, "amount_paid_cents"))[chosen]
        full = rng.random(len(chosen)) < 0.35
        amount = np.where(full, paid, np.maximum(1, paid * rng.uniform(0.1, 0.6, len(chosen))))
        self.writer.write(
            "billing/refunds",
            refund_columns(
                self.take_ids("billing/refunds", len(chosen)),
                id_numbers(column(t, "invoice_id"))[chosen],
                amount.astype(np.int64),
                column(t, "currency").take(pa.array(chosen, pa.int64())),
                self.times(len(chosen)),
            ),
        )

    # --- support ----------------------------------------------------------------------------

    def tickets(self) -> dict[str, np.ndarray]:
        """Works on open tickets and files new ones; returns the tickets solved today."""
        worked = self._work_on_open_tickets()
        fresh = self._new_tickets()
        return {k: np.concatenate((worked[k], fresh[k])) for k in worked}

    def _work_on_open_tickets(self) -> dict[str, np.ndarray]:
        rows = self.land.where("support/tickets", "status in ('new', 'open', 'pending', 'solved')")
        t = self.land.query(
            f"select t.*, c.ticket_id is not null as has_csat from {rows} t "
            "left join (select distinct ticket_id from raw_survey_responses "
            "where survey_type = 'csat') c using (ticket_id) order by t.ticket_id"
        )
        n = t.num_rows
        status = codes_of(TICKET_STATUSES, column(t, "status"))
        solved_at = ts_values(column(t, "solved_at"))
        has_csat = column(t, "has_csat").to_numpy(zero_copy_only=False)
        events = self._progress_events(status, solved_at, has_csat)
        events = derive_status_from(events, initial=status)
        new_status, new_solved = current_status(events, n, status, solved_at)
        updated = ts_values(column(t, "updated_at"))
        np.maximum.at(updated, events.ticket, events.time)
        touched = np.zeros(n, dtype=bool)
        touched[events.ticket] = True
        number = id_numbers(column(t, "ticket_id"))
        self._write_events(number[events.ticket], events)
        cols = {name: column(t, name).filter(pa.array(touched)) for name in t.column_names}
        cols["status"] = labels(TICKET_STATUSES, new_status[touched])
        cols["solved_at"] = timestamps(new_solved[touched])
        cols["updated_at"] = timestamps(updated[touched])
        self.writer.write("support/tickets", cols)
        solved_now = (new_status == ST_SOLVED) & (new_solved > self.win.lo)
        created = ts_values(column(t, "created_at"))
        return {
            "ticket_no": number[solved_now],
            "account_no": id_numbers(column(t, "account_id"))[solved_now],
            "contact_no": id_numbers(column(t, "requester_contact_id"))[solved_now],
            "hours": (new_solved - created)[solved_now] / HOUR,
            "solved_at": new_solved[solved_now],
            "reopens": np.zeros(int(solved_now.sum()), dtype=np.int64),
            "replies": np.ones(int(solved_now.sum()), dtype=np.int64),
        }

    def _progress_events(self, status, solved_at, has_csat) -> Events:
        """A day of work: replies, solves, customers answering, closing and reopening."""
        rng, n = self.rng, len(status)
        u, v = rng.random(n), rng.random(n)
        first = self.times(n, share=0.6)
        second = first + (rng.random(n) * (self.win.hi - first)).astype(np.int64)
        idx = np.arange(n)
        parts = EventParts()
        replied = ((status == ST_NEW) & (u < 0.7)) | ((status == ST_OPEN) & (u < 0.5))
        solves = replied & (v < 0.5)
        waits = replied & ~solves & (v < 0.8)
        parts.comment(idx[replied], first[replied], 10, AGENT)
        parts.status(idx[replied & ~waits], first[replied & ~waits], 11, AGENT, ST_OPEN)
        parts.status(idx[waits], first[waits], 11, AGENT, ST_PENDING)
        parts.status(idx[solves], second[solves], 30, AGENT, ST_SOLVED)
        answered = (status == ST_PENDING) & (u < 0.4)
        parts.comment(idx[answered], first[answered], 20, CUSTOMER)
        parts.status(idx[answered], first[answered], 21, CUSTOMER, ST_OPEN)
        done = answered & (v < 0.3)
        parts.comment(idx[done], second[done], 10, AGENT)
        parts.status(idx[done], second[done], 30, AGENT, ST_SOLVED)
        closing = (status == ST_SOLVED) & (solved_at + 4 * DAY <= self.win.hi)
        close_at = np.clip(solved_at + 4 * DAY, self.win.lo + 1, self.win.hi)
        parts.status(idx[closing], close_at[closing], 40, SYSTEM, ST_CLOSED)
        reopen = (status == ST_SOLVED) & ~closing & ~has_csat & (u < 0.05)
        parts.comment(idx[reopen], first[reopen], 0, CUSTOMER)
        parts.status(idx[reopen], first[reopen], 1, CUSTOMER, ST_OPEN)
        return parts.build()

    def _write_events(self, ticket_no: np.ndarray, events: Events) -> None:
        numbers = self.take_ids("support/ticket_events", len(ticket_no))
        self.writer.write("support/ticket_events", event_columns(numbers, ticket_no, events))

    def _new_tickets(self) -> dict[str, np.ndarray]:
        rng = self.rng
        account, category, employees = self._ticket_requests()
        n = len(account)
        created = np.sort(self.times(n, share=0.95))
        friction = rng.beta(1.1, 2.6, n)
        bad = bad_ticket(rng, friction, category)
        known = account > 0
        attrs = ticket_attributes(rng, known & (employees >= 1000), friction, category, bad)
        contact = np.where(
            known & (rng.random(n) >= 0.03), self.directory(account).pick(rng, account), -1
        )
        state = simulate_tickets(
            rng, created, bad, attrs["slowness"], attrs["channel"], attrs["priority"], self.win.hi
        )
        numbers = self.take_ids("support/tickets", n)
        account_no = np.where(known, account, -1)
        times = (created, state.solved_at, state.updated_at)
        self.writer.write(
            "support/tickets",
            ticket_columns(numbers, account_no, contact, attrs, category, state.status, times),
        )
        self._write_events(numbers[state.events.ticket], state.events)
        solved = state.solved_at != NAT
        return {
            "ticket_no": numbers[solved],
            "account_no": account_no[solved],
            "contact_no": contact[solved],
            "hours": (state.solved_at - created)[solved] / HOUR,
            "solved_at": state.solved_at[solved],
            "reopens": state.reopens[solved],
            "replies": state.agent_replies[solved],
        }

    def _ticket_requests(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Account (0 = unknown requester), category and account headcount of new tickets."""
        rng = self.rng
        accounts, first = np.unique(self.active["account_no"], return_index=True)
        employees = self.active["employees"][first]
        onboarding = np.isin(accounts, self._recently_onboarded())
        regular = TICKETS_PER_MONTH[segment_of(employees)] * 0.9 / 30
        onboard = np.where(onboarding, ONBOARDING_TICKETS[segment_of(employees)] / 30, 0.0)
        count = rng.poisson(regular + onboard)
        account = np.repeat(accounts, count)
        category = ticket_categories(rng, len(account))
        share = np.repeat(onboard / (regular + onboard), count)
        category = np.where(rng.random(len(account)) < share, 1, category)
        unknown = int(rng.binomial(len(account) + 1, 0.03))
        return (
            np.concatenate((account, np.zeros(unknown, dtype=np.int64))),
            np.concatenate((category, ticket_categories(rng, unknown))),
            np.concatenate((np.repeat(employees, count), np.full(unknown, -1))),
        )

    def _recently_onboarded(self) -> np.ndarray:
        t = self.land.query(
            "select account_id from raw_invoices where status = 'paid' "
            "and amount_paid_cents > 0 group by 1 having min(paid_at) >= $since order by 1",
            since=self.since(30 * DAY),
        )
        return np.concatenate(
            (id_numbers(column(t, "account_id")), self.first_paid_today["account_no"])
        )

    def surveys(self, solved: dict[str, np.ndarray]) -> None:
        rng, hi = self.rng, self.win.hi
        asked = (solved["account_no"] > 0) & (solved["contact_no"] > 0)
        asked &= rng.random(len(asked)) < CSAT_SHARE
        csat = {k: v[asked] for k, v in solved.items()}
        n = int(asked.sum())
        responded = csat["solved_at"] + lognormal(rng, 2 * HOUR, 1.2, n).astype(np.int64) + MINUTE
        score = csat_scores(rng, csat["reopens"], csat["replies"], csat["hours"])
        followed = responded + follow_up_delay(rng, score <= 2, score == 3)
        accounts = np.unique(self.active["account_no"])
        nps_account = accounts[rng.random(len(accounts)) < NPS_PER_DAY]
        nps_contact = self.directory(nps_account).pick(rng, nps_account)
        nps_account = nps_account[nps_contact > 0]
        nps_contact = nps_contact[nps_contact > 0]
        nps_score = np.clip(np.round(rng.normal(7.6, 2.2, len(nps_account))), 0, 10)
        nps_at = self.times(len(nps_account))
        nps_score = nps_score.astype(np.int64)
        rows = {
            "type": np.concatenate((np.zeros(n, int), np.ones(len(nps_account), int))),
            "account_no": np.concatenate((csat["account_no"], nps_account)),
            "contact_no": np.concatenate((csat["contact_no"], nps_contact)),
            "ticket_no": np.concatenate((csat["ticket_no"], np.full(len(nps_account), -1))),
            "score": np.concatenate((score, nps_score)),
            "responded": np.concatenate((responded, nps_at)),
            "followed": np.concatenate(
                (followed, nps_at + follow_up_delay(rng, nps_score <= 6, nps_score <= 8))
            ),
        }
        keep = rows["responded"] <= hi
        rows = {k: v[keep] for k, v in rows.items()}
        rows["followed"] = np.where(rows["followed"] > hi, NAT, rows["followed"])
        order = np.lexsort((rows["account_no"], rows["responded"]))
        rows = {k: v[order] for k, v in rows.items()}
        numbers = self.take_ids("support/survey_responses", len(order))
        self.writer.write("support/survey_responses", survey_columns(rng, numbers, rows))
        self._follow_ups()

    def _follow_ups(self) -> None:
        """Closing the loop on recent unhappy answers."""
        rows = self.land.where(
            "support/survey_responses",
            "followed_up_at is null and responded_at >= $since "
            "and ((survey_type = 'csat' and score <= 2) or (survey_type = 'nps' and score <= 6))",
        )
        t = self.land.query(
            f"select * from {rows} order by response_id", since=self.since(45 * DAY)
        )
        chosen = self.rng.random(t.num_rows) < 0.15
        cols = {name: column(t, name).filter(pa.array(chosen)) for name in t.column_names}
        responded = ts_values(cols["responded_at"])
        cols["followed_up_at"] = timestamps(self.times(len(responded), after=responded))
        self.writer.write("support/survey_responses", cols)

    # --- monthly reference tables -----------------------------------------------------------

    def marketing_spend(self) -> None:
        """Month-to-date spend grows by a day; a new month starts its rows."""
        t = self.land.query("select * from marketing_spend order by channel, spend_month")
        month = int(month_index(self.win.hi))
        channel = codes_of(CHANNELS, column(t, "channel"))
        spend_month = month_index(
            column(t, "spend_month").cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
        )
        amount = int_values(column(t, "amount_cents"))
        currency = codes_of(CURRENCIES, column(t, "currency"))
        rows = []
        for code in range(len(CHANNELS)):
            mine = channel == code
            if not mine.any():
                continue
            last = np.flatnonzero(mine)[-1]
            full = mine & (spend_month < month)
            daily = (amount[full][-1] if full.any() else amount[last]) / 30
            daily *= float(np.exp(self.rng.normal(0, 0.2)))
            days = (self.win.hi - self.win.lo) / DAY
            current = amount[last] if spend_month[last] == month else 0
            rows.append((month, code, round(current + daily * days), currency[last]))
        self.writer.write(
            "crm/marketing_spend",
            {
                "spend_month": dates_from_months(np.array([r[0] for r in rows], dtype=np.int64)),
                "channel": labels(CHANNELS, np.array([r[1] for r in rows], dtype=np.int64)),
                "amount_cents": pa.array([r[2] for r in rows], pa.int64()),
                "currency": labels(CURRENCIES, np.array([r[3] for r in rows], dtype=np.int64)),
            },
        )

    def fx_rates(self) -> None:
        """The current month's rate is revised; missing months up to now are added."""
        t = self.land.query("select * from fx_rates order by currency, rate_month")
        month = int(month_index(self.win.hi))
        currency = codes_of(CURRENCIES, column(t, "currency"))
        rate_month = month_index(
            column(t, "rate_month").cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
        )
        rate = column(t, "usd_per_unit").to_numpy(zero_copy_only=False)
        out_month, out_currency, out_rate = [], [], []
        for code in np.unique(currency):
            last = np.flatnonzero(currency == code)[-1]
            value, since = float(rate[last]), int(rate_month[last])
            first = since if since == month else since + 1
            for m in range(first, month + 1):
                value *= float(np.exp(self.rng.normal(0, 0.012 if m > since else 0.002)))
                out_month.append(m)
                out_currency.append(code)
                out_rate.append(round(value, 6))
        self.writer.write(
            "billing/fx_rates",
            {
                "rate_month": dates_from_months(np.array(out_month, dtype=np.int64)),
                "currency": labels(CURRENCIES, np.array(out_currency, dtype=np.int64)),
                "usd_per_unit": pa.array(out_rate, pa.float64()),
            },
        )


_ID_TABLES = (
    "crm/accounts",
    "crm/contacts",
    "billing/subscriptions",
    "billing/invoices",
    "billing/refunds",
    "support/tickets",
    "support/ticket_events",
    "support/survey_responses",
)
