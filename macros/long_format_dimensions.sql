{#-
    Long-format dimensions: one aggregation over grouping sets gives the total (`all` /
    `all`) and one set of rows per dimension, named in the columns `dimension` and
    `dimension_value`. The dimension columns must already be non-null (null attributes
    coalesced to 'unknown' upstream).

    select
        month,
        {{ dimension_columns(dims) }},
        count(*) as n
    from facts
    group by {{ dimension_grouping_sets(['month'], dims) }}
-#}
{% macro dimension_grouping_sets(grain_columns, dimensions) -%}
    grouping sets (
        ({{ grain_columns | join(', ') }}),
        {%- for dimension in dimensions %}
        ({{ grain_columns | join(', ') }}, {{ dimension }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro dimension_columns(dimensions) -%}
    case
        {%- for dimension in dimensions %}
        when grouping({{ dimension }}) = 0 then '{{ dimension }}'
        {%- endfor %}
        else 'all'
    end as dimension,
    case
        {%- for dimension in dimensions %}
        when grouping({{ dimension }}) = 0 then cast({{ dimension }} as string)
        {%- endfor %}
        else 'all'
    end as dimension_value
{%- endmacro %}
