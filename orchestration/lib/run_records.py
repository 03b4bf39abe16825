"""What earlier steps of the same run recorded, read back from the run's event log.

The raw gate records the landing fingerprint it validated; dbt compares it after the build,
and the publish step only publishes when every gate passed in this very run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dagster as dg

RAW_GATE_CHECK = "gx_raw_gate"
FX_COVERAGE_CHECK = "gx_fx_rate_coverage"
MART_GATE_CHECK = "gx_mart_gate"
FINGERPRINT_KEY = "landing_fingerprint"


@dataclass(frozen=True)
class CheckOutcome:
    asset_key: dg.AssetKey
    check_name: str
    passed: bool
    metadata: dict[str, Any]


def check_outcomes(context: dg.OpExecutionContext | dg.AssetExecutionContext) -> list[CheckOutcome]:
    """Every asset check evaluation recorded so far in this run, oldest first."""
    connection = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    )
    outcomes = []
    for record in connection.records:
        event = record.event_log_entry.dagster_event
        evaluation = event.event_specific_data if event else None
        if evaluation is None:
            continue
        outcomes.append(
            CheckOutcome(
                asset_key=evaluation.asset_key,
                check_name=evaluation.check_name,
                passed=evaluation.passed,
                metadata={k: v.value for k, v in evaluation.metadata.items()},
            )
        )
    return outcomes


def gate_fingerprint(context: dg.OpExecutionContext | dg.AssetExecutionContext) -> str | None:
    """The landing fingerprint the raw gate validated in this run (None if it did not run)."""
    for outcome in check_outcomes(context):
        if outcome.check_name == RAW_GATE_CHECK and FINGERPRINT_KEY in outcome.metadata:
            return str(outcome.metadata[FINGERPRINT_KEY])
    return None
