{#- Tenure band of n whole months since the first active month, as in churn_by_segment,
    revenue_by_tenure and account_health: 0-2m (n <= 2), 3-11m, 12-23m, 24m+ (n >= 24). -#}
{% macro tenure_band(n_months) -%}
    case
        when {{ n_months }} is null then null
        when {{ n_months }} <= 2 then '0-2m'
        when {{ n_months }} <= 11 then '3-11m'
        when {{ n_months }} <= 23 then '12-23m'
        else '24m+'
    end
{%- endmacro %}
