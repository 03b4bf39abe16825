"""Business hours and SLAs on the hand-built scenario plus tickets S1-S6
(tests/support/scenario.py: write_sla_scenario), with the project's seeds, against figures
worked out by hand from models/marts/cx/support_sla.yml. As of 2024-06-15: the last
complete month is 2024-05 and an unsolved ticket's clock runs to 2024-06-16 00:00 UTC."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.support.dbt_build import Build, dbt_build
from tests.support.later_batches import MODELS_ONLY, mart_rows
from tests.support.scenario import AS_OF, write_sla_scenario

pytestmark = pytest.mark.e2e

FEB, MAR, MAY = date(2024, 2, 1), date(2024, 3, 1), date(2024, 5, 1)
# T4 (default calendar, New York): open since Thu 2024-02-15 05:00 EST; the weekdays from
# Feb 15 to Fri Jun 14 are 11 + 21 + 22 + 23 + 10 = 87, less Memorial Day (May 27): 86 x 480
T4_ELAPSED = 86 * 480


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("sla")
    result = dbt_build(write_sla_scenario(work / "raw"), work, AS_OF)
    assert result.returncode == 0, result.output[-4000:]
    return result


def assert_rows(actual: list[dict], expected: list[tuple]) -> None:
    """Row for row; numbers within 1e-9, everything else (None, text) equal."""
    assert len(actual) == len(expected), actual
    for got, want in zip(actual, expected, strict=True):
        for value, wanted in zip(got.values(), want, strict=True):
            if isinstance(wanted, int | float) and not isinstance(wanted, bool):
                assert value == pytest.approx(wanted, abs=1e-9), (got, want)
            else:
                assert value == wanted, (got, want)


TICKET_COLUMNS = """ticket_id, business_calendar, reply_tier, first_reply_business_minutes,
    resolution_business_minutes, awaiting_agent_business_minutes,
    awaiting_customer_business_minutes, first_reply_sla, resolution_sla"""


def test_per_ticket_business_time_and_sla(build: Build) -> None:
    rows = build.records(f"select {TICKET_COLUMNS} from intermediate.int_ticket_sla order by 1")
    assert_rows(
        rows,
        [
            # S1 Berlin: Fri 16:30-17:00, Sat 09-13, Mon 08:00-08:45 / -10:00; `new` to Sat
            # 11:00 (30 + 120), `pending` to Mon 08:00 (Sat 11-13), `open` to 10:00 (120)
            ("S1", "emea", "one_touch", 315, 390, 270, 120, "breached", "breached"),
            # S2 Sydney: Mon 08:30 AEDT opening to the 09:00 reply and the 12:30 solve
            ("S2", "apac", "two_touch", 30, 240, 240, 0, "met", "met"),
            # S3 24 x 7, solved without a reply: the first-reply clock stopped at the solve
            ("S3", "enterprise", "zero_touch", None, 360, 360, 0, "met", "met"),
            # S4 Los Angeles, unsolved: `new` 30, `pending` Fri 11:30-12:00 and 13:00-19:00
            # (390) + 10 weekdays x 660 to the end of the as-of day; the change of 06-17 is
            # after it; no priority, no target
            ("S4", "americas", "one_touch", 30, None, 30, 390 + 10 * 660, "no_target", "no_target"),
            # S5 Berlin over Good Friday, the DST change and Easter Monday: Thu 60 + Sat 240
            # + Tue 08:00-08:30 CEST / 08:00-16:00 CEST
            ("S5", "emea", "one_touch", 330, 780, 780, 0, "met", "met"),
            # S6 Los Angeles over the US DST change: Fri 15:30-19:00 PST + Mon 07:00-07:15
            # PDT; `open` 07:15-07:30 and 08:00-09:00, `pending` 07:30-08:00
            ("S6", "americas", "multi_touch", 225, 330, 225 + 15 + 60, 30, "breached", "breached"),
            # T1 and T3 live on Saturdays (and the night): no business time at all
            ("T1", "default", "one_touch", 0, 0, 0, 0, "met", "met"),
            # T2 from Tue 03:00 EST: `new` to Wed 03:00 (Tue 480), solved to Thu (neither),
            # `open` again Thu and Fri (960); resolution Tue-Fri 4 x 480
            ("T2", "default", "two_touch", 0, 1920, 1440, 0, "met", "met"),
            ("T3", "default", "one_touch", 0, 0, 0, 0, "met", "met"),
            # T4 unsolved, no agent reply (a system comment): breached on both counts
            ("T4", "default", "zero_touch", None, None, T4_ELAPSED, 0, "breached", "breached"),
        ],
    )


SLA_COLUMNS = """month, dimension, dimension_value, tickets, first_reply_sla_met,
    first_reply_sla_breached, first_reply_sla_pending, first_reply_sla_attainment,
    resolution_sla_met, resolution_sla_breached, resolution_sla_pending,
    resolution_sla_attainment, median_first_reply_business_minutes,
    median_resolution_business_minutes, median_awaiting_agent_business_minutes,
    median_awaiting_customer_business_minutes, zero_touch_share, one_touch_share,
    two_touch_share, multi_touch_share"""


def test_support_sla_totals_by_month(build: Build) -> None:
    rows = build.records(
        f"select {SLA_COLUMNS} from marts.support_sla where dimension = 'all' order by month"
    )
    assert_rows(
        rows,
        [
            # February: T1, T4, S1, S2, S3. First reply met T1 S2 S3, breached T4 S1;
            # resolution met T1 S2 S3, breached T4 S1. Medians: first reply of T1 S1 S2
            # (0, 30, 315); resolution of the solved T1 S1 S2 S3 (0, 240, 360, 390);
            # waiting on the agent of all five (0, 240, 270, 360, T4)
            (FEB, "all", "all", 5, 3, 2, 0, 0.6, 3, 2, 0, 0.6, 30, 300, 270, 0,
             0.4, 0.4, 0.2, 0.0),
            # March: T2, T3, S5, S6; S6 breached both. First reply 0, 0, 225, 330;
            # resolution 0, 330, 780, 1920; agent 0, 300, 780, 1440; customer 0, 0, 0, 30
            (MAR, "all", "all", 4, 3, 1, 0, 0.75, 3, 1, 0, 0.75, 112.5, 555, 540, 0,
             0.0, 0.5, 0.25, 0.25),
            # May: S4 alone, no target; unsolved, so no resolution time
            (MAY, "all", "all", 1, 0, 0, 0, None, 0, 0, 0, None, 30, None, 30, 6990,
             0.0, 1.0, 0.0, 0.0),
        ],
    )  # fmt: skip


def test_support_sla_by_team_and_priority(build: Build) -> None:
    rows = build.records(
        """select dimension, dimension_value, tickets, first_reply_sla_attainment,
        resolution_sla_attainment, median_first_reply_business_minutes
        from marts.support_sla where month = '2024-02-01' and dimension in ('team', 'priority')
        order by dimension, dimension_value"""
    )
    assert_rows(
        rows,
        [
            ("priority", "high", 1, 1.0, 1.0, 30),  # S2
            ("priority", "low", 1, 1.0, 1.0, None),  # S3, no reply
            ("priority", "normal", 2, 0.5, 0.5, 0),  # T1 met, T4 breached
            ("priority", "urgent", 1, 0.0, 0.0, 315),  # S1
            ("team", "Customer Success", 1, 1.0, 1.0, 30),
            ("team", "Enterprise Support", 1, 1.0, 1.0, None),
            ("team", "Tier 2", 1, 0.0, 0.0, 315),
            ("team", "tier1", 2, 0.5, 0.5, 0),
        ],
    )


def test_churn_of_accounts_after_a_breach(build: Build) -> None:
    rows = build.records(
        """select month, dimension, dimension_value, breached_accounts,
        breached_observed_accounts, breached_churned_accounts_90d, breached_churn_rate_90d,
        unbreached_accounts, unbreached_observed_accounts, unbreached_churned_accounts_90d,
        unbreached_churn_rate_90d, breach_churn_gap_90d
        from marts.support_sla where dimension in ('all', 'segment') order by 1, 2, 3"""
    )
    assert_rows(
        rows,
        [
            # February: A2 (T4) and A3 (S1) breached, A1 (T1, S2) did not; A3 churns in
            # March, within the 90 days; the horizon (May) is complete
            (FEB, "all", "all", 2, 2, 1, 0.5, 1, 1, 0, 0.0, 0.5),
            (FEB, "segment", "Enterprise", 1, 1, 0, 0.0, 0, 0, 0, None, None),  # A2
            (FEB, "segment", "Mid-Market", 1, 1, 1, 1.0, 1, 1, 0, 0.0, 1.0),  # A3 / A1
            (FEB, "segment", "unknown", 0, 0, 0, None, 0, 0, 0, None, None),  # S3
            # March: A2 (S6) breached, A1 not; June is not complete: not observed yet
            (MAR, "all", "all", 1, 0, 0, None, 1, 0, 0, None, None),
            (MAR, "segment", "Enterprise", 1, 0, 0, None, 0, 0, 0, None, None),
            (MAR, "segment", "Mid-Market", 0, 0, 0, None, 1, 0, 0, None, None),
            (MAR, "segment", "unknown", 0, 0, 0, None, 0, 0, 0, None, None),  # T3
            # May: A4 active since May 20, no breach (no target)
            (MAY, "all", "all", 0, 0, 0, None, 1, 0, 0, None, None),
            (MAY, "segment", "unknown", 0, 0, 0, None, 1, 0, 0, None, None),
        ],
    )


def test_touchpoints_and_quarterly_review_carry_sla_attainment(build: Build) -> None:
    touchpoints = build.records(
        """select category, channel, first_reply_sla_met, first_reply_sla_breached,
        first_reply_sla_attainment, resolution_sla_attainment
        from marts.touchpoint_scorecard where month = '2024-02-01' order by 1, 2"""
    )
    assert_rows(
        touchpoints,
        [
            ("account", "web", 1, 0, 1.0, 1.0),  # S3
            ("billing", "phone", 0, 1, 0.0, 0.0),  # S1
            ("onboarding", "email", 0, 1, 0.0, 0.0),  # T4
            ("technical", "chat", 1, 0, 1.0, 1.0),  # S2
            ("technical", "email", 1, 0, 1.0, 1.0),  # T1
        ],
    )
    review = build.records(
        """select quarter, metric, value from marts.cx_quarterly_review
        where metric like '%sla%' order by 1, 2"""
    )
    # Q1 2024 pools February (3 met, 2 breached) and March (3 met, 1 breached)
    assert_rows(
        review,
        [
            (date(2024, 1, 1), "first_reply_sla_attainment", 6 / 9),
            (date(2024, 1, 1), "resolution_sla_attainment", 6 / 9),
        ],
    )


def test_a_later_as_of_date_moves_only_unsolved_clocks(build: Build, tmp_path: Path) -> None:
    """No new data, a later as-of date: an incremental build recounts the unsolved tickets'
    clocks (int_ticket_sla is rebuilt) and gives what a full build gives."""
    later = "2024-06-20"
    raw = build.db_path.parent / "raw"
    (tmp_path / "incremental").mkdir()
    shutil.copy(build.db_path, tmp_path / "incremental" / "cx.duckdb")  # the built warehouse
    again = dbt_build(raw, tmp_path / "incremental", later)
    assert again.returncode == 0, again.output[-3000:]
    full = dbt_build(raw, tmp_path / "full", later, "--full-refresh", *MODELS_ONLY)
    assert full.returncode == 0, full.output[-3000:]
    sla = "select * from intermediate.int_ticket_sla order by ticket_id"
    assert again.records(sla) == full.records(sla)
    assert mart_rows(again) == mart_rows(full)
    rows = again.records(
        """select ticket_id, elapsed_business_minutes, awaiting_agent_business_minutes,
        awaiting_customer_business_minutes from intermediate.int_ticket_sla
        where ticket_id in ('S4', 'T4', 'S1') order by 1"""
    )
    assert_rows(
        rows,
        [
            ("S1", 390, 270, 120),  # solved: unchanged
            # S4: `pending` now ends at the change of Mon 06-17 09:00 PDT (+ 07:00-09:00),
            # then `open` to Thu 06-20 17:00 PDT: 540 + 660 + 660 + 540 awaiting the agent
            ("S4", 30 + (390 + 10 * 660 + 120) + 2400, 30 + 2400, 390 + 10 * 660 + 120),
            ("T4", T4_ELAPSED + 4 * 480, T4_ELAPSED + 4 * 480, 0),  # Mon 06-17 .. Thu 06-20
        ],
    )
