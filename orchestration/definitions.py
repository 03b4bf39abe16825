"""The cx-warehouse Dagster code location (``dagster dev -m orchestration.definitions``).

Asset graph, one stage per package under ``defs/``: raw landing tables with the GX raw gate
(``defs/raw``) -> dbt models with dbt tests as checks (``defs/dbt``) -> the GX mart gate on
every mart (``defs/marts``) -> ``serving_warehouse`` (``defs/publish``). Job ``refresh``,
schedule ``daily_refresh``, sensor ``new_batch_sensor``.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs.dbt import definitions as dbt_stage
from orchestration.defs.dbt.project import load_manifest
from orchestration.defs.marts import definitions as marts_stage
from orchestration.defs.publish import definitions as publish_stage
from orchestration.defs.raw import definitions as raw_stage
from orchestration.jobs import refresh_job
from orchestration.lib.options import RefreshOptions
from orchestration.lib.run_log import progress_logger, run_file_logger
from orchestration.schedules import daily_refresh


def build_definitions() -> dg.Definitions:
    manifest = load_manifest()
    return dg.Definitions.merge(
        raw_stage.definitions(manifest),
        dbt_stage.definitions(),
        marts_stage.definitions(manifest),
        publish_stage.definitions(manifest),
        dg.Definitions(
            jobs=[refresh_job],
            schedules=[daily_refresh],
            resources={"refresh_options": RefreshOptions()},
            loggers={
                **dg.default_loggers(),  # the console logger, for make dev and schedules
                "progress": progress_logger,  # cli run: a line per step
                "run_file": run_file_logger,  # cli run: the full log, into a file
            },
        ),
    )


defs = build_definitions()
