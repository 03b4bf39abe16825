{#-
    Every converted amount found its FX rate (a needed rate that is missing is a data-quality
    failure, not a silent null). Returns one row per (currency, month) without a rate, with the
    number of rows that needed it; the failure count is the number of affected rows.
-#}
{% test fx_rate_available(model, column_name, currency_column, month_column) %}
    {{ config(fail_calc='coalesce(sum(n_rows), 0)') }}
    select
        {{ currency_column }} as currency,
        {{ month_column }} as month,
        count(*) as n_rows
    from {{ model }}
    where {{ column_name }} is null
    group by all
{% endtest %}
