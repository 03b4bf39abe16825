"""How finance sees a mart: the column dictionary, rounded and ordered rows, and the workbook.

One rule each, used by the CSV and the XLSX of ``make export`` (Parquet keeps the marts'
full precision and types):

- **Units** follow the column name: ``*_usd`` is money in US dollars; ``*_rate``, ``*_share``,
  ``*retention*`` and ``fcr_improvement`` are fractions (0.25 = 25%); other DOUBLE columns
  are averages or counts per period, named by what they count; DATE columns are days (a
  ``*month`` column is the first day of its month); BIGINT columns are counts (or months).
- **Rounding**: money to cents (2 decimals), every other DOUBLE to 4 decimals.
- **Order**: by the grain's date, then the ``all`` rows first (``dimension = 'all'``), then
  by every column, so the same warehouse gives the same files.
- **Definitions** come from the mart's dbt yml (every column's description), with its type
  and unit, in the ``definitions`` sheet and in ``manifest.json``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from orchestration.lib.settings import PROJECT_DIR
from orchestration.lib.sql import quote_identifier

MONEY_DECIMALS = 2
OTHER_DECIMALS = 4
FRACTION_MARKERS = ("_rate", "_share", "retention", "fcr_improvement")


@dataclass(frozen=True)
class Column:
    mart: str
    name: str
    data_type: str
    unit: str
    definition: str

    @property
    def decimals(self) -> int | None:
        if self.data_type != "DOUBLE":
            return None
        return MONEY_DECIMALS if self.unit == "USD" else OTHER_DECIMALS

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "decimals": self.decimals}


def unit_of(name: str, data_type: str) -> str:
    if name.endswith("_usd"):
        return "USD"
    if data_type == "DOUBLE" and any(marker in name for marker in FRACTION_MARKERS):
        return "fraction (0-1)"
    if data_type == "DATE":
        return "date (first day of the month)" if name.endswith("month") else "date"
    if data_type == "BOOLEAN":
        return "true/false"
    if data_type == "VARCHAR":
        return "text"
    if "months" in name:
        return "months"
    if "accounts" in name:
        return "accounts"
    return "count"


def _definitions(mart: str) -> dict[str, str]:
    for path in PROJECT_DIR.glob(f"models/marts/*/{mart}.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            if model["name"] == mart:
                return {
                    column["name"]: " ".join(str(column.get("description", "")).split())
                    for column in model.get("columns", [])
                }
    return {}


def columns_of(con: duckdb.DuckDBPyConnection, relation: str, mart: str) -> list[Column]:
    described = con.execute(f"describe select * from {relation}").fetchall()
    definitions = _definitions(mart)
    return [
        Column(mart, name, data_type, unit_of(name, data_type), definitions.get(name, ""))
        for name, data_type, *_ in described
    ]


def finance_select(relation: str, columns: list[Column]) -> str:
    """The mart as finance reads it: rounded, ``all`` rows first within each date."""
    selected = []
    for column in columns:
        quoted = quote_identifier(column.name)
        if column.decimals is None:
            selected.append(quoted)
        else:
            selected.append(f"round({quoted}, {column.decimals}) as {quoted}")
    order = [quote_identifier(c.name) for c in columns if c.data_type == "DATE"][:1]
    if any(c.name == "dimension" for c in columns):
        order.append("(dimension <> 'all')")
    order += [quote_identifier(c.name) for c in columns]  # then every column: deterministic
    return f"select {', '.join(selected)} from {relation} order by {', '.join(order)}"


def write_workbook(
    path: Path,
    sheets: dict[str, tuple[list[Column], list[tuple]]],
    about: dict[str, Any],
) -> None:
    """One sheet per mart (header, frozen, filterable, number formats by unit), a
    ``definitions`` sheet (mart, column, type, unit, definition) and an ``about`` sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    cover = book.active
    cover.title = "about"
    for key, value in about.items():
        cover.append([key, "" if value is None else str(value)])
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 90
    for name, (columns, rows) in sheets.items():
        sheet = book.create_sheet(name[:31])
        sheet.append([c.name for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        for index, column in enumerate(columns, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(12, min(40, len(column.name) + 2))
            number_format = {2: "#,##0.00", 4: "0.0000"}.get(column.decimals or 0)
            if column.data_type == "DATE":
                number_format = "yyyy-mm-dd"
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    glossary = book.create_sheet("definitions")
    glossary.append(["mart", "column", "type", "unit", "decimals in CSV/XLSX", "definition"])
    for cell in glossary[1]:
        cell.font = Font(bold=True)
    for columns, _ in sheets.values():
        for c in columns:
            glossary.append([c.mart, c.name, c.data_type, c.unit, c.decimals, c.definition])
    for letter, width in zip("ABCDEF", (28, 36, 10, 28, 10, 120), strict=True):
        glossary.column_dimensions[letter].width = width
    glossary.freeze_panes = "A2"
    book.save(path)
