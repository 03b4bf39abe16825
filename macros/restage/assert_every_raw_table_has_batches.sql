{#-
    A raw table with no batch file has none of its contract columns, which blocks the refresh
    (docs/raw-contract.md): stop the run naming the tables, instead of DuckDB's "No files
    found" from a model. `listing` is the table of list_landing_files.
-#}
{% macro assert_every_raw_table_has_batches(listing, raw_tables) %}
    {%- set listed = run_query('select distinct table_name from ' ~ listing).columns[0].values() -%}
    {%- set missing = [] -%}
    {%- for table in raw_tables | sort(attribute='table_name') if table.table_name not in listed -%}
        {%- do missing.append(table.table_name) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            'Raw table(s) ' ~ missing | join(', ') ~ ' have no batch file (*.parquet) under '
            ~ raw_dir() ~ ': every contract table needs its folder'
            ~ ' <source>/<table>/ with at least one batch (see docs/raw-contract.md)'
        ) }}
    {%- endif -%}
{% endmacro %}
