"""The publish history of the serving file, as ``cli history`` shows it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.defs.publish.serving import kept_publishes
from orchestration.lib import meta


@dataclass(frozen=True)
class HistoryEntry:
    publish: meta.Publish
    kept: bool  # its file is kept: ``cli rollback --to`` can serve it again
    serving: bool  # it is what the serving file holds now
    changes: str  # what changed against the publish before it


def _changes(entry: meta.Publish, previous: meta.Publish | None) -> str:
    if entry.action == "rollback":
        return f"rollback: serves the marts of #{entry.restores} again"
    if previous is None:
        return "first publish"
    parts = []
    if entry.as_of_date != previous.as_of_date:
        parts.append(f"as of {previous.as_of_date} -> {entry.as_of_date}")
    for mart in sorted(set(entry.mart_rows) | set(previous.mart_rows)):
        before, after = previous.mart_rows.get(mart), entry.mart_rows.get(mart)
        if before is None:
            parts.append(f"{mart} new ({after} rows)")
        elif after is None:
            parts.append(f"{mart} gone")
        elif before != after:
            parts.append(f"{mart} {after - before:+d}")
    return ", ".join(parts) or "same as of date and row counts"


def history(serving_path: Path) -> list[HistoryEntry]:
    """Every publish recorded in the serving file, oldest first."""
    if not serving_path.exists():
        return []
    with duckdb.connect(str(serving_path), read_only=True) as con:
        log = meta.publish_log(con)
    kept = kept_publishes(serving_path)
    entries = []
    for index, entry in enumerate(log):
        previous = log[index - 1] if index else None
        entries.append(
            HistoryEntry(
                publish=entry,
                kept=entry.publish_id in kept,
                serving=index == len(log) - 1,
                changes=_changes(entry, previous),
            )
        )
    return entries
