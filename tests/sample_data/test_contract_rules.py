"""The contract rules (docs/raw-contract.md) on the current rows of a generated landing dir.

Every property is computed over the written Parquet files with DuckDB, on the *current rows*
(per primary key: greatest ``_loaded_at``, then greatest ``updated_at``).
"""

from __future__ import annotations

import duckdb
import pytest

from tests.sample_data.checks import RULES, assert_none, scalar


@pytest.mark.parametrize("rule", list(RULES))
def test_current_rows_keep_the_rule(db: duckdb.DuckDBPyConnection, rule: str) -> None:
    assert_none(db, RULES[rule])


def test_fx_rates_move(db: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(db, "select count(distinct usd_per_unit) from fx_rates where currency = 'EUR'") > 10
    )
