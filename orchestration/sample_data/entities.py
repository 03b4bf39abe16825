"""Building blocks shared by the initial load and the daily batches of the sample data:
accounts, contacts, plans and prices, and the Arrow columns of these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.sample_data.common import (
    CHANNELS,
    DAY,
    INDUSTRIES,
    PRICE_PER_SEAT,
    REGIONS,
    ROLES,
    STR,
    YEARLY_MONTHS,
    choice_codes,
    ids,
    labels,
    optional_ints,
    rank_in_group,
    timestamps,
)

ADJECTIVES = (
    "Blue", "Bright", "Silver", "North", "Rapid", "Quiet", "Bold", "Clear", "Golden", "Green",
    "Iron", "Lunar", "Noble", "Prime", "Red", "Solar", "Swift", "True", "Urban", "Vivid",
    "Wild", "Amber", "Cedar", "Coastal", "Crimson", "Delta", "Eastern", "Grand", "Harbor", "Summit",
)  # fmt: skip
NOUNS = (
    "Falcon", "Harbor", "Peak", "River", "Forge", "Signal", "Anchor", "Beacon", "Bridge", "Canyon",
    "Cloud", "Compass", "Crest", "Field", "Grove", "Horizon", "Lantern", "Maple", "Meadow", "Orbit",
    "Pine", "Pixel", "Quarry", "Ridge", "Stone", "Tide", "Vertex", "Willow", "Atlas", "Comet",
)  # fmt: skip
SUFFIXES = ("Inc", "Labs", "Group", "Systems", "GmbH", "Ltd", "Co", "Technologies")
FIRST_NAMES = (
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Keiko", "Liam", "Maria", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sam", "Tara",
    "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Amir", "Bea", "Chen", "Dara",
    "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Mateo", "Nia",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Garcia", "Muller", "Rossi", "Tanaka", "Kim", "Nguyen", "Silva", "Novak", "Jensen",
    "Okafor", "Patel", "Cohen", "Dubois", "Eriksen", "Fischer", "Gomez", "Hansen", "Ivanova",
    "Jones", "Kowalski", "Larsen", "Moreau", "Nakamura", "Olsen", "Perez", "Quint", "Reyes",
    "Schmidt", "Torres", "Unger", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Baker", "Costa",
    "Lopez", "Meyer",
)  # fmt: skip

SEGMENT_PROBS = (0.6, 0.27, 0.1)  # SMB, Mid-Market, Enterprise; the rest has no employee_count
SEGMENT_BOUNDS = ((1, 99), (100, 999), (1000, 50_000))
REGION_PROBS = (0.45, 0.3, 0.15, 0.07)  # + 3% null
CHANNEL_PROBS = (0.28, 0.22, 0.14, 0.1, 0.12, 0.1)  # + 4% null
INDUSTRY_PROBS = (0.2, 0.12, 0.1, 0.1, 0.1, 0.08, 0.07, 0.07, 0.07, 0.03)  # + 6% null
TIER_PROBS = ((0.5, 0.35, 0.12), (0.15, 0.4, 0.35), (0.02, 0.15, 0.4), (0.5, 0.35, 0.12))
YEARLY_PROB = np.array([0.15, 0.3, 0.55, 0.15])
TERMS_PROB = np.array([0.1, 0.35, 0.7, 0.1])  # pays invoices by bank transfer, not card


@dataclass
class Accounts:
    """Accounts of one generation step; ``number`` is the numeric part of ``account_id``."""

    number: np.ndarray
    created: np.ndarray
    updated: np.ndarray
    employees: np.ndarray  # -1 = null
    segment: np.ndarray  # 0 SMB, 1 Mid-Market, 2 Enterprise, 3 unknown
    region: np.ndarray
    channel: np.ndarray
    industry: np.ndarray
    currency: np.ndarray  # 0 USD, 1 EUR, 2 GBP
    friction: np.ndarray  # 0..1: how rough this account's support experience tends to be
    terms: np.ndarray  # pays by bank transfer (slow) instead of card
    name_parts: np.ndarray  # (3, n) indices into ADJECTIVES, NOUNS, SUFFIXES

    def __len__(self) -> int:
        return len(self.number)


def make_accounts(
    rng: np.random.Generator, number: np.ndarray, created: np.ndarray, cutoff: int
) -> Accounts:
    n = len(number)
    segment = choice_codes(rng, SEGMENT_PROBS, n)
    segment[segment < 0] = 3
    employees = np.full(n, -1, dtype=np.int64)
    for code, (lo, hi) in enumerate(SEGMENT_BOUNDS):
        rows = segment == code
        draw = np.exp(rng.uniform(np.log(lo), np.log(hi + 1), int(rows.sum())))
        employees[rows] = np.clip(draw.astype(np.int64), lo, hi)
    region = choice_codes(rng, REGION_PROBS, n)
    currency = np.where(region == 1, choice_codes(rng, (0.15, 0.6, 0.25), n), 0)
    edited = rng.random(n) < 0.6
    updated = created + (edited * rng.random(n) * np.maximum(cutoff - created, 0)).astype(np.int64)
    return Accounts(
        number=number,
        created=created,
        updated=updated,
        employees=employees,
        segment=segment,
        region=region,
        channel=choice_codes(rng, CHANNEL_PROBS, n),
        industry=choice_codes(rng, INDUSTRY_PROBS, n),
        currency=currency,
        friction=rng.beta(1.1, 2.6, n),
        terms=rng.random(n) < TERMS_PROB[segment],
        name_parts=np.stack([rng.integers(0, len(v), n) for v in (ADJECTIVES, NOUNS, SUFFIXES)]),
    )


def account_names(parts: np.ndarray) -> pa.Array:
    adj, noun, suffix = (
        pa.array(v, STR).take(p) for v, p in zip((ADJECTIVES, NOUNS, SUFFIXES), parts, strict=True)
    )
    return pc.binary_join_element_wise(adj, noun, suffix, " ")


def account_domains(parts: np.ndarray, number: np.ndarray) -> pa.Array:
    adj = pc.utf8_lower(pa.array(ADJECTIVES, STR).take(parts[0]))
    noun = pc.utf8_lower(pa.array(NOUNS, STR).take(parts[1]))
    num = pa.array(number).cast(STR)
    return pc.binary_join_element_wise(adj, noun, "-", num, ".example", "")


def account_columns(acc: Accounts) -> dict[str, pa.Array]:
    return {
        "account_id": ids("crm/accounts", acc.number),
        "account_name": account_names(acc.name_parts),
        "industry": labels(INDUSTRIES, acc.industry),
        "employee_count": optional_ints(acc.employees, acc.employees < 0),
        "region": labels(REGIONS, acc.region),
        "acquisition_channel": labels(CHANNELS, acc.channel),
        "created_at": timestamps(acc.created),
        "updated_at": timestamps(acc.updated),
    }


@dataclass
class Contacts:
    """Contacts of a set of accounts, grouped by account (``start``/``count`` per account)."""

    account: np.ndarray  # index into the Accounts
    role: np.ndarray  # -1 = null
    first: np.ndarray
    last: np.ndarray
    created: np.ndarray
    updated: np.ndarray
    start: np.ndarray
    count: np.ndarray

    def pick(self, rng: np.random.Generator, account: np.ndarray) -> np.ndarray:
        """A random contact (index) of each given account."""
        return self.start[account] + (rng.random(len(account)) * self.count[account]).astype(
            np.int64
        )


def make_contacts(rng: np.random.Generator, acc: Accounts, cutoff: int) -> Contacts:
    lam = np.array([1.5, 3.0, 6.0, 1.5])[acc.segment]
    count = 1 + np.array([0, 1, 2, 0])[acc.segment] + rng.poisson(lam)
    account = np.repeat(np.arange(len(acc)), count)
    j = rank_in_group(count)
    m = len(account)
    other = choice_codes(rng, (0.2, 0.72), m)  # champion, end_user, else null
    role = np.select(
        [j == 0, j == 1],
        [np.where(rng.random(m) < 0.92, 0, -1), np.where(rng.random(m) < 0.9, 1, -1)],
        np.where(other < 0, -1, other + 2),
    )
    created = acc.created[account] + (j > 0) * rng.integers(0, 60 * DAY, m)
    created = np.minimum(created, np.maximum(cutoff - DAY, acc.created[account]))
    updated = created + ((rng.random(m) < 0.3) * rng.random(m) * (cutoff - created)).astype(
        np.int64
    )
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    return Contacts(
        account=account,
        role=role,
        first=rng.integers(0, len(FIRST_NAMES), m),
        last=rng.integers(0, len(LAST_NAMES), m),
        created=created,
        updated=np.maximum(updated, created),
        start=start,
        count=count,
    )


def contact_columns(con: Contacts, acc: Accounts, numbers: np.ndarray) -> dict[str, pa.Array]:
    first = pa.array(FIRST_NAMES, STR).take(con.first)
    last = pa.array(LAST_NAMES, STR).take(con.last)
    domain = account_domains(acc.name_parts[:, con.account], acc.number[con.account])
    local = pc.utf8_lower(pc.binary_join_element_wise(first, last, "."))
    return {
        "contact_id": ids("crm/contacts", numbers),
        "account_id": ids("crm/accounts", acc.number[con.account]),
        "email": pc.binary_join_element_wise(local, domain, "@"),
        "full_name": pc.binary_join_element_wise(first, last, " "),
        "role": labels(ROLES, con.role),
        "created_at": timestamps(con.created),
        "updated_at": timestamps(con.updated),
    }


@dataclass
class Plans:
    tier: np.ndarray
    interval: np.ndarray  # 0 month, 1 year
    amount: np.ndarray
    quantity: np.ndarray


def new_plans(
    rng: np.random.Generator, segment: np.ndarray, employees: np.ndarray, currency: np.ndarray
) -> Plans:
    """First plans for accounts: tier and seats follow the company size."""
    n = len(segment)
    tier = np.empty(n, dtype=np.int64)
    for seg, probs in enumerate(TIER_PROBS):
        rows = segment == seg
        codes = choice_codes(rng, probs, int(rows.sum()))
        tier[rows] = np.where(codes < 0, 3, codes)
    interval = (rng.random(n) < YEARLY_PROB[segment]).astype(np.int64)
    seats = np.where(
        employees > 0,
        np.round(employees * rng.uniform(0.03, 0.4, n)),
        1 + rng.poisson(4, n),
    )
    quantity = np.clip(seats, 1, 2000).astype(np.int64)
    discount = np.where((segment == 2) & (rng.random(n) < 0.3), rng.uniform(0.7, 1.0, n), 1.0)
    return Plans(tier, interval, list_price(tier, interval, currency, discount), quantity)


def list_price(
    tier: np.ndarray, interval: np.ndarray, currency: np.ndarray, discount: np.ndarray | float
) -> np.ndarray:
    """Price per seat per interval in minor units, rounded to whole units."""
    table = np.array([PRICE_PER_SEAT[c] for c in sorted(PRICE_PER_SEAT)], dtype=np.float64)
    months = np.where(interval == 1, YEARLY_MONTHS, 1)
    raw = table[currency, tier] * months * discount
    return (np.round(raw / 100) * 100).astype(np.int64)


def changed_plans(
    rng: np.random.Generator, old: Plans, currency: np.ndarray, upgrade: np.ndarray
) -> Plans:
    """Upgrades (higher tier or more seats) and downgrades (lower tier or fewer seats)."""
    n = len(upgrade)
    step = np.where(upgrade, 1, -1)
    tier = np.clip(old.tier + step * (rng.random(n) < 0.6), 0, 3)
    same_tier = tier == old.tier
    factor = np.where(upgrade, rng.uniform(1.1, 1.8, n), rng.uniform(0.5, 0.9, n))
    factor = np.where(same_tier | (rng.random(n) < 0.3), factor, 1.0)
    quantity = np.maximum(1, np.round(old.quantity * factor)).astype(np.int64)
    still_same = same_tier & (quantity == old.quantity)
    quantity = np.where(still_same & upgrade, quantity + 1, quantity)
    tier = np.where(still_same & ~upgrade & (tier > 0), tier - 1, tier)
    interval = np.where(upgrade & (rng.random(n) < 0.15), 1, old.interval)
    ratio = np.where(old.amount > 0, 1.0, 0.0)
    amount = list_price(tier, interval, currency, 1.0) * ratio
    amount = np.where(old.amount > 0, np.maximum(amount, 100), 0).astype(np.int64)
    return Plans(tier, interval, amount, quantity)


def free_plans(rng: np.random.Generator, n: int) -> Plans:
    """Zero-price sandbox subscriptions."""
    return Plans(
        tier=np.zeros(n, dtype=np.int64),
        interval=np.zeros(n, dtype=np.int64),
        amount=np.zeros(n, dtype=np.int64),
        quantity=rng.integers(1, 6, n),
    )
