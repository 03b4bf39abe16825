"""Quoting for the few SQL statements Python assembles (DuckDB dialect).

Values go in as parameters (``?``) wherever DuckDB accepts them; where it does not (an
identifier, an ``attach`` path, a ``read_parquet`` glob) they are quoted here, and only here.
"""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """``name`` as a DuckDB identifier: ``"..."`` with inner double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """``text`` as a DuckDB string literal: ``'...'`` with inner single quotes doubled."""
    return "'" + text.replace("'", "''") + "'"
