{#- The landing dir: $CX_RAW_DIR as given (relative to the dbt project dir or absolute). -#}
{% macro raw_dir() -%}
    {{ return(env_var('CX_RAW_DIR', 'data/raw')) }}
{%- endmacro %}

{#-
    The batch files of one raw table: $CX_RAW_DIR/<source>/<table>/*.parquet. Plain text, not
    SQL: quote it with sql_string() where it goes into a query.
-#}
{% macro raw_glob(source_name, table_name) -%}
    {{ return(raw_dir() ~ '/' ~ source_name ~ '/' ~ table_name ~ '/*.parquet') }}
{%- endmacro %}
