"""Expectation suites: JSON files in ``expectations/``, the source of truth, read at run time.

One file per (table, stage): ``<table>.<stage>.json`` where ``<table>`` is
``<source>__<name>`` for a raw table (``crm__accounts``) or the mart name (``mrr_bridge``):

- ``<table>.raw_files.json``: per batch file, the contract columns and their types;
- ``<table>.raw.json``: the table's current rows (nulls, enums, ranges, keys, row count,
  freshness);
- ``billing__fx_rates.coverage.json``: every needed FX rate exists;
- ``_every_mart.mart.json``: applied to every model in schema ``marts``;
- ``<mart>.mart.json``: the mart's own rules, added to ``_every_mart`` when present.

A suite is GX's JSON (``name``, ``expectations``, ``meta``) plus conventions in ``meta``:
``index_columns`` (columns that identify a failing row in reports), ``derived_columns``
(computed in SQL before validation, see ``frames``). An expectation whose ``meta`` has
``for_each_column_of_type`` is repeated for each column of that DuckDB type (``VARCHAR``),
with ``kwargs.column`` set. Values ``{"$PARAMETER": name}`` are filled in at run time.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

Suite = dict[str, Any]
EVERY_MART = "_every_mart"


def suite_name(table: str, stage: str) -> str:
    """``crm/accounts`` + ``raw`` -> ``crm__accounts.raw``; ``mrr_bridge`` + ``mart`` too."""
    return f"{table.replace('/', '__')}.{stage}"


def suite_path(expectations_dir: Path, table: str, stage: str) -> Path:
    return expectations_dir / f"{suite_name(table, stage)}.json"


def load_suite(expectations_dir: Path, table: str, stage: str, required: bool = True) -> Suite:
    """The suite of ``table`` at ``stage``; an empty one when absent and not ``required``."""
    path = suite_path(expectations_dir, table, stage)
    if not path.exists():
        if required:
            raise FileNotFoundError(
                f"no expectation suite for {table} ({stage}): {path} is missing; "
                "write it or run `python -m orchestration.quality.make_suites`"
            )
        return {"name": suite_name(table, stage), "expectations": [], "meta": {}}
    try:
        suite = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"expectation suite {path} is not valid JSON: {error}") from error
    for key in ("name", "expectations"):
        if key not in suite:
            raise ValueError(f"expectation suite {path} has no '{key}'")
    suite.setdefault("meta", {})
    return suite


def mart_suite(expectations_dir: Path, mart: str) -> Suite:
    """``_every_mart`` plus the mart's own suite (when there is one), as one suite."""
    every = load_suite(expectations_dir, EVERY_MART, "mart")
    own = load_suite(expectations_dir, mart, "mart", required=False)
    meta = {**every["meta"], **own["meta"]}
    meta["derived_columns"] = {
        **every["meta"].get("derived_columns", {}),
        **own["meta"].get("derived_columns", {}),
    }
    meta["suite_files"] = [
        f"{suite_name(name, 'mart')}.json"
        for name, suite in ((EVERY_MART, every), (mart, own))
        if suite["expectations"]
    ]
    return {
        "name": suite_name(mart, "mart"),
        "expectations": every["expectations"] + own["expectations"],
        "meta": meta,
    }


def expand_for_each_column(suite: Suite, column_types: dict[str, str]) -> Suite:
    """Repeat every ``for_each_column_of_type`` expectation for each column of that type."""
    expanded = []
    for expectation in suite["expectations"]:
        wanted = expectation.get("meta", {}).get("for_each_column_of_type")
        if wanted is None:
            expanded.append(expectation)
            continue
        for column, column_type in column_types.items():
            if column_type.upper() == wanted.upper() and not column.startswith("_"):
                clone = copy.deepcopy(expectation)
                clone["kwargs"]["column"] = column
                expanded.append(clone)
    return {**suite, "expectations": expanded}
