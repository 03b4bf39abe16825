{#-
    Every row satisfies `expression` (a SQL boolean over the model's columns); returns the
    rows that do not, so the failure count is the number of offending rows. Used for the
    contract's range and "not null if and only if" rules. As in dbt_utils, a row where the
    expression is null passes: nullable columns stay nullable, not_null is its own test.
-#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
