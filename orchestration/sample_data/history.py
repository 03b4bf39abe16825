"""The initial load of the sample data: ~30 months of history up to the first batch's load
time, simulated month by month over all accounts of a chunk at once.

Every month, accounts start (after a trial) or come back (reactivation), file tickets, answer
NPS surveys, and may churn, change plan or add a second subscription. The churn hazard is
driven by what the account actually experienced: non-FCR or unsolved tickets in the previous
three months, friction in onboarding tickets of its first 30 paid days, and detractor NPS
answers (end users weigh more than economic buyers; closing the loop within a week helps).
Invoices, refunds, ticket events and CSAT answers follow from that simulated history.
Nothing dated after the cutoff is kept, so in-flight work (open tickets, unpaid invoices,
pending cancellations) shows up as such and is moved on by the daily batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from orchestration.sample_data.common import (
    DAY,
    HOUR,
    MINUTE,
    NAT,
    day_us,
    month_index,
    month_start_us,
)
from orchestration.sample_data.entities import (
    Accounts,
    Contacts,
    Plans,
    changed_plans,
    free_plans,
    new_plans,
)
from orchestration.sample_data.support import bad_ticket, follow_up_delay, ticket_categories

CHUNK_ACCOUNTS = 100_000
HISTORY_MONTHS = 30
MONTH = 30 * DAY

BASE_CHURN = np.array([0.03, 0.02, 0.012, 0.03])  # monthly, by segment
TIER_CHURN = np.array([1.3, 1.0, 0.8, 0.6])
CHANNEL_CHURN = np.array([1.0, 1.1, 1.35, 0.9, 1.1, 0.75, 1.0])  # last: null channel
DETRACTOR_CHURN = np.array([1.0, 1.5, 1.6, 2.8, 1.4])  # by respondent role; last: null role
TICKETS_PER_MONTH = np.array([0.3, 0.6, 1.2, 0.35])
ONBOARDING_TICKETS = np.array([0.9, 1.6, 2.4, 1.0])


@dataclass
class Clock:
    """History window: from ``start`` (first of a month) up to ``cutoff`` (first load)."""

    start: int
    cutoff: int
    month0: int
    n_months: int

    def bounds(self, m: int) -> tuple[int, int]:
        lo = int(month_start_us(self.month0 + m))
        return lo, min(int(month_start_us(self.month0 + m + 1)), self.cutoff)


def make_clock(as_of: date, cutoff: int) -> Clock:
    month0 = int(month_index(day_us(as_of))) - HISTORY_MONTHS
    n_months = int(month_index(cutoff)) - month0 + 1
    return Clock(int(month_start_us(month0)), cutoff, month0, n_months)


# --- subscriptions --------------------------------------------------------------------------


@dataclass
class SubSlot:
    """One running subscription per account (primary or add-on), as parallel arrays."""

    n: int
    on: np.ndarray = field(init=False)
    tier: np.ndarray = field(init=False)
    interval: np.ndarray = field(init=False)
    amount: np.ndarray = field(init=False)
    quantity: np.ndarray = field(init=False)
    start: np.ndarray = field(init=False)
    first_paid: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.on = np.zeros(self.n, dtype=bool)
        for name in ("tier", "interval", "amount", "quantity"):
            setattr(self, name, np.zeros(self.n, dtype=np.int64))
        self.start = np.full(self.n, NAT, dtype=np.int64)
        self.first_paid = np.full(self.n, NAT, dtype=np.int64)

    def plans(self, idx: np.ndarray) -> Plans:
        return Plans(self.tier[idx], self.interval[idx], self.amount[idx], self.quantity[idx])

    def begin(self, idx: np.ndarray, plans: Plans, at: np.ndarray, first_paid=None) -> None:
        self.on[idx] = True
        self.tier[idx], self.interval[idx] = plans.tier, plans.interval
        self.amount[idx], self.quantity[idx] = plans.amount, plans.quantity
        self.start[idx] = at
        self.first_paid[idx] = NAT if first_paid is None else first_paid


@dataclass
class SubRecords:
    """Finished (or still running) subscriptions, collected as they end."""

    parts: list[dict[str, np.ndarray]] = field(default_factory=list)

    def emit(self, slot: SubSlot, idx: np.ndarray, canceled: np.ndarray, ended: np.ndarray):
        self.parts.append(
            {
                "account": idx,
                "tier": slot.tier[idx],
                "interval": slot.interval[idx],
                "amount": slot.amount[idx],
                "quantity": slot.quantity[idx],
                "start": slot.start[idx],
                "canceled": np.broadcast_to(canceled, idx.shape).copy(),
                "ended": np.broadcast_to(ended, idx.shape).copy(),
                "first_paid": slot.first_paid[idx],
            }
        )
        slot.on[idx] = False

    def table(self, cutoff: int) -> dict[str, np.ndarray]:
        cols = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        order = np.lexsort((cols["account"], cols["start"]))
        cols = {k: v[order] for k, v in cols.items()}
        cols["ended"] = np.where(cols["ended"] > cutoff, NAT, cols["ended"])
        cols["status"] = np.where(cols["ended"] == NAT, 0, 2)
        stamps = np.stack([cols["start"], cols["canceled"], cols["ended"]])
        cols["updated"] = np.max(np.where(stamps == NAT, cols["start"], stamps), axis=0)
        return cols


# --- the monthly simulation -----------------------------------------------------------------


@dataclass
class TicketRecords:
    parts: list[tuple[np.ndarray, ...]] = field(default_factory=list)

    def add(self, account, created, category, bad) -> None:
        self.parts.append((account, created, category, bad))

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(np.concatenate([p[i] for p in self.parts]) for i in range(4))


@dataclass
class NpsRecords:
    parts: list[tuple[np.ndarray, ...]] = field(default_factory=list)

    def add(self, account, contact, score, responded, followed) -> None:
        self.parts.append((account, contact, score, responded, followed))

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(np.concatenate([p[i] for p in self.parts]) for i in range(5))


class Lifecycle:
    """Month-by-month simulation of the accounts of one chunk."""

    def __init__(self, rng: np.random.Generator, acc: Accounts, con: Contacts, clock: Clock):
        self.rng, self.acc, self.con, self.clock = rng, acc, con, clock
        n = len(acc)
        self.prim, self.addon = SubSlot(n), SubSlot(n)
        self.subs, self.tickets, self.nps = SubRecords(), TicketRecords(), NpsRecords()
        converts = rng.random(n) < 0.88
        trial = np.where(rng.random(n) < 0.3, 0, rng.integers(DAY, 21 * DAY, n))
        self.first_start = np.where(converts, acc.created + trial, NAT)
        self.first_paid = np.full(n, NAT, dtype=np.int64)
        self.start_month = np.full(n, -1, dtype=np.int64)
        self.last_end = np.full(n, NAT, dtype=np.int64)
        self.onboarding = np.full(n, -1, dtype=np.int64)  # -1 none, 0 smooth, 1 friction
        self.tickets_by_month = np.zeros((n, clock.n_months + 2), dtype=np.int16)
        self.bad_by_month = np.zeros((n, clock.n_months + 2), dtype=np.int16)
        self.nps_mult = np.ones(n)
        self.nps_until = np.full(n, -1, dtype=np.int64)

    def run(self) -> Lifecycle:
        for m in range(self.clock.n_months):
            lo, hi = self.clock.bounds(m)
            if hi <= lo:
                break
            self._first_starts(m, lo, hi)
            self._reactivations(lo, hi)
            self._monthly_tickets(lo, hi)
            self._nps(m, lo, hi)
            self._churn(m, lo, hi)
            self._plan_changes(m, lo, hi)
            self._addons(lo, hi)
        running = np.flatnonzero(self.prim.on)
        self.subs.emit(self.prim, running, NAT, NAT)
        self.subs.emit(self.addon, np.flatnonzero(self.addon.on), NAT, NAT)
        return self

    def _times(self, lo: int, hi: np.ndarray | int, k: int) -> np.ndarray:
        return lo + (self.rng.random(k) * (np.asarray(hi) - lo)).astype(np.int64)

    def _record_tickets(self, account, created, category, bad) -> None:
        keep = created <= self.clock.cutoff
        account, created, category, bad = account[keep], created[keep], category[keep], bad[keep]
        self.tickets.add(account, created, category, bad)
        month = np.clip(month_index(created) - self.clock.month0, 0, self.clock.n_months + 1)
        np.add.at(self.tickets_by_month, (account, month), 1)
        np.add.at(self.bad_by_month, (account, month), bad.astype(np.int16))

    def _first_starts(self, m: int, lo: int, hi: int) -> None:
        rng, acc = self.rng, self.acc
        idx = np.flatnonzero((self.first_start >= lo) & (self.first_start < hi))
        at = self.first_start[idx]
        delay = np.where(
            acc.terms[idx],
            rng.integers(DAY, 12 * DAY, len(idx)),
            rng.integers(MINUTE, HOUR, len(idx)),
        )
        plans = new_plans(rng, acc.segment[idx], acc.employees[idx], acc.currency[idx])
        self.prim.begin(idx, plans, at, at + delay)
        self.first_paid[idx] = at + delay
        self.start_month[idx] = m
        self._onboarding_tickets(idx, at + delay)

    def _onboarding_tickets(self, idx: np.ndarray, paid: np.ndarray) -> None:
        rng, f = self.rng, self.acc.friction[idx]
        count = rng.poisson(ONBOARDING_TICKETS[self.acc.segment[idx]] * (0.5 + f))
        rows = np.repeat(np.arange(len(idx)), count)
        created = paid[rows] + rng.integers(MINUTE, 30 * DAY - HOUR, len(rows))
        bad = rng.random(len(rows)) < np.clip(0.08 + 0.75 * f[rows], 0.03, 0.9)
        category = np.full(len(rows), 1, dtype=np.int64)
        self._record_tickets(idx[rows], created, category, bad)
        seen = created <= self.clock.cutoff
        any_ticket = np.bincount(rows[seen], minlength=len(idx)) > 0
        any_bad = np.bincount(rows[seen], weights=bad[seen], minlength=len(idx)) > 0
        self.onboarding[idx] = np.where(any_ticket, any_bad.astype(np.int64), -1)

    def _reactivations(self, lo: int, hi: int) -> None:
        rng, acc = self.rng, self.acc
        gone = ~self.prim.on & (self.last_end != NAT) & (self.last_end < lo - 60 * DAY)
        back = gone & (rng.random(len(acc)) < 0.012 + 0.02 * (1 - acc.friction))
        idx = np.flatnonzero(back)
        plans = new_plans(rng, acc.segment[idx], acc.employees[idx], acc.currency[idx])
        self.prim.begin(idx, plans, self._times(lo, hi, len(idx)))

    def _monthly_tickets(self, lo: int, hi: int) -> None:
        rng, acc = self.rng, self.acc
        idx = np.flatnonzero(self.prim.on)
        first = np.maximum(lo, self.prim.start[idx])
        share = (hi - first) / MONTH
        lam = TICKETS_PER_MONTH[acc.segment[idx]] * (0.5 + 1.2 * acc.friction[idx]) * share
        count = rng.poisson(np.maximum(lam, 0))
        rows = np.repeat(np.arange(len(idx)), count)
        created = first[rows] + (rng.random(len(rows)) * (hi - first[rows])).astype(np.int64)
        category = ticket_categories(rng, len(rows))
        bad = bad_ticket(rng, acc.friction[idx[rows]], category)
        self._record_tickets(idx[rows], created, category, bad)

    def _recent(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """Whether each account had any ticket / any bad ticket in the three months before m."""
        lo = max(m - 3, 0)
        return (
            self.tickets_by_month[:, lo:m].sum(axis=1) > 0,
            self.bad_by_month[:, lo:m].sum(axis=1) > 0,
        )

    def _nps(self, m: int, lo: int, hi: int) -> None:
        rng, con = self.rng, self.con
        tenure = m - self.start_month
        due = self.prim.on & (self.start_month >= 0) & (tenure > 0) & (tenure % 6 == 3)
        idx = np.flatnonzero(due)
        answers = (rng.random(len(idx)) < 0.5).astype(np.int64) + (rng.random(len(idx)) < 0.2)
        account = np.repeat(idx, answers)
        contact = con.pick(rng, account)
        any_ticket, any_bad = self._recent(m)
        mean = (
            8.4
            - 2.6 * any_bad[account]
            - 1.2 * (self.onboarding[account] == 1)
            + 0.6 * (any_ticket[account] & ~any_bad[account])
        )
        score = np.clip(np.round(mean + rng.normal(0, 1.7, len(account))), 0, 10).astype(np.int64)
        responded = self._times(lo, hi, len(account))
        followed = responded + follow_up_delay(rng, score <= 6, score <= 8)
        self.nps.add(account, contact, score, responded, followed)
        role = con.role[contact]
        mult = np.where(
            score <= 6,
            DETRACTOR_CHURN[role] * np.where(followed - responded <= 7 * DAY, 0.8, 1.4),
            np.where(score >= 9, 0.75, 1.0),
        )
        best = np.zeros(len(self.acc))
        np.maximum.at(best, account, mult)
        answered = np.unique(account)
        self.nps_mult[answered] = best[answered]
        self.nps_until[answered] = m + 6

    def _hazard(self, m: int, idx: np.ndarray) -> np.ndarray:
        acc = self.acc
        any_ticket, any_bad = self._recent(m)
        support = np.where(any_bad[idx], 2.6, np.where(any_ticket[idx], 0.7, 1.0))
        tenure = m - self.start_month[idx]
        onboarding = np.select(
            [self.onboarding[idx] == 1, self.onboarding[idx] == 0], [1.9, 0.8], 1.0
        )
        onboarding = np.where(tenure < 12, onboarding, 1.0)
        nps = np.where(self.nps_until[idx] >= m, self.nps_mult[idx], 1.0)
        hazard = (
            BASE_CHURN[acc.segment[idx]]
            * TIER_CHURN[self.prim.tier[idx]]
            * CHANNEL_CHURN[acc.channel[idx]]
            * np.where(tenure <= 3, 1.2, 1.0)
            * support
            * onboarding
            * nps
        )
        months_in = month_index(self.prim.start[idx]) - self.clock.month0
        renewal = ((m - months_in) % 12 == 11) & (m > months_in)
        yearly = self.prim.interval[idx] == 1
        hazard = np.where(yearly, np.where(renewal, 1 - (1 - hazard) ** 8, 0.0), hazard)
        return np.minimum(hazard, 0.6)

    def _churn(self, m: int, lo: int, hi: int) -> None:
        rng = self.rng
        idx = np.flatnonzero(self.prim.on & (self.prim.start < lo))
        churn = idx[rng.random(len(idx)) < self._hazard(m, idx)]
        canceled = self._times(lo, hi, len(churn))
        immediate = rng.random(len(churn)) < 0.45
        ended = canceled + np.where(
            immediate, rng.integers(MINUTE, HOUR, len(churn)), rng.integers(DAY, MONTH, len(churn))
        )
        with_addon = self.addon.on[churn]
        self.subs.emit(self.addon, churn[with_addon], canceled[with_addon], ended[with_addon])
        self.subs.emit(self.prim, churn, canceled, ended)
        self.last_end[churn] = ended

    def _plan_changes(self, m: int, lo: int, hi: int) -> None:
        rng, acc = self.rng, self.acc
        idx = np.flatnonzero(self.prim.on & (self.prim.start < lo))
        months_in = month_index(self.prim.start[idx]) - self.clock.month0
        renewal = (m - months_in) % 12 == 11
        p = np.where(self.prim.interval[idx] == 1, np.where(renewal, 0.2, 0.0), 0.02)
        moving = idx[rng.random(len(idx)) < p]
        _, any_bad = self._recent(m)
        upgrade = rng.random(len(moving)) < np.where(any_bad[moving], 0.45, 0.75)
        at = self._times(lo, hi, len(moving))
        new = changed_plans(rng, self.prim.plans(moving), acc.currency[moving], upgrade)
        self.subs.emit(self.prim, moving, at, at)
        self.prim.begin(moving, new, at)

    def _addons(self, lo: int, hi: int) -> None:
        rng, acc = self.rng, self.acc
        ending = np.flatnonzero(self.addon.on & (self.addon.start < lo))
        ending = ending[rng.random(len(ending)) < 0.03]
        at = self._times(lo, hi, len(ending))
        self.subs.emit(self.addon, ending, at, at + rng.integers(MINUTE, HOUR, len(ending)))
        idx = np.flatnonzero(self.prim.on & ~self.addon.on & (self.prim.start < lo))
        idx = idx[rng.random(len(idx)) < 0.006]
        free = rng.random(len(idx)) < 0.35
        plans = new_plans(rng, acc.segment[idx], acc.employees[idx], acc.currency[idx])
        sandbox = free_plans(rng, len(idx))
        for name in ("tier", "interval", "amount", "quantity"):
            setattr(plans, name, np.where(free, getattr(sandbox, name), getattr(plans, name)))
        plans.quantity = np.where(free, plans.quantity, np.maximum(1, plans.quantity // 4))
        self.addon.begin(idx, plans, self._times(lo, hi, len(idx)))
