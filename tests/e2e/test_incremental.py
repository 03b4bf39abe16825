"""An incremental build after a new batch gives exactly the marts of a full rebuild on the
same landing dir, including a batch that updates rows loaded long ago and one that arrives
late with facts about old months."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.dbt_build import dbt_build
from tests.support.later_batches import (
    MODELS_ONLY,
    executed_sql,
    land_contact_update,
    land_moved_event,
    land_next_batch,
    mart_rows,
)
from tests.support.scenario import AS_OF, write_scenario

pytestmark = pytest.mark.e2e


def test_incremental_build_equals_full_rebuild(tmp_path: Path) -> None:
    raw = write_scenario(tmp_path / "raw")
    first = dbt_build(raw, tmp_path / "incremental", AS_OF)
    assert first.returncode == 0, first.output[-3000:]
    before = mart_rows(first)

    land_next_batch(raw)
    incremental = dbt_build(raw, tmp_path / "incremental", AS_OF)
    assert incremental.returncode == 0, incremental.output[-3000:]
    # staging merged the new batches into the existing table instead of rebuilding it
    merged = executed_sql(tmp_path / "incremental", "stg_billing__subscriptions")
    assert 'delete from "cx"."staging"."stg_billing__subscriptions"' in merged

    full = dbt_build(raw, tmp_path / "full", AS_OF, "--full-refresh")
    assert full.returncode == 0, full.output[-3000:]

    after = mart_rows(incremental)
    assert after == mart_rows(full)
    assert after != before  # the batch changed the marts
    # ticket facts were recounted only for the tickets the batch touched
    recounted = executed_sql(tmp_path / "incremental", "int_ticket_facts")
    assert 'delete from "cx"."intermediate"."int_ticket_facts"' in recounted
    bridge = incremental.records("""select ending_mrr_usd from marts.mrr_bridge
        where dimension = 'all' and month = '2024-03-01'""")
    # March: A1 300, A2 1,000 EUR at the revised 1.09, A5's late subscription 80
    assert bridge[0]["ending_mrr_usd"] == pytest.approx(300 + 1090 + 80)
    fcr = incremental.records("""select fcr_tickets, solved_tickets
        from marts.first_contact_resolution where dimension = 'all' and month = '2024-02-01'""")
    # February: T1 (now two public replies) and T4 (solved late, one reply): only T4 is FCR
    assert fcr == [{"fcr_tickets": 1, "solved_tickets": 2}]

    # later batches that touch a ticket only through another ticket's event or its contact
    facts = "select * from intermediate.int_ticket_facts order by ticket_id"
    for land in (land_moved_event, land_contact_update):
        land(raw)
        again = dbt_build(raw, tmp_path / "incremental", AS_OF)
        assert again.returncode == 0, again.output[-3000:]
        full = dbt_build(raw, tmp_path / "full", AS_OF, "--full-refresh", *MODELS_ONLY)
        assert full.returncode == 0, full.output[-3000:]
        assert again.records(facts) == full.records(facts), land.__name__
        assert mart_rows(again) == mart_rows(full), land.__name__
    roles = again.records("""select dimension_value from marts.first_contact_resolution
        where dimension = 'requester_role' and month = '2024-02-01' order by 1""")
    assert roles == [{"dimension_value": "admin"}, {"dimension_value": "unknown"}]


def test_full_refresh_flag_rebuilds_staging(tmp_path: Path) -> None:
    raw = write_scenario(tmp_path / "raw")
    assert dbt_build(raw, tmp_path, AS_OF).returncode == 0
    shutil.rmtree(tmp_path / "target")
    rebuilt = dbt_build(raw, tmp_path, AS_OF, "--full-refresh", "--select", "stg_crm__accounts")
    assert rebuilt.returncode == 0, rebuilt.output[-3000:]
    rebuilt_sql = executed_sql(tmp_path, "stg_crm__accounts")
    assert "delete from" not in rebuilt_sql
    assert "create  table" in rebuilt_sql or "create table" in rebuilt_sql
