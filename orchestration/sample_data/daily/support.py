"""The support part of a daily batch: open tickets worked on (replies, solves, pending),
solved ones closed or reopened, new tickets with their events; CSAT for the tickets solved
today, some NPS answers and follow-ups of unhappy answers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.sample_data.common import (
    DAY,
    HOUR,
    NAT,
    ROLES,
    TICKET_STATUSES,
    codes_of,
    id_numbers,
    ids,
    labels,
    timestamps,
    ts_values,
)
from orchestration.sample_data.daily.billing import Payers
from orchestration.sample_data.daily.day import Day, Directory, Part, column, columns, segment_of
from orchestration.sample_data.history import ONBOARDING_TICKETS, TICKETS_PER_MONTH
from orchestration.sample_data.support import (
    CSAT_SHARE,
    bad_ticket,
    csat_answers,
    event_columns,
    follow_up_delay,
    survey_columns,
    survey_rows,
    ticket_attributes,
    ticket_categories,
    ticket_columns,
)
from orchestration.sample_data.tickets import (
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

NPS_PER_DAY = 1 / 180


class Support(Part):
    def __init__(self, day: Day, new_contacts: Directory, payers: Payers) -> None:
        """``new_contacts`` are the day's new contacts, ``payers`` the day's billing outcome."""
        super().__init__(day)
        self.new_contacts, self.payers = new_contacts, payers

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
        cols = columns(t, touched)
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
            rng,
            created,
            bad,
            attrs["slowness"],
            attrs["channel"],
            attrs["priority"],
            self.win.hi,
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
        accounts, first = np.unique(self.payers.active["account_no"], return_index=True)
        employees = self.payers.active["employees"][first]
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
            (id_numbers(column(t, "account_id")), self.payers.first_paid_today["account_no"])
        )

    def surveys(self, solved: dict[str, np.ndarray]) -> None:
        """CSAT for some of the tickets ``solved`` today, NPS answers of a few paying accounts,
        and follow-ups of recent unhappy answers."""
        rng = self.rng
        asked = (solved["account_no"] > 0) & (solved["contact_no"] > 0)
        asked &= rng.random(len(asked)) < CSAT_SHARE
        csat = {k: v[asked] for k, v in solved.items()}
        csat |= csat_answers(
            rng, csat["solved_at"], csat["reopens"], csat["replies"], csat["hours"]
        )
        accounts = np.unique(self.payers.active["account_no"])
        nps_account = accounts[rng.random(len(accounts)) < NPS_PER_DAY]
        nps_contact = self.directory(nps_account).pick(rng, nps_account)
        nps_account = nps_account[nps_contact > 0]
        nps_contact = nps_contact[nps_contact > 0]
        nps_score = np.clip(np.round(rng.normal(7.6, 2.2, len(nps_account))), 0, 10)
        nps_at = self.times(len(nps_account))
        nps_score = nps_score.astype(np.int64)
        nps = {
            "account_no": nps_account,
            "contact_no": nps_contact,
            "score": nps_score,
            "responded": nps_at,
            "followed": nps_at + follow_up_delay(rng, nps_score <= 6, nps_score <= 8),
        }
        rows = survey_rows(csat, nps, self.win.hi)
        numbers = self.take_ids("support/survey_responses", len(rows["type"]))
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
        cols = columns(t, chosen)
        responded = ts_values(cols["responded_at"])
        cols["followed_up_at"] = timestamps(self.times(len(responded), after=responded))
        self.writer.write("support/survey_responses", cols)

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
