"""The refresh job in-process on generated data: the green path publishes; every gate failure
fails the run, names what broke and leaves the serving file byte-identical."""

from __future__ import annotations

from datetime import date, datetime

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.defs.dbt.project import load_manifest, mart_models
from orchestration.lib.contract import raw_tables
from tests.orchestration.conftest import (
    AS_OF,
    Warehouse,
    executed_steps,
    failed_checks,
    run_refresh,
    sha256,
)

pytestmark = pytest.mark.e2e

MARTS = sorted(node["name"] for node in mart_models(load_manifest()))


@pytest.fixture(scope="module")
def green(defs: dg.Definitions, warehouse: Warehouse) -> dg.ExecuteInProcessResult:
    result = run_refresh(defs)
    assert result.success, failed_checks(result) or [
        e.step_failure_data.error.to_string() for e in result.get_step_failure_events()
    ]
    return result


def test_job_runs_raw_gate_then_dbt_then_mart_gate_then_publish(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("refresh")
    upstream = {
        node.name: {
            output.node_name
            for outputs in job.graph.dependency_structure.input_to_upstream_outputs_for_node(
                node.name
            ).values()
            for output in outputs
        }
        for node in job.nodes
    }
    assert upstream == {
        "raw_gate": set(),
        "dbt_build": {"raw_gate"},
        "mart_gate": {"dbt_build"},
        "serving_warehouse": {"dbt_build", "mart_gate"},
    }
    gx_checks = {
        (spec.asset_key.to_user_string(), spec.name): spec
        for checks_def in defs.asset_checks or []
        for spec in checks_def.check_specs
    }
    assert {a for a, name in gx_checks if name == "gx_mart_gate"} == {f"marts/{m}" for m in MARTS}
    assert {a for a, name in gx_checks if name == "gx_raw_gate"} == set(raw_tables())
    assert all(spec.blocking for spec in gx_checks.values())


def test_green_path_publishes_every_mart(green: dg.ExecuteInProcessResult, warehouse: Warehouse):
    assert executed_steps(green) == {"raw_gate", "dbt_build", "mart_gate", "serving_warehouse"}
    assert failed_checks(green) == {}
    evaluations = green.get_asset_check_evaluations()
    gx = [e for e in evaluations if e.check_name.startswith("gx_")]
    assert len(gx) == len(raw_tables()) + 1 + len(MARTS)
    assert len(evaluations) > len(gx)  # the dbt tests ran as checks too

    published = {
        name
        for (name,) in warehouse.serving(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    assert published == set(MARTS)
    (log,) = warehouse.serving(
        "select publish_id, run_id, as_of_date, last_complete_month, git_sha, duration_seconds,"
        " mart_rows from meta.publish_log"
    )
    publish_id, run_id, as_of, last_month, git_sha, duration, _ = log
    assert (publish_id, run_id) == (1, green.run_id)
    assert (as_of, last_month) == (AS_OF, date(2026, 6, 1))
    assert len(git_sha.removesuffix("-dirty")) == 40
    assert duration > 0
    counts = dict(warehouse.serving("select mart, row_count from meta.publish_marts"))
    for mart in MARTS:
        (actual,) = warehouse.serving(f"select count(*) from marts.{mart}")[0]
        assert counts[mart] == actual > 0, mart
    (bridge_end,) = warehouse.serving(
        "select ending_mrr_usd from marts.mrr_bridge where dimension = 'all' and month = ?",
        [date(2026, 6, 1)],
    )[0]
    assert bridge_end > 0

    # the row-count baseline is the raw gate's count of current rows
    baseline = dict(warehouse.serving("select table_name, current_rows from meta.raw_row_counts"))
    with duckdb.connect() as con:
        (accounts,) = con.execute(
            "select count(distinct account_id) from read_parquet(?)",
            [str(warehouse.raw_dir / "crm/accounts/*.parquet")],
        ).fetchone()
    assert baseline["crm/accounts"] == accounts > 0
    assert set(baseline) == set(raw_tables())

    materialization = green.asset_materializations_for_node("serving_warehouse")[0]
    assert materialization.metadata["mart_rows"].value == counts
    assert materialization.metadata["as_of_date"].value == AS_OF.isoformat()
    assert not list(warehouse.serving_path.parent.glob(".serving.duckdb.*.candidate*"))
    assert (warehouse.root / "gx" / "gx" / "data_docs" / "index.html").exists()


def _assert_failed_and_unchanged(
    result: dg.ExecuteInProcessResult, warehouse: Warehouse, checksum: str
) -> dict[tuple[str, str], str]:
    assert not result.success
    assert "serving_warehouse" not in executed_steps(result)
    assert sha256(warehouse.serving_path) == checksum
    (count,) = warehouse.serving("select count(*) from meta.publish_log")[0]
    assert count == 1  # still the green publish, still queryable
    return failed_checks(result)


def _rewrite(path, table: pa.Table) -> None:
    path.unlink()
    pq.write_table(table, path)


def test_bad_raw_batch_fails_at_the_raw_gate(
    green, defs, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    checksum = sha256(warehouse.serving_path)
    raw = warehouse.landing_copy("bad_batch")
    tickets = raw / "support/tickets"
    latest = pq.read_table(sorted(tickets.glob("*.parquet"))[-1])
    bad = latest.slice(0, 3)
    bad = bad.set_column(
        bad.schema.get_field_index("channel"), "channel", pa.array(["fax"] * 3, pa.string())
    )
    bad = bad.set_column(
        bad.schema.get_field_index("_loaded_at"),
        "_loaded_at",
        pa.array([datetime(2026, 7, 15, 3)] * 3, pa.timestamp("us")),
    )
    pq.write_table(bad, tickets / "batch_9999.parquet")
    monkeypatch.setenv("CX_RAW_DIR", str(raw))

    result = run_refresh(defs)

    failed = _assert_failed_and_unchanged(result, warehouse, checksum)
    assert executed_steps(result) == {"raw_gate"}
    assert set(failed) == {("support/tickets", "gx_raw_gate")}
    message = failed["support/tickets", "gx_raw_gate"]
    assert "support/tickets.channel: expect_column_values_to_be_in_set" in message
    assert "failed for 3 of" in message
    assert "channel='fax'" in message
    ticket_ids = bad.column("ticket_id").to_pylist()
    assert f"ticket_id='{ticket_ids[0]}'" in message


def test_missing_column_in_one_batch_names_the_file(
    green, defs, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    checksum = sha256(warehouse.serving_path)
    raw = warehouse.landing_copy("missing_column")
    batch = sorted((raw / "billing/invoices").glob("*.parquet"))[-1]
    table = pq.read_table(batch)
    _rewrite(batch, table.drop_columns(["amount_paid_cents"]))
    monkeypatch.setenv("CX_RAW_DIR", str(raw))

    failed = _assert_failed_and_unchanged(run_refresh(defs), warehouse, checksum)

    message = failed["billing/invoices", "gx_raw_gate"]
    assert "billing/invoices.amount_paid_cents: expect_column_values_to_be_in_set" in message
    assert "'missing'" in message and batch.name in message


def test_missing_fx_rate_fails_the_coverage_check(
    green, defs, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    checksum = sha256(warehouse.serving_path)
    raw = warehouse.landing_copy("missing_fx")
    removed = ("EUR", date(2026, 3, 1))
    for batch in (raw / "billing/fx_rates").glob("*.parquet"):
        table = pq.read_table(batch)
        keep = [
            (c, m) != removed
            for c, m in zip(
                table.column("currency").to_pylist(),
                table.column("rate_month").to_pylist(),
                strict=True,
            )
        ]
        _rewrite(batch, table.filter(pa.array(keep)))
    monkeypatch.setenv("CX_RAW_DIR", str(raw))

    result = run_refresh(defs)

    failed = _assert_failed_and_unchanged(result, warehouse, checksum)
    assert executed_steps(result) == {"raw_gate"}
    assert set(failed) == {("billing/fx_rates", "gx_fx_rate_coverage")}
    message = failed["billing/fx_rates", "gx_fx_rate_coverage"]
    assert "billing/fx_rates.usd_per_unit: expect_column_values_to_not_be_null" in message
    assert "currency='EUR', month=" in message and "2026-03-01" in message


def test_shrunken_table_fails_against_the_last_publish(
    green, defs, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    checksum = sha256(warehouse.serving_path)
    (before,) = warehouse.serving(
        "select current_rows from meta.raw_row_counts where table_name = 'crm/accounts'"
    )[0]
    raw = warehouse.landing_copy("shrunken")
    batches = sorted((raw / "crm/accounts").glob("*.parquet"))
    for batch in batches:
        table = pq.read_table(batch)
        ids = table.column("account_id").to_pylist()
        keep = [int(i.rsplit("_", 1)[-1]) % 2 == 0 for i in ids]  # every other account
        _rewrite(batch, table.filter(pa.array(keep)))
    monkeypatch.setenv("CX_RAW_DIR", str(raw))

    result = run_refresh(defs)

    failed = _assert_failed_and_unchanged(result, warehouse, checksum)
    assert set(failed) == {("crm/accounts", "gx_raw_gate")}
    message = failed["crm/accounts", "gx_raw_gate"]
    assert "crm/accounts.current_rows: expect_column_max_to_be_between" in message
    assert f"min_value={-(-before * 9 // 10)}" in message
    assert f"{before:,} at publish #1" in message


def test_pii_in_a_mart_fails_at_the_mart_gate(
    green, defs, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRM free-text field holding an e-mail address reaches a mart: dbt builds it, the mart
    gate stops it."""
    checksum = sha256(warehouse.serving_path)
    raw = warehouse.landing_copy("pii")
    accounts = raw / "crm/accounts"
    newest = pq.read_table(sorted(accounts.glob("*.parquet"))[0]).slice(0, 1)
    leaked = newest.set_column(
        newest.schema.get_field_index("industry"),
        "industry",
        pa.array(["jane.doe@example.com"], pa.string()),
    )
    for column, value in (
        ("_loaded_at", datetime(2026, 7, 15, 4)),
        ("updated_at", datetime(2026, 7, 15, 4)),
    ):
        leaked = leaked.set_column(
            leaked.schema.get_field_index(column), column, pa.array([value], pa.timestamp("us"))
        )
    pq.write_table(leaked, accounts / "batch_9999.parquet")
    monkeypatch.setenv("CX_RAW_DIR", str(raw))

    result = run_refresh(defs)

    failed = _assert_failed_and_unchanged(result, warehouse, checksum)
    assert executed_steps(result) == {"raw_gate", "dbt_build", "mart_gate"}
    assert ("marts/churn_by_segment", "gx_mart_gate") in failed
    message = failed["marts/churn_by_segment", "gx_mart_gate"]
    assert "churn_by_segment.dimension_value: expect_column_values_to_not_match_regex" in message
    assert "no e-mail-like value" in message and "jane.doe@example.com" in message
    assert all(check == "gx_mart_gate" for _, check in failed)


def test_a_new_batch_tying_with_an_already_validated_row_is_a_duplicate_key(
    green, defs, warehouse: Warehouse
) -> None:
    """The raw gate reads only rows from batch files the last publish did not validate, yet
    a new file repeating a current row of an old file (same key, _loaded_at, updated_at) is
    still caught: the key count is taken over all current rows."""
    checksum = sha256(warehouse.serving_path)
    accounts = warehouse.raw_dir / "crm/accounts"
    old_files = sorted(accounts.glob("*.parquet"))
    repeated = pq.read_table(old_files[-1]).slice(0, 1)
    new_file = accounts / "batch_9999.parquet"
    pq.write_table(repeated, new_file)
    try:
        result = run_refresh(defs)
    finally:
        new_file.unlink()

    failed = _assert_failed_and_unchanged(result, warehouse, checksum)
    assert set(failed) == {("crm/accounts", "gx_raw_gate")}
    message = failed["crm/accounts", "gx_raw_gate"]
    assert "crm/accounts._current_rows_with_key: expect_column_values_to_be_in_set" in message
    assert "failed for 1 of 1 rows" in message  # the new file's row, not the old rows
    account = repeated.column("account_id")[0].as_py()
    assert f"account_id='{account}'" in message
    assert f"from 1 new batch file(s) ({len(old_files)} validated by publish #1)" in message
