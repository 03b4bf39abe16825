"""Support ticket life cycles for the sample-data generator, vectorized over tickets.

Each ticket gets a kind decided by whether its experience is good (first-contact resolved)
or bad (several agent replies, a reopen, solved without a reply, or stuck unsolved). The
kind is turned into a timeline of comments and status changes, in rounds: round 0 starts at
creation, each reopen starts a new round with a customer comment. Within a round the agent
and the customer take turns (agent reply, optional status ``pending``, customer comment,
status ``open``, ...) until the agent solves the ticket; four days after the final solve
the system closes it. Status changes only carry their target status while being built;
``status_from`` is derived from the previous change of the same ticket, so the chain is
always consistent. Finally everything after the cutoff (the load time) is dropped and the
ticket's current status, ``solved_at`` and ``updated_at`` are read from what remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orchestration.sample_data.common import (
    DAY,
    HOUR,
    MINUTE,
    NAT,
    SECOND,
    choice_codes,
    group_cumsum,
    lognormal,
    rank_in_group,
)

# event "kinds" while building: (event_type, author_type, is_public)
COMMENT, STATUS = 0, 1
AGENT, CUSTOMER, SYSTEM = 0, 1, 2
ST_NEW, ST_OPEN, ST_PENDING, ST_SOLVED, ST_CLOSED = 0, 1, 2, 3, 4

KIND_FCR, KIND_MULTI, KIND_REOPEN, KIND_NOREPLY, KIND_STUCK = 0, 1, 2, 3, 4
BAD_KIND_PROBS = (0.6, 0.3, 0.05, 0.05)  # multi, reopen, noreply, stuck
MAX_ROUNDS = 3

FIRST_REPLY_MINUTES = np.array([120.0, 4.0, 2.0, 180.0])  # by channel: email chat phone web
PRIORITY_SPEED = np.array([1.6, 1.0, 0.6, 0.3])  # low normal high urgent
CLOSE_AFTER = 4 * DAY
OPEN_HOUR, CLOSE_HOUR = 8, 20  # support desk hours (UTC) for queued channels


@dataclass
class EventParts:
    """Columns of ticket events being assembled (``ticket`` indexes the input tickets)."""

    ticket: list[np.ndarray] = field(default_factory=list)
    time: list[np.ndarray] = field(default_factory=list)
    seq: list[np.ndarray] = field(default_factory=list)
    etype: list[np.ndarray] = field(default_factory=list)
    author: list[np.ndarray] = field(default_factory=list)
    public: list[np.ndarray] = field(default_factory=list)
    status_to: list[np.ndarray] = field(default_factory=list)

    def add(self, ticket, time, seq, etype, author, public=-1, status_to=-1) -> None:
        n = len(ticket)
        self.ticket.append(np.asarray(ticket, dtype=np.int64))
        self.time.append(np.asarray(time, dtype=np.int64))
        for name, value in (
            ("seq", seq),
            ("etype", etype),
            ("author", author),
            ("public", public),
            ("status_to", status_to),
        ):
            getattr(self, name).append(np.broadcast_to(np.asarray(value, np.int64), (n,)).copy())

    def comment(self, ticket, time, seq, author, public=1) -> None:
        self.add(ticket, time, seq, COMMENT, author, public)

    def status(self, ticket, time, seq, author, status_to) -> None:
        self.add(ticket, time, seq, STATUS, author, -1, status_to)

    def build(self) -> Events:
        cols = {
            name: np.concatenate(getattr(self, name)) if getattr(self, name) else np.zeros(0, int)
            for name in ("ticket", "time", "seq", "etype", "author", "public", "status_to")
        }
        order = np.lexsort((cols["seq"], cols["time"], cols["ticket"]))
        return Events(**{name: values[order] for name, values in cols.items()})


@dataclass
class Events:
    ticket: np.ndarray
    time: np.ndarray
    seq: np.ndarray
    etype: np.ndarray
    author: np.ndarray
    public: np.ndarray
    status_to: np.ndarray
    status_from: np.ndarray | None = None

    def subset(self, keep: np.ndarray) -> Events:
        return Events(
            **{
                name: (getattr(self, name)[keep] if getattr(self, name) is not None else None)
                for name in (
                    "ticket",
                    "time",
                    "seq",
                    "etype",
                    "author",
                    "public",
                    "status_to",
                    "status_from",
                )
            }
        )


@dataclass
class TicketState:
    """Current facts per input ticket after the cutoff, plus its events."""

    status: np.ndarray
    solved_at: np.ndarray
    updated_at: np.ndarray
    agent_replies: np.ndarray
    reopens: np.ndarray
    events: Events

    @property
    def fcr(self) -> np.ndarray:
        solved = np.isin(self.status, (ST_SOLVED, ST_CLOSED))
        return solved & (self.agent_replies == 1) & (self.reopens == 0)


def ticket_kinds(rng: np.random.Generator, bad: np.ndarray) -> np.ndarray:
    return np.where(bad, 1 + choice_codes(rng, BAD_KIND_PROBS, len(bad)), KIND_FCR)


def _replies_per_round(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """Agent public replies in each round (shape rounds x tickets); 0 past the last round."""
    n = len(kind)
    replies = np.zeros((MAX_ROUNDS, n), dtype=np.int64)
    replies[0] = np.select(
        [kind == KIND_FCR, kind == KIND_MULTI, kind == KIND_REOPEN, kind == KIND_STUCK],
        [1, rng.integers(2, 6, n), rng.integers(1, 3, n), rng.integers(1, 4, n)],
        0,
    )
    reopens = np.where(kind == KIND_REOPEN, 1 + (rng.random(n) < 0.2), 0)
    replies[1] = np.where(reopens >= 1, rng.integers(1, 3, n), 0)
    replies[2] = np.where(reopens >= 2, 1, 0)
    return replies


def _round(
    rng: np.random.Generator,
    parts: EventParts,
    tickets: np.ndarray,
    start: np.ndarray,
    first_gap: np.ndarray,
    replies: np.ndarray,
    pace: np.ndarray,
) -> np.ndarray:
    """Turn-taking between agent and customer in one round; returns the last reply times."""
    rows = np.repeat(np.arange(len(tickets)), replies)
    j = rank_in_group(replies)
    last = j == np.repeat(replies, replies) - 1
    wait = np.where(last, 0, lognormal(rng, 5 * HOUR, 1.2, len(rows))).astype(np.int64)
    agent_gap = lognormal(rng, 90 * MINUTE * pace[rows], 1.0, len(rows)).astype(np.int64)
    pre_gap = np.where(j == 0, first_gap[rows], agent_gap)
    prev_wait = np.concatenate(([0], wait[:-1])) * (j > 0)
    reply_at = start[rows] + group_cumsum(pre_gap + prev_wait + SECOND, replies)
    tkt = tickets[rows]
    parts.comment(tkt, reply_at, 10, AGENT)
    asks = ~last & (rng.random(len(rows)) < 0.6)
    parts.status(tkt[asks], reply_at[asks], 11, AGENT, ST_PENDING)
    parts.status(tkt[~asks & ~last], reply_at[~asks & ~last], 11, AGENT, ST_OPEN)
    answered = reply_at[~last] + wait[~last]
    parts.comment(tkt[~last], answered, 20, CUSTOMER)
    parts.status(tkt[~last], answered, 21, CUSTOMER, ST_OPEN)
    last_reply = np.full(len(tickets), NAT, dtype=np.int64)
    last_reply[rows[last]] = reply_at[last]
    return last_reply


def simulate_tickets(
    rng: np.random.Generator,
    created: np.ndarray,
    bad: np.ndarray,
    slowness: np.ndarray,
    channel: np.ndarray,
    priority: np.ndarray,
    cutoff: int,
) -> TicketState:
    """Events and current facts of tickets created at ``created``, as seen at ``cutoff``."""
    n = len(created)
    kind = ticket_kinds(rng, bad)
    replies = _replies_per_round(rng, kind)
    pace = slowness * PRIORITY_SPEED[priority]
    parts = EventParts()
    everyone = np.arange(n)
    _opening_events(rng, parts, created, channel)

    start = created.copy()
    first_gap = lognormal(rng, FIRST_REPLY_MINUTES[channel] * MINUTE * pace, 1.0, n)
    first_reply = office_hours(rng, created + first_gap.astype(np.int64), np.isin(channel, (0, 3)))
    first_gap = first_reply - created
    end = np.full(n, NAT, dtype=np.int64)
    for r in range(MAX_ROUNDS):
        in_round = np.ones(n, dtype=bool) if r == 0 else replies[r] > 0
        if r > 0:
            start = np.where(in_round, end + rng.integers(HOUR, 84 * HOUR, n), start)
            parts.comment(everyone[in_round], start[in_round], 0, CUSTOMER)
            parts.status(everyone[in_round], start[in_round], 1, CUSTOMER, ST_OPEN)
            first_gap = lognormal(rng, 60 * MINUTE * pace, 1.0, n)
        end = np.where(
            in_round, _round_end(rng, parts, r, kind, replies, start, first_gap, pace), end
        )
    final = (kind != KIND_STUCK) & (end != NAT)
    parts.status(everyone[final], end[final] + CLOSE_AFTER, 40, SYSTEM, ST_CLOSED)
    last_activity = np.where(end != NAT, end, created + DAY)
    _internal_notes(rng, parts, created, last_activity, bad)
    return _state_at(parts.build(), created, cutoff)


def _round_end(
    rng: np.random.Generator,
    parts: EventParts,
    r: int,
    kind: np.ndarray,
    replies: np.ndarray,
    start: np.ndarray,
    first_gap: np.ndarray,
    pace: np.ndarray,
) -> np.ndarray:
    """Play round ``r`` and return when it ends (solve time, or last reply when stuck)."""
    n = len(kind)
    idx = np.flatnonzero(replies[r] > 0)
    gap = first_gap[idx].astype(np.int64)
    last_reply = _round(rng, parts, idx, start[idx], gap, replies[r][idx], pace)
    stuck = kind[idx] == KIND_STUCK
    solve_gap = np.where(rng.random(len(idx)) < 0.5, 0, lognormal(rng, 45 * MINUTE, 1, len(idx)))
    solve_gap = np.where(stuck, 0, solve_gap).astype(np.int64)
    waiting = np.where(stuck & (rng.random(len(idx)) < 0.5), ST_PENDING, ST_OPEN)
    later = (solve_gap > 0) | stuck
    parts.status(idx[later], last_reply[later], 12, AGENT, waiting[later])
    round_end = np.full(n, NAT, dtype=np.int64)
    round_end[idx] = last_reply + solve_gap
    if r == 0:
        noreply = np.flatnonzero(kind == KIND_NOREPLY)
        duration = lognormal(rng, 6 * HOUR * pace[noreply], 1.0, len(noreply))
        round_end[noreply] = start[noreply] + duration.astype(np.int64) + MINUTE
    solving = (round_end != NAT) & (kind != KIND_STUCK)
    parts.status(np.flatnonzero(solving), round_end[solving], 30, AGENT, ST_SOLVED)
    return round_end


def office_hours(rng: np.random.Generator, at: np.ndarray, queued: np.ndarray) -> np.ndarray:
    """Queued (email, web) tickets get their first reply between 08:00 and 20:00 UTC."""
    tod = at % DAY
    wait = np.select(
        [tod < OPEN_HOUR * HOUR, tod >= CLOSE_HOUR * HOUR],
        [OPEN_HOUR * HOUR - tod, DAY - tod + OPEN_HOUR * HOUR],
        0,
    )
    late = queued & (wait > 0)
    return at + np.where(late, wait + rng.integers(0, 2 * HOUR, len(at)), 0)


def _opening_events(
    rng: np.random.Generator, parts: EventParts, created: np.ndarray, channel: np.ndarray
) -> None:
    """The customer's request as a first comment, and an automatic acknowledgement."""
    everyone = np.arange(len(created))
    written = channel != 2  # phone calls have no written request
    parts.comment(everyone[written], created[written], -2, CUSTOMER)
    acked = np.isin(channel, (0, 3)) & (rng.random(len(created)) < 0.5)
    ack_at = created[acked] + rng.integers(SECOND, 60 * SECOND, int(acked.sum()))
    parts.comment(everyone[acked], ack_at, -1, SYSTEM)


def _internal_notes(
    rng: np.random.Generator,
    parts: EventParts,
    created: np.ndarray,
    until: np.ndarray,
    bad: np.ndarray,
) -> None:
    counts = rng.poisson(np.where(bad, 1.0, 0.15))
    rows = np.repeat(np.arange(len(created)), counts)
    span = np.maximum(until[rows] - created[rows], MINUTE)
    at = created[rows] + (rng.random(len(rows)) * span).astype(np.int64)
    parts.comment(rows, at, 15, AGENT, public=0)


def derive_status_from(events: Events, initial: np.ndarray | None = None) -> Events:
    """Fill ``status_from`` from the previous change of each ticket and drop no-op changes.

    ``initial`` is each ticket's status before these events (``new`` when not given).
    """
    is_status = events.etype == STATUS
    pos = np.flatnonzero(is_status)
    tkt = events.ticket[pos]
    to = events.status_to[pos]
    before = np.full(len(pos), ST_NEW, dtype=np.int64) if initial is None else initial[tkt]
    same_ticket = np.concatenate(([False], tkt[1:] == tkt[:-1]))
    prev = np.concatenate(([ST_NEW], to[:-1]))
    status_from = np.full(len(events.ticket), -1, dtype=np.int64)
    status_from[pos] = np.where(same_ticket, prev, before)
    events.status_from = status_from
    noop = is_status & (status_from == events.status_to)
    return events.subset(~noop)


def _state_at(events: Events, created: np.ndarray, cutoff: int) -> TicketState:
    events = derive_status_from(events.subset(events.time <= cutoff))
    n = len(created)
    status, solved_at = current_status(events, n, np.full(n, ST_NEW, dtype=np.int64))
    updated = created.copy()
    np.maximum.at(updated, events.ticket, events.time)
    replies = np.bincount(
        events.ticket,
        weights=(events.etype == COMMENT) & (events.author == AGENT) & (events.public == 1),
        minlength=n,
    ).astype(np.int64)
    reopen_mask = (events.status_from == ST_SOLVED) & np.isin(
        events.status_to, (ST_NEW, ST_OPEN, ST_PENDING)
    )
    reopens = np.bincount(events.ticket, weights=reopen_mask, minlength=n).astype(np.int64)
    return TicketState(status, solved_at, updated, replies, reopens, events)


def current_status(
    events: Events, n: int, initial: np.ndarray, solved_before: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Status after the (sorted) events and the time it was last solved when it is solved."""
    status = initial.copy()
    last_solved = np.full(n, NAT, dtype=np.int64) if solved_before is None else solved_before.copy()
    changes = events.etype == STATUS
    tkt, to = last_per_ticket(events.ticket[changes], events.status_to[changes])
    status[tkt] = to
    solves = changes & (events.status_to == ST_SOLVED)
    tkt, at = last_per_ticket(events.ticket[solves], events.time[solves])
    last_solved[tkt] = at
    solved_at = np.where(np.isin(status, (ST_SOLVED, ST_CLOSED)), last_solved, NAT)
    return status, solved_at


def last_per_ticket(ticket: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The last value of each ticket in arrays sorted by ticket."""
    last = np.concatenate((ticket[1:] != ticket[:-1], [True])) if len(ticket) else ticket > 0
    return ticket[last], values[last]
