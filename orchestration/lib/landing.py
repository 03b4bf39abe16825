"""The landing directory as files: which batch files each raw table has, and a fingerprint.

A batch file is ``$CX_RAW_DIR/<source>/<table>/<batch_file_glob>`` (``[!.]*.parquet``,
defined once in dbt_project.yml, see ``orchestration.lib.contract.batch_file_glob``; a name
starting with a dot is a loader's half-written file, never a batch; docs/raw-contract.md).
The fingerprint (names, sizes, modification times) tells whether the landing changed between
two moments of a run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.contract import batch_file_glob, raw_tables


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
        found = sorted(folder.glob(batch_file_glob())) if folder.is_dir() else []
        files[table] = [BatchFile(table, path) for path in found]
    return files


FileStat = tuple[str, str, int, int]  # table, file name, size in bytes, mtime in ns


def stat_of(file: BatchFile) -> FileStat:
    stat = file.path.stat()
    return (file.table, file.name, stat.st_size, stat.st_mtime_ns)


def file_stats(raw_dir: Path) -> list[FileStat]:
    """Every batch file as (table, name, size, mtime_ns): what identifies an unchanged file."""
    return [stat_of(file) for files in batch_files(raw_dir).values() for file in files]


def fingerprint_of(stats: list[FileStat]) -> str:
    digest = hashlib.sha256()
    for table, name, size, mtime_ns in stats:
        digest.update(f"{table}/{name}:{size}:{mtime_ns}\n".encode())
    return digest.hexdigest()


def fingerprint(raw_dir: Path) -> str:
    """A digest of every batch file's table, name, size and modification time."""
    return fingerprint_of(file_stats(raw_dir))


def parquet_glob(raw_dir: Path, table: str) -> str:
    """The DuckDB glob of one table's batch files (the same one dbt's sources read)."""
    return str(raw_dir / table / batch_file_glob())
