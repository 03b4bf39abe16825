"""Invoices and refunds of the sample data, derived from subscriptions.

Every subscription is invoiced once per billing interval from its start until it ends, on
its anchor day (the start's day of month, at most the 28th). Most invoices get paid (card
payers within the hour, bank-transfer payers within weeks), some are voided, written off
(``uncollectible``) or stay open; anything that would happen after the cutoff has not
happened yet, so the invoice is still ``open`` (or ``draft`` when it was just created).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

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
    choice_codes,
    day_of_month,
    ids,
    labels,
    month_index,
    month_start_us,
    optional_ids,
    rank_in_group,
    timestamps,
)

DRAFT, OPEN, PAID, VOID, UNCOLLECTIBLE = range(5)
OUTCOME_PROBS = (0.955, 0.012, 0.013)  # paid, void, uncollectible; the rest stays open


def anchor_offset(start: np.ndarray) -> np.ndarray:
    """When in its month a subscription is invoiced, as an offset from the month's start: on
    the anchor day (the start's day of month, at most the 28th) at the start's time of day."""
    anchor = np.minimum(day_of_month(start), 28)
    return (anchor - 1) * DAY + (start - month_start_us(month_index(start))) % DAY


def billing_periods(start: np.ndarray, end: np.ndarray, interval: np.ndarray):
    """Issue times of all invoices of subscriptions running over ``[start, end)``.

    Returns the subscription index and the issue time of every invoice.
    """
    step = np.where(interval == 1, 12, 1)
    first_month = month_index(start)
    offset = anchor_offset(start)
    k_last = np.maximum((month_index(end) - first_month) // step, 0)
    last_issue = month_start_us(first_month + k_last * step) + offset
    k_last = np.where((last_issue < end) | (k_last == 0), k_last, k_last - 1)
    count = 1 + k_last
    sub = np.repeat(np.arange(len(start)), count)
    k = rank_in_group(count)
    issued = month_start_us(first_month[sub] + k * step[sub]) + offset[sub]
    issued = np.where(k == 0, start[sub], issued)
    return sub, issued


def settle(
    rng: np.random.Generator,
    issued: np.ndarray,
    due: np.ndarray,
    terms: np.ndarray,
    cutoff: int,
    forced_paid_at: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Status, amount paid, ``paid_at`` and ``updated_at`` of invoices as seen at ``cutoff``."""
    n = len(issued)
    outcome = choice_codes(rng, OUTCOME_PROBS, n)
    outcome = np.select(
        [outcome == 0, outcome == 1, outcome == 2], [PAID, VOID, UNCOLLECTIBLE], OPEN
    )
    outcome = np.where(due == 0, PAID, outcome)
    pay_delay = np.where(
        terms, rng.integers(2 * DAY, 35 * DAY, n), rng.integers(MINUTE, 2 * HOUR, n)
    )
    delay = np.select(
        [outcome == PAID, outcome == VOID, outcome == UNCOLLECTIBLE],
        [
            np.where(due == 0, 0, pay_delay),
            rng.integers(HOUR, 10 * DAY, n),
            rng.integers(30 * DAY, 45 * DAY, n),
        ],
        0,
    )
    settled_at = np.where(outcome == OPEN, NAT, issued + delay)
    if forced_paid_at is not None:
        forced = forced_paid_at != NAT
        outcome = np.where(forced, PAID, outcome)
        settled_at = np.where(forced, forced_paid_at, settled_at)
    pending = (settled_at == NAT) | (settled_at > cutoff)
    status = np.where(pending, OPEN, outcome)
    fresh = pending & (issued > cutoff - 3 * DAY) & (rng.random(n) < 0.5)
    status = np.where(fresh, DRAFT, status)
    partial = np.isin(status, (OPEN, UNCOLLECTIBLE)) & (rng.random(n) < 0.12)
    paid = np.select(
        [status == PAID, partial], [due, (due * rng.uniform(0.2, 0.8, n)).astype(np.int64)], 0
    )
    return {
        "status": status,
        "paid": paid.astype(np.int64),
        "paid_at": np.where(status == PAID, settled_at, NAT),
        "updated": np.where(pending, issued, settled_at),
    }


def refunds_for(
    rng: np.random.Generator,
    paid: np.ndarray,
    paid_at: np.ndarray,
    eligible: np.ndarray,
    share: float,
    cutoff: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One or two refunds for a ``share`` of the eligible paid invoices, within what was paid.

    Returns the invoice index, amount and time of each refund (ordered by invoice, time).
    """
    inv = np.flatnonzero(eligible & (paid > 0) & (rng.random(len(paid)) < share))
    n = len(inv)
    full = rng.random(n) < 0.35
    first = np.where(full, paid[inv], np.maximum(1, (paid[inv] * rng.uniform(0.1, 0.6, n))))
    first = first.astype(np.int64)
    first_at = paid_at[inv] + rng.integers(HOUR, 45 * DAY, n)
    rest = paid[inv] - first
    again = (rest > 0) & (rng.random(n) < 0.2)
    second = np.maximum(1, (rest * rng.uniform(0.2, 1.0, n))).astype(np.int64)
    second_at = first_at + rng.integers(HOUR, 20 * DAY, n)
    invoice = np.concatenate((inv, inv[again]))
    amount = np.concatenate((first, second[again]))
    at = np.concatenate((first_at, second_at[again]))
    keep = at <= cutoff
    order = np.lexsort((at[keep], invoice[keep]))
    return invoice[keep][order], amount[keep][order], at[keep][order]


def subscription_columns(
    numbers: np.ndarray, account_no: np.ndarray, currency: np.ndarray, subs: dict[str, np.ndarray]
) -> dict[str, pa.Array]:
    """Columns of subscriptions; ``subs`` holds plan, status and time arrays."""
    return {
        "subscription_id": ids("billing/subscriptions", numbers),
        "account_id": ids("crm/accounts", account_no),
        "plan_tier": labels(TIERS, subs["tier"]),
        "billing_interval": labels(INTERVALS, subs["interval"]),
        "amount_cents": pa.array(subs["amount"], type=pa.int64()),
        "quantity": pa.array(subs["quantity"], type=pa.int64()),
        "currency": labels(CURRENCIES, currency),
        "status": labels(SUB_STATUSES, subs["status"]),
        "started_at": timestamps(subs["start"]),
        "canceled_at": timestamps(subs["canceled"]),
        "ended_at": timestamps(subs["ended"]),
        "updated_at": timestamps(subs["updated"]),
    }


def invoice_columns(
    numbers: np.ndarray,
    account_no: np.ndarray,
    subscription_no: np.ndarray,
    currency: np.ndarray,
    inv: dict[str, np.ndarray],
) -> dict[str, pa.Array]:
    """Columns of invoices; a negative subscription number is a one-off invoice."""
    return {
        "invoice_id": ids("billing/invoices", numbers),
        "account_id": ids("crm/accounts", account_no),
        "subscription_id": optional_ids("billing/subscriptions", subscription_no),
        "status": labels(INVOICE_STATUSES, inv["status"]),
        "amount_due_cents": pa.array(inv["due"], type=pa.int64()),
        "amount_paid_cents": pa.array(inv["paid"], type=pa.int64()),
        "currency": labels(CURRENCIES, currency),
        "issued_at": timestamps(inv["issued"]),
        "paid_at": timestamps(inv["paid_at"]),
        "updated_at": timestamps(inv["updated"]),
    }


def refund_columns(
    numbers: np.ndarray, invoice_no: np.ndarray, amount: np.ndarray, currency, at: np.ndarray
) -> dict[str, pa.Array]:
    return {
        "refund_id": ids("billing/refunds", numbers),
        "invoice_id": ids("billing/invoices", invoice_no),
        "amount_cents": pa.array(amount, type=pa.int64()),
        "currency": currency if isinstance(currency, pa.Array) else labels(CURRENCIES, currency),
        "refunded_at": timestamps(at),
    }
