"""The dbt project as Dagster sees it: where it is, its manifest, and which models are marts.

The manifest is prepared ahead of time (``make setup`` runs ``dbt parse`` into
``target_orch/``), so loading the definitions reads a JSON file instead of parsing dbt. When
it is missing or older than any dbt file it is parsed here once (also under ``dagster dev``,
so edited models show up on reload).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from orchestration.lib.dbt_cli import DBT_EXECUTABLE
from orchestration.lib.locks import FileLock, lock_path
from orchestration.lib.settings import DBT_TARGET_DIR, MARTS_SCHEMA, PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, target_path=DBT_TARGET_DIR)
DBT_SOURCES = ("models", "macros", "data-tests", "seeds", "snapshots", "analyses")


def newest_source_mtime() -> float:
    newest = max(
        (PROJECT_DIR / name).stat().st_mtime for name in ("dbt_project.yml", "profiles.yml")
    )
    for folder in DBT_SOURCES:
        for path in (PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def _manifest_is_stale(manifest: Path) -> bool:
    return not manifest.exists() or manifest.stat().st_mtime < newest_source_mtime()


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """The manifest path, running ``dbt parse`` first if it is missing or older than any dbt
    file (so ``dagster dev`` picks up edited models on reload, and a fresh clone works).

    Always parsed on the DuckDB target (``CX_TARGET=duckdb``), whatever the refresh runs on:
    the asset graph is one for both engines (on Spark, a dbt test disabled there simply
    reports no result), and a Spark run must not leave a Spark manifest for DuckDB runs."""
    manifest = project.manifest_path
    if _manifest_is_stale(manifest):
        with FileLock(lock_path(manifest), "the dbt manifest", wait=True):
            if _manifest_is_stale(manifest):  # another process may have parsed meanwhile
                saved = os.environ.get("CX_TARGET")
                os.environ["CX_TARGET"] = "duckdb"  # dbt reads it from this process's env
                try:
                    DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
                        ["parse", "--quiet"], target_path=project.target_path
                    ).wait()
                finally:
                    if saved is None:
                        os.environ.pop("CX_TARGET", None)
                    else:
                        os.environ["CX_TARGET"] = saved
    return manifest


def dbt_nodes(manifest: Mapping[str, Any]) -> set[str]:
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
