"""`make run` as a person reads it: a line per step (and per raw table) with its time, no
colour codes or developer warnings, one check count with its parts named, the full log in a
file the summary names."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.lib.contract import raw_tables
from orchestration.lib.settings import PROJECT_DIR

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def run_output(tmp_path_factory: pytest.TempPathFactory, generated_landing: Path) -> str:
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(generated_landing, root / "raw")
    env = {
        **os.environ,
        "CX_RAW_DIR": str(root / "raw"),
        "CX_DUCKDB_PATH": str(root / "wh" / "cx.duckdb"),
        "CX_SERVING_PATH": str(root / "wh" / "serving.duckdb"),
        "CX_GX_DIR": str(root),
        "CX_LOG_DIR": str(root / "logs"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def test_a_line_per_step_and_per_raw_table_with_times(run_output: str) -> None:
    steps = re.findall(r"^\[\s*\d+\.\ds\] (\S+ \S+) .* done in \d+\.\ds$", run_output, re.M)
    assert steps == ["raw gate", "dbt build", "mart gate", "publish (the"]
    for table in raw_tables():
        assert re.search(rf"^\[\s*\d+\.\ds\]   {table}: [\d,]+ current rows", run_output, re.M)
    assert len(run_output.splitlines()) < 60


def test_no_colour_codes_no_warnings_no_dbt_chatter(run_output: str) -> None:
    assert "\x1b[" not in run_output
    assert "Warning" not in run_output
    assert " START " not in run_output and "PASS=" not in run_output  # dbt's lines: the log


def test_one_check_count_with_its_parts(run_output: str) -> None:
    (line,) = [line for line in run_output.splitlines() if line.strip().startswith("checks:")]
    match = re.fullmatch(
        r"\s*checks: (\d+) passed \(GX raw (\d+), dbt tests (\d+), GX marts (\d+)\), "
        r"0 warned, 0 failed",
        line,
    )
    assert match, line
    total, raw, dbt, marts = map(int, match.groups())
    assert total == raw + dbt + marts
    assert raw == len(raw_tables()) + 1  # a gate per raw table and the FX coverage
    assert marts == 14 and dbt > 300


def test_the_full_log_is_a_file_the_summary_names(run_output: str) -> None:
    (path,) = set(re.findall(r"full log: (\S+)", run_output))
    log = Path(path).read_text()
    assert "Completed successfully" in log  # dbt's own lines are there
    assert "STEP_SUCCESS" in log or "Finished execution of step" in log
    assert "\x1b[" not in log
