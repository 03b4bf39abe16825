"""``dbt build`` as one Dagster multi-asset: every model an asset, every dbt test a check.

Groups, owners and descriptions come from the dbt yml (``+group`` per folder, the groups'
owners in ``models/groups.yml``).
"""

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.defs.dbt.build_file import BuildFileInUseError, prepare_build_file
from orchestration.defs.dbt.project import (
    DBT_PROJECT,
    dbt_nodes,
    newest_source_mtime,
    prepare_manifest,
)
from orchestration.lib import meta
from orchestration.lib.landing import fingerprint
from orchestration.lib.locks import FileLock, LockHeldError, lock_path
from orchestration.lib.options import RefreshOptions
from orchestration.lib.run_records import gate_fingerprint
from orchestration.lib.settings import DBT_TARGET_DIR, PROJECT_DIR, Settings

PARTIAL_PARSE = "partial_parse.msgpack"
KEEP_RUN_TARGETS = 20
RUNS_DIR = PROJECT_DIR / DBT_TARGET_DIR / "runs"  # one dbt target dir per refresh run

TRANSLATOR = DagsterDbtTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        enable_source_tests_as_checks=False,
    )
)


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for dbt (a subprocess reading them) and restore them."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_results(run_id: str) -> list[dict[str, Any]]:
    """The results dbt wrote for the run's ``dbt build`` (empty if it did not get that far)."""
    path = RUNS_DIR / run_id / "run_results.json"
    return json.loads(path.read_text())["results"] if path.exists() else []


def _run_target_path(run_id: str) -> Path:
    """The run's own dbt target dir, seeded with the previous run's partial-parse file: dbt
    then re-parses only what changed (it checks files, vars and env itself)."""
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    by_age = sorted(RUNS_DIR.iterdir(), key=lambda p: p.stat().st_mtime)
    for path in by_age[:-KEEP_RUN_TARGETS]:
        shutil.rmtree(path, ignore_errors=True)
    target = RUNS_DIR / run_id
    target.mkdir(exist_ok=True)
    previous = [p / PARTIAL_PARSE for p in by_age[-KEEP_RUN_TARGETS:] if p != target]
    previous = [p for p in previous if p.exists()]
    if previous:
        shutil.copyfile(previous[-1], target / PARTIAL_PARSE)
    return target


def dbt_build_args(options: RefreshOptions, full_refresh: bool = False) -> list[str]:
    """The refresh's ``dbt build``: every model and data test. Unit tests test the models'
    SQL on fixed inputs, not the data, so they run where code changes (``make test``, a
    plain ``dbt build``), not on every refresh (docs/decisions.md)."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    as_of = options.as_of()
    if as_of is not None:
        args += ["--vars", json.dumps({"as_of_date": as_of.isoformat()})]
    if options.full_refresh or full_refresh:
        args.append("--full-refresh")
    return args


def _duckdb_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    refresh_options: RefreshOptions,
    settings: Settings,
) -> Iterator[Any]:
    """Into the build file: locked, prepared (rebuilt whole when it must be), then marked."""
    lock = FileLock(lock_path(settings.build_path), f"the build file {settings.build_path}")
    try:
        lock.acquire()
    except LockHeldError as error:
        raise dg.Failure(str(error)) from error
    try:
        try:
            rebuild = prepare_build_file(settings.build_path)
        except BuildFileInUseError as error:
            raise dg.Failure(str(error)) from error
        if rebuild:
            context.log.warning(f"full refresh of {settings.build_path}: {rebuild}")
        settings.build_path.parent.mkdir(parents=True, exist_ok=True)
        with _environment(settings.dbt_env):
            invocation = dbt.cli(
                dbt_build_args(refresh_options, full_refresh=rebuild is not None),
                context=context,
                target_path=_run_target_path(context.run.run_id),
            )
            yield from invocation.stream()
        meta.write_build_marker(settings.build_path, context.run.run_id, settings.raw_dir)
    finally:
        lock.release()


def _spark_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    refresh_options: RefreshOptions,
    settings: Settings,
) -> Iterator[Any]:
    """Into the Spark warehouse (CX_TARGET=spark): dbt runs Spark in its own process (the
    Derby metastore admits one JVM at a time, never this one). Every Spark build is full
    (staging is ``table`` there); the marker file is removed first and written after."""
    warehouse = settings.spark_warehouse
    lock = FileLock(lock_path(warehouse), f"the Spark warehouse {warehouse}")
    try:
        lock.acquire()
    except LockHeldError as error:
        raise dg.Failure(str(error)) from error
    try:
        warehouse.mkdir(parents=True, exist_ok=True)
        meta.remove_spark_build_marker(warehouse)
        reported: set[dg.AssetCheckKey] = set()
        with _environment(settings.dbt_env):
            invocation = dbt.cli(
                dbt_build_args(refresh_options),
                context=context,
                target_path=_run_target_path(context.run.run_id),
            )
            for event in invocation.stream():
                if isinstance(event, dg.AssetCheckResult | dg.AssetCheckEvaluation):
                    reported.add(dg.AssetCheckKey(event.asset_key, event.check_name))
                yield event
        meta.write_spark_build_marker(warehouse, context.run.run_id, settings.raw_dir)
        # dbt succeeded, so a test it did not report is not in the Spark build (disabled on
        # this target): a warning, not a pass, and not blocking (the asset graph is the DuckDB
        # manifest's, orchestration/defs/dbt/project.py)
        for key in sorted(context.selected_asset_check_keys - reported, key=str):
            yield dg.AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"dbt test {key.name} is not run on the spark target (disabled there)",
            )
    finally:
        lock.release()


def build_dbt_assets() -> dg.AssetsDefinition:
    manifest = prepare_manifest()
    loaded_sources_mtime = newest_source_mtime()
    loaded_nodes = dbt_nodes(json.loads(manifest.read_text()))

    @dbt_assets(
        manifest=manifest,
        project=DBT_PROJECT,
        dagster_dbt_translator=TRANSLATOR,
        name="dbt_build",
    )
    def dbt_build(
        context: AssetExecutionContext, dbt: DbtCliResource, refresh_options: RefreshOptions
    ) -> Iterator[Any]:
        """``dbt build`` (models and tests in DAG order) into the build file CX_DUCKDB_PATH
        (on CX_TARGET=spark: into the Spark warehouse CX_SPARK_WAREHOUSE).

        A failed model or test fails this step (dbt's exit code), so nothing downstream runs.
        """
        settings = Settings.from_env()
        if newest_source_mtime() > loaded_sources_mtime:
            current = dbt_nodes(json.loads(prepare_manifest().read_text()))
            if current != loaded_nodes:
                added, removed = sorted(current - loaded_nodes), sorted(loaded_nodes - current)
                raise dg.Failure(
                    "The dbt project changed after these Dagster definitions were loaded "
                    f"(added: {', '.join(added) or '-'}; removed: {', '.join(removed) or '-'}): "
                    "reload the code location (or rerun) so the assets match what dbt builds."
                )
        expected = gate_fingerprint(context)
        if settings.on_spark:
            yield from _spark_build(context, dbt, refresh_options, settings)
        else:
            yield from _duckdb_build(context, dbt, refresh_options, settings)
        if expected is not None and fingerprint(settings.raw_dir) != expected:
            raise dg.Failure(
                f"The landing directory {settings.raw_dir} changed while this refresh ran (new "
                "or changed batch files after the raw gate validated it): the build includes "
                "unvalidated data and is not published. The next refresh validates them."
            )

    return dbt_build
