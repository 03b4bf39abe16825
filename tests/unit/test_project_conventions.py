"""Conventions every model must keep, read from the dbt manifest: documented, tested,
contracts on marts, every mart gated behind int_validated_reporting_period, and the layout
(intermediate models in models/intermediate/<area>/ with their yml, unit tests beside their
model)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import PurePosixPath

import pytest

from orchestration.lib.dbt_cli import dbt_command
from tests.support.dbt_build import PROJECT_DIR

INTERMEDIATE = PurePosixPath("models/intermediate")
GATE = "model.cx_warehouse.int_validated_reporting_period"
PII_COLUMNS = {"email", "full_name", "comment"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("parse")
    env = {**os.environ, "CX_DUCKDB_PATH": str(work / "parse.duckdb")}
    subprocess.run(
        dbt_command("parse", target_path=work / "target", log_path=work),
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


def folder_of(node: dict) -> PurePosixPath:
    return PurePosixPath(node["original_file_path"]).parent


def yml_path(patch_path: str) -> PurePosixPath:
    """The yml file of a manifest ``patch_path`` (``cx_warehouse://models/...yml``)."""
    return PurePosixPath(patch_path.split("://", 1)[1])


def test_intermediate_models_have_their_yml_in_their_area_folder(manifest: dict) -> None:
    intermediate = [
        m for m in models(manifest) if INTERMEDIATE in (folder_of(m), *folder_of(m).parents)
    ]
    assert intermediate
    for model in intermediate:
        folder = folder_of(model)
        assert folder.parent == INTERMEDIATE, (
            f"{model['name']} belongs in a folder models/intermediate/<area>/, not {folder}"
        )
        assert model["patch_path"], f"{model['name']} has no yml"
        expected = folder / f"_int_{folder.name}__models.yml"
        assert yml_path(model["patch_path"]) == expected, (
            f"{model['name']} is documented in {yml_path(model['patch_path'])}, not {expected}"
        )


def test_every_unit_test_sits_in_its_models_folder(manifest: dict) -> None:
    nodes = manifest["nodes"]
    for unit_test in manifest["unit_tests"].values():
        model = nodes[f"model.cx_warehouse.{unit_test['model']}"]
        folder = folder_of(model)
        yml = PurePosixPath(unit_test["original_file_path"])
        assert yml.parent == folder, (
            f"unit test {unit_test['name']} is in {yml}, not beside {model['name']} in {folder}"
        )
        if folder.parent == INTERMEDIATE:
            assert yml.name == f"_int_{folder.name}__unit_tests.yml", (
                f"unit test {unit_test['name']} belongs in _int_{folder.name}__unit_tests.yml"
            )
