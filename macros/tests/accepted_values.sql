{#-
    Overrides dbt's accepted_values so that a failure counts offending rows (dbt's counts
    distinct values): "Got 3 results" means three rows hold a value outside the list.
    Nulls pass; not_null is its own test.
-#}
{% test accepted_values(model, column_name, values, quote=true) %}
    select {{ column_name }} as unexpected_value
    from {{ model }}
    where {{ column_name }} is not null
        and {{ column_name }} not in (
            {%- for value in values -%}
                {%- if quote %}{{ sql_string(value) }}{% else %}{{ value }}{% endif %}{{ ', ' if not loop.last }}
            {%- endfor -%}
        )
{% endtest %}
