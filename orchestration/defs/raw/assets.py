"""The landing tables as external Dagster assets (group ``raw``), described from the dbt yml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from orchestration.lib.contract import batch_file_glob

RAW_GROUP = "raw"


def raw_asset_key(table: str) -> dg.AssetKey:
    """``crm/accounts`` -> the key dagster-dbt gives the dbt source ``crm.accounts``."""
    return dg.AssetKey(table.split("/"))


def raw_asset_specs(manifest: Mapping[str, Any]) -> list[dg.AssetSpec]:
    """The landing tables as external assets, described from the dbt sources yml."""
    groups = {g["name"]: g for g in manifest.get("groups", {}).values()}
    owner = (groups.get("staging") or {}).get("owner", {}).get("email")
    specs = []
    for source in sorted(manifest["sources"].values(), key=lambda s: s["unique_id"]):
        table = f"{source['source_name']}/{source['name']}"
        specs.append(
            dg.AssetSpec(
                key=raw_asset_key(table),
                group_name=RAW_GROUP,
                description=(
                    f"{source['description']}\n\nLanding files: "
                    f"$CX_RAW_DIR/{table}/{batch_file_glob()} (docs/raw-contract.md)."
                ),
                owners=[owner] if owner else None,
                kinds={"parquet"},
                metadata={"landing_glob": f"$CX_RAW_DIR/{table}/{batch_file_glob()}"},
            )
        )
    return specs
