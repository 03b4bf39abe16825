{#- The combination of `columns` is unique (the model's grain). Returns the duplicated keys
    with their row counts; the failure count is the number of offending rows. -#}
{% test unique_combination(model, columns) %}
    {{ config(fail_calc='coalesce(sum(n_rows), 0)') }}
    select {{ columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
