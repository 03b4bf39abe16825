"""The five contract marts on the hand-built scenario (tests/scenario.py), against numbers
worked out by hand from marts.md. As-of 2024-06-15: the last complete month is 2024-05."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.support.dbt_build import Build, dbt_build
from tests.support.scenario import AS_OF, write_scenario

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("hand")
    result = dbt_build(write_scenario(work / "raw"), work, AS_OF)
    assert result.returncode == 0, result.output[-4000:]
    return result


def records(build: Build, sql: str) -> list[dict]:
    return build.records(sql)


def assert_rows(actual: list[dict], expected: list[tuple]) -> None:
    """Row for row; numbers within 1e-6 (the contract's tolerance), everything else equal."""
    assert len(actual) == len(expected), actual
    for got, want in zip(actual, expected, strict=True):
        for value, wanted in zip(got.values(), want, strict=True):
            if isinstance(wanted, int | float) and not isinstance(wanted, bool):
                assert value == pytest.approx(wanted, abs=1e-6), (got, want)
            else:
                assert value == wanted, (got, want)


def one(build: Build, sql: str) -> dict:
    rows = records(build, sql)
    assert len(rows) == 1, rows
    return rows[0]


def test_mrr_bridge_total_rolls_forward_month_by_month(build: Build) -> None:
    rows = records(
        build,
        """
        select month, starting_mrr_usd, new_mrr_usd, reactivation_mrr_usd, expansion_mrr_usd,
               contraction_mrr_usd, churned_mrr_usd, ending_mrr_usd, starting_accounts,
               new_accounts, reactivated_accounts, expansion_accounts, contraction_accounts,
               churned_accounts, ending_accounts
        from marts.mrr_bridge where dimension = 'all' order by month""",
    )
    expected = [
        # month, start, new, react, exp, contr, churn, end | accounts
        (date(2024, 1, 1), 0, 250, 0, 0, 0, 0, 250, 0, 2, 0, 0, 0, 0, 2),
        (date(2024, 2, 1), 250, 1100, 0, 0, 0, 0, 1350, 2, 1, 0, 0, 0, 0, 3),
        (date(2024, 3, 1), 1350, 0, 0, 100, 20, 50, 1380, 3, 0, 0, 1, 1, 1, 2),
        (date(2024, 4, 1), 1380, 0, 80, 0, 0, 0, 1460, 2, 0, 1, 0, 0, 0, 3),
        (date(2024, 5, 1), 1460, 30, 0, 40, 0, 0, 1530, 3, 1, 0, 1, 0, 0, 4),
    ]
    assert_rows(rows, expected)


def test_mrr_bridge_dimensions_use_current_crm_row(build: Build) -> None:
    # A1 moved from SMB to Mid-Market in a later batch; A3 is Mid-Market; A4 has no size
    may = {
        r["dimension_value"]: r["ending_mrr_usd"]
        for r in records(
            build,
            """select dimension_value, ending_mrr_usd from marts.mrr_bridge
                                   where dimension = 'segment' and month = '2024-05-01'""",
        )
    }
    assert may == pytest.approx({"Mid-Market": 380.0, "Enterprise": 1120.0, "unknown": 30.0})
    channels = records(
        build,
        """select dimension_value from marts.mrr_bridge
        where dimension = 'acquisition_channel' and month = '2024-01-01' order by 1""",
    )
    assert [r["dimension_value"] for r in channels] == ["organic", "unknown"]


def test_churn_by_segment_march(build: Build) -> None:
    total = one(
        build,
        """select * from marts.churn_by_segment
                          where month = '2024-03-01' and dimension = 'all'""",
    )
    assert total["accounts_at_start"] == 3
    assert total["churned_accounts"] == 1
    assert total["logo_churn_rate"] == pytest.approx(1 / 3)
    assert total["mrr_at_start_usd"] == pytest.approx(1350)
    assert total["churned_mrr_usd"] == pytest.approx(50)
    assert total["contraction_mrr_usd"] == pytest.approx(20)  # A2: EUR 1.10 -> 1.08
    assert total["expansion_mrr_usd"] == pytest.approx(100)  # A1 upgrade mid-March
    assert total["gross_mrr_churn_rate"] == pytest.approx(70 / 1350)
    assert total["net_mrr_retention"] == pytest.approx(1380 / 1350)


def test_churn_by_segment_plan_tier_and_tenure_are_as_of_start_of_month(build: Build) -> None:
    rows = records(
        build,
        """select month, dimension, dimension_value, accounts_at_start
        from marts.churn_by_segment where dimension in ('plan_tier', 'tenure_band')
        and month in ('2024-03-01', '2024-04-01') order by all""",
    )
    assert_rows(
        rows,
        [
            # March: A1 still starter (largest in Feb), A2 enterprise, A3 starter; all n <= 2
            (date(2024, 3, 1), "plan_tier", "enterprise", 1),
            (date(2024, 3, 1), "plan_tier", "starter", 2),
            (date(2024, 3, 1), "tenure_band", "0-2m", 3),
            # April: A1 growth since the upgrade, n = 3 -> 3-11m; A2 n = 2
            (date(2024, 4, 1), "plan_tier", "enterprise", 1),
            (date(2024, 4, 1), "plan_tier", "growth", 1),
            (date(2024, 4, 1), "tenure_band", "0-2m", 1),
            (date(2024, 4, 1), "tenure_band", "3-11m", 1),
        ],
    )


def test_churn_by_segment_starts_the_month_after_first_activity(build: Build) -> None:
    months = records(build, "select distinct month from marts.churn_by_segment order by 1")
    assert [r["month"] for r in months] == [date(2024, m, 1) for m in (2, 3, 4, 5)]


def test_first_contact_resolution(build: Build) -> None:
    feb = one(
        build,
        """select * from marts.first_contact_resolution
                        where month = '2024-02-01' and dimension = 'all'""",
    )
    # T1: internal note before the one public reply does not count; first reply after 60 min
    assert (feb["solved_tickets"], feb["fcr_tickets"], feb["reopened_tickets"]) == (1, 1, 0)
    assert feb["median_first_reply_minutes"] == pytest.approx(60)
    assert feb["median_resolution_hours"] == pytest.approx(2)
    mar = one(
        build,
        """select * from marts.first_contact_resolution
                        where month = '2024-03-01' and dimension = 'all'""",
    )
    # T2 reopened with two replies (not FCR), T3 without account is FCR
    assert (mar["solved_tickets"], mar["fcr_tickets"], mar["reopened_tickets"]) == (2, 1, 1)
    assert mar["fcr_rate"] == pytest.approx(0.5)
    assert mar["median_first_reply_minutes"] == pytest.approx(45)
    assert mar["median_resolution_hours"] == pytest.approx(54)
    unknown = records(
        build,
        """select dimension from marts.first_contact_resolution
        where month = '2024-03-01' and dimension_value = 'unknown' order by 1""",
    )
    assert [r["dimension"] for r in unknown] == ["requester_role", "segment", "team"]
    role = one(
        build,
        """select solved_tickets from marts.first_contact_resolution
        where month = '2024-02-01' and dimension = 'requester_role'""",
    )
    assert role == {"solved_tickets": 1}


def test_churn_by_support_experience(build: Build) -> None:
    rows = records(
        build,
        """select month, support_experience, accounts_at_start,
        churned_accounts, mrr_at_start_usd, churned_mrr_usd
        from marts.churn_by_support_experience order by 1, 2""",
    )
    assert_rows(
        rows,
        [
            (date(2024, 2, 1), "no_tickets", 2, 0, 250, 0),
            (date(2024, 3, 1), "all_fcr", 1, 0, 200, 0),  # A1: T1 solved in Feb, FCR
            (date(2024, 3, 1), "had_unresolved_or_non_fcr", 1, 0, 1100, 0),  # A2: T4 open
            (date(2024, 3, 1), "no_tickets", 1, 1, 50, 50),  # A3 churns
            (date(2024, 4, 1), "had_unresolved_or_non_fcr", 2, 0, 1380, 0),  # A1: T2 not FCR
            (date(2024, 5, 1), "had_unresolved_or_non_fcr", 2, 0, 1380, 0),
            (date(2024, 5, 1), "no_tickets", 1, 0, 80, 0),
        ],
    )


def test_cohort_ltv_all(build: Build) -> None:
    rows = records(
        build,
        """select cohort_month, months_since_start, cohort_accounts,
        active_accounts, revenue_usd, cumulative_revenue_usd, ltv_per_account_usd
        from marts.cohort_ltv where dimension = 'all' order by 1, 2""",
    )
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    assert_rows(
        rows,
        [
            (jan, 0, 2, 2, 250, 250, 125),
            (jan, 1, 2, 2, 250, 500, 250),
            (jan, 2, 2, 1, 300, 800, 400),  # A3 churned in March
            (jan, 3, 2, 2, 330, 1130, 565),  # A1 300 - refund 50, A3 back at 80
            (jan, 4, 2, 2, 300, 1430, 715),  # A3's May invoice is still open
            (feb, 0, 1, 1, 13200, 13200, 13200),  # 12,000 EUR yearly at 1.10
            (feb, 1, 1, 1, 0, 13200, 13200),
            (feb, 2, 1, 1, 0, 13200, 13200),
            (feb, 3, 1, 1, 0, 13200, 13200),
        ],
    )


def test_cohort_ltv_onboarding_experience(build: Build) -> None:
    rows = records(
        build,
        """select cohort_month, dimension_value, cohort_accounts
        from marts.cohort_ltv where dimension = 'onboarding_experience'
        and months_since_start = 0 order by 1""",
    )
    assert_rows(
        rows,
        [
            (date(2024, 1, 1), "none", 2),
            (date(2024, 2, 1), "friction", 1),  # A2's onboarding ticket is still open
        ],
    )


def test_no_mart_row_after_last_complete_month(build: Build) -> None:
    for mart, column in [
        ("mrr_bridge", "month"),
        ("churn_by_segment", "month"),
        ("first_contact_resolution", "month"),
        ("cohort_ltv", "cohort_month"),
        ("churn_by_support_experience", "month"),
    ]:
        latest = one(build, f"select max({column}) as latest from marts.{mart}")["latest"]
        assert latest <= date(2024, 5, 1), mart


def test_month_columns_are_dates_and_counts_bigint(build: Build) -> None:
    types = {
        (r["table_name"], r["column_name"]): r["data_type"]
        for r in records(
            build,
            """select table_name, column_name, data_type
                                   from information_schema.columns where table_schema = 'marts'""",
        )
    }
    assert types[("mrr_bridge", "month")] == "DATE"
    assert types[("cohort_ltv", "cohort_month")] == "DATE"
    assert types[("churn_by_segment", "accounts_at_start")] == "BIGINT"
    assert types[("first_contact_resolution", "fcr_rate")] == "DOUBLE"


def test_as_of_date_defaults_to_the_latest_load(tmp_path: Path) -> None:
    # the latest _loaded_at is 2024-06-15, so the default as-of date gives the same months
    result = dbt_build(write_scenario(tmp_path / "raw"), tmp_path, None, "--select", "+mrr_bridge")
    assert result.returncode == 0, result.output[-3000:]
    period = result.records("select * from intermediate.int_reporting_period")[0]
    assert period["as_of_date"] == date.fromisoformat(AS_OF)
    assert period["last_complete_month"] == date(2024, 5, 1)


def test_as_of_date_as_a_string_var(tmp_path: Path) -> None:
    result = dbt_build(
        write_scenario(tmp_path / "raw"),
        tmp_path,
        None,
        "--select",
        "+mrr_bridge",
        "--vars",
        '{as_of_date: "2024-04-20"}',
    )
    assert result.returncode == 0, result.output[-3000:]
    latest = result.records("select max(month) as latest from marts.mrr_bridge")[0]["latest"]
    assert latest == date(2024, 3, 1)


def test_staging_keeps_the_current_row_of_each_key(build: Build) -> None:
    # A1: the later batch wins (50 -> 150 employees); A3: two rows loaded together, the one
    # with the greater updated_at wins (500 employees, APAC) over the LATAM row
    rows = records(
        build,
        """select account_id, employee_count, region
        from staging.stg_crm__accounts where account_id in ('A1', 'A3') order by 1""",
    )
    assert_rows(rows, [("A1", 150, "NA"), ("A3", 500, "APAC")])
