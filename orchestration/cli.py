"""Run the ``refresh`` job in-process and say what happened; list and roll back publishes.

    python -m orchestration.cli run [--as-of-date YYYY-MM-DD] [--full-refresh]
                                    [--accept-row-count-drop]
    python -m orchestration.cli history            # every publish, newest last
    python -m orchestration.cli rollback [--to ID] # serve an earlier kept publish again

Runs against the Dagster instance in ``DAGSTER_HOME`` (default ``data/dagster``), so the run,
its checks and its metadata show up in ``make dev``. Prints where the serving file is and a
summary (marts, rows, as-of date, checks) on success; on failure, every failed check and
step with what broke, and exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestration.lib.settings import PROJECT_DIR, Settings

DAGSTER_YAML = Path(__file__).with_name("dagster.yaml")


def prepare_dagster_home() -> Path:
    """``DAGSTER_HOME`` (default ``data/dagster``) with this project's ``dagster.yaml``."""
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_DIR / "data" / "dagster")
    home = home if home.is_absolute() else PROJECT_DIR / home
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(DAGSTER_YAML, home / "dagster.yaml")
    return home


def run_config(args: argparse.Namespace, log_path: Path) -> dict[str, Any]:
    config: dict[str, Any] = {
        "full_refresh": args.full_refresh,
        "accept_row_count_drop": args.accept_row_count_drop,
    }
    if args.as_of_date:
        config["as_of_date"] = args.as_of_date
    return {
        "resources": {"refresh_options": {"config": config}},
        # a line per step on the terminal; everything else into the run's log file
        "loggers": {"progress": {}, "run_file": {"config": {"path": str(log_path)}}},
    }


def _value(metadata: dict[str, Any], key: str) -> Any:
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def _error_lines(error: Any) -> list[str]:
    """The messages of an error and its causes, without Dagster's wrapper lines."""
    lines: list[str] = []
    while error is not None:
        message = error.message.strip()
        if not message.startswith("dagster._core.errors.DagsterExecutionStepExecutionError"):
            lines += message.splitlines()
        error = error.cause
    return lines or ["(no message)"]


def check_counts(result: Any) -> str:
    """One count of every check of the run, by who ran it: ``N passed (GX raw a, dbt tests
    b, GX marts c), w warned, f failed``. dbt tests are counted from dbt's own results (data
    tests, source tests and unit tests), the GX gates from their Dagster checks."""
    from orchestration.defs.dbt.assets import run_results
    from orchestration.lib.run_records import FX_COVERAGE_CHECK, MART_GATE_CHECK, RAW_GATE_CHECK

    gx = {RAW_GATE_CHECK: "GX raw", FX_COVERAGE_CHECK: "GX raw", MART_GATE_CHECK: "GX marts"}
    passed = {"GX raw": 0, "dbt tests": 0, "GX marts": 0}
    warned = failed = 0
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.check_name not in gx:
            continue  # a dbt test: counted from run_results below
        if evaluation.passed:
            passed[gx[evaluation.check_name]] += 1
        elif evaluation.severity.value == "WARN":
            warned += 1
        else:
            failed += 1
    for node in run_results(result.run_id):
        if not node["unique_id"].startswith(("test.", "unit_test.")):
            continue
        status = node["status"]
        if status == "pass":
            passed["dbt tests"] += 1
        elif status == "warn":
            warned += 1
        elif status in ("fail", "error"):
            failed += 1
    parts = ", ".join(f"{label} {count}" for label, count in passed.items())
    return f"{sum(passed.values())} passed ({parts}), {warned} warned, {failed} failed"


def serving_location(settings: Settings) -> str:
    from orchestration.defs.publish.assets import serving_location

    return serving_location(settings)


def report(result: Any, settings: Settings, seconds: float, log_path: Path) -> int:
    """Print the outcome of an ``ExecuteInProcessResult``; returns the exit code."""
    evaluations = result.get_asset_check_evaluations()
    failed_checks = [e for e in evaluations if not e.passed]
    errors = [e for e in failed_checks if e.severity.value != "WARN"]
    if result.success:
        published = [
            m
            for m in result.get_asset_materialization_events()
            if m.asset_key.to_user_string() == "serving_warehouse"
        ]
        metadata = published[-1].materialization.metadata if published else {}
        mart_rows = _value(metadata, "mart_rows") or {}
        schema = "serving" if settings.on_spark else "marts"  # where BI reads each mart
        print(f"\nRefresh succeeded in {seconds:.1f}s (run {result.run_id}).")
        print(f"Served: {serving_location(settings)}")
        as_of, last_month = _value(metadata, "as_of_date"), _value(metadata, "last_complete_month")
        print(
            f"  as of {as_of} (last complete month {last_month}), "
            f"publish #{_value(metadata, 'publish_id')}, git {_value(metadata, 'git_sha')}"
        )
        print(f"  {len(mart_rows)} marts, {sum(mart_rows.values()):,} rows:")
        for mart, rows in sorted(mart_rows.items()):
            print(f"    {schema}.{mart:<32} {rows:>10,}")
        print(f"  checks: {check_counts(result)}")
        print(f"  Data Docs: {settings.data_docs_index}")
        print(f"  full log: {log_path}")
        return 0
    print(f"\nRefresh FAILED after {seconds:.1f}s (run {result.run_id}); nothing was published.")
    print(f"Serving unchanged: {serving_location(settings)}")
    for evaluation in errors:
        print(
            f"\n  check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed:"
        )
        description = evaluation.description or ""
        for line in description.splitlines():
            print(f"    {line}")
        docs = _value(evaluation.metadata, "data_docs")
        if docs:
            print(f"    Data Docs: {docs}")
    for event in result.get_step_failure_events():
        lines = _error_lines(event.step_failure_data.error)
        if errors and any("blocking asset check" in line for line in lines):
            continue  # already reported above, check by check
        print(f"\n  step {event.step_key} failed:")
        for line in lines[:40]:
            print(f"    {line}")
    print(f"\n  checks: {check_counts(result)}")
    print(f"  full log: {log_path}")
    return 1


def _log_warnings_to(log_path: Path) -> None:
    """Python warnings (Dagster's beta/preview notes, deprecations in libraries) are for
    developers: into the run's log file, not the terminal."""
    from orchestration.lib.run_log import file_handler

    logging.captureWarnings(True)
    warnings_logger = logging.getLogger("py.warnings")
    warnings_logger.addHandler(file_handler(log_path))
    warnings_logger.propagate = False


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    prepare_dagster_home()
    log_path = settings.log_dir / f"refresh-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    _log_warnings_to(log_path)
    if not sys.stdout.isatty():
        os.environ.setdefault("DBT_USE_COLORS", "false")
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    print(f"Refreshing from {settings.raw_dir}")
    if settings.on_spark:
        print(
            f"  on Spark: warehouse {settings.spark_warehouse}, "
            f"metastore {settings.spark_metastore}"
        )
    else:
        print(f"  build file {settings.build_path}, serving file {settings.serving_path}")
    job = defs.resolve_job_def("refresh")
    began = time.perf_counter()
    print(f"  full log: {log_path}", flush=True)
    with (
        DagsterInstance.get() as instance,
        log_path.open("a", encoding="utf-8", buffering=1) as log_file,
        contextlib.redirect_stdout(log_file),  # dbt's own lines (dagster-dbt prints them)
    ):
        result = job.execute_in_process(
            run_config=run_config(args, log_path),
            instance=instance,
            raise_on_error=False,
            tags={"cx_warehouse/trigger": "cli"},
        )
    return report(result, settings, time.perf_counter() - began, log_path)


def show_history(args: argparse.Namespace) -> int:
    from orchestration.defs.publish.history import history

    settings = Settings.from_env()
    if settings.on_spark:
        return _show_spark_history(settings)
    entries = history(settings.serving_path)
    if not entries:
        print(f"no publishes: {settings.serving_path} does not exist or has no publish log")
        return 1
    print(f"Publishes of {settings.serving_path} (* = served now, k = file kept for rollback)")
    print(
        f"{'':2} {'id':>4} {'action':<8} {'as of':<10} {'published at (UTC)':<19} "
        f"{'rows':>9} {'git':<8} changes"
    )
    for entry in entries:
        p = entry.publish
        flags = ("*" if entry.serving else " ") + ("k" if entry.kept else " ")
        print(
            f"{flags} {p.publish_id:>4} {p.action:<8} {p.as_of_date!s:<10} "
            f"{p.published_at:%Y-%m-%d %H:%M:%S} {sum(p.mart_rows.values()):>9} "
            f"{p.git_sha[:8]:<8} {entry.changes}"
        )
    return 0


def _show_spark_history(settings: Settings) -> int:
    from orchestration.lib.meta import spark_publish_log

    entries = spark_publish_log(settings.spark_warehouse)
    if not entries:
        print(f"no publishes: serving_meta.publish_log in {settings.spark_warehouse} is empty")
        return 1
    print(
        f"Publishes on Spark ({settings.spark_warehouse}; served now: serving.current_publish, "
        "normally the newest)"
    )
    print(f"{'id':>4} {'action':<8} {'as of':<10} {'published at (UTC)':<19} {'rows':>9} git")
    for p in entries:
        print(
            f"{p.publish_id:>4} {p.action:<8} {p.as_of_date!s:<10} "
            f"{p.published_at:%Y-%m-%d %H:%M:%S} {sum(p.mart_rows.values()):>9} {p.git_sha[:8]}"
        )
    return 0


def do_rollback(args: argparse.Namespace) -> int:
    from orchestration.defs.publish.serving import PublishError, rollback

    settings = Settings.from_env()
    if settings.on_spark:
        print(
            "rollback is not supported on Spark yet (CX_TARGET=spark): the kept publishes are "
            "partitions of serving_history.<mart>; nothing was changed",
            file=sys.stderr,
        )
        return 1
    try:
        record = rollback(
            settings.serving_path,
            args.to,
            keep=settings.serving_keep,
            storage_version=settings.serving_storage_version,
        )
    except PublishError as error:
        print(f"rollback failed: {error}; the serving file is unchanged", file=sys.stderr)
        return 1
    print(
        f"Rolled back: publish #{record.publish_id} serves the marts of #{record.restores} "
        f"(as of {record.as_of_date}) in {settings.serving_path}."
    )
    print(
        "The next refresh publishes a new build from the landing dir as usual; roll back "
        "again after it if the landing still holds the bad batch."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the refresh job end to end")
    run_parser.add_argument("--as-of-date", help="YYYY-MM-DD (default: newest _loaded_at)")
    run_parser.add_argument("--full-refresh", action="store_true")
    run_parser.add_argument(
        "--accept-row-count-drop",
        action="store_true",
        help="accept tables that shrank since the last publish (deliberate reload)",
    )
    commands.add_parser("history", help="list the publishes of the serving file")
    rollback_parser = commands.add_parser(
        "rollback", help="serve an earlier kept publish again (atomically, logged)"
    )
    rollback_parser.add_argument(
        "--to", type=int, help="publish id (default: the refresh publish before what is served)"
    )
    args = parser.parse_args(argv)
    handlers = {"run": run, "history": show_history, "rollback": do_rollback}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
