"""A daily refresh, after the loaders' nightly batches (02:00 UTC)."""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import refresh_job

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Refresh the warehouse every day at 03:00 UTC.",
)
