{#-
    Lists the batch files of every raw table once (file names, sizes and modification times,
    no file is read) into the temporary table dbt_landing_files_new and returns its name.

    Columns: table_name (<source>/<table>), file_name (<source>/<table>/<file>.parquet:
    relative to the landing dir, so data/raw, its absolute path and a path through a symlink
    give the same names), size (bytes), last_modified, and path (the file as DuckDB globbed
    it, to find the file among read_parquet's `filename` values). Every column but path is
    the same however CX_RAW_DIR spells the landing dir.
-#}
{% macro list_landing_files(raw_tables) %}
    {{ return(adapter.dispatch('list_landing_files', 'cx_warehouse')(raw_tables)) }}
{% endmacro %}

{% macro default__list_landing_files(raw_tables) %}
    {%- set listing = 'dbt_landing_files_new' -%}
    {%- set query -%}
        create or replace temp table {{ listing }} as
        {%- for table in raw_tables %}
        {% if not loop.first %}union all
        {% endif -%}
        select
            {{ sql_string(table.table_name) }} as table_name,
            {{ sql_string(table.table_name ~ '/') }}
            || parse_filename(filename, false, 'forward_slash') as file_name,
            size,
            last_modified,
            filename as path
        from read_blob({{ sql_string(table.glob) }})
        {%- endfor %}
    {%- endset -%}
    {%- do run_query(query) -%}
    {{ return(listing) }}
{% endmacro %}
