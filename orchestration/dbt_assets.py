"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check.

The manifest is prepared ahead of time (``make setup`` runs ``dbt parse`` into
``target_orch/``), so loading the definitions reads a JSON file instead of parsing dbt. When
it is missing or older than any dbt file it is parsed here once (also under ``dagster dev``,
so edited models show up on reload).

Groups, owners and descriptions come from the dbt yml (``+group`` per folder, the groups'
owners in ``models/groups.yml``). The landing tables are external assets in group ``raw``.
"""

import json
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.lib.landing import fingerprint
from orchestration.lib.options import RefreshOptions
from orchestration.lib.run_records import gate_fingerprint
from orchestration.lib.settings import DBT_TARGET_DIR, PROJECT_DIR, Settings
from orchestration.warehouse_files import (
    BuildLockError,
    FileLock,
    lock_path,
    prepare_build_file,
    write_build_marker,
)

DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, target_path=DBT_TARGET_DIR)
DBT_SOURCES = ("models", "macros", "tests/dbt", "seeds", "snapshots", "analyses")
MARTS_SCHEMA = "marts"
RAW_GROUP = "raw"
PARTIAL_PARSE = "partial_parse.msgpack"
KEEP_RUN_TARGETS = 20


def _newest_source_mtime() -> float:
    newest = max(
        (PROJECT_DIR / name).stat().st_mtime for name in ("dbt_project.yml", "profiles.yml")
    )
    for folder in DBT_SOURCES:
        for path in (PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def _manifest_is_stale(manifest: Path) -> bool:
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime()


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """The manifest path, running ``dbt parse`` first if it is missing or older than any dbt
    file (so ``dagster dev`` picks up edited models on reload, and a fresh clone works)."""
    manifest = project.manifest_path
    if _manifest_is_stale(manifest):
        with FileLock(lock_path(manifest), "the dbt manifest", wait=True):
            if _manifest_is_stale(manifest):  # another process may have parsed meanwhile
                DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
                    ["parse", "--quiet"], target_path=project.target_path
                ).wait()
    return manifest


def _dbt_nodes(manifest: Mapping[str, Any]) -> set[str]:
    """The unique ids of the models, tests, seeds and snapshots dbt would build."""
    return set(manifest["nodes"]) | set(manifest.get("unit_tests", {}))


@cache
def load_manifest() -> dict[str, Any]:
    return json.loads(prepare_manifest().read_text())


def mart_models(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every model in schema ``marts``, by name: the marts the gate and the publish cover."""
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == MARTS_SCHEMA
    ]
    return sorted(marts, key=lambda node: node["name"])


def mart_key(node: Mapping[str, Any]) -> dg.AssetKey:
    return dg.AssetKey([node["schema"], node["name"]])


def raw_asset_key(table: str) -> dg.AssetKey:
    """``crm/accounts`` -> the key dagster-dbt gives the dbt source ``crm.accounts``."""
    return dg.AssetKey(table.split("/"))


def raw_asset_specs(manifest: Mapping[str, Any]) -> list[dg.AssetSpec]:
    """The landing tables as external assets, described from the dbt sources yml."""
    groups = {g["name"]: g for g in manifest.get("groups", {}).values()}
    owner = (groups.get("staging") or {}).get("owner", {}).get("email")
    specs = []
    for source in sorted(manifest["sources"].values(), key=lambda s: s["unique_id"]):
        table = f"{source['source_name']}/{source['name']}"
        specs.append(
            dg.AssetSpec(
                key=raw_asset_key(table),
                group_name=RAW_GROUP,
                description=(
                    f"{source['description']}\n\nLanding files: $CX_RAW_DIR/{table}/*.parquet "
                    "(../shared/contract/raw-sources.md)."
                ),
                owners=[owner] if owner else None,
                kinds={"parquet"},
                metadata={"landing_glob": f"$CX_RAW_DIR/{table}/*.parquet"},
            )
        )
    return specs


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


def _run_target_path(run_id: str) -> Path:
    """The run's own dbt target dir, seeded with the previous run's partial-parse file: dbt
    then re-parses only what changed (it checks files, vars and env itself)."""
    runs = PROJECT_DIR / DBT_TARGET_DIR / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    by_age = sorted(runs.iterdir(), key=lambda p: p.stat().st_mtime)
    for path in by_age[:-KEEP_RUN_TARGETS]:
        shutil.rmtree(path, ignore_errors=True)
    target = runs / run_id
    target.mkdir(exist_ok=True)
    previous = [p / PARTIAL_PARSE for p in by_age[-KEEP_RUN_TARGETS:] if p != target]
    previous = [p for p in previous if p.exists()]
    if previous:
        shutil.copyfile(previous[-1], target / PARTIAL_PARSE)
    return target


def dbt_build_args(options: RefreshOptions, full_refresh: bool = False) -> list[str]:
    args = ["build"]
    as_of = options.as_of()
    if as_of is not None:
        args += ["--vars", json.dumps({"as_of_date": as_of.isoformat()})]
    if options.full_refresh or full_refresh:
        args.append("--full-refresh")
    return args


def build_dbt_assets() -> dg.AssetsDefinition:
    manifest = prepare_manifest()
    loaded_sources_mtime = _newest_source_mtime()
    loaded_nodes = _dbt_nodes(json.loads(manifest.read_text()))

    @dbt_assets(
        manifest=manifest,
        project=DBT_PROJECT,
        dagster_dbt_translator=TRANSLATOR,
        name="dbt_build",
    )
    def dbt_build(
        context: AssetExecutionContext, dbt: DbtCliResource, refresh_options: RefreshOptions
    ) -> Iterator[Any]:
        """``dbt build`` (models and tests in DAG order) into the build file CX_DUCKDB_PATH.

        A failed model or test fails this step (dbt's exit code), so nothing downstream runs.
        """
        settings = Settings.from_env()
        if _newest_source_mtime() > loaded_sources_mtime:
            current = _dbt_nodes(json.loads(prepare_manifest().read_text()))
            if current != loaded_nodes:
                added, removed = sorted(current - loaded_nodes), sorted(loaded_nodes - current)
                raise dg.Failure(
                    "The dbt project changed after these Dagster definitions were loaded "
                    f"(added: {', '.join(added) or '-'}; removed: {', '.join(removed) or '-'}): "
                    "reload the code location (or rerun) so the assets match what dbt builds."
                )
        expected = gate_fingerprint(context)
        lock = FileLock(lock_path(settings.build_path), f"the build file {settings.build_path}")
        try:
            lock.acquire()
        except BuildLockError as error:
            raise dg.Failure(str(error)) from error
        try:
            rebuild = prepare_build_file(settings.build_path)
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
            write_build_marker(settings.build_path, context.run.run_id, settings.raw_dir)
        finally:
            lock.release()
        if expected is not None and fingerprint(settings.raw_dir) != expected:
            raise dg.Failure(
                f"The landing directory {settings.raw_dir} changed while this refresh ran (new "
                "or changed batch files after the raw gate validated it): the build includes "
                "unvalidated data and is not published. The next refresh validates them."
            )

    return dbt_build
