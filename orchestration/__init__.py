"""cx-warehouse orchestration: Dagster definitions, quality gates, publish, sample data."""
