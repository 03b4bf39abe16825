"""The landing directory as files: which batch files each raw table has, and a fingerprint.

A batch file is ``$CX_RAW_DIR/<source>/<table>/*.parquet`` (raw-sources.md); names starting
with a dot are a loader's half-written files and are never a batch. The fingerprint (names,
sizes, modification times) tells whether the landing changed between two moments of a run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from orchestration.raw_contract import raw_tables


@dataclass(frozen=True)
class BatchFile:
    table: str  # <source>/<table>
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


def batch_files(raw_dir: Path) -> dict[str, list[BatchFile]]:
    """The batch files of every contract table, sorted by name; a missing folder is empty."""
    files: dict[str, list[BatchFile]] = {}
    for table in raw_tables():
        folder = raw_dir / table
        found = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        files[table] = [BatchFile(table, p) for p in found if not p.name.startswith(".")]
    return files


def fingerprint(raw_dir: Path) -> str:
    """A digest of every batch file's table, name, size and modification time."""
    digest = hashlib.sha256()
    for table, files in batch_files(raw_dir).items():
        for file in files:
            stat = file.path.stat()
            digest.update(f"{table}/{file.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def parquet_glob(raw_dir: Path, table: str) -> str:
    """The DuckDB glob of one table's batch files (the same one dbt's sources read)."""
    return str(raw_dir / table / "*.parquet")
