"""Benchmark the warehouse at a scale: make bench SCALE=S|M|L (10k, 100k, 1M accounts).

Measures, in one run on the same generated landing dir (cached in data/bench/<scale>/raw):

- io_floor: DuckDB decoding every column of every raw table once (the least any build reads);
- dbt_full: a full `dbt build` into a fresh DuckDB file;
- refresh_job: the Dagster `refresh` job end to end (raw gate, dbt build, mart gate, publish)
  into a fresh build file;
- incremental: the `refresh` job again after one more daily batch lands (new rows and updates
  of existing rows), on the build file the previous step left; plus the bare dbt build of the
  same batch (incremental_dbt);
- defs_load: importing the Dagster definitions.

``--engine spark`` (make bench ENGINE=spark) measures io_floor, dbt_full and refresh_job on
the spark target (a local PySpark session, its warehouse and metastore under the work dir):
every Spark build is a full build, so the incremental steps would measure dbt_full again and
are left out. Figures go to bench/results/<scale>-spark.json.

Every step runs in its own process; its wall time and peak RSS are recorded. Figures go to
bench/results/<scale>.json and a table is printed. Timings belong here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
SCALES = {"S": 10_000, "M": 100_000, "L": 1_000_000}
SEED = 42
AS_OF = date(2026, 7, 15)
BIN = Path(sys.executable).parent
sys.path.insert(0, str(PROJECT_DIR))

# Runs a command, then prints its wall seconds and the peak RSS of its process tree. Run in a
# fresh interpreter per step, so RUSAGE_CHILDREN covers that step's command alone.
MEASURE = """
import json, resource, subprocess, sys, time
command, env = json.loads(sys.argv[1]), json.loads(sys.argv[2])
start = time.perf_counter()
result = subprocess.run(command, env=env, capture_output=True, text=True)
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
tail = (result.stdout + result.stderr)[-3000:]
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kb / 1024,
                  "returncode": result.returncode, "tail": tail, "stdout": result.stdout}))
"""

IO_FLOOR = """
import sys, duckdb
from orchestration.lib.contract import raw_tables
con = duckdb.connect()
rows = 0
for table in raw_tables().values():
    glob = f"{sys.argv[1]}/{table.path}/*.parquet"
    decode = ", ".join(f"max({name})" for name in table.schema.names)
    rows += con.sql(f"select count(*), {decode} from read_parquet('{glob}')").fetchall()[0][0]
print(rows)
"""

DEFS_LOAD = """
import time
start = time.perf_counter()
from orchestration.definitions import defs
defs.resolve_all_job_defs()
print(time.perf_counter() - start)
"""


def measure(step: str, command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``command`` in its own process tree; fail loudly if it fails."""
    print(f"[bench] {step} ...", flush=True)
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(command), json.dumps(env)],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_DIR,
    )
    result = json.loads(out.stdout)
    if result["returncode"] != 0:
        raise SystemExit(f"[bench] {step} failed:\n{result['tail']}")
    print(f"[bench] {step}: {result['seconds']:.1f}s, {result['peak_rss_mb']:.0f} MB", flush=True)
    return result


# a line the refresh prints per step (orchestration/lib/run_log.py): "[ 12.3s] <label> done in 4.5s"
STEP_DONE = re.compile(r"^\[\s*[\d.]+s\] (?P<label>.+) done in (?P<seconds>[\d.]+)s$", re.MULTILINE)


def job_split(result: dict[str, Any]) -> dict[str, float]:
    """Seconds of each step of a refresh job (raw_gate, dbt_build, mart_gate, publish) from
    what it printed; ``other`` is the rest of the wall time (start-up, Dagster itself)."""
    from orchestration.lib.run_log import STEPS

    step_of = {label: step for step, label in STEPS.items()}
    split = {
        step_of[m["label"]]: float(m["seconds"])
        for m in STEP_DONE.finditer(result["stdout"])
        if m["label"] in step_of
    }
    if set(split) != set(STEPS):
        raise SystemExit(f"[bench] the refresh printed steps {sorted(split)}, not {sorted(STEPS)}")
    split["other"] = round(result["seconds"] - sum(split.values()), 2)
    return split


def sql_floor(target: Path, build: Path, work: Path, env: dict[str, str]) -> dict[str, Any]:
    """bench/sql_floor.py on the manifest of the full build just made: the models' SQL alone."""
    script = str(PROJECT_DIR / "bench" / "sql_floor.py")
    command = [str(BIN / "python"), script, str(target / "manifest.json"), str(build), str(work)]
    result = measure("sql_floor", command, env)
    result["seconds"] = float(result["tail"].strip().splitlines()[-1])  # the models alone
    return result


def landing_dir(scale: str) -> Path:
    """The cached landing dir of a scale, generated on first use."""
    raw = PROJECT_DIR / "data" / "bench" / scale / "raw"
    if not any(raw.glob("*/*/*.parquet")):
        subprocess.run(
            [
                str(BIN / "python"),
                "-m",
                "orchestration.sample_data",
                "--out",
                str(raw),
                "--accounts",
                str(SCALES[scale]),
                "--seed",
                str(SEED),
                "--as-of",
                AS_OF.isoformat(),
            ],
            check=True,
            cwd=PROJECT_DIR,
        )
    return raw


def dbt_build(env: dict[str, str], target: Path, *args: str) -> list[str]:
    from orchestration.lib.dbt_cli import dbt_command

    return dbt_command("build", *args, target_path=target, log_path=target / "logs")


def slowest_models(target: Path, top: int = 10) -> list[dict[str, Any]]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    timed = sorted(results, key=lambda r: r["execution_time"], reverse=True)
    return [
        {"node": r["unique_id"].split(".", 2)[-1], "seconds": round(r["execution_time"], 2)}
        for r in timed[:top]
    ]


def engine_env(engine: str, work: Path) -> dict[str, str]:
    """The variables that select the engine (nothing for DuckDB, the default)."""
    if engine == "duckdb":
        return {}
    return {
        "CX_TARGET": "spark",
        "CX_SPARK_WAREHOUSE": str(work / "spark-warehouse"),
        "CX_SPARK_METASTORE": str(work / "spark-metastore"),
    }


def run(scale: str, engine: str = "duckdb") -> dict[str, Any]:
    raw = landing_dir(scale)
    work = PROJECT_DIR / "data" / "bench" / scale / f"work-{engine}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # the refresh steps land a new batch: work on a hard-linked copy (batch files are
    # never rewritten), so the cached landing dir stays as generated
    landing = work / "raw"
    shutil.copytree(raw, landing, copy_function=os.link)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CX_")}
    base_env.update(engine_env(engine, work))
    # the bare dbt builds read the same landing copy as the job: the incremental one is then
    # an append of one batch, not another landing dir (which dbt would restage in full)
    full_env = {**base_env, "CX_RAW_DIR": str(landing), "CX_DUCKDB_PATH": str(work / "full.duckdb")}
    job_env = {
        **base_env,
        "CX_RAW_DIR": str(landing),
        "CX_DUCKDB_PATH": str(work / "build.duckdb"),
        "CX_SERVING_PATH": str(work / "serving.duckdb"),
        "DAGSTER_HOME": str(work / "dagster"),
    }
    job = [str(BIN / "python"), "-m", "orchestration.cli", "run"]

    steps: dict[str, dict[str, Any]] = {}
    io = measure("io_floor", [str(BIN / "python"), "-c", IO_FLOOR, str(raw)], base_env)
    raw_rows = int(io["tail"].strip().splitlines()[-1])
    steps["io_floor"] = io
    steps["dbt_full"] = measure("dbt_full", dbt_build(full_env, work / "target_full"), full_env)
    slowest = slowest_models(work / "target_full")
    figures: dict[str, Any] = {"scale": scale, "engine": engine, "accounts": SCALES[scale]}
    figures["raw_rows"] = raw_rows
    if engine == "duckdb":
        floor = sql_floor(work / "target_full", work / "full.duckdb", work / "floor", base_env)
        steps["sql_floor"] = floor
    steps["refresh_job"] = measure("refresh_job", job, job_env)
    split = {"refresh_job": job_split(steps["refresh_job"])}
    if engine == "duckdb":
        from orchestration.sample_data import append_daily_batch

        batch_rows = append_daily_batch(landing, SEED, AS_OF + timedelta(days=1))
        steps["incremental"] = measure("incremental", job, job_env)
        split["incremental"] = job_split(steps["incremental"])
        steps["incremental_dbt"] = measure(
            "incremental_dbt", dbt_build(full_env, work / "target_full"), full_env
        )
        steps["defs_load"] = measure("defs_load", [str(BIN / "python"), "-c", DEFS_LOAD], base_env)
        figures["daily_batch_rows"] = sum(batch_rows.values())
        defs_load = steps["defs_load"]["tail"].strip().splitlines()[-1]
    timed = {f"{step}_s": round(result["seconds"], 2) for step, result in steps.items()}
    if engine == "duckdb":  # the import itself, not the interpreter's start
        timed["defs_load_s"] = round(float(defs_load), 2)
        figures["ratios"] = {  # the targets of docs/performance.md
            "daily_job_over_full_job": round(timed["incremental_s"] / timed["refresh_job_s"], 3),
            "full_job_over_dbt_full": round(timed["refresh_job_s"] / timed["dbt_full_s"], 3),
            "dbt_full_over_sql_floor": round(timed["dbt_full_s"] / timed["sql_floor_s"], 3),
        }
    return {
        **figures,
        **timed,
        # the warehouse's own steps (the SQL floor runs without the profile's memory limit)
        "peak_rss_mb": round(max(s["peak_rss_mb"] for k, s in steps.items() if k != "sql_floor")),
        "peak_rss_mb_by_step": {k: round(s["peak_rss_mb"]) for k, s in steps.items()},
        "seconds_by_step": {k: round(s["seconds"], 2) for k, s in steps.items()},
        "job_split_s": split,
        "slowest_dbt_nodes": slowest,
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": _memory_gb(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }


def _memory_gb() -> float:
    with open("/proc/meminfo") as meminfo:
        kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    return round(kb / 1024 / 1024, 1)


def print_table(figures: dict[str, Any]) -> None:
    floor = figures["io_floor_s"]
    print(
        f"\nscale {figures['scale']} on {figures['engine']}: {figures['accounts']:,} accounts, "
        f"{figures['raw_rows']:,} raw rows"
        + (
            f" (daily batch {figures['daily_batch_rows']:,})"
            if "daily_batch_rows" in figures
            else ""
        )
    )
    print(f"{'step':<18}{'seconds':>10}{'x io floor':>12}{'rows/s':>14}{'peak MB':>10}")
    for step, seconds in figures["seconds_by_step"].items():
        rate = figures["raw_rows"] / seconds if seconds else 0
        print(
            f"{step:<18}{seconds:>10.1f}{seconds / floor:>12.1f}{rate:>14,.0f}"
            f"{figures['peak_rss_mb_by_step'][step]:>10,}"
        )
    for job, split in figures["job_split_s"].items():
        print(f"{job} by step: " + ", ".join(f"{k} {v:.1f}s" for k, v in split.items()))
    for ratio, value in figures.get("ratios", {}).items():
        print(f"{ratio}: {value:.2f}")
    print("\nslowest dbt nodes (full build):")
    for node in figures["slowest_dbt_nodes"]:
        print(f"  {node['seconds']:>8.2f}s  {node['node']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="M")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    arguments = parser.parse_args()
    figures = run(arguments.scale, arguments.engine)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    suffix = "" if arguments.engine == "duckdb" else f"-{arguments.engine}"
    out = RESULTS_DIR / f"{arguments.scale}{suffix}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print_table(figures)
    print(f"\nwritten {out.relative_to(PROJECT_DIR)}")


if __name__ == "__main__":
    main()
