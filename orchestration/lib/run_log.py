"""What a refresh prints, and where its full log goes.

The ``progress`` logger prints one line per step (raw gate, dbt build, mart gate, publish)
when it starts and ends, with the elapsed time, and the lines a step marks as progress
(``progress(...)``: one per table in the raw gate). The ``run_file`` logger writes every
Dagster log line of the run to a file, which the CLI summary names. Neither prints colour
codes; ``cli run`` uses these two instead of Dagster's colored console logger (``make dev``
keeps the console logger) and sends whatever else is printed to stdout into the log file.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from pathlib import Path

import dagster as dg

PROGRESS = "progress: "
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STEPS = {
    "raw_gate": "raw gate (GX on the landing dir)",
    "dbt_build": "dbt build (models and dbt tests)",
    "mart_gate": "mart gate (GX on every mart)",
    "serving_warehouse": "publish (the marts switched in for readers in one step)",
}


def progress(message: str) -> str:
    """A log message the ``progress`` logger prints (``context.log.info(progress(...))``)."""
    return PROGRESS + message


def plain(text: str) -> str:
    return ANSI.sub("", text)


class _ProgressHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.began = time.perf_counter()
        self.step_began: dict[str, float] = {}

    def _print(self, text: str) -> None:
        elapsed = time.perf_counter() - self.began
        # the real terminal: cli run sends everything else printed to stdout (dagster-dbt
        # echoes every dbt line there) into the run's log file
        print(f"[{elapsed:6.1f}s] {text}", file=sys.__stdout__, flush=True)

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", {}) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        name = STEPS.get(step, step)
        kind = event.event_type_value if event is not None else None
        if kind == "STEP_START":
            self.step_began[step] = time.perf_counter()
            self._print(f"{name} ...")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = time.perf_counter() - self.step_began.get(step, self.began)
            outcome = "done" if kind == "STEP_SUCCESS" else "FAILED"
            self._print(f"{name} {outcome} in {seconds:.1f}s")
        elif kind == "STEP_SKIPPED":
            self._print(f"{name} skipped (an earlier step failed)")
        elif event is None:
            message = str(meta.get("orig_message") or "")
            if message.startswith(PROGRESS):
                self._print("  " + plain(message.removeprefix(PROGRESS)))


@dg.logger(description="one line per step and per progress message, with elapsed time")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("cx_progress", level=logging.DEBUG)  # step events are DEBUG
    logger.addHandler(_ProgressHandler())
    return logger


class _PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return plain(super().format(record))


def file_handler(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_PlainFormatter("%(asctime)s %(levelname)-7s %(message)s"))
    return handler


@dg.logger(
    config_schema={"path": dg.Field(str, description="the log file (appended to)")},
    description="every log line of the run, without colour codes, into a file",
)
def run_file_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("cx_run_file", level=logging.DEBUG)
    logger.addHandler(file_handler(Path(init_context.logger_config["path"])))
    return logger
