"""The dashboard notices a new publish: the refresh replaces the serving file atomically
(os.replace), and the next rerun of a running session shows the new publish and its data,
not the file it read before (DuckDB keeps one instance per path in a process, so a kept
connection, or results cached without the file's identity, would show the old one)."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, Marts


def republish(serving: Path, work: Path, fcr_rate: float) -> int:
    """Replace ``serving`` atomically with a copy that records a newer publish (as of a day
    later) whose latest quarter has FCR ``fcr_rate``; return the new publish id."""
    candidate = work / "candidate.duckdb"
    shutil.copy2(serving, candidate)
    con = duckdb.connect(str(candidate))
    try:
        publish_id = con.execute("select max(publish_id) + 1 from meta.publish_log").fetchone()[0]
        con.execute(
            "insert into meta.publish_log by name "
            "select ? as publish_id, now() as published_at, 'test-republish' as run_id, "
            "as_of_date + interval 1 day as as_of_date, last_complete_month, git_sha "
            "from meta.publish_log order by publish_id desc limit 1",
            [publish_id],
        )
        con.execute(
            "update marts.cx_quarterly_review set value = ? where metric = 'fcr_rate' "
            "and quarter = (select max(quarter) from marts.cx_quarterly_review)",
            [fcr_rate],
        )
    finally:
        con.close()
    os.replace(candidate, serving)
    return publish_id


def sidebar(at: AppTest) -> str:
    return " ".join(m.value for m in at.sidebar.markdown)


def test_rerun_shows_the_new_publish(
    serving_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = tmp_path / "serving.duckdb"
    shutil.copy2(serving_file, serving)
    monkeypatch.setenv("CX_SERVING_PATH", str(serving))
    before = Marts(serving)
    old_id, as_of, fcr = before.one(
        "select l.publish_id, l.as_of_date, q.value from meta.publish_log l, "
        "marts.cx_quarterly_review q where q.metric = 'fcr_rate' "
        "order by l.publish_id desc, q.quarter desc limit 1"
    )

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception
    assert f"**Publish #{old_id}** · as of {as_of:%d %b %Y}" in sidebar(at)
    fcr_card = next(m for m in at.metric if m.label == "First-contact resolution")
    assert fcr_card.value == f"{fcr * 100:.1f}%"
    at.run()  # a rerun on the same file serves the cache
    assert f"Publish #{old_id}" in sidebar(at)

    new_fcr = 0.5 if abs(fcr - 0.5) > 0.01 else 0.6
    new_id = republish(serving, tmp_path, new_fcr)
    assert new_id == old_id + 1

    at.run()
    assert not at.exception
    new_as_of = as_of + timedelta(days=1)
    assert f"**Publish #{new_id}** · as of {new_as_of:%d %b %Y}" in sidebar(at)
    fcr_card = next(m for m in at.metric if m.label == "First-contact resolution")
    assert fcr_card.value == f"{new_fcr * 100:.1f}%"

    # another page of the same session reads the new file too
    at.switch_page("views/quarterly_review.py").run()
    assert f"Publish #{new_id}" in sidebar(at)
    table = at.dataframe[0].value.set_index("Metric")
    assert f"{new_fcr * 100:.1f}%" in set(table.loc["fcr_rate"])


def test_a_removed_serving_file_is_a_message_not_a_traceback(
    serving_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = tmp_path / "serving.duckdb"
    shutil.copy2(serving_file, serving)
    monkeypatch.setenv("CX_SERVING_PATH", str(serving))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert at.metric
    serving.unlink()
    at.run()
    assert not at.exception
    assert any("No serving file" in w.value for w in at.warning)
    assert not at.metric


def test_no_connection_stays_open_after_a_page(
    serving_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB refuses a read-write connection to a file this process holds open read-only,
    so this connect succeeds only if the dashboard closed every connection it opened."""
    serving = tmp_path / "serving.duckdb"
    shutil.copy2(serving_file, serving)
    monkeypatch.setenv("CX_SERVING_PATH", str(serving))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert at.metric and not at.exception
    con = duckdb.connect(str(serving))
    con.close()
