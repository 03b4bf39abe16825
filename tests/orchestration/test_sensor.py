"""The new-batch sensor: exactly one run per new batch, none for files already seen or still
being written."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.raw.sensors import BATCH_TAG, new_batch_requests, new_batch_sensor
from orchestration.lib.contract import raw_tables
from orchestration.lib.settings import Settings
from orchestration.sample_data import append_daily_batch, generate


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    raw = tmp_path / "raw"
    generate(raw, accounts=20, seed=3, as_of=date(2026, 7, 1), batches=1)
    monkeypatch.setenv("CX_RAW_DIR", str(raw))
    monkeypatch.setenv("CX_SENSOR_SETTLE_SECONDS", "0")
    return raw


def evaluate(cursor: str | None) -> tuple[list[dg.RunRequest], str | None]:
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(cursor=cursor, instance=instance)
        result = new_batch_sensor(context)
        if isinstance(result, dg.SensorResult):
            return list(result.run_requests or []), result.cursor
        return [], context.cursor


def test_one_run_per_new_batch_and_none_twice(landing: Path) -> None:
    requests, cursor = evaluate(None)
    assert requests == []  # the first evaluation records what is there
    assert len(json.loads(cursor)) == len(raw_tables())

    assert evaluate(cursor)[0] == []

    append_daily_batch(landing, 3, date(2026, 7, 2))
    requests, cursor = evaluate(cursor)
    assert [r.tags[BATCH_TAG] for r in requests] == ["batch_0002.parquet"]
    assert evaluate(cursor)[0] == []  # the same batch never starts a second run

    append_daily_batch(landing, 3, date(2026, 7, 3))
    append_daily_batch(landing, 3, date(2026, 7, 4))
    requests, cursor = evaluate(cursor)
    assert [r.tags[BATCH_TAG] for r in requests] == ["batch_0003.parquet", "batch_0004.parquet"]
    assert len({r.run_key for r in requests}) == 2
    assert evaluate(cursor)[0] == []


def test_files_still_settling_wait_for_a_later_tick(landing: Path) -> None:
    settings = Settings.from_env()
    _, cursor, _ = new_batch_requests(settings, None)
    append_daily_batch(landing, 3, date(2026, 7, 2))
    newest = max(p.stat().st_ctime for p in landing.rglob("*.parquet"))
    waiting = Settings(**{**settings.__dict__, "sensor_settle_seconds": 60})

    requests, unchanged, unsettled = new_batch_requests(waiting, cursor, now=newest + 1)
    assert (requests, unchanged, unsettled) == ([], cursor, len(raw_tables()))

    requests, _, unsettled = new_batch_requests(waiting, cursor, now=newest + 61)
    assert [r.tags[BATCH_TAG] for r in requests] == ["batch_0002.parquet"]
    assert unsettled == 0


def test_hidden_half_written_files_are_not_batches(landing: Path) -> None:
    _, cursor = evaluate(None)
    (landing / "crm/accounts/.batch_0009.parquet.tmp").write_bytes(b"")
    (landing / "crm/accounts/.batch_0009.parquet").write_bytes(b"")
    assert evaluate(cursor)[0] == []
