"""Generate every GX expectation suite (``expectations/*.json``) from its one source.

    make suites    # python -m orchestration.quality.make_suites
    python -m orchestration.quality.make_suites --check  # exit 1 if a checked-in suite differs

Reads the landing contract (``orchestration.lib.contract``: columns, types, keys), the
sources yml (``not_null`` tests, ``freshness.error_after``) and the staging models yml
(``not_null``, ``accepted_values`` and ``expression_is_true`` tests: enums and ranges), and
writes ``expectations/<source>__<table>.raw_files.json``, ``.raw.json`` and
``.raw_table.json`` plus
``billing__fx_rates.coverage.json``; and the mart suites ``<mart>.mart.json`` and
``_every_mart.mart.json`` from the hand-written rules in ``orchestration.quality.mart_rules``.
The JSON is generated, never edited: change the yml or the rules module, then ``make suites``
(a test fails when a checked-in suite differs from what this gives).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import yaml

from orchestration.lib.contract import RawTable, raw_tables
from orchestration.lib.settings import EXPECTATIONS_DIR, PROJECT_DIR
from orchestration.quality.frames import KEY_COUNT
from orchestration.quality.mart_rules import EVERY_MART, MART_RULES
from orchestration.quality.suites import EVERY_MART as EVERY_MART_NAME
from orchestration.quality.suites import suite_path

GENERATED_BY = "make suites (python -m orchestration.quality.make_suites); do not edit"
ROW_COUNT_MIN_RATIO = 0.9  # current rows may not shrink by more than 10% since the last publish
# Tables that get rows monthly or rarely may go longer without a load than the sources'
# error_after; their newest _loaded_at is allowed to be this many days old.
FRESHNESS_DAYS_OVERRIDE = {"billing/fx_rates": 40, "crm/marketing_spend": 40, "billing/refunds": 30}
PERIOD_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}
TYPE_VARIANTS = {  # DuckDB types a contract type may be read as (raw_type_matches in dbt)
    "TIMESTAMP": ["TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"],
}
NULL_TYPES = ['"NULL"', "NULL"]  # an all-null column written with Arrow's null type
SIMPLE_RANGE = re.compile(r"^\s*(\w+)\s*(>=|>)\s*(-?\d+(?:\.\d+)?)\s*$")
BETWEEN = re.compile(r"^\s*(\w+)\s+between\s+(-?\d+(?:\.\d+)?)\s+and\s+(-?\d+(?:\.\d+)?)\s*$")
MONTH_OF = re.compile(r"\{\{\s*month_of\('(\w+)'\)\s*\}\}")


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _expectation(kind: str, rule: str | None = None, **kwargs: Any) -> dict[str, Any]:
    expectation: dict[str, Any] = {"type": kind, "kwargs": kwargs}
    if rule:
        expectation["meta"] = {"rule": rule}
    return expectation


def _source_tables() -> dict[str, tuple[dict, dict]]:
    """``source/table`` -> (source yml entry, table yml entry)."""
    found = {}
    for path in sorted(PROJECT_DIR.glob("models/staging/*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                found[f"{source['name']}/{table['name']}"] = (source, table)
    return found


def _staging_models() -> dict[str, dict]:
    found = {}
    for path in sorted(PROJECT_DIR.glob("models/staging/*/_*__models.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            found[model["name"]] = model
    return found


def _tests(entry: dict) -> list[tuple[str, dict]]:
    tests = []
    for test in entry.get("data_tests", []) or []:
        if isinstance(test, str):
            tests.append((test, {}))
        else:
            (name, body), *_ = test.items()
            tests.append((name, body or {}))
    return tests


def _freshness_hours(source: dict, table: dict, path: str) -> float:
    if path in FRESHNESS_DAYS_OVERRIDE:
        return FRESHNESS_DAYS_OVERRIDE[path] * 24
    config = {**source.get("config", {}), **table.get("config", {})}
    error_after = (config.get("freshness") or {}).get("error_after") or {
        "count": 7,
        "period": "day",
    }
    return error_after["count"] * PERIOD_HOURS[error_after["period"]]


def raw_files_suite(table: RawTable) -> dict[str, Any]:
    expectations = [
        _expectation(
            "expect_table_row_count_to_be_between",
            "the table has at least one batch file",
            min_value=1,
        )
    ]
    for field in table.schema:
        expected = _duckdb_type(field.type)
        expectations.append(
            _expectation(
                "expect_column_values_to_be_in_set",
                f"every batch file has column {field.name} of type {expected}",
                column=field.name,
                value_set=[*TYPE_VARIANTS.get(expected, [expected]), *NULL_TYPES],
            )
        )
    return {
        "name": suite_path(Path(), table.path, "raw_files").stem,
        "meta": {
            "table": table.path,
            "stage": "raw_files",
            "frame": "one row per batch file: the DuckDB type of each contract column",
            "index_columns": ["file_name"],
            "generated_by": GENERATED_BY,
        },
        "expectations": expectations,
    }


def _duckdb_type(arrow_type: Any) -> str:
    text = str(arrow_type)
    return {
        "string": "VARCHAR",
        "int64": "BIGINT",
        "double": "DOUBLE",
        "bool": "BOOLEAN",
        "date32[day]": "DATE",
        "timestamp[us]": "TIMESTAMP",
    }[text]


def raw_suite(table: RawTable, source: dict, table_yml: dict, model: dict | None) -> dict:
    columns = table.schema.names
    expectations = [
        _expectation(
            "expect_table_columns_to_match_set",
            "every contract column is present (other columns are ignored)",
            column_set=columns,
            exact_match=False,
        )
    ]
    not_null = {*table.key_columns, "_loaded_at"}
    for column in table_yml.get("columns", []):
        if any(name == "not_null" for name, _ in _tests(column)):
            not_null.add(column["name"])
    derived: dict[str, str] = {}
    ranges: list[dict] = []
    enums: list[dict] = []
    # value rules from the staging model's columns, then the source's own column tests (a
    # table whose rules dbt tests on every raw row, e.g. support/ticket_events)
    seen: set[tuple[str, str]] = set()
    for column in [*(model or {}).get("columns", []), *table_yml.get("columns", [])]:
        name = column["name"]
        if name not in columns:
            continue
        for test, body in _tests(column):
            if (name, test) in seen and test != "not_null":
                continue
            seen.add((name, test))
            args = body.get("arguments", body)
            if test == "not_null":
                not_null.add(name)
            elif test == "accepted_values":
                enums.append(
                    _expectation(
                        "expect_column_values_to_be_in_set",
                        "one of the contract's values (null allowed unless not null)",
                        column=name,
                        value_set=list(args["values"]),
                    )
                )
            elif test == "expression_is_true":
                ranges.append(_range(name, args["expression"], derived))
    for test, body in _tests(model or {}):
        if test == "expression_is_true":
            label = body.get("name", "rule").split("__")[-1]
            ranges.append(_derived_rule(f"_{label}", body["arguments"]["expression"], derived))
    expectations += [
        _expectation("expect_column_values_to_not_be_null", "not null", column=c)
        for c in columns
        if c in not_null
    ]
    expectations += enums + ranges
    expectations.append(
        _expectation(
            "expect_column_values_to_be_in_set",
            f"one current row per key ({', '.join(table.key_columns)}): no tie on the newest "
            "_loaded_at" + (", updated_at" if table.has_updated_at else ""),
            column=KEY_COUNT,
            value_set=[1],
        )
    )
    meta: dict[str, Any] = {
        "table": table.path,
        "stage": "raw",
        "frame": (
            "current rows (greatest _loaded_at, then updated_at; ties kept) from batch files "
            "the last publish did not validate (all of them on a full refresh or a first run), "
            f"in chunks; {KEY_COUNT} counts the current rows with the row's key"
        ),
        "index_columns": list(table.key_columns),
        "generated_by": GENERATED_BY,
    }
    if derived:
        meta["derived_columns"] = derived
    return {
        "name": suite_path(Path(), table.path, "raw").stem,
        "meta": meta,
        "expectations": expectations,
    }


def raw_table_suite(table: RawTable, source: dict, table_yml: dict) -> dict[str, Any]:
    """Table-level rules, on one row of figures over all current rows of the table."""
    return {
        "name": suite_path(Path(), table.path, "raw_table").stem,
        "meta": {
            "table": table.path,
            "stage": "raw_table",
            "frame": (
                "one row: current_rows (all current rows), raw_rows, batch_files and "
                "newest_loaded_at over every batch file of the table"
            ),
            "row_count_min_ratio_of_previous": ROW_COUNT_MIN_RATIO,
            "freshness_max_age_hours": _freshness_hours(source, table_yml, table.path),
            "generated_by": GENERATED_BY,
        },
        "expectations": [
            _expectation(
                "expect_column_max_to_be_between",
                "current rows did not shrink by more than "
                f"{round((1 - ROW_COUNT_MIN_RATIO) * 100)}% since the last publish",
                column="current_rows",
                min_value={"$PARAMETER": "min_current_rows"},
            ),
            _expectation(
                "expect_column_max_to_be_between",
                "fresh: the newest load is recent enough relative to the as-of time",
                column="newest_loaded_at",
                min_value={"$PARAMETER": "fresh_since"},
            ),
        ],
    }


def _range(column: str, expression: str, derived: dict[str, str]) -> dict:
    if match := SIMPLE_RANGE.match(expression):
        name, op, bound = match.groups()
        if name == column:
            return _expectation(
                "expect_column_values_to_be_between",
                expression.strip(),
                column=column,
                min_value=_number(bound),
                strict_min=op == ">",
            )
    if match := BETWEEN.match(expression):
        name, low, high = match.groups()
        if name == column:
            return _expectation(
                "expect_column_values_to_be_between",
                expression.strip(),
                column=column,
                min_value=_number(low),
                max_value=_number(high),
            )
    return _derived_rule(f"_{column}_rule", expression, derived)


def _derived_rule(name: str, expression: str, derived: dict[str, str]) -> dict:
    sql = MONTH_OF.sub(r"cast(date_trunc('month', \1) as date)", " ".join(expression.split()))
    derived[name] = sql
    return _expectation("expect_column_values_to_be_in_set", sql, column=name, value_set=[True])


def coverage_suite() -> dict[str, Any]:
    return {
        "name": "billing__fx_rates.coverage",
        "meta": {
            "table": "billing/fx_rates",
            "stage": "coverage",
            "frame": (
                "one row per (currency, month, needed_by) that a converted amount needs a rate "
                "for, through the last complete month, with the rate from billing/fx_rates"
            ),
            "index_columns": ["currency", "month", "needed_by", "n_rows"],
            "generated_by": GENERATED_BY,
        },
        "expectations": [
            _expectation(
                "expect_column_values_to_not_be_null",
                "every needed (month, currency) has a rate; USD needs none",
                column="usd_per_unit",
            )
        ],
    }


def _mart_files() -> dict[str, Path]:
    return {path.stem: path for path in sorted(PROJECT_DIR.glob("models/marts/*/*.yml"))}


def mart_suites() -> dict[str, dict[str, Any]]:
    """``<mart>`` -> its suite, and ``_every_mart`` -> the rules every mart gets."""
    files = _mart_files()
    suites: dict[str, dict[str, Any]] = {
        EVERY_MART_NAME: {"name": f"{EVERY_MART_NAME}.mart", **EVERY_MART}
    }
    for mart, rules in MART_RULES.items():
        suites[mart] = {
            "name": f"{mart}.mart",
            "meta": {
                "mart": mart,
                "stage": "mart",
                "contract": f"{files[mart].relative_to(PROJECT_DIR)} (definitions of every column)",
                "index_columns": rules.index_columns,
                "derived_columns": rules.derived_columns,
                "generated_by": GENERATED_BY,
            },
            "expectations": rules.expanded(),
        }
    return suites


def all_suites() -> dict[str, dict[str, Any]]:
    """Every suite by file name, as ``make suites`` writes it."""
    sources = _source_tables()
    models = _staging_models()
    suites: dict[str, dict[str, Any]] = {}
    for path, table in raw_tables().items():
        source, table_yml = sources[path]
        model = models.get(f"stg_{table.source}__{table.name}")
        for stage, suite in (
            ("raw_files", raw_files_suite(table)),
            ("raw", raw_suite(table, source, table_yml, model)),
            ("raw_table", raw_table_suite(table, source, table_yml)),
        ):
            suites[suite_path(Path(), path, stage).name] = suite
    suites[suite_path(Path(), "billing/fx_rates", "coverage").name] = coverage_suite()
    for mart, suite in mart_suites().items():
        suites[suite_path(Path(), mart, "mart").name] = suite
    return suites


def render(suite: dict[str, Any]) -> str:
    return json.dumps(suite, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--out", type=Path, default=EXPECTATIONS_DIR)
    args = parser.parse_args(argv)
    suites = all_suites()
    existing = {path.name for path in args.out.glob("*.json")} if args.out.is_dir() else set()
    stale = sorted(existing - set(suites))
    changed = [
        name
        for name, suite in suites.items()
        if not (args.out / name).is_file() or (args.out / name).read_text() != render(suite)
    ]
    if args.check:
        for name in changed:
            print(f"{args.out / name} differs from what the contract gives (make suites)")
        for name in stale:
            print(f"{args.out / name} is not generated by make suites: remove it")
        return 1 if changed or stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in changed:
        (args.out / name).write_text(render(suites[name]))
        print(f"wrote {args.out / name}")
    for name in stale:
        (args.out / name).unlink()
        print(f"removed {args.out / name}")
    print(f"{len(suites)} suites in {args.out}: {len(changed)} written, {len(stale)} removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
