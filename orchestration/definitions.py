"""The cx-warehouse Dagster code location (``dagster dev -m orchestration.definitions``).

Asset graph: raw landing tables (group ``raw``, with the GX raw gate as blocking checks) ->
dbt models (groups staging, intermediate, cx, finance; dbt tests as checks; the GX mart gate
on every mart) -> ``serving_warehouse`` (group ``publish``). Job ``refresh``, schedule
``daily_refresh``, sensor ``new_batch_sensor``.
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_assets import (
    DBT_EXECUTABLE,
    DBT_PROJECT,
    build_dbt_assets,
    load_manifest,
    mart_key,
    mart_models,
    raw_asset_key,
    raw_asset_specs,
)
from orchestration.jobs import refresh_job
from orchestration.lib.contract import raw_tables
from orchestration.lib.options import RefreshOptions
from orchestration.publish import build_publish_asset
from orchestration.quality.mart_gate import build_mart_gate
from orchestration.quality.raw_gate import FX_TABLE, build_raw_gate
from orchestration.schedules import daily_refresh
from orchestration.sensors import new_batch_sensor


def build_definitions() -> dg.Definitions:
    manifest = load_manifest()
    marts = mart_models(manifest)
    return dg.Definitions(
        assets=[
            *raw_asset_specs(manifest),
            build_dbt_assets(),
            build_publish_asset(
                {node["name"]: mart_key(node) for node in marts},
                [raw_asset_key(table) for table in raw_tables()],
                raw_asset_key(FX_TABLE),
            ),
        ],
        asset_checks=[build_raw_gate(), build_mart_gate(marts)],
        jobs=[refresh_job],
        schedules=[daily_refresh],
        sensors=[new_batch_sensor],
        resources={
            "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE),
            "refresh_options": RefreshOptions(),
        },
    )


defs = build_definitions()
