"""The dbt command line of this project, for dbt run in a process of its own (the Spark
publish, the benchmark, the tests): the venv's dbt, this project and its profiles, and a
target and log dir of the caller's."""

from __future__ import annotations

import sys
from pathlib import Path

from orchestration.lib.settings import PROJECT_DIR

DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def dbt_command(
    command: str, *args: str, target_path: Path, log_path: Path | None = None
) -> list[str]:
    """``dbt <command> <args>`` on this project, artifacts in ``target_path`` and the log in
    ``log_path`` (default: ``target_path``)."""
    return [
        DBT_EXECUTABLE,
        command,
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path or target_path),
    ]
