{#- The median of a numeric aggregate, interpolated between the two middle values (DuckDB
    quantile_cont, Spark percentile: the same linear interpolation). Follow it with
    `filter (where ...)` as any aggregate. -#}
{% macro median_of(expression) -%}
    {{ return(adapter.dispatch('median_of', 'cx_warehouse')(expression)) }}
{%- endmacro %}
{% macro default__median_of(expression) -%}
    quantile_cont({{ expression }}, 0.5)
{%- endmacro %}
{% macro spark__median_of(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}
