{#-
    Spark's on-run-start hook (restage_if_landing_changed on DuckDB): every raw table of the
    contract becomes an external Parquet table <source>.<table> over its landing folder
    $CX_RAW_DIR/<source>/<table>/, dropped and declared again on every run, so source()
    reads the batch files as they are now. Spark reads only *.parquet (pathGlobFilter) and
    skips names starting with a dot (or _), like batch_files() in orchestration/lib/landing.py;
    mergeSchema unions the batches by column name, as union_by_name does on DuckDB.

    A table folder with no batch file gives an empty table here (DuckDB's hook stops the run
    naming it; Spark SQL cannot count files that hold no row); the refresh job's gates
    reject such a landing dir before dbt runs on either engine.

    Spark builds staging from all batches on every run (dbt_project.yml: table, not
    incremental), so there is nothing to restage when the landing dir is not an append.
-#}
{% macro spark__restage_if_landing_changed() %}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set raw_tables = raw_source_tables() -%}
    {%- for table in raw_tables -%}
        {%- set source_name, table_name = table.table_name.split('/') -%}
        {%- set folder = raw_dir() ~ '/' ~ table.table_name -%}
        {%- do run_query('create database if not exists ' ~ source_name) -%}
        {%- do run_query('drop table if exists ' ~ source_name ~ '.' ~ table_name) -%}
        {%- set source_node = graph.sources[table.unique_id] -%}
        {%- set columns = [] -%}
        {%- for column in source_node.columns.values() -%}
            {%- do columns.append(column.name ~ ' ' ~ spark_raw_type(column.data_type)) -%}
        {%- endfor -%}
        {%- do run_query(
            'create table ' ~ source_name ~ '.' ~ table_name ~ ' (' ~ columns | join(', ') ~ ')'
            ~ " using parquet options (mergeSchema 'true', pathGlobFilter '*.parquet')"
            ~ ' location ' ~ sql_string(folder)
        ) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{#- A contract type (DuckDB's name) as Spark names it. -#}
{% macro spark_raw_type(data_type) %}
    {{ return({'varchar': 'string'}.get(data_type | lower, data_type | lower)) }}
{% endmacro %}
