{#-
    The as-of date of the marts: the dbt var `as_of_date` when given, otherwise null
    (int_reporting_period then takes the date of the greatest _loaded_at).
    `--vars '{as_of_date: 2026-07-15}'` arrives as a YAML date and '{as_of_date: "2026-07-15"}'
    as a string; both render as 'YYYY-MM-DD'.
-#}
{% macro as_of_date_var() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or value | string | trim == '' -%}
        cast(null as date)
    {%- else -%}
        cast({{ sql_string(value | string | trim) }} as date)
    {%- endif -%}
{%- endmacro %}
