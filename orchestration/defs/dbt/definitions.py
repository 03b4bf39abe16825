"""Stage dbt: ``dbt build`` of every model and test into the build file."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.assets import build_dbt_assets
from orchestration.defs.dbt.project import DBT_PROJECT
from orchestration.lib.dbt_cli import DBT_EXECUTABLE


def definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[build_dbt_assets()],
        resources={
            "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE),
        },
    )
