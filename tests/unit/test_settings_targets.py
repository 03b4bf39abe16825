"""Settings and profiles.yml name the same engine and Spark dirs (one pairing, two readers)."""

from __future__ import annotations

import re

import pytest

from orchestration.lib.settings import PROJECT_DIR, Settings


def _profile_default(variable: str) -> str:
    text = (PROJECT_DIR / "profiles.yml").read_text()
    (default,) = set(re.findall(rf"env_var\('{variable}', '([^']*)'\)", text))
    return default


def test_defaults_are_the_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("CX_TARGET", "CX_SPARK_WAREHOUSE", "CX_SPARK_METASTORE"):
        monkeypatch.delenv(variable, raising=False)
    settings = Settings.from_env()
    assert settings.target == _profile_default("CX_TARGET") == "duckdb"
    warehouse = _profile_default("CX_SPARK_WAREHOUSE")
    assert settings.spark_warehouse == PROJECT_DIR / warehouse
    text = (PROJECT_DIR / "profiles.yml").read_text()
    assert f"env_var('CX_SPARK_WAREHOUSE', '{warehouse}') ~ '-metastore'" in text
    assert settings.spark_metastore == PROJECT_DIR / f"{warehouse}-metastore"


def test_spark_settings_go_to_dbt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CX_TARGET", "spark")
    monkeypatch.setenv("CX_SPARK_WAREHOUSE", "/tmp/wh")
    monkeypatch.delenv("CX_SPARK_METASTORE", raising=False)
    monkeypatch.setenv("CX_SPARK_CORES", "1")
    env = Settings.from_env().dbt_env
    assert env["CX_TARGET"] == "spark"
    assert env["CX_SPARK_WAREHOUSE"] == "/tmp/wh"
    assert env["CX_SPARK_METASTORE"] == "/tmp/wh-metastore"
    assert env["CX_SPARK_CORES"] == "1"


def test_an_unknown_target_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CX_TARGET", "postgres")
    with pytest.raises(ValueError, match="CX_TARGET must be one of duckdb, spark"):
        Settings.from_env()
