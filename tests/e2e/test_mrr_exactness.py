"""MRR movements compare MRR exactly (marts.md "mrr_bridge"): an account whose subscriptions
and FX rates do not change has no movement, however many currencies it pays in, and no
contract-valid price overflows."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.support.dbt_build import Build, dbt_build
from tests.support.landing import Row, write_landing

pytestmark = pytest.mark.e2e

LOADED = datetime(2026, 7, 1)
AS_OF = "2026-07-15"  # last complete month: 2026-06
RATES = {"AUD": 0.6543217, "CAD": 0.7321113, "JPY": 0.00671234, "NZD": 0.5987651, "SEK": 0.0951237}
ACCOUNTS = 40


def months(first: date, last: date) -> list[date]:
    out = [first]
    while out[-1] < last:
        year, month = divmod(out[-1].month, 12)
        out.append(date(out[-1].year + year, month + 1, 1))
    return out


def account(account_id: str, region: str) -> Row:
    return {
        "account_id": account_id,
        "account_name": account_id,
        "employee_count": 10,
        "region": region,
        "acquisition_channel": "organic",
        "created_at": datetime(2023, 12, 1),
        "updated_at": datetime(2023, 12, 1),
    }


def subscription(
    sub_id: str, account_id: str, interval: str, cents: int, seats: int, cur: str
) -> Row:
    return {
        "subscription_id": sub_id,
        "account_id": account_id,
        "plan_tier": "growth",
        "billing_interval": interval,
        "amount_cents": cents,
        "quantity": seats,
        "currency": cur,
        "status": "active",
        "started_at": datetime(2024, 1, 2),
        "updated_at": datetime(2024, 1, 2),
    }


def write_multi_currency_landing(raw: Path) -> Path:
    """40 accounts paying in five currencies at constant rates since January 2024, and one
    account whose price times seats (10^15 cents x 1,000) exceeds a 64-bit integer x 12."""
    rng = random.Random(11)
    accounts = [account(f"B{i:02d}", "NA") for i in range(ACCOUNTS)] + [account("BIG", "LATAM")]
    subscriptions = [
        subscription(
            f"S{i:02d}_{currency}",
            f"B{i:02d}",
            rng.choice(["month", "year"]),
            rng.randint(1, 10**7),
            rng.randint(1, 37),
            currency,
        )
        for i in range(ACCOUNTS)
        for currency in ["USD", *rng.sample(sorted(RATES), 4)]
    ]
    subscriptions.append(subscription("SBIG", "BIG", "month", 10**15, 1000, "USD"))
    fx_rates = [
        {"rate_month": month, "currency": currency, "usd_per_unit": rate}
        for month in months(date(2024, 1, 1), date(2026, 6, 1))
        for currency, rate in RATES.items()
    ]
    tables = {
        "crm/accounts": accounts,
        "billing/subscriptions": subscriptions,
        "billing/fx_rates": fx_rates,
    }
    return write_landing(raw, tables, LOADED)


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("exact")
    result = dbt_build(write_multi_currency_landing(work / "raw"), work, AS_OF)
    assert result.returncode == 0, result.output[-4000:]
    return result


def test_unchanged_multi_currency_accounts_have_no_movement(build: Build) -> None:
    rows = build.records("""
        select month, new_accounts, expansion_accounts, contraction_accounts,
            churned_accounts, ending_accounts
        from marts.mrr_bridge where dimension = 'all' order by month""")
    assert len(rows) == 30  # 2024-01 .. 2026-06
    assert rows[0] == {
        "month": date(2024, 1, 1),
        "new_accounts": ACCOUNTS + 1,
        "expansion_accounts": 0,
        "contraction_accounts": 0,
        "churned_accounts": 0,
        "ending_accounts": ACCOUNTS + 1,
    }
    moved = [
        row
        for row in rows[1:]
        if row["expansion_accounts"] or row["contraction_accounts"] or row["new_accounts"]
    ]
    assert moved == []


def test_price_times_seats_beyond_int64_is_exact(build: Build) -> None:
    rows = build.records("""
        select month, ending_mrr_usd from marts.mrr_bridge
        where dimension = 'region' and dimension_value = 'LATAM'
        order by month""")
    # 10^15 cents x 1,000 seats / 100 = 10^16 USD a month, every month
    assert {row["ending_mrr_usd"] for row in rows} == {1e16}
    assert len(rows) == 30
