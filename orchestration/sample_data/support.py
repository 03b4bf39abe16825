"""Support-side pieces shared by the initial load and the daily batches: ticket attributes,
CSAT answers, closing-the-loop delays, survey rows and the Arrow columns of the support tables.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.sample_data.common import (
    AUTHOR_TYPES,
    CATEGORIES,
    DAY,
    EVENT_TYPES,
    GROUPS,
    HOUR,
    MINUTE,
    NAT,
    PRIORITIES,
    STR,
    SURVEY_TYPES,
    TICKET_CHANNELS,
    TICKET_STATUSES,
    choice_codes,
    ids,
    labels,
    lognormal,
    optional_ids,
    timestamps,
)
from orchestration.sample_data.tickets import STATUS, Events

TICKET_CHANNEL_PROBS = (0.4, 0.27, 0.13)  # email chat phone; the rest web
PRIORITY_PROBS = (0.2, 0.56, 0.19)  # low normal high; the rest urgent
CATEGORY_PROBS = (0.22, 0.06, 0.44, 0.13)  # billing onboarding technical account; rest feature
CATEGORY_GROUP = np.array([2, 3, 0, 4, 5])  # default support group per category
CATEGORY_BAD = np.array([-0.05, 0.05, 0.08, -0.05, 0.04])  # extra chance of a bad ticket
CSAT_SHARE = 0.32
COMMENTS = {
    0: (
        "Took far too long to get an answer.",
        "I had to explain the problem three times.",
        "Still not fixed.",
        "Support keeps bouncing me between agents.",
        "Please call me back on +1-555-0100, this is urgent.",
    ),
    1: ("OK.", "Fine, but slow.", "Resolved eventually.", "Average experience."),
    2: (
        "Quick and helpful, thank you!",
        "Great support as always.",
        "Solved on the first reply.",
        "Love the product.",
    ),
}


def ticket_categories(rng: np.random.Generator, n: int) -> np.ndarray:
    category = choice_codes(rng, CATEGORY_PROBS, n)
    category[category < 0] = 4
    return category


def bad_ticket(rng: np.random.Generator, friction: np.ndarray, category: np.ndarray):
    """Whether each ticket goes badly (not first-contact resolved)."""
    p_bad = 0.06 + 0.6 * friction + CATEGORY_BAD[category]
    return rng.random(len(category)) < np.clip(p_bad, 0.02, 0.9)


def ticket_attributes(
    rng: np.random.Generator,
    enterprise: np.ndarray,
    friction: np.ndarray,
    category: np.ndarray,
    bad: np.ndarray,
) -> dict[str, np.ndarray]:
    """Channel, priority, support group and handling slowness of each ticket."""
    n = len(category)
    channel = choice_codes(rng, TICKET_CHANNEL_PROBS, n)
    channel[channel < 0] = 3
    priority = choice_codes(rng, PRIORITY_PROBS, n)
    priority[priority < 0] = 3
    priority = np.where(enterprise & (rng.random(n) < 0.2), np.minimum(priority + 1, 3), priority)
    group = CATEGORY_GROUP[category]
    group = np.where((category == 2) & bad & (rng.random(n) < 0.6), 1, group)
    group = np.where(enterprise & (rng.random(n) < 0.35), 6, group)
    group = np.where(rng.random(n) < 0.05, -1, group)
    slowness = np.exp(rng.normal(0, 0.3, n)) * (1 + 2 * friction)
    return {"channel": channel, "priority": priority, "group": group, "slowness": slowness}


def csat_scores(
    rng: np.random.Generator, reopens: np.ndarray, replies: np.ndarray, hours: np.ndarray
) -> np.ndarray:
    """1-5: reopens, back-and-forth and slow resolution all cost satisfaction."""
    mean = (
        4.7
        - 1.4 * reopens
        - 0.3 * np.maximum(replies - 1, 0)
        - 0.35 * np.log10(np.maximum(hours, 0) + 1)
    )
    return np.clip(np.round(mean + rng.normal(0, 0.6, len(mean))), 1, 5).astype(np.int64)


def csat_answers(
    rng: np.random.Generator,
    solved_at: np.ndarray,
    reopens: np.ndarray,
    replies: np.ndarray,
    hours: np.ndarray,
) -> dict[str, np.ndarray]:
    """Score, response time and follow-up time of CSAT answers to tickets solved at
    ``solved_at``; the answer comes a few hours after the solve."""
    delay = lognormal(rng, 2 * HOUR, 1.2, len(solved_at)).astype(np.int64)
    responded = solved_at + delay + MINUTE
    score = csat_scores(rng, reopens, replies, hours)
    followed = responded + follow_up_delay(rng, score <= 2, score == 3)
    return {"score": score, "responded": responded, "followed": followed}


def survey_rows(
    csat: dict[str, np.ndarray], nps: dict[str, np.ndarray], cutoff: int
) -> dict[str, np.ndarray]:
    """CSAT and NPS answers as survey rows seen at ``cutoff``, in response order.

    Both hold ``account_no``, ``contact_no``, ``score``, ``responded`` and ``followed``;
    ``csat`` also ``ticket_no``. Answers after the cutoff are left out and follow-ups after
    it are not made yet (null).
    """
    n_csat, n_nps = len(csat["score"]), len(nps["score"])
    rows = {
        "type": np.concatenate((np.zeros(n_csat, dtype=np.int64), np.ones(n_nps, np.int64))),
        "ticket_no": np.concatenate((csat["ticket_no"], np.full(n_nps, -1))),
    }
    for key in ("account_no", "contact_no", "score", "responded", "followed"):
        rows[key] = np.concatenate((csat[key], nps[key]))
    keep = rows["responded"] <= cutoff
    rows = {k: v[keep] for k, v in rows.items()}
    rows["followed"] = np.where(rows["followed"] > cutoff, NAT, rows["followed"])
    order = np.lexsort((rows["account_no"], rows["responded"]))
    return {k: v[order] for k, v in rows.items()}


def follow_up_delay(
    rng: np.random.Generator, detractor: np.ndarray, passive: np.ndarray
) -> np.ndarray:
    """Delay until the company closes the loop; a huge delay when it never does."""
    n = len(detractor)
    p = np.where(detractor, 0.55, np.where(passive, 0.2, 0.08))
    done = rng.random(n) < p
    bucket = choice_codes(rng, (0.45, 0.35), n)  # within hours, within a week, later
    delay = np.select(
        [bucket == 0, bucket == 1],
        [rng.integers(HOUR, 20 * HOUR, n), rng.integers(DAY, 7 * DAY, n)],
        rng.integers(8 * DAY, 45 * DAY, n),
    )
    return np.where(done, delay, 10_000 * DAY)


def ticket_columns(
    numbers: np.ndarray,
    account_no: np.ndarray,
    contact_no: np.ndarray,
    attrs: dict[str, np.ndarray],
    category: np.ndarray,
    status: np.ndarray,
    times: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> dict[str, pa.Array]:
    created, solved_at, updated_at = times
    return {
        "ticket_id": ids("support/tickets", numbers),
        "account_id": optional_ids("crm/accounts", account_no),
        "requester_contact_id": optional_ids("crm/contacts", contact_no),
        "group_name": labels(GROUPS, attrs["group"]),
        "channel": labels(TICKET_CHANNELS, attrs["channel"]),
        "category": labels(CATEGORIES, category),
        "priority": labels(PRIORITIES, attrs["priority"]),
        "status": labels(TICKET_STATUSES, status),
        "created_at": timestamps(created),
        "solved_at": timestamps(solved_at),
        "updated_at": timestamps(updated_at),
    }


def event_columns(numbers: np.ndarray, ticket_no: np.ndarray, ev: Events) -> dict[str, pa.Array]:
    is_status = ev.etype == STATUS
    status_from = ev.status_from if ev.status_from is not None else ev.status_to * 0 - 1
    return {
        "event_id": ids("support/ticket_events", numbers),
        "ticket_id": ids("support/tickets", ticket_no),
        "event_type": labels(EVENT_TYPES, ev.etype),
        "author_type": labels(AUTHOR_TYPES, ev.author),
        "is_public": pa.array(ev.public == 1, mask=ev.public < 0),
        "status_from": labels(TICKET_STATUSES, np.where(is_status, status_from, -1)),
        "status_to": labels(TICKET_STATUSES, np.where(is_status, ev.status_to, -1)),
        "created_at": timestamps(ev.time),
    }


def survey_comments(rng: np.random.Generator, csat: np.ndarray, score: np.ndarray) -> pa.Array:
    """Free-text comments for about a third of the answers, in tune with the score."""
    n = len(score)
    band = np.where(
        csat,
        np.select([score <= 2, score == 3], [0, 1], 2),
        np.select([score <= 6, score <= 8], [0, 1], 2),
    )
    with_comment = rng.random(n) < 0.35
    comment = pa.nulls(n, STR)
    for b, texts in COMMENTS.items():
        text = pa.array(texts, STR).take(rng.integers(0, len(texts), n))
        comment = pc.if_else(pa.array(with_comment & (band == b)), text, comment)
    return comment


def survey_columns(
    rng: np.random.Generator,
    numbers: np.ndarray,
    rows: dict[str, np.ndarray],
) -> dict[str, pa.Array]:
    """Columns of survey responses; ``rows`` holds sequence numbers of the referenced ids."""
    csat = rows["type"] == 0
    return {
        "response_id": ids("support/survey_responses", numbers),
        "survey_type": labels(SURVEY_TYPES, rows["type"]),
        "account_id": ids("crm/accounts", rows["account_no"]),
        "contact_id": optional_ids("crm/contacts", rows["contact_no"]),
        "ticket_id": optional_ids("support/tickets", rows["ticket_no"]),
        "score": pa.array(rows["score"]),
        "comment": survey_comments(rng, csat, rows["score"]),
        "responded_at": timestamps(rows["responded"]),
        "followed_up_at": timestamps(rows["followed"]),
    }
