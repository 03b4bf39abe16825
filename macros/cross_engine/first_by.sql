{#- The value of `value` in the first row of an aggregate's group in the order `order_by`, a
    list of [expression, 'asc' | 'desc'] pairs (nulls last, as DuckDB orders by default).
    DuckDB first(value order by ...); Spark min_by/max_by(value, struct(keys)): max_by when
    every key is desc, min_by when every key is asc, else min_by with the desc keys negated
    (then they must be numeric). Follow it with `filter (where ...)` as any aggregate. -#}
{% macro first_by(value, order_by) -%}
    {{ return(adapter.dispatch('first_by', 'cx_warehouse')(value, order_by)) }}
{%- endmacro %}
{% macro default__first_by(value, order_by) -%}
    first({{ value }} order by {% for key in order_by %}{{ key[0] }} {{ key[1] }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}
{% macro spark__first_by(value, order_by) -%}
    {%- set directions = order_by | map(attribute=1) | list -%}
    {%- if directions | select('equalto', 'desc') | list | length == directions | length -%}
        max_by({{ value }}, struct({{ order_by | map(attribute=0) | join(', ') }}))
    {%- else -%}
        min_by({{ value }}, struct(
            {%- for key in order_by -%}
                {{ '-(' ~ key[0] ~ ')' if key[1] == 'desc' else key[0] }}{{ ", " if not loop.last }}
            {%- endfor -%}
        ))
    {%- endif -%}
{%- endmacro %}
