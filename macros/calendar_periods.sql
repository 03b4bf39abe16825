{#- Months and quarters as DATEs: a month is the first day of a calendar month, a quarter the
    first day of a calendar quarter. DuckDB's date_trunc returns a TIMESTAMP, hence the casts. -#}
{% macro month_of(expression) -%}
    cast(date_trunc('month', {{ expression }}) as date)
{%- endmacro %}

{#- M + n months, as a DATE. -#}
{% macro add_months(month_expression, n) -%}
    {{ return(adapter.dispatch('add_months', 'cx_warehouse')(month_expression, n)) }}
{%- endmacro %}
{% macro default__add_months(month_expression, n) -%}
    cast({{ month_expression }} + to_months(cast({{ n }} as integer)) as date)
{%- endmacro %}
{% macro spark__add_months(month_expression, n) -%}
    add_months(cast({{ month_expression }} as date), cast({{ n }} as integer))
{%- endmacro %}

{#- Whole months from month `start_month` to month `end_month` (both first days). -#}
{% macro months_between(start_month, end_month) -%}
    {{ return(adapter.dispatch('months_between', 'cx_warehouse')(start_month, end_month)) }}
{%- endmacro %}
{% macro default__months_between(start_month, end_month) -%}
    cast(date_diff('month', {{ start_month }}, {{ end_month }}) as bigint)
{%- endmacro %}
{% macro spark__months_between(start_month, end_month) -%}
    cast(timestampdiff(month, {{ start_month }}, {{ end_month }}) as bigint)
{%- endmacro %}

{#- Quarter of a date or timestamp: the first day of its calendar quarter, as a DATE. -#}
{% macro quarter_of(expression) -%}
    cast(date_trunc('quarter', {{ expression }}) as date)
{%- endmacro %}
