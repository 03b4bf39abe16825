{#-
    USD conversion: an amount in currency C dated in month M is converted with usd_per_unit
    of (M, C) from billing/fx_rates; USD is always 1.
    Join the rates with `fx_rate_join` and read the rate with `usd_per_unit`; a needed rate
    that is missing stays null, and the `fx_rate_available` test fails the build on it.
-#}
{% macro fx_rate_join(fx_relation, currency, month, alias='fx') -%}
    left join {{ fx_relation }} as {{ alias }}
        on {{ currency }} = {{ alias }}.currency
        and {{ month }} = {{ alias }}.rate_month
{%- endmacro %}

{% macro usd_per_unit(currency, alias='fx') -%}
    case when {{ currency }} = 'USD' then 1.0 else {{ alias }}.usd_per_unit end
{%- endmacro %}
