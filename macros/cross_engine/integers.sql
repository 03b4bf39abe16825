{#- A 128-bit integer type for amounts that could overflow BIGINT (annual amounts in cents):
    DuckDB HUGEINT, Spark DECIMAL(38, 0). Both exact. -#}
{% macro int128_type() -%}
    {{ return(adapter.dispatch('int128_type', 'cx_warehouse')()) }}
{%- endmacro %}
{% macro default__int128_type() -%}hugeint{%- endmacro %}
{% macro spark__int128_type() -%}decimal(38, 0){%- endmacro %}

{#- Integer division rounded toward minus infinity of two non-negative integers
    (DuckDB //, Spark div). -#}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'cx_warehouse')(numerator, denominator)) }}
{%- endmacro %}
{% macro default__integer_divide(numerator, denominator) -%}
    ({{ numerator }}) // ({{ denominator }})
{%- endmacro %}
{% macro spark__integer_divide(numerator, denominator) -%}
    ({{ numerator }}) div ({{ denominator }})
{%- endmacro %}

{#- Microseconds from timestamp `start_at` to `end_at`, as BIGINT. -#}
{% macro microseconds_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('microseconds_between', 'cx_warehouse')(start_at, end_at)) }}
{%- endmacro %}
{% macro default__microseconds_between(start_at, end_at) -%}
    date_diff('microsecond', {{ start_at }}, {{ end_at }})
{%- endmacro %}
{% macro spark__microseconds_between(start_at, end_at) -%}
    timestampdiff(microsecond, {{ start_at }}, {{ end_at }})
{%- endmacro %}
