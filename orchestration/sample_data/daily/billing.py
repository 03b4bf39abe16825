"""The billing part of a daily batch: subscriptions moved on (cancellations, seat and plan
changes, dunning) and started (sign-ups, reactivations); the day's invoices and settled open
ones; a few refunds; the current month's FX rates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.sample_data.billing import (
    DRAFT,
    OPEN,
    PAID,
    UNCOLLECTIBLE,
    VOID,
    anchor_offset,
    invoice_columns,
    refund_columns,
    settle,
    subscription_columns,
)
from orchestration.sample_data.common import (
    CURRENCIES,
    DAY,
    HOUR,
    INTERVALS,
    INVOICE_STATUSES,
    MINUTE,
    NAT,
    SUB_STATUSES,
    TIERS,
    codes_of,
    dates_from_months,
    id_numbers,
    int_values,
    labels,
    month_index,
    month_start_us,
    months_of,
    timestamps,
    ts_values,
)
from orchestration.sample_data.daily.day import Part, column, columns, segment_of
from orchestration.sample_data.entities import (
    TERMS_PROB,
    Accounts,
    Plans,
    changed_plans,
    new_plans,
)

CHURN_PER_DAY = 0.0012
SEAT_CHANGES = 0.003
PLAN_CHANGES = 0.0006
REACTIVATIONS = 0.0008
REFUNDS = 0.004
PENDING_END_PER_DAY = 1 / 15  # cancellations at period end take effect
DUNNING_PER_DAY = 0.003  # with the recovery rate this keeps ~5% of subscriptions past due
DUNNING_RECOVERY_PER_DAY = 0.06


@dataclass
class Payers:
    """Who pays after the day's billing, for the support part."""

    active: dict[str, np.ndarray]  # account_no and employees of every running subscription
    first_paid_today: dict[str, np.ndarray]  # account_no and paid_at of first invoices paid


class Billing(Part):
    def subscriptions(self, new_acc: Accounts) -> dict[str, np.ndarray]:
        """Moves running subscriptions on and starts new ones (some for the day's sign-ups
        ``new_acc``); returns all running ones."""
        run = self._running_subscriptions()
        changed = self._cancellations(run) | self._seat_changes(run) | self._dunning(run)
        moving = self._plan_change_candidates(run, changed)
        new = self._new_subscriptions(run, moving, new_acc)
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

    def _new_subscriptions(
        self, run: dict[str, np.ndarray], moving: np.ndarray, acc: Accounts
    ) -> dict[str, np.ndarray]:
        rng = self.rng
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

    def invoices(self, running: dict[str, np.ndarray]) -> Payers:
        """Settles open invoices and writes the day's new ones for ``running`` subscriptions."""
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
        first_paid_today = {
            "account_no": running["account_no"][sub][paid_first],
            "paid_at": inv["paid_at"][paid_first],
        }
        keep = running["status"] != 2
        active = {
            "account_no": running["account_no"][keep],
            "employees": running["employees"][keep],
        }
        return Payers(active, first_paid_today)

    def _renewals(self, running: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Running subscriptions whose billing anchor falls in the window, and when."""
        start = running["start"]
        step = np.where(running["interval"] == 1, 12, 1)
        offset = anchor_offset(start)
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
        cols = columns(t, moved)
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

    def fx_rates(self) -> None:
        """The current month's rate is revised; missing months up to now are added."""
        t = self.land.query("select * from fx_rates order by currency, rate_month")
        month = int(month_index(self.win.hi))
        currency = codes_of(CURRENCIES, column(t, "currency"))
        rate_month = months_of(column(t, "rate_month"))
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
