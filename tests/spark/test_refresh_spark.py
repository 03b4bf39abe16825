"""The refresh job on Spark (CX_TARGET=spark, docs/spark.md "The refresh job on Spark"): a
small generated landing (the sample `make run` uses, 300 accounts; the hand scenario of
tests/support/scenario.py has no survey responses, so two marts are empty there and the mart
gate rightly refuses it) refreshed through raw gate, dbt build on Spark, mart gate and
the publish macro, then a second publish; what ``serving`` serves read back through the
metastore in a PySpark subprocess (tests/support/spark_serving.py), compared with the built
marts' Parquet files; the built marts compared with a DuckDB build of the same landing. A
refresh failing its raw gate, and a publish failing half-way, leave
``serving.current_publish`` where it was. One Spark build in all (module-scoped)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.defs.dbt.project import load_manifest, mart_models
from orchestration.defs.publish.spark_serving import publish_on_spark, run_publish_macro
from orchestration.lib import meta, spark_files
from orchestration.lib.settings import Settings
from orchestration.sample_data import generate
from tests.support.compare import assert_mart_equal
from tests.support.dbt_build import dbt_build
from tests.support.spark_serving import read_serving

pytestmark = pytest.mark.spark

MARTS = sorted(node["name"] for node in mart_models(load_manifest()))
SEED = 7
FIRST_DAY = date(2026, 7, 14)  # the as-of date of the build (its newest batch)
CHANGED = "mrr_bridge"  # the mart whose rows publish 2 changes


@dataclass
class SparkRefresh:
    root: Path
    raw_dir: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "wh"

    @property
    def metastore(self) -> Path:
        return self.root / "metastore"

    def serving(self, name: str) -> dict:
        return read_serving(self.warehouse, self.metastore, self.root / name, MARTS)


def _run(defs: dg.Definitions) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def("refresh").execute_in_process(
        run_config={"resources": {"refresh_options": {"config": {}}}},  # as of: newest batch
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _errors(result: dg.ExecuteInProcessResult) -> list[str]:
    checks = [
        f"{e.asset_key.to_user_string()} {e.check_name}: {e.description}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    return checks + [
        e.step_failure_data.error.to_string() for e in result.get_step_failure_events()
    ]


def _steps(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}


def _same_rows(left: Path, right: Path) -> tuple[int, int]:
    """(rows of ``left``, rows differing either way) of two Parquet table dirs: a difference
    of 0 means the same rows, as many times each."""
    with duckdb.connect() as con:
        assert spark_files.create_parquet_view(con, "a", "t", left), left
        assert spark_files.create_parquet_view(con, "b", "t", right), right
        (rows,) = con.execute("select count(*) from a.t").fetchone()
        (diff,) = con.execute(
            "select count(*) from ((from a.t except all from b.t) "
            "union all (from b.t except all from a.t))"
        ).fetchone()
    return rows, diff


def _mart_dir(spark: SparkRefresh, mart: str) -> Path:
    return spark_files.table_dir(spark.warehouse, "marts", mart)


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkRefresh]:
    root = tmp_path_factory.mktemp("refresh_spark")
    raw = root / "raw"
    generate(raw, accounts=300, seed=SEED, as_of=FIRST_DAY, batches=2)
    refresh = SparkRefresh(root, raw)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "CX_TARGET": "spark",
            "CX_RAW_DIR": str(refresh.raw_dir),
            "CX_SPARK_WAREHOUSE": str(refresh.warehouse),
            "CX_SPARK_METASTORE": str(refresh.metastore),
            "CX_SPARK_SHUFFLE_PARTITIONS": "2",
            "CX_DUCKDB_PATH": str(root / "duckdb" / "cx.duckdb"),  # the raw gate's temp dir
            "CX_SERVING_PATH": str(root / "duckdb" / "serving.duckdb"),
            "CX_GX_DIR": str(root / "gx"),
            "CX_LOG_DIR": str(root / "logs"),
        }.items():
            patch.setenv(name, value)
        yield refresh


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


@pytest.fixture(scope="module")
def first(defs: dg.Definitions, spark: SparkRefresh) -> dict:
    """Publish 1, then a refresh of a bad landing (fails at the raw gate), then what is served."""
    result = _run(defs)
    assert result.success, _errors(result)
    assert "serving_warehouse" in _steps(result), _errors(result)  # not skipped
    built = {m: _mart_dir(spark, m) for m in MARTS}
    bad = spark.root / "bad_raw"
    shutil.copytree(spark.raw_dir, bad)
    tickets = bad / "support" / "tickets"
    latest = pq.read_table(sorted(tickets.glob("*.parquet"))[-1])
    broken = latest.slice(0, 1)
    broken = broken.set_column(
        broken.schema.get_field_index("channel"), "channel", pa.array(["fax"], pa.string())
    )
    broken = broken.set_column(
        broken.schema.get_field_index("_loaded_at"),
        "_loaded_at",
        pa.array([datetime(2026, 7, 14, 4)], broken.schema.field("_loaded_at").type),
    )
    pq.write_table(broken, tickets / "batch_9999.parquet")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CX_RAW_DIR", str(bad))
        failed = _run(defs)
    return {"result": result, "failed": failed, "built": built, "served": spark.serving("s1")}


def test_first_refresh_runs_every_stage_on_spark(first: dict) -> None:
    assert _steps(first["result"]) == {"raw_gate", "dbt_build", "mart_gate", "serving_warehouse"}
    (event,) = [
        m
        for m in first["result"].get_asset_materialization_events()
        if m.asset_key.to_user_string() == "serving_warehouse"
    ]
    metadata = event.materialization.metadata
    assert metadata["publish_id"].value == 1
    assert "Spark database serving" in metadata["serving_path"].value


def test_first_publish_serves_every_mart(first: dict, spark: SparkRefresh) -> None:
    served = first["served"]
    assert served["current_publish"] == 1
    assert served["views"] == sorted(["current_publish", *MARTS])
    assert all(served["partitions"][m] == [1] for m in MARTS)
    for mart in MARTS:
        rows, diff = _same_rows(spark.root / "s1" / mart, first["built"][mart])
        assert diff == 0, mart
        assert rows > 0, mart


def test_every_mart_of_the_generated_landing_equals_the_duckdb_build(
    first: dict, spark: SparkRefresh, tmp_path: Path
) -> None:
    """Data the hand scenario does not have (300 generated accounts: new versions of old
    rows, several currencies, reopened tickets, survey responses, daily signups): the marts
    the Spark refresh built equal a DuckDB build of the same landing, row for row."""
    built = dbt_build(spark.raw_dir, tmp_path / "duckdb", FIRST_DAY.isoformat())
    assert built.returncode == 0, built.output[-4000:]
    rows = {mart: assert_mart_equal(built.db_path, mart, first["built"][mart]) for mart in MARTS}
    assert all(rows.values()), rows  # every mart has rows to compare


def test_publish_log_on_spark(first: dict, spark: SparkRefresh) -> None:
    (entry,) = meta.spark_publish_log(spark.warehouse)
    assert (entry.publish_id, entry.as_of_date, entry.action) == (1, FIRST_DAY, "publish")
    assert entry.last_complete_month == date(2026, 6, 1)
    assert entry.run_id == first["result"].run_id
    for mart in MARTS:
        rows, _ = _same_rows(first["built"][mart], first["built"][mart])
        assert entry.mart_rows[mart] == rows, mart
    baseline = meta.read_spark_baseline(spark.warehouse)
    assert baseline is not None and baseline.publish_id == 1
    assert baseline.current_rows["crm/accounts"] >= 300  # the generator's 300, and signups
    landing = {p.name for p in (spark.raw_dir / "crm" / "accounts").glob("*.parquet")}
    assert {f[1] for f in baseline.validated_files if f[0] == "crm/accounts"} == landing


def test_a_refresh_failing_the_raw_gate_leaves_the_publish_served(first: dict) -> None:
    failed = first["failed"]
    assert not failed.success
    assert _steps(failed) == {"raw_gate"}
    assert any("support/tickets" in line and "channel" in line for line in _errors(failed))
    assert first["served"]["current_publish"] == 1


@pytest.fixture(scope="module")
def second(first: dict, spark: SparkRefresh) -> dict:
    """Publish 2, then a publish failing half-way (a mart that was not built). Publish 2 is of
    the same Spark build with one mart's rows changed (its first row dropped, rewritten with
    DuckDB): a second Spark build here costs 15+ min, and the publish is what is tested."""
    folder = _mart_dir(spark, CHANGED)
    files = spark_files.parquet_files(folder)
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        glob = str(folder / "*.parquet")
        con.execute(f"create table kept as select * from read_parquet('{glob}') offset 1")
        for path in files:
            path.unlink()
        con.execute(f"copy kept to '{folder / 'part-00000-cx-test.parquet'}' (format parquet)")
    settings = Settings.from_env()
    meta.write_spark_build_marker(spark.warehouse, "second-publish", spark.raw_dir)
    record = publish_on_spark(
        settings,
        run_id="second-publish",
        marts=MARTS,
        raw_counts={},
        landing_fingerprint="",
        run_started_at=datetime.now(UTC).replace(tzinfo=None),
    )
    broken = run_publish_macro(
        settings, 3, [MARTS[0], "no_such_mart"], spark.root / "no_meta", "broken-publish"
    )
    return {"record": record, "broken": broken, "served": spark.serving("s2")}


def test_second_publish_switches_every_view(first: dict, second: dict, spark: SparkRefresh):
    assert second["record"].publish_id == 2
    served = second["served"]
    assert served["current_publish"] == 2
    changed = []
    for mart in MARTS:
        _, diff = _same_rows(spark.root / "s2" / mart, _mart_dir(spark, mart))
        assert diff == 0, mart  # publish 2's rows: the build as it is now
        if _same_rows(spark.root / "s2" / mart, spark.root / "s1" / mart)[1]:
            changed.append(mart)
    assert changed == [CHANGED]
    log = meta.spark_publish_log(spark.warehouse)
    assert [(e.publish_id, e.run_id) for e in log] == [
        (1, first["result"].run_id),
        (2, "second-publish"),
    ]
    assert log[1].mart_rows[CHANGED] == log[0].mart_rows[CHANGED] - 1
    assert all(served["partitions"][m] == [1, 2] for m in MARTS[1:])  # CX_SERVING_KEEP 7


def test_a_publish_failing_half_way_is_not_served(second: dict, spark: SparkRefresh) -> None:
    broken = second["broken"]
    assert broken.returncode != 0
    assert "no_such_mart" in broken.stdout + broken.stderr
    served = second["served"]
    assert served["current_publish"] == 2  # not switched
    assert served["partitions"][MARTS[0]] == [1, 2, 3]  # written, never served
    assert [e.publish_id for e in meta.spark_publish_log(spark.warehouse)] == [1, 2]
