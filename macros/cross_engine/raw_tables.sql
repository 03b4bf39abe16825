{#-
    Spark's on-run-start hook (restage_if_landing_changed on DuckDB): every raw table of the
    contract becomes an external Parquet table <source>.<table> over its landing folder
    $CX_RAW_DIR/<source>/<table>/, dropped and declared again on every run, so source()
    reads the batch files as they are now. Spark reads only *.parquet (pathGlobFilter) and
    skips names starting with a dot (or _), like batch_files() in orchestration/lib/landing.py;
    mergeSchema unions the batches by column name, as union_by_name does on DuckDB.

    A raw table with no batch file stops the run naming it, as on DuckDB: the listing of
    spark__list_landing_files goes to assert_every_raw_table_has_batches.

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
    {%- do assert_every_raw_table_has_batches(list_landing_files(raw_tables), raw_tables) -%}
    {{ return('') }}
{% endmacro %}

{#-
    The batch files of every raw table (list_landing_files on DuckDB): Spark's binaryFile
    source lists a folder without reading the files (only path, length and modificationTime
    are selected), hiding names that start with . or _; a folder that does not exist lists
    nothing. Each table's listing is an external table landing_files.<source>__<table>,
    declared again on every run; their union is the temporary view dbt_landing_files_new,
    with the columns of the DuckDB listing.
-#}
{% macro spark__list_landing_files(raw_tables) %}
    {%- set listing = 'dbt_landing_files_new' -%}
    {%- do run_query('create database if not exists landing_files') -%}
    {%- set selects = [] -%}
    {%- for table in raw_tables -%}
        {%- set files = 'landing_files.' ~ table.table_name | replace('/', '__') -%}
        {%- do run_query('drop table if exists ' ~ files) -%}
        {%- do run_query(
            'create table ' ~ files ~ " using binaryFile options (pathGlobFilter '*.parquet')"
            ~ ' location ' ~ sql_string(raw_dir() ~ '/' ~ table.table_name)
        ) -%}
        {%- do selects.append(
            'select ' ~ sql_string(table.table_name) ~ ' as table_name, '
            ~ sql_string(table.table_name ~ '/') ~ " || regexp_extract(path, '[^/]+$', 0)"
            ~ ' as file_name, length as size, modificationTime as last_modified, path'
            ~ ' from ' ~ files
        ) -%}
    {%- endfor -%}
    {%- do run_query(
        'create or replace temporary view ' ~ listing ~ ' as ' ~ selects | join(' union all ')
    ) -%}
    {{ return(listing) }}
{% endmacro %}

{#- A contract type (DuckDB's name) as Spark names it. -#}
{% macro spark_raw_type(data_type) %}
    {{ return({'varchar': 'string'}.get(data_type | lower, data_type | lower)) }}
{% endmacro %}
