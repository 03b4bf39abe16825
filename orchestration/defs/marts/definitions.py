"""Stage marts: the GX mart gate on every model in schema ``marts``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from orchestration.defs.dbt.project import mart_models
from orchestration.defs.marts.gate import build_mart_gate


def definitions(manifest: Mapping[str, Any]) -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_mart_gate(mart_models(manifest))])
