"""Stage raw: the landing tables, the GX raw gate on them, and the new-batch sensor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from orchestration.defs.raw.assets import raw_asset_specs
from orchestration.defs.raw.gate import build_raw_gate
from orchestration.defs.raw.sensors import new_batch_sensor


def definitions(manifest: Mapping[str, Any]) -> dg.Definitions:
    return dg.Definitions(
        assets=raw_asset_specs(manifest),
        asset_checks=[build_raw_gate()],
        sensors=[new_batch_sensor],
    )
