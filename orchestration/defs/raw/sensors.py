"""Start a refresh when a new batch lands in the landing directory.

The cursor is the set of batch files already seen (``<source>/<table>/<file>``). New files
are grouped into batches by file name (a loader writes ``batch_0042.parquet`` into each
table it loads), and each new batch starts exactly one run (its run key names the batch and
its files, so a re-evaluated tick never starts it twice). A file must have been settled for
``CX_SENSOR_SETTLE_SECONDS`` (by its change time, which a rename into place updates) before
it counts, so a batch whose tables are still being renamed into place is taken whole on a
later tick. The first evaluation only records what is already there.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict

import dagster as dg

from orchestration.jobs import refresh_job
from orchestration.lib.landing import batch_files
from orchestration.lib.settings import Settings

BATCH_TAG = "cx_warehouse/batch"


def new_batch_requests(
    settings: Settings, cursor: str | None, now: float | None = None
) -> tuple[list[dg.RunRequest], str, int]:
    """Run requests for batches not in ``cursor``, the new cursor, and how many new files are
    still settling."""
    now = time.time() if now is None else now
    present: dict[str, float] = {}
    for table, files in batch_files(settings.raw_dir).items():
        for file in files:
            stat = file.path.stat()
            present[f"{table}/{file.name}"] = max(stat.st_mtime, stat.st_ctime)
    settled = {
        f for f, changed in present.items() if now - changed >= settings.sensor_settle_seconds
    }
    seen = set(json.loads(cursor)) if cursor is not None else set()
    unsettled = len(present.keys() - settled - seen)
    if cursor is None:
        return [], json.dumps(sorted(settled)), unsettled
    new = sorted(settled - seen)
    batches: dict[str, list[str]] = defaultdict(list)
    for path in new:
        batches[path.rsplit("/", 1)[1]].append(path)
    requests = [
        dg.RunRequest(
            run_key=f"{name}:{hashlib.sha256(json.dumps(paths).encode()).hexdigest()[:12]}",
            tags={BATCH_TAG: name, "cx_warehouse/trigger": "new_batch"},
        )
        for name, paths in sorted(batches.items())
    ]
    # forget files that disappeared, so the cursor stays the landing's current files
    next_cursor = json.dumps(sorted((seen & present.keys()) | settled))
    return requests, next_cursor, unsettled


@dg.sensor(
    name="new_batch_sensor",
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts one refresh per new batch file set landing under CX_RAW_DIR.",
)
def new_batch_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = Settings.from_env()
    if not settings.raw_dir.is_dir():
        return dg.SkipReason(f"landing directory {settings.raw_dir} does not exist")
    requests, cursor, unsettled = new_batch_requests(settings, context.cursor)
    if context.cursor is None:
        context.update_cursor(cursor)
        return dg.SkipReason(f"first evaluation: {len(json.loads(cursor))} batch files recorded")
    if not requests:
        context.update_cursor(cursor)
        waiting = f" ({unsettled} file(s) still settling)" if unsettled else ""
        return dg.SkipReason(f"no new batch{waiting}")
    return dg.SensorResult(run_requests=requests, cursor=cursor)
