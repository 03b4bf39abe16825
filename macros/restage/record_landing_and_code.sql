{#-
    Records what this run builds from, for the next run's hook: the listing (`listing`:
    list_landing_files) as meta.dbt_landing_files (table_name, file_name, size,
    last_modified) and `fingerprint` (incremental_code_fingerprint) as
    meta.dbt_incremental_code; then drops the listing.
-#}
{% macro record_landing_and_code(listing, fingerprint) %}
    {%- do run_query('create schema if not exists meta') -%}
    {%- set landing_query -%}
        create or replace table meta.dbt_landing_files as
        select
            table_name,
            file_name,
            size,
            last_modified
        from {{ listing }}
        order by table_name, file_name
    {%- endset -%}
    {%- do run_query(landing_query) -%}
    {%- do run_query(
        'create or replace table meta.dbt_incremental_code as select '
        ~ sql_string(fingerprint) ~ ' as fingerprint'
    ) -%}
    {%- do run_query('drop table ' ~ listing) -%}
{% endmacro %}
