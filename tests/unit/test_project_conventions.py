"""Conventions every model must keep, read from the dbt manifest: documented, tested,
contracts on marts, and every mart gated behind int_validated_reporting_period."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dbt_build import PROJECT_DIR

DBT = Path(sys.executable).parent / "dbt"
GATE = "model.cx_warehouse.int_validated_reporting_period"
PII_COLUMNS = {"email", "full_name", "comment"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("parse")
    env = {**os.environ, "CX_DUCKDB_PATH": str(work / "parse.duckdb")}
    subprocess.run(
        [
            str(DBT),
            "parse",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work),
        ],
        check=True,
        capture_output=True,
        env=env,
        cwd=PROJECT_DIR,
    )
    return json.loads((work / "target" / "manifest.json").read_text())


def models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def models_with_tests(manifest: dict) -> set[str]:
    return {
        parent
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("test", "unit_test")
        for parent in node["depends_on"]["nodes"]
    }


def test_every_model_is_documented_and_tested(manifest: dict) -> None:
    tested = models_with_tests(manifest)
    for model in models(manifest):
        assert model["description"].strip(), f"{model['name']} has no description"
        # a model too large to scan twice may name the model whose tests cover it
        covered_by = model["config"].get("meta", {}).get("tested_in")
        tested_id = f"model.cx_warehouse.{covered_by}" if covered_by else model["unique_id"]
        assert tested_id in tested, f"{model['name']} has no test"


def test_marts_enforce_contracts_with_typed_documented_columns(manifest: dict) -> None:
    marts = [m for m in models(manifest) if m["schema"] == "marts"]
    assert len(marts) >= 5
    for mart in marts:
        assert mart["config"]["contract"]["enforced"], mart["name"]
        for column in mart["columns"].values():
            assert column["data_type"], f"{mart['name']}.{column['name']} has no data_type"
            assert column["description"].strip(), f"{mart['name']}.{column['name']} undocumented"
            assert column["name"] not in PII_COLUMNS, f"PII column in {mart['name']}"


def test_every_mart_waits_for_the_validated_reporting_period(manifest: dict) -> None:
    for mart in (m for m in models(manifest) if m["schema"] == "marts"):
        assert GATE in mart["depends_on"]["nodes"], (
            f"{mart['name']} must ref or depend on int_validated_reporting_period"
        )


def test_the_gate_waits_for_every_intermediate_model(manifest: dict) -> None:
    gate = manifest["nodes"][GATE]
    intermediate = {
        m["unique_id"]
        for m in models(manifest)
        if m["schema"] == "intermediate"
        and m["unique_id"] != GATE
        and m["name"] != "int_reporting_period"
    }
    assert intermediate <= set(gate["depends_on"]["nodes"]), (
        "add these to int_validated_reporting_period: "
        f"{sorted(intermediate - set(gate['depends_on']['nodes']))}"
    )
