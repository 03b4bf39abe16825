"""Run configuration of a refresh, shared by every step of the job (a Dagster resource).

run_config = {"resources": {"refresh_options": {"config": {"as_of_date": "2026-07-15"}}}}
"""

from __future__ import annotations

from datetime import date, datetime, time

import dagster as dg


class RefreshOptions(dg.ConfigurableResource):
    """``as_of_date`` (YYYY-MM-DD, default: the date of the newest ``_loaded_at``) goes to
    ``dbt build --vars``; ``full_refresh`` adds ``--full-refresh``;
    ``accept_row_count_drop`` lets the raw gate accept tables that shrank since the last
    publish (for a deliberate reload of the landing directory)."""

    as_of_date: str | None = None
    full_refresh: bool = False
    accept_row_count_drop: bool = False

    def as_of(self) -> date | None:
        if self.as_of_date is None or not self.as_of_date.strip():
            return None
        try:
            return date.fromisoformat(self.as_of_date.strip())
        except ValueError as error:
            raise dg.Failure(f"as_of_date must be YYYY-MM-DD, got {self.as_of_date!r}") from error

    def as_of_end(self) -> datetime | None:
        """The end of the as-of day, the reference time for freshness; None when not given."""
        as_of = self.as_of()
        return None if as_of is None else datetime.combine(as_of, time.max)
