"""Stage publish: the serving file, replaced atomically once every gate of the run passed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from orchestration.defs.dbt.project import mart_key, mart_models
from orchestration.defs.publish.assets import build_publish_asset
from orchestration.defs.raw.assets import raw_asset_key
from orchestration.defs.raw.gate import FX_TABLE
from orchestration.lib.contract import raw_tables


def definitions(manifest: Mapping[str, Any]) -> dg.Definitions:
    publish = build_publish_asset(
        {node["name"]: mart_key(node) for node in mart_models(manifest)},
        [raw_asset_key(table) for table in raw_tables()],
        raw_asset_key(FX_TABLE),
    )
    return dg.Definitions(assets=[publish])
