"""The plain-SQL floor of a dbt build: every model's compiled SQL run as one DuckDB script.

    python bench/sql_floor.py <manifest.json of a full build> <build file> <out dir>

Reads the compiled SQL of every model from the manifest of a full ``dbt build`` (refs and
sources already resolved, incremental models compiled as full builds) and runs it, in
dependency order, as ``create table <schema>.<model> as ...`` in one DuckDB connection, on a
fresh file in ``out dir`` named as the build file (the compiled SQL names its catalog): the
same SQL on the same engine as the build, without dbt (no parsing, no adapter round trips,
no tests, no hook). The seeds are copied from the build file. Prints the seconds of the
models alone.
"""

from __future__ import annotations

import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb


def main(manifest_path: str, build_path: str, out_dir: str) -> None:
    nodes = json.loads(Path(manifest_path).read_text())["nodes"]
    models = {uid: node for uid, node in nodes.items() if node["resource_type"] == "model"}
    seeds = [node for node in nodes.values() if node["resource_type"] == "seed"]
    upstream = {
        uid: [d for d in node["depends_on"]["nodes"] if d in models] for uid, node in models.items()
    }
    order = TopologicalSorter(upstream).static_order()
    out = Path(out_dir) / Path(build_path).name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    with duckdb.connect(str(out)) as con:
        con.execute(f"attach '{build_path}' as build (read_only)")
        for seed in seeds:
            con.execute(f"create schema if not exists {seed['schema']}")
            con.execute(
                f"create table {seed['schema']}.{seed['alias']} as "
                f"select * from build.{seed['schema']}.{seed['alias']}"
            )
        con.execute("detach build")
        began = time.perf_counter()
        for uid in order:
            node = models[uid]
            con.execute(f"create schema if not exists {node['schema']}")
            con.execute(f"create table {node['schema']}.{node['alias']} as {node['compiled_code']}")
        print(time.perf_counter() - began)


if __name__ == "__main__":
    main(*sys.argv[1:4])
