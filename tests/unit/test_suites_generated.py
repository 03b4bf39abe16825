"""The checked-in GX suites are exactly what ``make suites`` derives from the contract."""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.lib.settings import EXPECTATIONS_DIR
from orchestration.quality import make_suites


def test_checked_in_suites_equal_the_generated_ones() -> None:
    assert make_suites.main(["--check"]) == 0, "expectations/ is stale: run `make suites`"


def test_a_hand_edit_is_caught(tmp_path: Path) -> None:
    for path in EXPECTATIONS_DIR.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text())
    edited = tmp_path / "support__tickets.raw.json"
    suite = json.loads(edited.read_text())
    suite["expectations"].pop()
    edited.write_text(json.dumps(suite, indent=2) + "\n")
    (tmp_path / "stray.mart.json").write_text("{}\n")
    assert make_suites.main(["--check", "--out", str(tmp_path)]) == 1
    assert make_suites.main(["--out", str(tmp_path)]) == 0
    assert make_suites.main(["--check", "--out", str(tmp_path)]) == 0
    assert not (tmp_path / "stray.mart.json").exists()


def test_value_rules_come_from_the_sources_yml_too() -> None:
    # support/ticket_events has its enums on the source's columns (tested on every raw row)
    suite = json.loads((EXPECTATIONS_DIR / "support__ticket_events.raw.json").read_text())
    enums = {
        e["kwargs"]["column"]: e["kwargs"]["value_set"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set" and "value_set" in e["kwargs"]
    }
    assert enums["event_type"] == ["comment", "status_change"]
    assert enums["author_type"] == ["agent", "customer", "system"]
