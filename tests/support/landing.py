"""Write hand-built rows as a raw landing dir that follows the contract exactly."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.lib.contract import raw_tables

Row = dict[str, Any]


def write_batch(
    raw_dir: Path, table: str, rows: list[Row], loaded_at: datetime, batch: str = "batch_0001"
) -> Path:
    """Write ``rows`` of ``<source>/<table>`` as one batch file; missing columns are null.

    Rows without ``_loaded_at`` get ``loaded_at``.
    """
    schema = raw_tables()[table].schema
    rows = [{"_loaded_at": loaded_at, **row} for row in rows]
    columns = {
        field.name: pa.array([row.get(field.name) for row in rows], type=field.type)
        for field in schema
    }
    out = raw_dir / table / f"{batch}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns, schema=schema), out)
    return out


def write_landing(raw_dir: Path, tables: dict[str, list[Row]], loaded_at: datetime) -> Path:
    """Write every contract table (empty when not given) as one batch each."""
    for table in raw_tables():
        write_batch(raw_dir, table, tables.get(table, []), loaded_at)
    return raw_dir


def ts(text: str) -> datetime:
    """A naive UTC timestamp from 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text)


def d(text: str) -> date:
    return date.fromisoformat(text)
