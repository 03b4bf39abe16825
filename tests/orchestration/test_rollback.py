"""Publish history and rollback: the last CX_SERVING_KEEP publishes are kept, a rollback
serves an earlier one again atomically (a reader loop never errs), is logged as a publish of
its own, and deletes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.publish.serving import (
    PublishError,
    kept_publishes,
    rollback,
)
from orchestration.lib.meta import publish_log, read_baseline
from tests.orchestration.test_publish import LOOPER, QUERY, do_publish


def served(serving: Path) -> tuple[int, int]:
    """(newest publish id, rows of marts.bridge) of the serving file."""
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(
            "select (select max(publish_id) from meta.publish_log), "
            "(select count(*) from marts.bridge)"
        ).fetchone()


def test_the_last_keep_publishes_are_kept_each_as_it_was_served(builds, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    for n in range(1, 5):  # 1: a (3 rows), 2: b (5), 3: a, 4: b
        run = "run-a" if n % 2 else "run-b"
        do_publish(builds[run], serving, run, keep=3)
    kept = kept_publishes(serving)
    assert sorted(kept) == [2, 3, 4]
    for publish_id, path in kept.items():
        assert served(path) == (publish_id, 3 if publish_id % 2 else 5)
    assert kept[4].stat().st_ino == serving.stat().st_ino  # a hard link, no copy


def test_rollback_serves_the_previous_publish_again_and_logs_it(builds, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    do_publish(builds["run-a"], serving, "run-a")  # #1: 3 rows
    do_publish(builds["run-b"], serving, "run-b")  # #2: 5 rows
    record = rollback(serving)
    assert (record.publish_id, record.action, record.restores) == (3, "rollback", 1)
    assert record.mart_rows == {"bridge": 3, "other": 1}
    assert served(serving) == (3, 3)
    assert sorted(kept_publishes(serving)) == [1, 2, 3]  # the rolled-back-from #2 stays
    with duckdb.connect(str(serving), read_only=True) as con:
        log = [(p.publish_id, p.action, p.restores, p.as_of_date) for p in publish_log(con)]
        counts = con.execute(
            "select publish_id, table_name, current_rows from meta.raw_row_counts order by 1"
        ).fetchall()
    assert log == [
        (1, "publish", None, date(2026, 7, 15)),
        (2, "publish", None, date(2026, 7, 15)),
        (3, "rollback", 1, date(2026, 7, 15)),
    ]
    # the next raw gate compares with what is served: the restored publish's counts
    assert counts == [(1, "crm/accounts", 7), (2, "crm/accounts", 7), (3, "crm/accounts", 7)]
    assert read_baseline(serving).publish_id == 3
    # undoing again goes further back than the data served now (#1's): nothing is older
    with pytest.raises(PublishError, match="no publish before #1 is kept"):
        rollback(serving)
    forward = rollback(serving, to=2)  # roll forward again by id
    assert (forward.publish_id, forward.restores) == (4, 2)
    assert served(serving) == (4, 5)
    assert rollback(serving).restores == 1  # undo #4: the refresh publish before #2


def test_rollback_to_a_publish_that_is_not_kept_names_what_is(builds, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    do_publish(builds["run-a"], serving, "run-a")
    with pytest.raises(PublishError, match=r"publish #9 is not kept \(kept: #1\)"):
        rollback(serving, to=9)
    with pytest.raises(PublishError, match="no publish before #1"):
        rollback(serving)
    assert served(serving) == (1, 3)


def test_a_reader_loop_sees_no_error_during_rollbacks(builds, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    do_publish(builds["run-a"], serving, "run-a")  # #1: 3 rows
    do_publish(builds["run-b"], serving, "run-b")  # #2: 5 rows
    last = 22
    stop = tmp_path / "stop"
    seen_log = tmp_path / "looper.jsonl"
    with seen_log.open("w") as out:
        looper = subprocess.Popen(
            [sys.executable, "-c", LOOPER, str(serving), str(stop), QUERY, str(last)], stdout=out
        )
        try:
            for n in range(3, last + 1):  # odd ids restore #1 (3 rows), even ids #2 (5 rows)
                assert rollback(serving, to=1 if n % 2 else 2, keep=100).publish_id == n
            looper.wait(timeout=120)
        finally:
            stop.touch()
            looper.kill()
    records = [json.loads(line) for line in seen_log.read_text().splitlines()]
    assert [r for r in records if "error" in r] == []
    seen = [tuple(r["seen"]) for r in records]
    assert seen[-1][0] == last
    for publish_id, rows, _ in seen:
        assert rows == (5 if publish_id % 2 == 0 else 3), publish_id


def test_cli_history_and_rollback(
    builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from orchestration import cli

    serving = tmp_path / "serving.duckdb"
    monkeypatch.setenv("CX_SERVING_PATH", str(serving))
    monkeypatch.setenv("CX_DUCKDB_PATH", str(tmp_path / "cx.duckdb"))
    do_publish(builds["run-a"], serving, "run-a")
    do_publish(builds["run-b"], serving, "run-b")
    assert cli.main(["rollback"]) == 0
    assert "publish #3 serves the marts of #1" in capsys.readouterr().out
    assert cli.main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()[2:]
    assert [line.split()[:3] for line in lines] == [
        ["k", "1", "publish"],
        ["k", "2", "publish"],
        ["*k", "3", "rollback"],
    ]
    assert lines[0].endswith("first publish")
    assert lines[1].endswith("bridge +2")  # 3 -> 5 rows
    assert lines[2].endswith("rollback: serves the marts of #1 again")
    assert cli.main(["rollback", "--to", "9"]) == 1
    assert "publish #9 is not kept" in capsys.readouterr().err
