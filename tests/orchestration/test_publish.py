"""Write-audit-publish without dbt: the swap is atomic for readers, a crash or a foreign build
never touches the serving file, and stale candidates are cleaned up."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.publish import serving as publishing
from orchestration.defs.publish.serving import (
    PublishError,
    publish,
    remove_stale_candidates,
)
from orchestration.lib.meta import RawCount, read_baseline
from tests.orchestration.conftest import sha256

QUERY = (
    "select (select max(publish_id) from meta.publish_log), "
    "(select count(*) from marts.bridge), (select sum(amount)::double from marts.bridge)"
)
# Two processes, because DuckDB caches one database instance per path and process: a
# connection opened later in the process that holds the old file would see the old file too.
# The holder opens the serving file before the publishes (the old inode) and queries it again
# after them; the looper reconnects in a loop, as a BI tool does, until it sees the last publish.
HOLDER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    from pathlib import Path
    serving, stop, query = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    held = duckdb.connect(serving, read_only=True)
    print(json.dumps({"held": held.execute(query).fetchone()}), flush=True)
    while not stop.exists():
        time.sleep(0.01)
    print(json.dumps({"held": held.execute(query).fetchone()}), flush=True)
    """
)
LOOPER = textwrap.dedent(
    """
    import json, sys, duckdb
    from pathlib import Path
    serving, stop, query, last = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    seen = None
    while not stop.exists() and (seen is None or seen[0] != last):
        try:
            with duckdb.connect(serving, read_only=True) as con:
                seen = con.execute(query).fetchone()
            print(json.dumps({"seen": seen}), flush=True)
        except Exception as error:
            print(json.dumps({"error": repr(error)}), flush=True)
    """
)


def do_publish(build: Path, serving: Path, run_id: str, keep: int = 7) -> publishing.PublishRecord:
    return publish(
        build,
        serving,
        run_id=run_id,
        marts=["bridge", "other"],
        raw_counts={"crm/accounts": RawCount("crm/accounts", 7, 9, 2, datetime(2026, 7, 15, 2))},
        raw_dir=Path("raw"),
        landing_fingerprint="abc",
        run_started_at=datetime(2026, 7, 15, 3),
        keep=keep,
    )


def test_publish_records_counts_and_carries_the_log_forward(builds, tmp_path: Path) -> None:
    serving = tmp_path / "wh" / "serving.duckdb"
    first = do_publish(builds["run-a"], serving, "run-a")
    second = do_publish(builds["run-b"], serving, "run-b")
    assert (first.publish_id, second.publish_id) == (1, 2)
    assert second.mart_rows == {"bridge": 5, "other": 1}
    with duckdb.connect(str(serving), read_only=True) as con:
        log = con.execute(
            "select publish_id, run_id, as_of_date, mart_rows from meta.publish_log order by 1"
        ).fetchall()
        assert log == [
            (1, "run-a", date(2026, 7, 15), '{"bridge": 3, "other": 1}'),
            (2, "run-b", date(2026, 7, 15), '{"bridge": 5, "other": 1}'),
        ]
        assert con.execute("select count(*) from marts.bridge").fetchone() == (5,)
        assert con.execute(
            "select publish_id, current_rows from meta.raw_row_counts order by 1"
        ).fetchall() == [(1, 7), (2, 7)]
        schemas = {s for (s,) in con.execute("select schema_name from duckdb_schemas()").fetchall()}
        assert "intermediate" not in schemas  # only marts and meta are served
    assert read_baseline(serving).current_rows == {"crm/accounts": 7}
    assert sorted(p.name for p in serving.parent.iterdir()) == [
        ".serving.duckdb.publish.lock",
        "serving.duckdb",
        "serving.history",  # the kept publishes, for rollback
    ]


def test_readers_see_the_old_or_the_new_marts_never_an_error(builds, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    do_publish(builds["run-a"], serving, "run-a")  # publish #1: 3 rows
    publishes = 30
    last = publishes + 1
    stop = tmp_path / "stop"
    args = [str(serving), str(stop), QUERY]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, *args], stdout=subprocess.PIPE, text=True
    )
    seen_log = tmp_path / "looper.jsonl"
    with seen_log.open("w") as out:
        looper = subprocess.Popen([sys.executable, "-c", LOOPER, *args, str(last)], stdout=out)
        try:
            held_before = holder.stdout.readline()
            for n in range(2, last + 1):  # even ids from build b (5 rows), odd from a (3)
                run = "run-b" if n % 2 == 0 else "run-a"
                assert do_publish(builds[run], serving, run).publish_id == n
            looper.wait(timeout=120)  # it stops once it has seen the last publish
        finally:
            stop.touch()
            held_after, _ = holder.communicate(timeout=120)
            looper.kill()

    assert json.loads(held_before) == {"held": [1, 3, 30.0]}
    assert json.loads(held_after) == {"held": [1, 3, 30.0]}  # the old inode, still readable
    records = [json.loads(line) for line in seen_log.read_text().splitlines()]
    assert [r for r in records if "error" in r] == []
    seen = [tuple(r["seen"]) for r in records]
    assert seen[-1][0] == last
    assert len({publish_id for publish_id, _, _ in seen}) >= 2
    for publish_id, rows, amount in seen:
        assert (rows, amount) == ((5, 100.0) if publish_id % 2 == 0 else (3, 30.0)), publish_id
    assert [p for p, _, _ in seen] == sorted(p for p, _, _ in seen)


def test_a_crash_while_writing_the_candidate_leaves_serving_untouched(
    builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = tmp_path / "serving.duckdb"
    do_publish(builds["run-a"], serving, "run-a")
    checksum = sha256(serving)

    def crash(candidate: Path, *args: object) -> None:
        with duckdb.connect(str(candidate)) as con:
            con.execute("create table half_written as select 1")
        raise OSError("disk full")

    monkeypatch.setattr(publishing, "_write_serving_file", crash)
    with pytest.raises(OSError, match="disk full"):
        do_publish(builds["run-b"], serving, "run-b")
    assert sha256(serving) == checksum
    assert not list(tmp_path.glob(".serving.duckdb.*.candidate*"))


def test_only_a_build_of_the_same_run_is_published(builds, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    do_publish(builds["run-a"], serving, "run-a")
    checksum = sha256(serving)
    with pytest.raises(PublishError, match="built by run run-b, not by this run run-c"):
        do_publish(builds["run-b"], serving, "run-c")
    assert sha256(serving) == checksum


def test_stale_candidates_are_removed_unless_a_publish_holds_the_lock(tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    stale = [
        tmp_path / ".serving.duckdb.dead-run.candidate",
        tmp_path / ".serving.duckdb.x.candidate.wal",
    ]
    for path in stale:
        path.write_bytes(b"half a database")
    lock = publishing._publish_lock(serving).acquire()
    try:
        assert remove_stale_candidates(serving) == []  # a publish is running: not stale
        assert all(path.exists() for path in stale)
    finally:
        lock.release()
    assert sorted(remove_stale_candidates(serving)) == sorted(stale)
    assert not any(path.exists() for path in stale)


def test_a_foreign_wal_next_to_the_serving_file_blocks_publishing(builds, tmp_path: Path):
    serving = tmp_path / "serving.duckdb"
    do_publish(builds["run-a"], serving, "run-a")
    checksum = sha256(serving)
    (tmp_path / "serving.duckdb.wal").write_bytes(b"someone opened it read-write")
    with pytest.raises(PublishError, match="opened the serving file read-write"):
        do_publish(builds["run-b"], serving, "run-b")
    assert sha256(serving) == checksum
