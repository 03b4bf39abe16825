"""The ``refresh`` job: raw gate -> dbt build (+ dbt tests) -> mart gate -> publish.

Every step runs in one process (the in-process executor: the steps share nothing but files,
and GX is imported once). Gates are blocking asset checks: a failed check fails its step and
nothing downstream of it runs, so the run fails and the serving file is left unchanged.
"""

from __future__ import annotations

import dagster as dg

REFRESH_TAG = "cx_warehouse/refresh"  # runs with it are limited to one at a time (dagster.yaml)

refresh_job = dg.define_asset_job(
    name="refresh",
    selection=dg.AssetSelection.all() | dg.AssetSelection.all_asset_checks(),
    executor_def=dg.in_process_executor,
    tags={REFRESH_TAG: "serial"},
    description=(
        "Validate the landing directory (GX raw gate), dbt build into the build file "
        "(CX_DUCKDB_PATH), validate every mart (GX mart gate), then atomically replace the "
        "serving file (CX_SERVING_PATH); on CX_TARGET=spark, dbt build into the Spark "
        "warehouse and a publish switching the views serving.<mart> (docs/spark.md). "
        "Config: resources.refresh_options.config "
        "{as_of_date, full_refresh, accept_row_count_drop}."
    ),
)
