"""Writes the first batch (the initial full load) of the sample data, chunk by chunk.

Accounts are numbered in creation order over the whole history and simulated in chunks of a
fixed size (so memory stays bounded and the output does not depend on the machine); each
chunk appends row groups to the same batch file of every table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.sample_data.billing import (
    OPEN,
    PAID,
    UNCOLLECTIBLE,
    billing_periods,
    invoice_columns,
    refund_columns,
    refunds_for,
    settle,
    subscription_columns,
)
from orchestration.sample_data.common import (
    CHANNELS,
    CURRENCIES,
    DAY,
    HOUR,
    NAT,
    BatchWriter,
    Counters,
    dates_from_months,
    labels,
    month_index,
    rng_for,
)
from orchestration.sample_data.entities import (
    Accounts,
    Contacts,
    account_columns,
    contact_columns,
    make_accounts,
    make_contacts,
)
from orchestration.sample_data.history import CHUNK_ACCOUNTS, Clock, Lifecycle
from orchestration.sample_data.support import (
    CSAT_SHARE,
    csat_answers,
    event_columns,
    survey_columns,
    survey_rows,
    ticket_attributes,
    ticket_categories,
    ticket_columns,
)
from orchestration.sample_data.tickets import ST_CLOSED, ST_SOLVED, TicketState, simulate_tickets

NULL_ACCOUNT_TICKETS = 0.03
ONE_OFF_SHARE = 0.12
REFUND_SHARE = 0.022
# Customer acquisition cost per new account and fixed monthly cost, USD cents, by channel.
CHANNEL_CAC = np.array([15_000, 90_000, 70_000, 60_000, 150_000, 20_000])
CHANNEL_BASE = np.array([300_000, 150_000, 100_000, 50_000, 400_000, 20_000])
EUR_PARTNER_FROM_MONTH = 12  # the partner programme is paid in EUR after the first year


@dataclass
class Chunk:
    acc: Accounts
    con: Contacts
    life: Lifecycle
    contact_numbers: np.ndarray


def account_creation_times(rng: np.random.Generator, n: int, clock: Clock) -> np.ndarray:
    """Sorted sign-up times with a linearly growing rate (3x at the end of the history)."""
    growth = 3.0
    x = (-1 + np.sqrt(1 + (growth**2 - 1) * rng.random(n))) / (growth - 1)
    span = clock.cutoff - HOUR - clock.start
    return np.sort(clock.start + (x * span).astype(np.int64))


def write_initial_load(writer: BatchWriter, seed: int, accounts: int, clock: Clock) -> None:
    created = account_creation_times(rng_for(seed, 1), accounts, clock)
    counters = Counters(dict.fromkeys(writer.rows, 1))
    new_by_channel = np.zeros((clock.n_months, len(CHANNELS)), dtype=np.int64)
    for chunk_no, lo in enumerate(range(0, accounts, CHUNK_ACCOUNTS)):
        rng = rng_for(seed, 2, chunk_no)
        part = created[lo : lo + CHUNK_ACCOUNTS]
        acc = make_accounts(rng, np.arange(lo + 1, lo + 1 + len(part)), part, clock.cutoff)
        write_chunk(writer, rng, acc, clock, counters)
        known = acc.channel >= 0
        month = np.clip(month_index(acc.created[known]) - clock.month0, 0, clock.n_months - 1)
        np.add.at(new_by_channel, (month, acc.channel[known]), 1)
    writer.write("crm/marketing_spend", marketing_spend(rng_for(seed, 3), new_by_channel, clock))
    writer.write("billing/fx_rates", fx_rates(rng_for(seed, 4), clock))


def write_chunk(
    writer: BatchWriter, rng: np.random.Generator, acc: Accounts, clock: Clock, ids_: Counters
) -> None:
    con = make_contacts(rng, acc, clock.cutoff)
    life = Lifecycle(rng, acc, con, clock).run()
    chunk = Chunk(acc, con, life, ids_.take("crm/contacts", len(con.account)))
    writer.write("crm/accounts", account_columns(acc))
    writer.write("crm/contacts", contact_columns(con, acc, chunk.contact_numbers))
    write_billing(writer, rng, chunk, clock, ids_)
    write_support(writer, rng, chunk, clock, ids_)


# --- billing --------------------------------------------------------------------------------


def write_billing(
    writer: BatchWriter, rng: np.random.Generator, chunk: Chunk, clock: Clock, ids_: Counters
) -> None:
    acc, cutoff = chunk.acc, clock.cutoff
    subs = chunk.life.subs.table(cutoff)
    sub_numbers = ids_.take("billing/subscriptions", len(subs["account"]))
    inv = chunk_invoices(rng, acc, subs, chunk.life.first_paid, cutoff)
    mark_past_due(subs, inv, cutoff)
    sub_account = subs["account"]
    writer.write(
        "billing/subscriptions",
        subscription_columns(sub_numbers, acc.number[sub_account], acc.currency[sub_account], subs),
    )
    inv_numbers = ids_.take("billing/invoices", len(inv["account"]))
    sub_no = np.where(inv["sub"] >= 0, sub_numbers[np.maximum(inv["sub"], 0)], -1)
    currency = acc.currency[inv["account"]]
    writer.write(
        "billing/invoices",
        invoice_columns(inv_numbers, acc.number[inv["account"]], sub_no, currency, inv),
    )
    invoice, amount, at = refunds_for(
        rng, inv["paid"], inv["paid_at"], inv["status"] == PAID, REFUND_SHARE, cutoff
    )
    writer.write(
        "billing/refunds",
        refund_columns(
            ids_.take("billing/refunds", len(invoice)),
            inv_numbers[invoice],
            amount,
            currency[invoice],
            at,
        ),
    )


def chunk_invoices(
    rng: np.random.Generator,
    acc: Accounts,
    subs: dict[str, np.ndarray],
    first_paid: np.ndarray,
    cutoff: int,
) -> dict[str, np.ndarray]:
    """Subscription invoices plus one-off (services) invoices, ordered by issue time."""
    end = np.where(subs["ended"] == NAT, cutoff, subs["ended"])
    sub, issued = billing_periods(subs["start"], end, subs["interval"])
    account = subs["account"][sub]
    due = subs["amount"][sub] * subs["quantity"][sub]
    new_group = np.concatenate(([True], sub[1:] != sub[:-1]))
    forced = np.where(new_group, subs["first_paid"][sub], NAT)
    settled = settle(rng, issued, due, acc.terms[account], cutoff, forced)
    last_of_sub = np.concatenate((new_group[1:], [True]))

    buyers = np.flatnonzero((first_paid != NAT) & (rng.random(len(acc)) < ONE_OFF_SHARE))
    one_issued = first_paid[buyers] + rng.integers(HOUR, 20 * DAY, len(buyers))
    buyers, one_issued = buyers[one_issued <= cutoff], one_issued[one_issued <= cutoff]
    one_due = rng.integers(500, 5000, len(buyers)) * 100
    one_settled = settle(rng, one_issued, one_due, acc.terms[buyers], cutoff)

    cols = {
        "account": np.concatenate((account, buyers)),
        "sub": np.concatenate((sub, np.full(len(buyers), -1))),
        "due": np.concatenate((due, one_due)),
        "issued": np.concatenate((issued, one_issued)),
        "last_of_sub": np.concatenate((last_of_sub, np.zeros(len(buyers), dtype=bool))),
        **{k: np.concatenate((settled[k], one_settled[k])) for k in settled},
    }
    order = np.lexsort((cols["account"], cols["issued"]))
    return {k: v[order] for k, v in cols.items()}


def mark_past_due(subs: dict[str, np.ndarray], inv: dict[str, np.ndarray], cutoff: int) -> None:
    """Running subscriptions whose latest invoice is overdue are ``past_due``."""
    last = np.flatnonzero(inv["last_of_sub"])
    late = np.isin(inv["status"][last], (OPEN, UNCOLLECTIBLE)) & (
        inv["issued"][last] < cutoff - 3 * DAY
    )
    overdue = last[late]
    sub = inv["sub"][overdue]
    running = subs["status"][sub] == 0
    sub, since = sub[running], inv["issued"][overdue][running] + 3 * DAY
    subs["status"][sub] = 1
    subs["updated"][sub] = np.maximum(subs["updated"][sub], since)


# --- support --------------------------------------------------------------------------------


def write_support(
    writer: BatchWriter, rng: np.random.Generator, chunk: Chunk, clock: Clock, ids_: Counters
) -> None:
    acc, con = chunk.acc, chunk.con
    account, created, category, bad = with_unknown_requesters(
        rng, chunk.life.tickets.arrays(), clock
    )
    order = np.lexsort((account, created))
    account, created, category, bad = account[order], created[order], category[order], bad[order]
    known = account >= 0
    safe = np.maximum(account, 0)
    friction = np.where(known, acc.friction[safe], 0.3)
    attrs = ticket_attributes(rng, known & (acc.segment[safe] == 2), friction, category, bad)
    requester = np.where(known & (rng.random(len(account)) >= 0.03), con.pick(rng, safe), -1)
    state = simulate_tickets(
        rng, created, bad, attrs["slowness"], attrs["channel"], attrs["priority"], clock.cutoff
    )
    numbers = ids_.take("support/tickets", len(created))
    refs = {
        "account_no": np.where(known, acc.number[safe], -1),
        "contact_no": np.where(requester >= 0, chunk.contact_numbers[requester], -1),
        "ticket_no": numbers,
    }
    times = (created, state.solved_at, state.updated_at)
    writer.write(
        "support/tickets",
        ticket_columns(
            numbers, refs["account_no"], refs["contact_no"], attrs, category, state.status, times
        ),
    )
    ev = state.events
    event_numbers = ids_.take("support/ticket_events", len(ev.ticket))
    writer.write("support/ticket_events", event_columns(event_numbers, numbers[ev.ticket], ev))
    surveys = chunk_surveys(rng, chunk, refs, created, state, clock.cutoff)
    writer.write(
        "support/survey_responses",
        survey_columns(rng, ids_.take("support/survey_responses", len(surveys["type"])), surveys),
    )


def with_unknown_requesters(rng: np.random.Generator, tickets: tuple, clock: Clock) -> tuple:
    """Adds tickets from people no account could be matched to (``account_id`` null)."""
    account, created, category, bad = tickets
    n = round(len(account) * NULL_ACCOUNT_TICKETS)
    at = clock.start + (rng.random(n) * (clock.cutoff - clock.start)).astype(np.int64)
    return (
        np.concatenate((account, np.full(n, -1))),
        np.concatenate((created, at)),
        np.concatenate((category, ticket_categories(rng, n))),
        np.concatenate((bad, rng.random(n) < 0.35)),
    )


def chunk_surveys(
    rng: np.random.Generator,
    chunk: Chunk,
    refs: dict[str, np.ndarray],
    created: np.ndarray,
    state: TicketState,
    cutoff: int,
) -> dict[str, np.ndarray]:
    """CSAT answers for solved tickets and the simulated NPS answers, by response time."""
    solved = np.isin(state.status, (ST_SOLVED, ST_CLOSED))
    asked = np.flatnonzero(
        solved
        & (refs["account_no"] >= 0)
        & (refs["contact_no"] >= 0)
        & (rng.random(len(created)) < CSAT_SHARE)
    )
    hours = (state.solved_at[asked] - created[asked]) / HOUR
    csat = csat_answers(
        rng, state.solved_at[asked], state.reopens[asked], state.agent_replies[asked], hours
    )
    csat.update({k: refs[k][asked] for k in ("account_no", "contact_no", "ticket_no")})
    nps_account, contact, nps_score, nps_at, nps_followed = chunk.life.nps.arrays()
    nps = {
        "account_no": chunk.acc.number[nps_account],
        "contact_no": chunk.contact_numbers[contact],
        "score": nps_score,
        "responded": nps_at,
        "followed": nps_followed,
    }
    return survey_rows(csat, nps, cutoff)


# --- monthly reference tables ---------------------------------------------------------------


def marketing_spend(
    rng: np.random.Generator, new_accounts: np.ndarray, clock: Clock
) -> dict[str, pa.Array]:
    """Spend per month and channel, following the accounts each channel brought in."""
    months, channels = np.meshgrid(
        np.arange(clock.n_months), np.arange(len(CHANNELS)), indexing="ij"
    )
    months, channels = months.ravel(), channels.ravel()
    noise = np.exp(rng.normal(0, 0.15, len(months)))
    usd = (new_accounts.ravel() * CHANNEL_CAC[channels] + CHANNEL_BASE[channels]) * noise
    lo, hi = clock.bounds(clock.n_months - 1)
    share = np.where(months == clock.n_months - 1, (hi - lo) / (31 * DAY), 1.0)
    eur = (channels == CHANNELS.index("partner")) & (months >= EUR_PARTNER_FROM_MONTH)
    # minor units: cents of USD, or of EUR for partner spend after the first year
    amount = np.round(100 * usd * share / np.where(eur, 1.08, 1.0)).astype(np.int64)
    return {
        "spend_month": dates_from_months(clock.month0 + months),
        "channel": labels(CHANNELS, channels),
        "amount_cents": pa.array(amount),
        "currency": labels(CURRENCIES, np.where(eur, 1, 0)),
    }


def fx_rates(rng: np.random.Generator, clock: Clock) -> dict[str, pa.Array]:
    """EUR and GBP monthly rates as a random walk, for every month of the history."""
    n = clock.n_months
    walk = np.cumsum(rng.normal(0, 0.012, (2, n)), axis=1)
    rates = np.array([[1.09], [1.27]]) * np.exp(walk)
    months = np.tile(clock.month0 + np.arange(n), 2)
    return {
        "rate_month": dates_from_months(months),
        "currency": labels(CURRENCIES, np.repeat([1, 2], n)),
        "usd_per_unit": pa.array(np.round(rates.ravel(), 6)),
    }
