{#-
    Set-returning expressions for a select list: one row per element.
    month_series(start, end): every month (a DATE, first day) from month `start` to month
    `end`, both included (every step_months-th: 3 for quarters); integer_series(start, end): start, start + 1, ..., end (BIGINT);
    one_row_per(values): one row per value of the list of expressions.
    DuckDB: unnest(generate_series(...)) / unnest([...]); Spark: explode(sequence(...)) /
    explode(array(...)).
-#}
{% macro month_series(start_month, end_month, step_months=1) -%}
    {{ return(adapter.dispatch('month_series', 'cx_warehouse')(start_month, end_month, step_months)) }}
{%- endmacro %}
{% macro default__month_series(start_month, end_month, step_months=1) -%}
    cast(unnest(generate_series({{ start_month }}, {{ end_month }}, interval {{ step_months }} month)) as date)
{%- endmacro %}
{#- Spark's sequence fails (dates) or counts down (integers) when start > end: no rows then,
    as generate_series. -#}
{% macro spark__month_series(start_month, end_month, step_months=1) -%}
    explode(case
        when cast({{ start_month }} as date) <= cast({{ end_month }} as date)
            then sequence(
                cast({{ start_month }} as date), cast({{ end_month }} as date), interval {{ step_months }} month
            )
        else cast(array() as array<date>)
    end)
{%- endmacro %}

{% macro integer_series(start, end) -%}
    {{ return(adapter.dispatch('integer_series', 'cx_warehouse')(start, end)) }}
{%- endmacro %}
{% macro default__integer_series(start, end) -%}
    unnest(generate_series({{ start }}, {{ end }}))
{%- endmacro %}
{% macro spark__integer_series(start, end) -%}
    explode(case
        when cast({{ start }} as bigint) <= cast({{ end }} as bigint)
            then sequence(cast({{ start }} as bigint), cast({{ end }} as bigint))
        else cast(array() as array<bigint>)
    end)
{%- endmacro %}

{% macro one_row_per(values) -%}
    {{ return(adapter.dispatch('one_row_per', 'cx_warehouse')(values)) }}
{%- endmacro %}
{% macro default__one_row_per(values) -%}
    unnest([{{ values | join(', ') }}])
{%- endmacro %}
{% macro spark__one_row_per(values) -%}
    explode(array({{ values | join(', ') }}))
{%- endmacro %}
