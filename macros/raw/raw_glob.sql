{#- The batch files of one raw table: $CX_RAW_DIR/<source>/<table>/*.parquet -#}
{% macro raw_glob(source_name, table_name) -%}
    {{ env_var('CX_RAW_DIR', 'data/raw') }}/{{ source_name }}/{{ table_name }}/*.parquet
{%- endmacro %}
