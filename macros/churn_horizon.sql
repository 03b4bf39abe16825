{#- The churn horizon ("90-day churn"): an account active in month E (MRR(E) > 0) churns
    within the horizon when it has a churn movement in one of the churn_horizon_months()
    months after E (E+1 .. E+3). See int_account_churn_outlook. -#}
{% macro churn_horizon_months() -%}3{%- endmacro %}
